#include "confcap/status/LogWriter.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "confcap/core/Error.h"
#include "confcap/status/TextFormat.h"

namespace confcap::status {

namespace {

constexpr const char* kDim = "\x1b[2m";
constexpr const char* kReset = "\x1b[0m";

Level consoleThreshold(Verbosity verbosity) {
    switch (verbosity) {
        case Verbosity::Quiet:
            return Level::Warning;
        case Verbosity::Verbose:
            return Level::Debug;
        case Verbosity::Normal:
            break;
    }
    return Level::Info;
}

const char* levelPrefix(Level level) {
    switch (level) {
        case Level::Debug:
            return "debug: ";
        case Level::Warning:
            return "warning: ";
        case Level::Error:
            return "error: ";
        case Level::Info:
            break;
    }
    return "";
}

const char* levelColour(Level level) {
    switch (level) {
        case Level::Debug:
            return kDim;
        case Level::Warning:
            return "\x1b[33m";
        case Level::Error:
            return "\x1b[1;31m";
        case Level::Info:
            break;
    }
    return "";
}

std::string markText(const Mark& mark) {
    const auto room = sanitize(mark.room);
    const auto talk = sanitize(mark.talk);
    if (room.empty() && talk.empty()) {
        return {};
    }
    if (room.empty() || talk.empty()) {
        return "[" + room + talk + "]";
    }
    return "[" + room + " | " + talk + "]";
}

}  // namespace

LogWriter::LogWriter(Console& console, Options options)
    : console_(console),
      options_(std::move(options)),
      zone_(displayZone(options_.zone, options_.utc)),
      colour_(wantColour(options_.colour, console.terminal(), std::getenv("NO_COLOR"))) {
    if (!options_.logFile.empty()) {
        file_.open(options_.logFile, std::ios::out | std::ios::app);
        if (!file_) {
            throw core::OutputError("Cannot open the log file " + options_.logFile.string() +
                                    " for appending (" + std::strerror(errno) +
                                    "); check the path given to --log-file.");
        }
    }
}

bool LogWriter::wantColour(ColourMode mode, bool terminal, const char* noColor) noexcept {
    switch (mode) {
        case ColourMode::Always:
            return true;
        case ColourMode::Never:
            return false;
        case ColourMode::Auto:
            break;
    }
    return terminal && (noColor == nullptr || *noColor == '\0');
}

std::string LogWriter::timeOfDay(std::chrono::system_clock::time_point t,
                                 const char* pattern) const {
    const auto seconds = std::chrono::floor<std::chrono::seconds>(t);
    if (zone_ == nullptr) {
        return date::format(pattern, seconds);
    }
    return date::format(pattern, date::make_zoned(zone_, seconds));
}

std::string LogWriter::plainBody(const Event& event) const {
    auto mark = markText(event.mark);
    if (!mark.empty()) {
        mark.push_back(' ');
    }
    return mark + levelPrefix(event.level) + sanitize(event.message);
}

std::string LogWriter::format(const Event& event, bool colour) const {
    const auto time = timeOfDay(event.time, "%T");
    if (!colour) {
        return time + " " + plainBody(event);
    }
    std::string line = time + " ";
    const auto mark = markText(event.mark);
    if (!mark.empty()) {
        line += kDim + mark + kReset + " ";
    }
    const auto* colourCode = levelColour(event.level);
    const auto message = levelPrefix(event.level) + sanitize(event.message);
    if (*colourCode == '\0') {
        return line + message;
    }
    return line + colourCode + message + kReset;
}

void LogWriter::write(const Event& event) {
    if (event.level >= consoleThreshold(options_.verbosity)) {
        console_.print(format(event, colour_));
    }
    if (file_.is_open()) {
        const auto fileThreshold =
            options_.verbosity == Verbosity::Verbose ? Level::Debug : Level::Info;
        if (event.level >= fileThreshold) {
            const auto line = timeOfDay(event.time, "%F %T") + " " + plainBody(event) + "\n";
            std::lock_guard lock(fileMutex_);
            file_ << line << std::flush;
        }
    }
}

EventListener LogWriter::listener() {
    return [this](const Event& event) { write(event); };
}

}  // namespace confcap::status
