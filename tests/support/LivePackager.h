// A real live HLS stream for the tests: ffmpeg's own HLS muxer (-f hls) encoding a test picture
// and tone in real time into a folder, and a loopback HTTP server that serves that folder the
// way a web server in front of a packager does (demo::FolderServer).
#pragma once

#include <csignal>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "confcap/demo/FolderServer.h"
#include "support/ChildProcess.h"

namespace confcap::testing {

/// Serves the packager's folder (see demo::FolderServer), optionally through a thin uplink.
using FolderServer = demo::FolderServer;

/// What a live packager encodes and how it cuts it.
struct PackagerSpec {
    /// "ts" (MPEG-TS segments) or "fmp4" (CMAF / fragmented MP4 with EXT-X-MAP).
    std::string segmentType = "ts";
    /// Two video variants (320x180 and 160x90, each with its audio) behind master.m3u8.
    bool variants = false;
    /// Audio as separate renditions (EXT-X-MEDIA) beside a video-only variant behind
    /// master.m3u8: 1 gives the default "deu" one, 2 adds an "eng" translation.
    int audioRenditions = 0;
    /// Continue an existing playlist in the folder (-hls_flags append_list).
    bool appendList = false;
    /// Three video variants as a conference streams them, each with its audio, behind
    /// master.m3u8: 1280x720 at about 2.2 Mbit/s, 640x360 at 660 kbit/s and 320x180 at
    /// 170 kbit/s (BANDWIDTH), constant bit rate (x264 filler), sharing their timestamps.
    bool ladder = false;
    /// Segments the playlist lists (-hls_list_size).
    int window = 5;
};

/// ffmpeg encoding in real time into `folder` with its HLS muxer: 2 s segments, a window of
/// spec.window, old segments deleted, EXT-X-PROGRAM-DATE-TIME on. The entry is entry().
class LivePackager {
public:
    LivePackager(std::filesystem::path folder, PackagerSpec spec)
        : folder_(std::move(folder)), spec_(std::move(spec)) {
        std::filesystem::create_directories(folder_);
        std::vector<std::string> args = {
            "-hide_banner",
            "-loglevel",
            "error",
            "-nostdin",
            "-re",
            "-f",
            "lavfi",
            "-i",
            spec_.ladder ? "testsrc2=size=1280x720:rate=25" : "testsrc=size=320x180:rate=25",
            "-re",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:sample_rate=48000"};
        if (spec_.audioRenditions > 1) {
            args.insert(args.end(),
                        {"-re", "-f", "lavfi", "-i", "sine=frequency=660:sample_rate=48000"});
        }
        const std::vector<std::string> video = {
            "-c:v", "libx264",     "-preset", "ultrafast",     "-tune", "zerolatency", "-g",
            "25",   "-keyint_min", "25",      "-sc_threshold", "0",     "-b:v",        "300k"};
        const std::vector<std::string> audio = {"-c:a", "aac", "-b:a", "64k"};
        std::string flags = "delete_segments+program_date_time";
        if (spec_.appendList) {
            flags += "+append_list";
        }
        std::vector<std::string> hls = {
            "-f",         "hls", "-hls_time", "2", "-hls_list_size", std::to_string(spec_.window),
            "-hls_flags", flags};
        if (spec_.segmentType == "fmp4") {
            hls.insert(hls.end(), {"-hls_segment_type", "fmp4"});
        }
        if (spec_.ladder) {
            // testsrc2 at 720p, scaled down for the lower rungs; CBR with filler so that each
            // segment weighs what its BANDWIDTH says.
            args.insert(args.end(), {"-map", "0:v", "-map", "0:v", "-map", "0:v", "-map", "1:a",
                                     "-map", "1:a", "-map", "1:a"});
            args.insert(
                args.end(),
                {"-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "25",
                 "-keyint_min", "25", "-sc_threshold", "0", "-x264-params", "nal-hrd=cbr",
                 "-filter:v:1", "scale=640:360", "-filter:v:2", "scale=320:180"});
            const char* rates[3] = {"1900k", "520k", "100k"};
            for (int i = 0; i < 3; ++i) {
                const std::string v = ":v:" + std::to_string(i);
                args.insert(args.end(), {"-b" + v, rates[i], "-minrate" + v, rates[i],
                                         "-maxrate" + v, rates[i], "-bufsize" + v, rates[i]});
            }
            args.insert(args.end(),
                        {"-c:a", "aac", "-b:a:0", "96k", "-b:a:1", "64k", "-b:a:2", "48k"});
            args.insert(args.end(), hls.begin(), hls.end());
            args.insert(args.end(),
                        {"-master_pl_name", "master.m3u8", "-var_stream_map",
                         "v:0,a:0 v:1,a:1 v:2,a:2", (folder_ / "stream_%v.m3u8").string()});
            entry_ = "master.m3u8";
        } else if (spec_.variants) {
            args.insert(args.end(), {"-map", "0:v", "-map", "0:v", "-map", "1:a", "-map", "1:a"});
            args.insert(args.end(), video.begin(), video.end());
            args.insert(args.end(), {"-filter:v:1", "scale=160:90", "-b:v:1", "100k"});
            args.insert(args.end(), audio.begin(), audio.end());
            args.insert(args.end(), hls.begin(), hls.end());
            args.insert(args.end(), {"-master_pl_name", "master.m3u8", "-var_stream_map",
                                     "v:0,a:0 v:1,a:1", (folder_ / "stream_%v.m3u8").string()});
            entry_ = "master.m3u8";
        } else if (spec_.audioRenditions > 0) {
            args.insert(args.end(), {"-map", "0:v", "-map", "1:a"});
            std::string map = "v:0,agroup:aud a:0,agroup:aud,language:deu,default:yes";
            if (spec_.audioRenditions > 1) {
                args.insert(args.end(), {"-map", "2:a"});
                map += " a:1,agroup:aud,language:eng";
            }
            args.insert(args.end(), video.begin(), video.end());
            args.insert(args.end(), audio.begin(), audio.end());
            args.insert(args.end(), hls.begin(), hls.end());
            args.insert(args.end(), {"-master_pl_name", "master.m3u8", "-var_stream_map", map,
                                     (folder_ / "stream_%v.m3u8").string()});
            entry_ = "master.m3u8";
        } else {
            args.insert(args.end(), {"-map", "0:v", "-map", "1:a"});
            args.insert(args.end(), video.begin(), video.end());
            args.insert(args.end(), audio.begin(), audio.end());
            args.insert(args.end(), hls.begin(), hls.end());
            args.push_back((folder_ / "live.m3u8").string());
            entry_ = "live.m3u8";
        }
        process_ = std::make_unique<ChildProcess>("/usr/bin/ffmpeg", args, folder_);
    }
    ~LivePackager() { kill(); }
    LivePackager(const LivePackager&) = delete;
    LivePackager& operator=(const LivePackager&) = delete;

    /// The playlist a player opens: master.m3u8 with variants or renditions, else live.m3u8.
    const std::string& entry() const { return entry_; }

    /// Stops encoding as a clean shutdown does: the playlist ends with EXT-X-ENDLIST.
    void stop() {
        if (process_) {
            process_->signal(SIGINT);
            process_->wait(std::chrono::seconds(10));
            process_.reset();
        }
    }
    /// Stops encoding at once, as a crash does.
    void kill() {
        if (process_) {
            process_->signal(SIGKILL);
            process_->wait(std::chrono::seconds(10));
            process_.reset();
        }
    }
    /// What ffmpeg printed on stderr.
    std::string errors() const { return process_ ? process_->err() : std::string(); }

private:
    std::filesystem::path folder_;
    PackagerSpec spec_;
    std::string entry_;
    std::unique_ptr<ChildProcess> process_;
};

}  // namespace confcap::testing
