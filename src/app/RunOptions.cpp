#include "confcap/app/RunOptions.h"

#include <cctype>
#include <charconv>
#include <cstdlib>

#include "confcap/core/Error.h"
#include "confcap/core/FileIo.h"

namespace confcap::app {

std::uint64_t parseSize(const std::string& option, const std::string& value) {
    std::uint64_t number = 0;
    const char* begin = value.data();
    const char* end = begin + value.size();
    auto [ptr, ec] = std::from_chars(begin, end, number);
    std::string unit(ptr, end);
    for (auto& c : unit) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    std::uint64_t factor = 0;
    if (unit.empty() || unit == "B") {
        factor = 1;
    } else if (unit == "K" || unit == "KB" || unit == "KIB") {
        factor = 1024;
    } else if (unit == "M" || unit == "MB" || unit == "MIB") {
        factor = 1024 * 1024;
    } else if (unit == "G" || unit == "GB" || unit == "GIB") {
        factor = 1024ULL * 1024 * 1024;
    }
    if (ec != std::errc{} || ptr == begin || factor == 0) {
        throw core::UsageError("--" + option + " '" + value +
                               "' is not a size; write it like 512K, 1M or 2G.");
    }
    return number * factor;
}

run::MinFree parseMinFree(const std::string& value) {
    const auto refuse = [&value]() -> run::MinFree {
        throw core::UsageError("--min-free '" + value +
                               "' is not a size; write it like 500M, 1G or 5% (of the file "
                               "system).");
    };
    if (!value.empty() && value.back() == '%') {
        const std::string number = value.substr(0, value.size() - 1);
        double percent = -1;
        const auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(),
                                               percent, std::chars_format::fixed);
        if (number.empty() || ec != std::errc{} || ptr != number.data() + number.size() ||
            !(percent >= 0 && percent <= 100)) {
            return refuse();
        }
        return {std::nullopt, percent};
    }
    try {
        return {parseSize("min-free", value), std::nullopt};
    } catch (const core::UsageError&) {
        return refuse();
    }
}

run::MinFree minFreeOption(const Arguments& arguments) {
    const auto value = arguments.value("min-free");
    return value ? parseMinFree(*value) : run::MinFree{};
}

core::Seconds durationOption(const Arguments& arguments, const std::string& name,
                             core::Seconds fallback) {
    const auto value = arguments.value(name);
    if (!value) {
        return fallback;
    }
    try {
        return core::parseDuration(*value);
    } catch (const core::UsageError&) {
        throw core::UsageError("--" + name + " '" + *value +
                               "' is not a duration; write it like 90s, 5m or 1h30m.");
    }
}

plan::StreamMap streamMap(const Arguments& arguments) {
    plan::StreamMap map;
    for (const auto& value : arguments.values("stream")) {
        map.streams.push_back(plan::parseStreamOption(value));
    }
    map.streamTemplate = arguments.value("stream-template").value_or("");
    if (!map.streamTemplate.empty() && map.streamTemplate.rfind("http://", 0) != 0 &&
        map.streamTemplate.rfind("https://", 0) != 0) {
        throw core::UsageError("--stream-template '" + map.streamTemplate +
                               "' is not an http:// or https:// URL.");
    }
    return map;
}

plan::PlanOptions planOptions(const Arguments& arguments) {
    plan::PlanOptions options;
    options.padBefore = durationOption(arguments, "pad-before", options.padBefore);
    options.padAfter = durationOption(arguments, "pad-after", options.padAfter);
    options.namePattern = arguments.value("name").value_or("");
    options.windowsSafeNames = arguments.flag("windows-safe-names");
    if (arguments.flag("utc")) {
        options.zone = "UTC";
    }
    if (const auto shard = arguments.value("shard")) {
        if (arguments.has("shards")) {
            throw core::UsageError(
                "--shard and --shards do not go together: --shard K/N plans one shard, --shards N "
                "shows them all.");
        }
        options.shard = plan::parseShard(*shard);
    }
    return options;
}

source::SourceOptions sourceOptions(const Arguments& arguments) {
    source::SourceOptions options;
    options.variant = arguments.value("variant").value_or("");
    options.audio = arguments.value("audio").value_or("");
    options.stallTimeout =
        durationOption(arguments, "stall-timeout",
                       std::chrono::duration_cast<core::Seconds>(options.stallTimeout));
    if (options.stallTimeout < std::chrono::seconds(1)) {
        throw core::UsageError("--stall-timeout must be at least 1s.");
    }
    options.caFile = arguments.value("ca-file").value_or("");
    options.recorder = checkRecorder(arguments);
    return options;
}

sink::Container containerOption(const Arguments& arguments) {
    const auto value = arguments.value("container");
    if (!value) {
        return sink::Container::AsRecorded;
    }
    const auto container = sink::containerNamed(*value);
    if (!container) {
        throw core::UsageError("--container '" + *value +
                               "' is not a container confcap writes; use ts, mkv or mp4.");
    }
    if (*container != sink::Container::AsRecorded && core::findOnPath("ffmpeg").empty()) {
        throw core::SourceError("--container " + *value +
                                    " needs ffmpeg, which is not on PATH; install it (apt-get "
                                    "install ffmpeg) or keep the stream's container (ts).",
                                core::ErrorKind::Permanent);
    }
    return *container;
}

run::CaptureRecorder::Options recordingOptions(const Arguments& arguments) {
    run::CaptureRecorder::Options options;
    options.source = sourceOptions(arguments);
    options.minBytes = arguments.has("min-size")
                           ? parseSize("min-size", *arguments.value("min-size"))
                           : std::uint64_t{512} * 1024;
    options.minDuration = durationOption(arguments, "min-duration", core::Seconds(10));
    options.container = containerOption(arguments);
    options.nfo = arguments.flag("nfo");
    return options;
}

std::optional<std::uint16_t> statusPortOption(const Arguments& arguments) {
    const auto port = arguments.value("status-port");
    if (!port) {
        return std::nullopt;
    }
    const int value = std::atoi(port->c_str());
    if (value < 0 || value > 65535 || std::to_string(value) != *port) {
        throw core::UsageError("--status-port '" + *port + "' is not a port number (0-65535).");
    }
    return static_cast<std::uint16_t>(value);
}

std::filesystem::path outputFolder(const Arguments& arguments) {
    return arguments.value("out").value_or("recordings");
}

std::optional<source::RecorderCommand> checkRecorder(const Arguments& arguments) {
    auto command = source::recorderCommand(arguments.value("recorder").value_or(""),
                                           arguments.value("recorder-command").value_or(""));
    if (command) {
        source::checkRecorderInstalled(*command);
    }
    return command;
}

std::optional<run::HookRunner::Options> hookOptions(const Arguments& arguments) {
    run::HookRunner::Options options;
    if (const auto jobs = arguments.value("hook-jobs")) {
        int value = 0;
        const auto [ptr, ec] = std::from_chars(jobs->data(), jobs->data() + jobs->size(), value);
        if (ec != std::errc{} || ptr != jobs->data() + jobs->size() || value < 1 || value > 64) {
            throw core::UsageError("--hook-jobs '" + *jobs +
                                   "' is not a number of hooks at once (1-64).");
        }
        options.jobs = value;
    }
    options.timeout = durationOption(arguments, "hook-timeout", core::Seconds(3600));
    if (options.timeout < std::chrono::seconds(1)) {
        throw core::UsageError("--hook-timeout must be at least 1s.");
    }
    const auto commandLine = arguments.value("on-recorded");
    if (!commandLine) {
        return std::nullopt;
    }
    options.command = run::hookTemplate(*commandLine);
    run::checkHookInstalled(options.command);
    return options;
}

std::optional<health::Thresholds> healthOptions(const Arguments& arguments) {
    health::Thresholds thresholds;
    if (const auto level = arguments.value("silence-below")) {
        std::string text = *level;
        if (text.size() > 2 && (text.ends_with("dB") || text.ends_with("db"))) {
            text.resize(text.size() - 2);
        }
        double value = 1;
        const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec != std::errc{} || ptr != text.data() + text.size() || value > 0 || value < -120) {
            throw core::UsageError("--silence-below '" + *level +
                                   "' is not a level in dBFS from -120dB to 0dB, such as -50dB.");
        }
        thresholds.silenceBelowDb = value;
    }
    const auto length = [&](const char* name, core::Seconds fallback) {
        const auto value = durationOption(arguments, name, fallback);
        if (value < core::Seconds(1)) {
            throw core::UsageError("--" + std::string(name) + " must be at least 1s.");
        }
        return value;
    };
    thresholds.silenceFor = length("silence-for", thresholds.silenceFor);
    thresholds.blackFor = length("black-for", thresholds.blackFor);
    thresholds.frozenFor = length("frozen-for", thresholds.frozenFor);
    if (arguments.flag("no-health")) {
        return std::nullopt;
    }
    return thresholds;
}

}  // namespace confcap::app
