#include "confcap/app/CommandLine.h"

#include <Poco/AutoPtr.h>
#include <Poco/Exception.h>
#include <Poco/Util/IniFileConfiguration.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "confcap/core/Error.h"

namespace confcap::app {

namespace {

constexpr unsigned kSchedule = kList | kPlan | kRecord;
constexpr unsigned kPlanning = kPlan | kRecord;

}  // namespace

const std::vector<OptionSpec>& optionSpecs() {
    static const std::vector<OptionSpec> specs = {
        {"schedule", "SRC",
         "the schedule: an http(s) URL or a file (frab, pretalx, Pentabarf XML or JSON; EMF; "
         "Indico)",
         false, kSchedule | kRecut, "Schedule"},
        {"conference", "SLUG",
         "schedule and streams from a preset (fosdem, fosdemYYYY) or the streaming API "
         "(confcap conferences lists them)",
         false, kSchedule, "Schedule"},
        {"streams-api", "URL",
         "the c3voc streaming API to ask (default https://streaming.media.ccc.de/streams/v2.json)",
         false, kSchedule | kConferences, "Schedule"},
        {"timezone", "ZONE", "IANA time zone for schedules that name none, e.g. Europe/Brussels",
         false, kSchedule | kRecut, "Schedule"},
        {"cache-dir", "DIR",
         "where the last good schedule and streaming API document are cached (default: "
         "$XDG_CACHE_HOME/confcap)",
         false, kSchedule | kConferences | kRecut, "Schedule"},
        {"ca-file", "FILE", "an extra CA certificate (PEM) to trust for https", false,
         kSchedule | kCapture | kConferences | kRecut, "Schedule"},
        {"room", "NAME", "only talks in this room (name or guid, any case; repeatable)", true,
         kSchedule, "Selection"},
        {"track", "NAME", "only talks in this track (any case; repeatable)", true, kSchedule,
         "Selection"},
        {"match", "REGEX",
         "only talks whose title, subtitle or speakers match (any case; repeatable)", true,
         kSchedule, "Selection"},
        {"exclude", "REGEX", "drop talks whose title, subtitle or speakers match (repeatable)",
         true, kSchedule, "Selection"},
        {"talk", "ID", "only this talk: guid, id, slug or code (repeatable)", true, kSchedule,
         "Selection"},
        {"favourites", "SRC",
         "only the talks this favourites list names: a file or URL (iCalendar, EventFahrplan, a "
         "schedule, ids or URLs one per line) or a Giggity share link (repeatable)",
         true, kSchedule, "Selection"},
        {"day", "N|DATE", "only this conference day: its number or YYYY-MM-DD (repeatable)", true,
         kSchedule, "Selection"},
        {"utc", nullptr, "show times in UTC instead of the conference's time zone", false,
         kList | kPlan, "Output"},
        {"json", nullptr, "print JSON instead of a table", false,
         kList | kPlan | kConferences | kSummary, "Output"},
        {"html", "FILE", "also write them as one page: timeline, pictures, health flags, links",
         false, kSummary, "Output"},
        {"stream", "ROOM=URL", "where a room streams: its name or guid, any case (repeatable)",
         true, kPlanning, "Streams"},
        {"stream-template", "URL",
         "stream URL for rooms without --stream; fills {room}, {room_slug}, {room_guid}", false,
         kPlanning, "Streams"},
        {"stream-kind", "hd|sd|audio|slides",
         "with --conference from the streaming API: which stream of a room (default hd)", false,
         kPlanning, "Streams"},
        {"language", "native|translated|translated-2",
         "with --conference from the streaming API: the room's own sound or a translation "
         "(default native)",
         false, kPlanning, "Streams"},
        {"variant", "WHICH",
         "HLS variant to keep throughout: best, an index, 720p or 1280x720 (default: the best, "
         "stepping down while the link cannot keep up)",
         false, kPlanning | kCapture, "Streams"},
        {"audio", "NAME|LANGUAGE|all",
         "HLS audio renditions to keep beside the variant: its default one (default), the one "
         "with this name or language, or all",
         false, kPlanning | kCapture, "Streams"},
        {"check-streams", nullptr,
         "check once that each room's stream answers, and say what it sends (plan; record checks "
         "the rooms with a talk in the next hour at its start)",
         false, kPlan, "Streams"},
        {"stall-timeout", "DUR", "a stream sending nothing this long is reconnected (default 20s)",
         false, kRecord | kCapture, "Streams"},
        {"recorder", "NAME",
         "what records the streams: native (default), mplayer, ffmpeg or streamlink", false,
         kPlanning | kCapture, "Streams"},
        {"recorder-command", "TEMPLATE",
         "run this program as the recorder (no shell); {url} is the stream, {output} the pipe it "
         "writes into",
         false, kPlanning | kCapture, "Streams"},
        {"out", "DIR", "the output folder (default ./recordings; merge: required)", false,
         kPlanning | kMerge | kRecut, "Recording"},
        {"name", "TEMPLATE",
         "file name template (default \"{date}/{room}/{time} {title}.{ext}\"); fields: "
         "{conference} "
         "{acronym} {day} {date} {time} {room} {id} {guid} {slug} {title} {subtitle} {track} "
         "{persons} {lang} {ext}",
         false, kPlanning, "Recording"},
        {"windows-safe-names", nullptr, "also avoid characters and names Windows cannot store",
         false, kPlanning, "Recording"},
        {"pad-before", "DUR", "start recording this long before a talk (default 1m)", false,
         kPlanning, "Recording"},
        {"pad-after", "DUR", "go on recording this long after a talk (default 5m)", false,
         kPlanning, "Recording"},
        {"include-optout", nullptr, "also record talks whose speakers opted out of recording",
         false, kPlanning, "Recording"},
        {"shard", "K/N",
         "record only the rooms of shard K of N: each room belongs to one shard by a hash of its "
         "guid (its name without one), so N hosts with one config split the rooms",
         false, kPlanning, "Recording"},
        {"shards", "N", "show which of N shards records each room, and talks per shard (plan)",
         false, kPlan, "Recording"},
        {"min-size", "BYTES", "discard recordings smaller than this (default 512K; K, M, G)", false,
         kRecord | kCapture, "Recording"},
        {"min-duration", "DUR", "discard recordings covering less than this (default 10s)", false,
         kRecord | kCapture, "Recording"},
        {"min-free", "SIZE",
         "keep this much free on --out: while less is free, a talk whose window opens waits (talks "
         "under way go on); SIZE like 500M, 1G or 5% of the file system (default: the smaller of "
         "1G and 5%)",
         false, kPlanning | kDemo, "Recording"},
        {"container", "ts|mkv|mp4",
         "the finished talk's container: the stream's own, with the talk's name in it (ts, "
         "default), or remuxed with tags and chapters (mkv; mp4 with its index at the front)",
         false, kRecord | kCapture | kDemo, "Recording"},
        {"nfo", nullptr, "write a Kodi/Jellyfin .nfo beside each recorded talk", false,
         kRecord | kDemo, "Recording"},
        {"keep-tape", "DUR",
         "also keep each room's stream in OUT/.confcap/tape while it records (sharing the "
         "talks' files, writing only what lies between talks), for confcap recut, and delete "
         "it this long after (default 48h; 0 = no tape)",
         false, kPlanning | kDemo, "Recording"},
        {"tape-bridge", "DUR",
         "keep a room's tape going this long after its last talk ends: a break up to this long "
         "before its next talk, or a talk running over, stays on the tape (default 30m)",
         false, kPlanning | kDemo, "Recording"},
        {"start", "TIME|+-DUR",
         "the new start of the talk's window: a shift such as -2m or a time such as "
         "2026-12-27T14:05:00+01:00 (default: as it was)",
         false, kRecut, "Recut"},
        {"end", "TIME|+-DUR", "the new end of the talk's window, e.g. +12m (default: as it was)",
         false, kRecut, "Recut"},
        {"refresh", "DUR", "re-read the schedule this often (default 5m; 0 = never)", false,
         kRecord, "Recording"},
        {"exit-when-done", nullptr,
         "exit once every selected window has passed and its file is final", false, kRecord,
         "Recording"},
        {"for", "DUR", "how long to record", false, kCapture, "Recording"},
        {"output", "FILE", "the file to write (-o); its extension follows the stream's container",
         false, kCapture, "Recording"},
        {"on-recorded", "TEMPLATE",
         "run this program after each finished talk (no shell); fills {file}, {sidecar}, "
         "{title}, {room}, {start} and {outcome}",
         false, kRecord | kDemo, "After each talk"},
        {"hook-jobs", "N", "how many --on-recorded hooks run at once (default 2)", false,
         kRecord | kDemo, "After each talk"},
        {"hook-timeout", "DUR", "a hook running longer is stopped (default 1h)", false,
         kRecord | kDemo, "After each talk"},
        {"no-health", nullptr,
         "do not check the talks' content (silence, black or frozen picture) or draw thumbnails",
         false, kRecord | kDemo | kRecut, "After each talk"},
        {"silence-below", "DB", "audio quieter than this (dBFS) is silence (default -50dB)", false,
         kRecord | kDemo | kRecut, "After each talk"},
        {"silence-for", "DUR", "silence this long is flagged (default 30s)", false,
         kRecord | kDemo | kRecut, "After each talk"},
        {"black-for", "DUR", "a black picture this long is flagged (default 30s)", false,
         kRecord | kDemo | kRecut, "After each talk"},
        {"frozen-for", "DUR", "a frozen picture this long is flagged (default 30s)", false,
         kRecord | kDemo | kRecut, "After each talk"},
        {"status-port", "PORT",
         "serve the status page (with a timeline), the recordings and summary.html here", false,
         kRecord | kDemo, "Operator view"},
        {"status-bind", "ADDR", "address of the status page (default 127.0.0.1)", false,
         kRecord | kDemo, "Operator view"},
        {"status-auth", "FILE",
         "ask for credentials on every path of the status server but /healthz: a file of "
         "user:hash lines (htpasswd -B; bcrypt or sha512-crypt) or one bearer token",
         false, kRecord | kDemo, "Operator view"},
        {"status-tls-cert", "FILE",
         "serve the status page over HTTPS with this PEM certificate (chain); re-read on SIGHUP",
         false, kRecord | kDemo, "Operator view"},
        {"status-tls-key", "FILE", "the PEM private key of --status-tls-cert", false,
         kRecord | kDemo, "Operator view"},
        {"log-file", "FILE", "append the log to this file too", false, kRecord | kCapture | kDemo,
         "Operator view"},
        {"quiet", nullptr, "log only warnings and errors", false, kRecord | kCapture | kDemo,
         "Operator view"},
        {"verbose", nullptr, "log debug lines too", false, kRecord | kCapture | kDemo,
         "Operator view"},
        {"config", "FILE", "read options from an INI file whose keys are the long option names",
         false, kAllCommands, "General"},
        {"help", nullptr, "show this help and exit", false, kAllCommands, "General"},
        {"version", nullptr, "show the version and exit", false, kAllCommands, "General"},
    };
    return specs;
}

std::optional<Command> commandNamed(std::string_view name) {
    if (name == "list")
        return kList;
    if (name == "plan")
        return kPlan;
    if (name == "record")
        return kRecord;
    if (name == "capture")
        return kCapture;
    if (name == "demo")
        return kDemo;
    if (name == "conferences")
        return kConferences;
    if (name == "summary")
        return kSummary;
    if (name == "merge")
        return kMerge;
    if (name == "recut")
        return kRecut;
    return std::nullopt;
}

const char* subcommandName(Command command) {
    switch (command) {
        case kList:
            return "list";
        case kPlan:
            return "plan";
        case kRecord:
            return "record";
        case kCapture:
            return "capture";
        case kDemo:
            return "demo";
        case kConferences:
            return "conferences";
        case kSummary:
            return "summary";
        case kMerge:
            return "merge";
        case kRecut:
            return "recut";
        default:
            return "";
    }
}

const char* commandSummary(Command command) {
    switch (command) {
        case kList:
            return "list the talks of a schedule, grouped by day";
        case kPlan:
            return "show what record would record: talks, streams, windows and files";
        case kRecord:
            return "record the selected talks as the schedule says, unattended";
        case kCapture:
            return "record one stream now, with the same engine";
        case kDemo:
            return "a fake conference on loopback, recorded end to end";
        case kConferences:
            return "what the c3voc streaming API announces now: conferences, rooms, streams";
        case kSummary:
            return "one table of the talks in several output folders (shards or replicas)";
        case kMerge:
            return "one file per talk from the folders of several recording hosts";
        case kRecut:
            return "make a recorded talk's file again from its room's tape, with new times";
        default:
            return "";
    }
}

std::optional<std::string> Arguments::value(const std::string& name) const {
    const auto it = values_.find(name);
    if (it == values_.end() || it->second.empty()) {
        return std::nullopt;
    }
    return it->second.back();
}

std::vector<std::string> Arguments::values(const std::string& name) const {
    const auto it = values_.find(name);
    return it == values_.end() ? std::vector<std::string>{} : it->second;
}

void Arguments::mergeConfigFile(const std::string& path, Command command) {
    // Poco's INI reader loops forever on a stream that fails without reaching its end, as one
    // opened on a folder does: only a regular file is handed to it.
    std::error_code error;
    if (!std::filesystem::is_regular_file(path, error) || !std::ifstream(path).good()) {
        throw core::ConfigError("Cannot read the config file " + path + ".");
    }
    Poco::AutoPtr<Poco::Util::IniFileConfiguration> ini;
    try {
        ini = new Poco::Util::IniFileConfiguration(path);
    } catch (const Poco::Exception& e) {
        throw core::ConfigError("Cannot read the config file " + path + ": " + e.displayText() +
                                ".");
    }
    Poco::Util::AbstractConfiguration::Keys keys;
    ini->keys(keys);
    const auto& specs = optionSpecs();
    for (const auto& key : keys) {
        const auto spec = std::find_if(specs.begin(), specs.end(),
                                       [&](const OptionSpec& s) { return key == s.name; });
        if (spec == specs.end() || key == "config" || key == "help" || key == "version") {
            throw core::ConfigError("The config file " + path + " has an unknown key '" + key +
                                    "'; keys are long option names such as schedule or room.");
        }
        if ((spec->commands & command) == 0) {
            continue;  // one file serves every subcommand: plan ignores record's keys
        }
        if (has(key)) {
            continue;  // the command line wins
        }
        std::vector<std::string> found;
        if (ini->has(key)) {
            found.push_back(ini->getString(key));
        }
        Poco::Util::AbstractConfiguration::Keys subkeys;
        ini->keys(key, subkeys);
        for (const auto& sub : subkeys) {
            // "room.2.x" or "room.2 x.y" nest deeper than name.N: "room.2" holds no value.
            const std::string repeated = key + "." + sub;
            if (!ini->has(repeated)) {
                throw core::ConfigError("The config file " + path + " has a key under '" +
                                        repeated +
                                        "'; a repeated option is written name.2, name.3.");
            }
            found.push_back(ini->getString(repeated));
        }
        if (found.size() > 1 && !spec->repeatable) {
            throw core::ConfigError("The config file " + path + " gives '" + key +
                                    "' more than once, but it takes one value.");
        }
        fromConfig_.push_back(key);
        for (const auto& v : found) {
            if (spec->argument != nullptr) {
                add(key, v);
            } else if (v.empty() || v == "true" || v == "yes" || v == "1") {
                add(key, "true");
            } else if (v != "false" && v != "no" && v != "0") {
                throw core::ConfigError("The config file " + path + " sets '" + key + "' to '" + v +
                                        "'; write true or false.");
            }
        }
    }
}

Arguments Arguments::withConfigReloaded(Command command) const {
    Arguments reloaded = *this;
    for (const auto& key : fromConfig_) {
        reloaded.values_.erase(key);
    }
    reloaded.fromConfig_.clear();
    if (const auto config = value("config")) {
        reloaded.mergeConfigFile(*config, command);
    }
    return reloaded;
}

}  // namespace confcap::app
