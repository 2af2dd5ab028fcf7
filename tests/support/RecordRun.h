// Helpers for the suites that run `confcap record` as a child process: a private folder tree
// per run (so a test can see that nothing lands outside --out), the files a run left, its JSON
// (sidecars, summary) and the media timeline of a recording as ffprobe reads it.
#pragma once

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/MediaTestSupport.h"
#include "support/RunProcess.h"

namespace confcap::testing {

/// A run's folders under one temp folder: confcap starts in `work` and records into `out` inside
/// it; its cache, home and temp files go to folders of their own.
struct RunFolders {
    TempDir root;
    std::filesystem::path work = root.path / "work";
    std::filesystem::path out = work / "out";
    std::filesystem::path cache = root.path / "cache";
    std::filesystem::path home = root.path / "home";
    std::filesystem::path tmp = root.path / "tmp";

    RunFolders() {
        for (const auto& folder : {work, cache, home, tmp}) {
            std::filesystem::create_directories(folder);
        }
    }
    /// The child's environment: XDG_CACHE_HOME, HOME and TMPDIR point into `root`.
    std::map<std::string, std::string> env() const {
        return {
            {"XDG_CACHE_HOME", cache.string()}, {"HOME", home.string()}, {"TMPDIR", tmp.string()}};
    }
};

/// Every file under `folder` as a path relative to it ('/'-separated), sorted. Folders whose
/// name starts with '.' are skipped when `skipHidden`.
inline std::vector<std::string> filesUnder(const std::filesystem::path& folder,
                                           bool skipHidden = true) {
    std::vector<std::string> files;
    std::error_code ec;
    if (!std::filesystem::is_directory(folder, ec)) {
        return files;
    }
    for (auto it = std::filesystem::recursive_directory_iterator(folder);
         it != std::filesystem::recursive_directory_iterator(); ++it) {
        if (it->is_directory()) {
            if (skipHidden && it->path().filename().string().starts_with('.')) {
                it.disable_recursion_pending();
            }
            continue;
        }
        files.push_back(it->path().lexically_relative(folder).generic_string());
    }
    std::sort(files.begin(), files.end());
    return files;
}

/// The sidecars under `out` (the .json files beside recordings, not the part lists), full paths.
inline std::vector<std::filesystem::path> sidecarsUnder(const std::filesystem::path& out) {
    std::vector<std::filesystem::path> sidecars;
    for (const auto& file : filesUnder(out)) {
        if (file.ends_with(".json") && !file.ends_with(".part.json")) {
            sidecars.push_back(out / file);
        }
    }
    return sidecars;
}

/// Waits until `ready()` or `limit` passed; returns ready().
template <typename Ready>
bool waitFor(Ready ready, std::chrono::milliseconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!ready() && std::chrono::steady_clock::now() < end) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return ready();
}

/// The names directly in `folder`, sorted.
inline std::vector<std::string> entriesOf(const std::filesystem::path& folder) {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(folder)) {
        names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

/// A JSON file's object. Throws when it cannot be read or is not a JSON object.
inline Poco::JSON::Object::Ptr readJsonFile(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) {
        throw std::runtime_error("cannot read " + file.string());
    }
    return Poco::JSON::Parser().parse(in).extract<Poco::JSON::Object::Ptr>();
}

/// The media timeline of a recording, in its own timestamps (seconds).
struct Timeline {
    bool ok = false;         ///< ffprobe exited 0 and listed packets with timestamps
    int streams = 0;         ///< distinct streams with packets
    double first = 0;        ///< the earliest packet start, all streams
    double last = 0;         ///< the latest packet end, all streams
    double largestJump = 0;  ///< the largest step between consecutive video packets
    int repeated = 0;        ///< video packets with the time of another: media written twice
    double span() const { return last - first; }
};

/// Reads every packet's stream, type and timestamps with ffprobe.
inline Timeline timelineOf(const std::filesystem::path& file) {
    const auto result =
        runProcess("ffprobe", {"-v", "error", "-show_entries",
                               "packet=codec_type,stream_index,pts_time,duration_time", "-of",
                               "compact=p=0", file.string()});
    Timeline t;
    t.first = 1e18;
    std::map<std::string, int> streams;
    std::vector<double> video;
    std::istringstream lines(result.out);
    std::string line;
    while (std::getline(lines, line)) {
        std::map<std::string, std::string> fields;
        std::istringstream parts(line);
        std::string part;
        while (std::getline(parts, part, '|')) {
            const auto eq = part.find('=');
            if (eq != std::string::npos) {
                fields[part.substr(0, eq)] = part.substr(eq + 1);
            }
        }
        const auto pts = fields["pts_time"];
        if (pts.empty() || pts == "N/A") {
            continue;
        }
        const double start = std::strtod(pts.c_str(), nullptr);
        const auto duration = fields["duration_time"];
        const double length =
            duration.empty() || duration == "N/A" ? 0 : std::strtod(duration.c_str(), nullptr);
        ++streams[fields["stream_index"]];
        t.first = std::min(t.first, start);
        t.last = std::max(t.last, start + length);
        if (fields["codec_type"] == "video") {
            video.push_back(start);
        }
    }
    std::sort(video.begin(), video.end());
    for (std::size_t i = 1; i < video.size(); ++i) {
        t.largestJump = std::max(t.largestJump, video[i] - video[i - 1]);
        t.repeated += video[i] == video[i - 1] ? 1 : 0;
    }
    t.streams = static_cast<int>(streams.size());
    t.ok = result.exitCode == 0 && !streams.empty() && t.last > t.first;
    if (!t.ok) {
        t.first = t.last = 0;
    }
    return t;
}

/// The elementary streams of a media file as ffprobe lists them.
struct StreamList {
    int video = 0;
    int audio = 0;
    std::vector<std::string> audioLanguages;  ///< in stream order; "" where untagged
};

inline StreamList streamsOf(const std::filesystem::path& file) {
    const auto result = runProcess(
        "ffprobe", {"-v", "error", "-show_entries", "stream=index,codec_type:stream_tags=language",
                    "-of", "csv=p=0", file.string()});
    // MPEG-TS lists its streams twice (in the program, without tags, and alone): keep the
    // fuller line of each.
    std::map<int, std::string> lines;
    std::istringstream text(result.out);
    for (std::string line; std::getline(text, line);) {
        while (!line.empty() && (line.back() == ',' || line.back() == '\r')) {
            line.pop_back();
        }
        if (line.empty() || line[0] < '0' || line[0] > '9') {
            continue;
        }
        auto& known = lines[std::atoi(line.c_str())];
        if (line.size() > known.size()) {
            known = line;
        }
    }
    StreamList list;
    for (const auto& [index, line] : lines) {
        std::vector<std::string> fields;
        std::istringstream parts(line);
        for (std::string field; std::getline(parts, field, ',');) {
            fields.push_back(field);
        }
        if (fields.size() > 1 && fields[1] == "video") {
            ++list.video;
        } else if (fields.size() > 1 && fields[1] == "audio") {
            ++list.audio;
            list.audioLanguages.push_back(fields.size() > 2 ? fields[2] : "");
        }
    }
    return list;
}

}  // namespace confcap::testing
