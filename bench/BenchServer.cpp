// The stream server the capture benchmarks download from, on loopback. One bench clip (720p
// H.264 + AAC at a fixed bit rate, made once with ffmpeg) is looped with the demo's MediaLoop, so
// the bytes are a real, continuous MPEG-TS stream.
//
//   confcap-bench-server files --megabytes 120 --media DIR --info FILE
//       Serves as fast as the client reads: a progressive stream of about that size (the same
//       bytes on every request to /ts/stream.ts; /once/<token>.ts answers once, then 410 Gone, so
//       a reconnecting client ends), and a VOD HLS playlist (/hls/vod.m3u8) whose segments add
//       up to the same bytes. Everything is rendered into memory before the info file appears.
//   confcap-bench-server rooms --rooms 64 --talk-in 10 --talk-length 60 --media DIR --info FILE
//       Live HLS rooms in real time (FakeStreamServer, 16 rooms per server) and a frab schedule
//       with one talk per room, or with --talks N that many back to back.
//   confcap-bench-server soak --seconds 3600 --talk-in 20 --talk-length 30 --media DIR --info FILE
//       A fake conference for bench/soak.sh: four rooms (live HLS, live HLS with fMP4 segments,
//       progressive MPEG-TS, MP3 radio) from the small demo clip, each with talks back to back
//       from talk-in seconds on for `seconds`. Every minute each room gets one fault (dropped
//       connection refused for 3 s, a 10 s stall, 503 for 5 s, or a failing HLS segment) between
//       32 s and 45 s into the minute, so the minute's first half is quiet. The schedule gets a
//       new version every 20 s, and every 5 minutes a talk that starts in more than 2 minutes is
//       renamed. The info
//       file lists every talk as `talk=<guid> <end, Unix seconds>`.
//   confcap-bench-server faults --kind hls|ts --talk-in 8 --talk-length 30 --media DIR --info FILE
//       One room, "Saal 1", streaming live HLS (window 6) or progressive MPEG-TS in real time, and
//       a frab schedule served over HTTP with two talks back to back: "Dropped Talk" from talk-in
//       seconds on, then "Stalled Talk", each talk-length seconds. In the middle of the first the
//       connection drops and new ones are refused for 3 s; in the middle of the second the
//       stream sends nothing for 8 s.
//   confcap-bench-server folder --folder DIR --rate BYTES_PER_SECOND --info FILE
//       Serves the files of DIR (a live packager's folder) through one uplink of that rate,
//       shared by every request, as a venue's line is shared by its rooms (demo::FolderServer).
//       The info file gives `url=` of the folder's root, ending in '/'.
//
// The info file holds key=value lines; it appears once the server is ready. The server runs
// until SIGINT or SIGTERM.
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "confcap/demo/FakeConference.h"
#include "confcap/demo/FakeStreamServer.h"
#include "confcap/demo/FolderServer.h"
#include "confcap/demo/LoopbackServer.h"
#include "confcap/demo/MediaFixture.h"
#include "confcap/demo/MediaLoop.h"

namespace {

namespace fs = std::filesystem;
using confcap::demo::LoopbackServer;
using confcap::demo::MediaClip;
using confcap::demo::MediaLoop;
using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

constexpr int kClipSeconds = 10;
constexpr int kSegmentSeconds = 2;
constexpr int kRoomsPerServer = 16;

/// Runs a command; false when it failed.
bool run(const std::string& command) {
    return std::system(command.c_str()) == 0;
}

/// The bench clip in `folder`, made with ffmpeg when it is not there: 1280x720 25 fps H.264 at a
/// constant `kbps` (noise keeps the encoder busy, CBR filler keeps the rate exact) plus AAC,
/// cut into 2 s MPEG-TS segments.
MediaClip benchClip(const fs::path& media, int kbps) {
    const fs::path folder = media / ("bench-" + std::to_string(kbps) + "k");
    if (!fs::exists(folder / "complete")) {
        fs::create_directories(folder);
        const auto rate = std::to_string(kbps) + "k";
        const std::string command =
            "cd '" + folder.string() +
            "' && ffmpeg -hide_banner -nostdin -loglevel error -y "
            "-f lavfi -i testsrc2=size=1280x720:rate=25:duration=" +
            std::to_string(kClipSeconds) +
            " -f lavfi -i sine=frequency=440:sample_rate=48000:duration=" +
            std::to_string(kClipSeconds) +
            " -vf noise=alls=12:allf=t -c:v libx264 -preset ultrafast -pix_fmt yuv420p -b:v " +
            rate + " -minrate " + rate + " -maxrate " + rate + " -bufsize " + rate +
            " -x264-params nal-hrd=cbr -g 50 -keyint_min 50 -sc_threshold 0 -c:a aac -b:a 128k "
            "-f hls -hls_time " +
            std::to_string(kSegmentSeconds) +
            " -hls_list_size 0 -hls_segment_type mpegts -hls_segment_filename 'seg%03d.ts' "
            "clip.m3u8 && touch complete";
        if (!run(command)) {
            throw std::runtime_error("ffmpeg could not make the bench clip in " + folder.string());
        }
    }
    MediaClip clip;
    clip.folder = folder;
    std::ifstream playlist(folder / "clip.m3u8");
    std::string line;
    double next = 0;
    while (std::getline(playlist, line)) {
        if (line.rfind("#EXTINF:", 0) == 0) {
            next = std::strtod(line.c_str() + 8, nullptr);
        } else if (!line.empty() && line[0] != '#') {
            clip.tsSegments.push_back(folder / line);
            clip.segmentSeconds.push_back(next);
            clip.seconds += next;
        }
    }
    return clip;
}

std::map<std::string, std::string> options(int argc, char** argv) {
    std::map<std::string, std::string> values;
    for (int i = 2; i + 1 < argc; i += 2) {
        std::string name = argv[i];
        if (name.rfind("--", 0) != 0) {
            throw std::runtime_error("unexpected argument " + name);
        }
        values[name.substr(2)] = argv[i + 1];
    }
    return values;
}

/// Writes `text` to `file` at once (a reader polling for the file sees all or nothing).
void publish(const fs::path& file, const std::string& text) {
    const fs::path temporary = file.string() + ".tmp";
    std::ofstream(temporary) << text;
    fs::rename(temporary, file);
}

void waitForSignal() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    int signal = 0;
    sigwait(&set, &signal);
}

void sendBytes(HTTPServerResponse& response, const std::string& contentType, const char* data,
               std::size_t size) {
    response.setStatusAndReason(HTTPResponse::HTTP_OK);
    response.setContentType(contentType);
    response.set("Cache-Control", "no-cache");
    // sendBuffer hands the whole body to the socket in one call, without a stream buffer.
    response.sendBuffer(data, size);
}

int serveFiles(const std::map<std::string, std::string>& args) {
    const double megabytes = std::stod(args.at("megabytes"));
    const auto clip =
        benchClip(args.at("media"),
                  std::stoi(args.count("kbps") != 0 ? args.at("kbps") : std::string("4000")));
    const MediaLoop loop(clip, MediaLoop::Format::Ts);
    // Whole segments until the size is reached: the progressive body is their concatenation.
    std::vector<std::string> segments;
    std::vector<std::size_t> offsets;
    std::string body;
    for (std::int64_t n = 0; static_cast<double>(body.size()) < megabytes * 1e6; ++n) {
        segments.push_back(loop.unit(n));
        offsets.push_back(body.size());
        body += segments.back();
    }
    std::ostringstream playlist;
    int target = 0;
    for (std::size_t i = 0; i < segments.size(); ++i) {
        target = std::max(target,
                          static_cast<int>(loop.unitSeconds(static_cast<std::int64_t>(i)) + 0.999));
    }
    playlist << "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-TARGETDURATION:"
             << target << "\n#EXT-X-MEDIA-SEQUENCE:0\n";
    for (std::size_t i = 0; i < segments.size(); ++i) {
        char extinf[32];
        std::snprintf(extinf, sizeof extinf, "%.3f",
                      loop.unitSeconds(static_cast<std::int64_t>(i)));
        playlist << "#EXTINF:" << extinf << ",\nseg" << i << ".ts\n";
    }
    playlist << "#EXT-X-ENDLIST\n";
    const std::string playlistText = playlist.str();

    std::mutex mutex;
    std::set<std::string> served;
    LoopbackServer::Options serverOptions;
    serverOptions.maxThreads = 8;
    LoopbackServer server(
        [&](HTTPServerRequest& request, HTTPServerResponse& response) {
            const std::string uri = request.getURI();
            if (uri == "/ts/stream.ts") {
                sendBytes(response, "video/mp2t", body.data(), body.size());
            } else if (uri.rfind("/once/", 0) == 0) {
                bool first = false;
                {
                    std::lock_guard lock(mutex);
                    first = served.insert(uri).second;
                }
                if (first) {
                    sendBytes(response, "video/mp2t", body.data(), body.size());
                } else {
                    response.setStatusAndReason(HTTPResponse::HTTP_GONE);
                    response.sendBuffer("gone\n", 5);
                }
            } else if (uri == "/hls/vod.m3u8") {
                sendBytes(response, "application/vnd.apple.mpegurl", playlistText.data(),
                          playlistText.size());
            } else if (uri.rfind("/hls/seg", 0) == 0) {
                const auto index = std::strtoul(uri.c_str() + 8, nullptr, 10);
                if (index < segments.size()) {
                    sendBytes(response, "video/mp2t", segments[index].data(),
                              segments[index].size());
                    return;
                }
                response.setStatusAndReason(HTTPResponse::HTTP_NOT_FOUND);
                response.sendBuffer("not found\n", 10);
            } else {
                response.setStatusAndReason(HTTPResponse::HTTP_NOT_FOUND);
                response.sendBuffer("not found\n", 10);
            }
        },
        serverOptions);

    std::ostringstream curlConfig;
    for (std::size_t i = 0; i < segments.size(); ++i) {
        curlConfig << "url = \"" << server.url("/hls/seg" + std::to_string(i) + ".ts") << "\"\n";
    }
    publish(args.at("curl-config"), curlConfig.str());
    std::ostringstream info;
    info << "ts_url=" << server.url("/ts/stream.ts") << "\n"
         << "once_prefix=" << server.url("/once/") << "\n"
         << "hls_url=" << server.url("/hls/vod.m3u8") << "\n"
         << "bytes=" << body.size() << "\n"
         << "segments=" << segments.size() << "\n"
         << "media_seconds=" << loop.unitStart(static_cast<std::int64_t>(segments.size())) << "\n";
    publish(args.at("info"), info.str());
    waitForSignal();
    return 0;
}

int serveRooms(const std::map<std::string, std::string>& args) {
    const int rooms = std::stoi(args.at("rooms"));
    const auto clip =
        benchClip(args.at("media"),
                  std::stoi(args.count("kbps") != 0 ? args.at("kbps") : std::string("3000")));
    std::vector<confcap::demo::FakeRoom> fakeRooms;
    std::vector<confcap::demo::FakeTalk> talks;
    const auto talkIn = std::chrono::seconds(std::stoi(args.at("talk-in")));
    const auto talkLength = std::chrono::seconds(std::stoi(args.at("talk-length")));
    const int talksPerRoom = args.count("talks") != 0 ? std::stoi(args.at("talks")) : 1;
    std::vector<std::unique_ptr<confcap::demo::FakeStreamServer>> servers;
    std::ostringstream info;
    for (int first = 0; first < rooms; first += kRoomsPerServer) {
        std::vector<confcap::demo::StreamSpec> specs;
        for (int i = first; i < std::min(rooms, first + kRoomsPerServer); ++i) {
            confcap::demo::StreamSpec spec;
            spec.name = "room" + std::to_string(i + 1);
            spec.kind = confcap::demo::StreamKind::Hls;
            spec.window = 6;
            specs.push_back(spec);
        }
        servers.push_back(std::make_unique<confcap::demo::FakeStreamServer>(clip, specs));
        for (const auto& spec : specs) {
            char name[32];
            std::snprintf(name, sizeof name, "Room %02d", std::stoi(spec.name.substr(4)));
            fakeRooms.push_back({name, spec});
            for (int k = 0; k < talksPerRoom; ++k) {
                char guid[64];
                std::snprintf(guid, sizeof guid, "00000000-0000-4000-%04d-%012d", 8000 + k,
                              std::stoi(spec.name.substr(4)));
                const auto title = "Bench talk " + std::to_string(k + 1) + " in " + name;
                talks.push_back({guid, name, title, talkIn + k * talkLength, talkLength});
            }
            info << "stream=" << name << "=" << servers.back()->url(spec.name) << "\n";
        }
    }
    const auto start = std::chrono::system_clock::now();
    publish(args.at("schedule"),
            confcap::demo::FakeConference::scheduleXml(fakeRooms, talks, start, 1));
    info << "segment_seconds=" << servers.front()->segmentSeconds() << "\n"
         << "talk_start="
         << std::chrono::duration_cast<std::chrono::seconds>((start + talkIn).time_since_epoch())
                .count()
         << "\n";
    publish(args.at("info"), info.str());
    waitForSignal();
    return 0;
}

/// `at` as "YYYY-MM-DDTHH:MM:SSZ".
std::string utc(std::chrono::system_clock::time_point at) {
    const std::time_t t = std::chrono::system_clock::to_time_t(at);
    std::tm parts{};
    gmtime_r(&t, &parts);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
    return text;
}

int serveFaults(const std::map<std::string, std::string>& args) {
    const std::string kind = args.at("kind");
    if (kind != "hls" && kind != "ts") {
        throw std::runtime_error("--kind must be hls or ts, not " + kind);
    }
    const auto clip =
        benchClip(args.at("media"),
                  std::stoi(args.count("kbps") != 0 ? args.at("kbps") : std::string("3000")));
    const auto talkIn = std::chrono::seconds(std::stoi(args.at("talk-in")));
    const auto talkLength = std::chrono::seconds(std::stoi(args.at("talk-length")));
    confcap::demo::StreamSpec stream;
    stream.name = "saal1";
    stream.kind = kind == "hls" ? confcap::demo::StreamKind::Hls : confcap::demo::StreamKind::Ts;
    stream.window = 6;
    const std::vector<confcap::demo::FakeTalk> talks = {
        {"00000000-0000-4000-8000-000000000001", "Saal 1", "Dropped Talk", talkIn, talkLength},
        {"00000000-0000-4000-8000-000000000002", "Saal 1", "Stalled Talk", talkIn + talkLength,
         talkLength}};
    const auto start = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    confcap::demo::FakeConference conference(clip, {{"Saal 1", stream}}, talks, start);
    auto& streams = conference.streams();
    // Fault times count on the stream server's steady clock; `lead` is `start` on that clock.
    const double lead =
        streams.elapsed() +
        std::chrono::duration<double>(start - std::chrono::system_clock::now()).count();
    const double length = static_cast<double>(talkLength.count());
    const double dropAt = static_cast<double>(talkIn.count()) + length / 2;
    const double refusedUntil = dropAt + 3;
    const double stallFrom = static_cast<double>(talkIn.count()) + length * 1.5;
    const double stallUntil = stallFrom + 8;
    streams.addFault(stream.name, confcap::demo::Fault::drop(lead + dropAt, lead + refusedUntil));
    streams.addFault(stream.name, confcap::demo::Fault::stall(lead + stallFrom, lead + stallUntil));

    const auto instant = [&](double seconds) {
        return utc(start + std::chrono::duration_cast<std::chrono::system_clock::duration>(
                               std::chrono::duration<double>(seconds)));
    };
    std::ostringstream info;
    info << "schedule_url=" << conference.scheduleUrl() << "\n";
    for (const auto& option : conference.streamOptions()) {
        info << "stream=" << option << "\n";
    }
    info << "talk_start=" << instant(static_cast<double>(talkIn.count())) << "\n"
         << "talk_end=" << instant(static_cast<double>((talkIn + 2 * talkLength).count())) << "\n"
         << "drop_at=" << instant(dropAt) << "\n"
         << "refused_until=" << instant(refusedUntil) << "\n"
         << "stall_from=" << instant(stallFrom) << "\n"
         << "stall_until=" << instant(stallUntil) << "\n";
    if (stream.kind == confcap::demo::StreamKind::Hls) {
        info << "segment_seconds=" << streams.segmentSeconds() << "\n";
    }
    publish(args.at("info"), info.str());
    waitForSignal();
    return 0;
}

int serveSoak(const std::map<std::string, std::string>& args) {
    using confcap::demo::Fault;
    using confcap::demo::StreamKind;
    const auto seconds = std::chrono::seconds(std::stol(args.at("seconds")));
    const auto talkIn = std::chrono::seconds(std::stoi(args.at("talk-in")));
    const auto talkLength = std::chrono::seconds(std::stoi(args.at("talk-length")));
    const auto clip = confcap::demo::MediaFixture::ensure(args.at("media"));

    std::vector<confcap::demo::FakeRoom> rooms = {
        {"Saal 1", {"saal1", StreamKind::Hls}},
        {"Saal 2", {"saal2", StreamKind::HlsFmp4}},
        {"Saal 3", {"saal3", StreamKind::Ts}},
        {"Radio", {"radio", StreamKind::Mp3}},
    };
    std::vector<confcap::demo::FakeTalk> talks;
    int number = 0;
    for (const auto& room : rooms) {
        for (auto at = talkIn; at + talkLength <= talkIn + seconds; at += talkLength) {
            char guid[64];
            std::snprintf(guid, sizeof guid, "00000000-0000-4000-8000-%012d", ++number);
            talks.push_back(
                {guid, room.name, "Soak talk " + std::to_string(number), at, talkLength});
        }
    }
    const auto start = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    confcap::demo::FakeConference conference(clip, rooms, talks, start);
    auto& streams = conference.streams();
    const double lead =
        streams.elapsed() +
        std::chrono::duration<double>(start - std::chrono::system_clock::now()).count();
    const auto minutes = (talkIn + seconds).count() / 60 + 1;
    for (std::size_t r = 0; r < rooms.size(); ++r) {
        const auto& spec = rooms[r].stream;
        const bool hls = spec.kind == StreamKind::Hls || spec.kind == StreamKind::HlsFmp4;
        for (long minute = 1; minute < minutes; ++minute) {
            const double at = lead + static_cast<double>(talkIn.count() + minute * 60) + 32;
            switch ((static_cast<std::size_t>(minute) + r) % 4) {
                case 0:
                    streams.addFault(spec.name, Fault::drop(at, at + 3));
                    break;
                case 1:
                    streams.addFault(spec.name, Fault::stall(at, at + 10));
                    break;
                case 2:
                    streams.addFault(spec.name, Fault::httpStatus(at, at + 5, 503, 1));
                    break;
                default:
                    if (hls) {
                        streams.addFault(spec.name,
                                         Fault::failOnce(streams.liveEdge(spec.name, at) + 1, 500));
                    }
                    break;
            }
        }
    }

    std::ostringstream info;
    info << "schedule_url=" << conference.scheduleUrl() << "\n";
    for (const auto& option : conference.streamOptions()) {
        info << "stream=" << option << "\n";
    }
    info << "talk_start=" << std::chrono::system_clock::to_time_t(start + talkIn) << "\n";
    for (const auto& talk : talks) {
        info << "talk=" << talk.guid << " "
             << std::chrono::system_clock::to_time_t(start + talk.start + talk.duration) << "\n";
    }
    publish(args.at("info"), info.str());

    // The organizer: a new schedule version every 20 s; every 5 minutes a talk more than 2
    // minutes ahead gets a new title, so refreshes see both unchanged and changed plans.
    std::mutex mutex;
    std::condition_variable wake;
    bool stopping = false;
    std::thread organizer([&] {
        int round = 0;
        std::unique_lock lock(mutex);
        while (!wake.wait_for(lock, std::chrono::seconds(20), [&] { return stopping; })) {
            ++round;
            if (round % 15 == 0) {
                const auto now = std::chrono::system_clock::now() - start;
                for (auto& talk : talks) {
                    if (talk.start > now + std::chrono::minutes(2) &&
                        !talk.title.ends_with("(renamed)")) {
                        talk.title += " (renamed)";
                        break;
                    }
                }
            }
            conference.setTalks(talks);
        }
    });
    waitForSignal();
    {
        std::lock_guard lock(mutex);
        stopping = true;
    }
    wake.notify_all();
    organizer.join();
    return 0;
}

int serveFolder(const std::map<std::string, std::string>& values) {
    const fs::path folder = values.at("folder");
    const double rate = std::strtod(values.at("rate").c_str(), nullptr);
    if (rate <= 0) {
        throw std::runtime_error("--rate must be bytes per second above 0");
    }
    confcap::demo::FolderServer server(folder, rate);
    publish(values.at("info"), "url=" + server.url("") + "\n");
    waitForSignal();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    // The main thread takes the signals with sigwait; every server thread inherits the block.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    const std::string mode = argc > 1 ? argv[1] : "";
    try {
        if (mode == "files") {
            return serveFiles(options(argc, argv));
        }
        if (mode == "rooms") {
            return serveRooms(options(argc, argv));
        }
        if (mode == "faults") {
            return serveFaults(options(argc, argv));
        }
        if (mode == "soak") {
            return serveSoak(options(argc, argv));
        }
        if (mode == "folder") {
            return serveFolder(options(argc, argv));
        }
        std::cerr
            << "usage: confcap-bench-server files|rooms|faults|soak|folder --option value ...\n";
        return 64;
    } catch (const std::exception& e) {
        std::cerr << "confcap-bench-server: " << e.what() << "\n";
        return 1;
    }
}
