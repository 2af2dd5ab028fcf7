// Serves the files of a folder over HTTP on loopback, the way a web server in front of a live
// packager does, optionally through a thin uplink: what the tests and benches put in front of a
// real packager (ffmpeg's HLS muxer writing into the folder).
#pragma once

#include <filesystem>
#include <string>

#include "confcap/demo/LoopbackServer.h"

namespace confcap::demo {

/// 404 for what is not there (a playlist that does not exist yet, or any more), the HLS content
/// types, keep-alive connections; a query string is ignored. Thread-safe.
class FolderServer {
public:
    /// Serves `root` at once. `bytesPerSecond` is the uplink every response shares (see
    /// LoopbackServer::Options); unlimited when 0. Throws Poco::Exception when it cannot listen.
    explicit FolderServer(std::filesystem::path root, double bytesPerSecond = 0);

    /// "http://127.0.0.1:<port>/<name>".
    std::string url(const std::string& name) const;
    /// Widens or narrows the uplink from now on (0: unlimited). Any thread.
    void setBytesPerSecond(double bytesPerSecond) { server_.setBytesPerSecond(bytesPerSecond); }

private:
    std::filesystem::path root_;
    LoopbackServer server_;
};

}  // namespace confcap::demo
