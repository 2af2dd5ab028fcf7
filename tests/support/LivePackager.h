// A real live HLS stream for the tests: ffmpeg's own HLS muxer (-f hls) encoding a test picture
// and tone in real time into a folder, and a loopback HTTP server that serves that folder the
// way a web server in front of a packager does.
#pragma once

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "confcap/demo/LoopbackServer.h"
#include "support/ChildProcess.h"

namespace confcap::testing {

/// Serves the files of a folder over HTTP on loopback: 404 for what is not there (a playlist
/// that does not exist yet, or any more), the HLS content types, keep-alive connections.
class FolderServer {
public:
    explicit FolderServer(std::filesystem::path root)
        : root_(std::move(root)),
          server_([this](Poco::Net::HTTPServerRequest& request,
                         Poco::Net::HTTPServerResponse& response) { serve(request, response); }) {}

    /// "http://127.0.0.1:<port>/<name>".
    std::string url(const std::string& name) const { return server_.url("/" + name); }

private:
    void serve(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
        using Poco::Net::HTTPResponse;
        std::string path = request.getURI().substr(0, request.getURI().find('?'));
        if (path.find("..") != std::string::npos || path.size() < 2) {
            response.setStatusAndReason(HTTPResponse::HTTP_NOT_FOUND);
            response.send() << "not found\n";
            return;
        }
        std::ifstream in(root_ / path.substr(1), std::ios::binary);
        if (!in) {
            response.setStatusAndReason(HTTPResponse::HTTP_NOT_FOUND);
            response.setContentType("text/plain");
            response.send() << "not found\n";
            return;
        }
        const std::string body{std::istreambuf_iterator<char>(in),
                               std::istreambuf_iterator<char>()};
        const auto extension = std::filesystem::path(path).extension().string();
        response.setContentType(extension == ".m3u8" ? "application/vnd.apple.mpegurl"
                                : extension == ".ts" ? "video/mp2t"
                                : extension == ".m4s" || extension == ".mp4"
                                    ? "video/mp4"
                                    : "application/octet-stream");
        response.sendBuffer(body.data(), body.size());
    }

    std::filesystem::path root_;
    demo::LoopbackServer server_;
};

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
};

/// ffmpeg encoding in real time into `folder` with its HLS muxer: 2 s segments, a window of 5,
/// old segments deleted, EXT-X-PROGRAM-DATE-TIME on. The entry is entry().
class LivePackager {
public:
    LivePackager(std::filesystem::path folder, PackagerSpec spec)
        : folder_(std::move(folder)), spec_(std::move(spec)) {
        std::filesystem::create_directories(folder_);
        std::vector<std::string> args = {"-hide_banner",
                                         "-loglevel",
                                         "error",
                                         "-nostdin",
                                         "-re",
                                         "-f",
                                         "lavfi",
                                         "-i",
                                         "testsrc=size=320x180:rate=25",
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
        std::vector<std::string> hls = {"-f", "hls",        "-hls_time", "2", "-hls_list_size",
                                        "5",  "-hls_flags", flags};
        if (spec_.segmentType == "fmp4") {
            hls.insert(hls.end(), {"-hls_segment_type", "fmp4"});
        }
        if (spec_.variants) {
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
