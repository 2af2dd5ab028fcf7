#include "confcap/demo/MediaFixture.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <Poco/Exception.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <system_error>

#include "confcap/core/Error.h"

namespace confcap::demo {

namespace {

namespace fs = std::filesystem;

// Part of the cache key: bump it when the layout of a clip folder changes.
constexpr const char* kLayoutVersion = "confcap-media-3";
constexpr const char* kCompleteMarker = "complete";
constexpr int kClipSeconds = 10;

using Command = std::vector<std::string>;

// Splits a command line on spaces (no argument here contains one).
Command words(std::string_view line) {
    Command args;
    std::size_t at = 0;
    while (at < line.size()) {
        const std::size_t end = std::min(line.find(' ', at), line.size());
        if (end > at) {
            args.emplace_back(line.substr(at, end - at));
        }
        at = end + 1;
    }
    return args;
}

std::vector<Command> clipCommands(ClipContent content) {
    const std::string seconds = std::to_string(kClipSeconds);
    const std::string common = "-hide_banner -nostdin -loglevel error -y ";
    const std::string picture = std::string("-f lavfi -i ") +
                                (content == ClipContent::Still ? "smptebars" : "testsrc") +
                                "=size=320x180:rate=25:duration=" + seconds + " ";
    // Silence is an audio track whose samples are all zero, not a missing track.
    const std::string tone =
        content == ClipContent::Silent
            ? "-f lavfi -i anullsrc=sample_rate=48000:channel_layout=mono -t " + seconds + " "
            : "-f lavfi -i sine=frequency=440:sample_rate=48000:duration=" + seconds + " ";
    // One thread each: the machine is shared, and "realtime" libvpx would pace itself.
    const std::string h264 =
        "-threads 1 -c:v libx264 -preset veryfast -profile:v baseline -pix_fmt yuv420p "
        "-b:v 120k -g 25 -keyint_min 25 -sc_threshold 0 -c:a aac -b:a 48k -ac 1 ";
    const std::string hls = "-f hls -hls_time 1 -hls_list_size 0 ";
    return {
        words(common + picture + tone + h264 + hls +
              "-hls_segment_type mpegts -hls_segment_filename ts%03d.ts ts.m3u8"),
        words(common + picture + tone + h264 + hls +
              "-hls_segment_type fmp4 -hls_fmp4_init_filename init.mp4 "
              "-hls_segment_filename fmp4%03d.m4s fmp4.m3u8"),
        words(common +
              (content == ClipContent::Silent
                   ? "-f lavfi -i anullsrc=sample_rate=44100:channel_layout=mono -t " + seconds
                   : "-f lavfi -i sine=frequency=660:sample_rate=44100:duration=" + seconds) +
              " -c:a libmp3lame -b:a 64k -ac 1 -write_xing 0 -id3v2_version 0 -f mp3 clip.mp3"),
        words(common + picture + tone +
              "-threads 1 -c:v libvpx -deadline good -cpu-used 5 -b:v 120k -g 25 "
              "-keyint_min 25 -c:a libopus -b:a 32k -ac 1 "
              "-f webm -live 1 -cluster_time_limit 1000 clip.webm"),
    };
}

std::uint64_t fnv1a(std::string_view text, std::uint64_t hash = 14695981039346656037ull) {
    for (const char c : text) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 1099511628211ull;
    }
    return hash;
}

std::string contentKey(const std::vector<Command>& commands) {
    std::uint64_t hash = fnv1a(kLayoutVersion);
    for (const auto& command : commands) {
        for (const auto& arg : command) {
            hash = fnv1a(arg, hash);
            hash = fnv1a(std::string_view("\0", 1), hash);
        }
    }
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
    return text;
}

std::string quoted(const Command& command) {
    std::string text = "ffmpeg";
    for (const auto& arg : command) {
        text += ' ';
        text += arg;
    }
    return text;
}

void runFfmpeg(const Command& command, const fs::path& folder) {
    Poco::Pipe errPipe;
    int exitCode = -1;
    std::string errors;
    try {
        Poco::ProcessHandle handle =
            Poco::Process::launch("ffmpeg", command, folder.string(), nullptr, nullptr, &errPipe);
        Poco::PipeInputStream err(errPipe);
        Poco::StreamCopier::copyToString(err, errors);
        exitCode = handle.wait();
    } catch (const Poco::Exception& e) {
        throw core::Error(
            "Could not run ffmpeg to make the test clip (" + e.displayText() + "); install ffmpeg.",
            core::ErrorKind::Permanent);
    }
    if (exitCode != 0) {
        throw core::Error("ffmpeg failed (exit " + std::to_string(exitCode) + ") making the " +
                              "test clip with `" + quoted(command) + "`: " + errors,
                          core::ErrorKind::Permanent);
    }
}

// The EXTINF durations and URIs of a playlist ffmpeg wrote.
void readSegmentList(const fs::path& playlist, std::vector<fs::path>& files,
                     std::vector<double>* seconds) {
    std::ifstream in(playlist);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("#EXTINF:", 0) == 0) {
            if (seconds != nullptr) {
                seconds->push_back(std::strtod(line.c_str() + 8, nullptr));
            }
        } else if (!line.empty() && line[0] != '#') {
            files.push_back(playlist.parent_path() / line);
        }
    }
}

MediaClip describe(const fs::path& folder) {
    MediaClip clip;
    clip.folder = folder;
    readSegmentList(folder / "ts.m3u8", clip.tsSegments, &clip.segmentSeconds);
    readSegmentList(folder / "fmp4.m3u8", clip.fmp4Segments, nullptr);
    clip.fmp4Init = folder / "init.mp4";
    clip.mp3 = folder / "clip.mp3";
    clip.webm = folder / "clip.webm";
    clip.seconds = kClipSeconds;
    if (clip.tsSegments.empty() || clip.tsSegments.size() != clip.fmp4Segments.size()) {
        throw core::Error("The cached test clip in " + folder.string() + " is incomplete.",
                          core::ErrorKind::Permanent);
    }
    return clip;
}

// An exclusive flock() on a file for as long as it lives; without one when the file cannot be
// opened (the private build folder still keeps concurrent makers apart).
class FileLock {
public:
    explicit FileLock(const fs::path& file)
        : fd_(::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644)) {
        if (fd_ >= 0) {
            while (::flock(fd_, LOCK_EX) != 0 && errno == EINTR) {
            }
        }
    }
    ~FileLock() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;

private:
    int fd_;
};

}  // namespace

MediaClip MediaFixture::ensure(const fs::path& cacheDir, ClipContent content) {
    const auto commands = clipCommands(content);
    const fs::path finalFolder = cacheDir / ("clip-" + contentKey(commands));
    if (fs::exists(finalFolder / kCompleteMarker)) {
        return describe(finalFolder);
    }
    fs::create_directories(cacheDir);
    // One process makes the clip while the others wait for it (test suites start together).
    const FileLock lock(cacheDir / ".lock");
    if (fs::exists(finalFolder / kCompleteMarker)) {
        return describe(finalFolder);
    }
    static std::atomic<int> counter{0};
    const fs::path work = cacheDir / (".build-" + std::to_string(::getpid()) + "-" +
                                      std::to_string(counter.fetch_add(1)));
    fs::remove_all(work);
    fs::create_directories(work);
    try {
        for (const auto& command : commands) {
            runFfmpeg(command, work);
        }
        std::ofstream(work / kCompleteMarker) << kLayoutVersion << '\n';
        std::error_code ec;
        fs::rename(work, finalFolder, ec);
        if (ec) {
            // Another process finished first (the folder exists and is not empty): use its copy.
            fs::remove_all(work);
            if (!fs::exists(finalFolder / kCompleteMarker)) {
                throw core::Error("Could not store the test clip in " + finalFolder.string() +
                                      ": " + ec.message() + ".",
                                  core::ErrorKind::Permanent);
            }
        }
    } catch (...) {
        std::error_code ignored;
        fs::remove_all(work, ignored);
        throw;
    }
    return describe(finalFolder);
}

fs::path MediaFixture::defaultCacheDir() {
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg != '\0') {
        return fs::path(xdg) / "confcap" / "media";
    }
    if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
        return fs::path(home) / ".cache" / "confcap" / "media";
    }
    return fs::temp_directory_path() / "confcap-media";
}

}  // namespace confcap::demo
