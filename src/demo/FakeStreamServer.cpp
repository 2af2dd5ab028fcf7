#include "confcap/demo/FakeStreamServer.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/StreamSocket.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "FakeHlsTimeline.h"
#include "confcap/core/Time.h"
#include "confcap/demo/LoopbackServer.h"
#include "confcap/demo/MediaLoop.h"

namespace confcap::demo {

namespace {

using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;
using SteadyClock = std::chrono::steady_clock;

// Each unit (about a second of media) goes out in this many equal parts, at even intervals.
constexpr int kPartsPerUnit = 5;

std::vector<std::string> splitPath(const std::string& path) {
    std::vector<std::string> parts;
    std::string part;
    std::istringstream in(path.substr(0, path.find('?')));
    while (std::getline(in, part, '/')) {
        if (!part.empty()) {
            parts.push_back(part);
        }
    }
    return parts;
}

// Resets the connection (RST) without answering.
void abortConnection(HTTPServerRequest& request) {
    auto& impl = static_cast<Poco::Net::HTTPServerRequestImpl&>(request);
    Poco::Net::StreamSocket socket = impl.detachSocket();
    try {
        socket.setLinger(true, 0);
        socket.close();
    } catch (const Poco::Exception&) {
    }
}

void sendText(HTTPServerResponse& response, HTTPResponse::HTTPStatus status,
              const std::string& contentType, const std::string& body) {
    response.setStatusAndReason(status);
    response.setContentType(contentType);
    response.sendBuffer(body.data(), body.size());
}

// A copy of a stream's description, taken under the lock, for one request.
struct StreamView {
    StreamSpec spec;
    const MediaLoop* loop = nullptr;
};

struct StreamState {
    StreamSpec spec;
    const MediaLoop* loop = nullptr;
    std::size_t requests = 0;
    std::vector<ServedSegment> served;
    std::set<std::int64_t> failedOnce;
};

}  // namespace

struct FakeStreamServer::Impl {
    SteadyClock::time_point start = SteadyClock::now();
    std::chrono::system_clock::time_point wallStart = std::chrono::system_clock::now();
    /// By the clip's folder and the format cut from it.
    std::map<std::pair<std::filesystem::path, MediaLoop::Format>, std::unique_ptr<MediaLoop>> loops;
    mutable std::mutex mutex;
    mutable std::condition_variable wake;
    bool stopping = false;
    std::map<std::string, StreamState, std::less<>> streams;
    // When each client address was first seen, for resetting kept-alive connections on a Drop.
    std::map<std::string, double> clientsSeen;
    std::unique_ptr<LoopbackServer> server;

    double now() const { return std::chrono::duration<double>(SteadyClock::now() - start).count(); }

    // Sleeps until server time `t`; false when the server is stopping.
    bool sleepUntil(double t) const {
        std::unique_lock lock(mutex);
        const auto deadline = start + std::chrono::duration_cast<SteadyClock::duration>(
                                          std::chrono::duration<double>(t));
        wake.wait_until(lock, deadline, [&] { return stopping; });
        return !stopping;
    }

    // --- request handling ----------------------------------------------------------------

    // Applies the faults active at the start of a request. Returns false when the request has
    // been answered (or the connection reset) by a fault.
    bool applyRequestFaults(const std::string& name, HTTPServerRequest& request,
                            HTTPServerResponse& response, std::optional<std::int64_t> segment,
                            bool hangOnStall = true) {
        std::vector<Fault> faults;
        double t = now();
        const std::string client = request.clientAddress().toString();
        double firstSeen = t;
        {
            std::lock_guard lock(mutex);
            faults = streams.find(name)->second.spec.faults;
            firstSeen = clientsSeen.emplace(client, t).first->second;
        }
        for (const Fault& f : faults) {
            if (hangOnStall && f.kind == Fault::Kind::Stall && f.activeAt(t)) {
                if (!sleepUntil(f.to)) {
                    abortConnection(request);
                    return false;
                }
                t = now();
            }
        }
        for (const Fault& f : faults) {
            const bool staleConnection = firstSeen < f.from && f.from <= t;
            if (f.kind == Fault::Kind::Drop && (f.activeAt(t) || staleConnection)) {
                std::lock_guard lock(mutex);
                clientsSeen.erase(client);
                abortConnection(request);
                return false;
            }
            if ((f.kind == Fault::Kind::Status || f.kind == Fault::Kind::Restart) &&
                f.activeAt(t)) {
                if (f.retryAfter >= 0) {
                    response.set("Retry-After", std::to_string(f.retryAfter));
                }
                sendText(response, static_cast<HTTPResponse::HTTPStatus>(f.status), "text/plain",
                         "scripted fault\n");
                return false;
            }
            if (f.kind == Fault::Kind::FailOnce && segment && *segment == f.sequence) {
                std::unique_lock lock(mutex);
                if (streams.find(name)->second.failedOnce.insert(f.sequence).second) {
                    lock.unlock();
                    sendText(response, static_cast<HTTPResponse::HTTPStatus>(f.status),
                             "text/plain", "scripted fault\n");
                    return false;
                }
            }
        }
        return true;
    }

    void handle(HTTPServerRequest& request, HTTPServerResponse& response) {
        const auto parts = splitPath(request.getURI());
        if (parts.size() == 2 && parts[0] == "go" && streams.count(parts[1]) != 0) {
            response.redirect(entryUrl(parts[1]), HTTPResponse::HTTP_FOUND);
            return;
        }
        if (parts.size() == 2 && parts[0] == "live") {
            const auto dot = parts[1].rfind('.');
            const std::string name = parts[1].substr(0, dot);
            const auto found = streams.find(name);
            if (found != streams.end() && !isHls(found->second.spec.kind) &&
                dot != std::string::npos &&
                parts[1].substr(dot) == progressiveExtension(found->second.spec.kind)) {
                countRequest(name);
                serveProgressive(name, request, response);
                return;
            }
        }
        if (parts.size() >= 3 && parts[0] == "hls") {
            const auto found = streams.find(parts[1]);
            if (found != streams.end() && isHls(found->second.spec.kind)) {
                countRequest(parts[1]);
                serveHls(view(parts[1]), parts, request, response);
                return;
            }
        }
        sendText(response, HTTPResponse::HTTP_NOT_FOUND, "text/plain", "not found\n");
    }

    StreamView view(std::string_view name) const {
        std::lock_guard lock(mutex);
        const auto& s = streams.find(name)->second;
        return StreamView{s.spec, s.loop};
    }

    void countRequest(const std::string& name) {
        std::lock_guard lock(mutex);
        ++streams.find(name)->second.requests;
    }

    std::string entryUrl(std::string_view name) const {
        const auto& spec = streams.find(name)->second.spec;
        if (isHls(spec.kind)) {
            return server->url("/hls/" + spec.name + "/master.m3u8");
        }
        return server->url("/live/" + spec.name + progressiveExtension(spec.kind));
    }

    void serveHls(const StreamView& s, const std::vector<std::string>& parts,
                  HTTPServerRequest& request, HTTPServerResponse& response) {
        const std::string& name = s.spec.name;
        if (parts.size() == 3 && parts[2] == "master.m3u8") {
            if (applyRequestFaults(name, request, response, std::nullopt)) {
                sendText(response, HTTPResponse::HTTP_OK, "application/vnd.apple.mpegurl",
                         FakeHlsTimeline::masterPlaylist());
            }
            return;
        }
        if (parts.size() != 4 || (parts[2] != "low" && parts[2] != "high")) {
            sendText(response, HTTPResponse::HTTP_NOT_FOUND, "text/plain", "not found\n");
            return;
        }
        const std::string& variant = parts[2];
        const std::string& file = parts[3];
        if (file == "live.m3u8") {
            if (applyRequestFaults(name, request, response, std::nullopt)) {
                sendText(response, HTTPResponse::HTTP_OK, "application/vnd.apple.mpegurl",
                         FakeHlsTimeline(s.spec, *s.loop, wallStart).mediaPlaylist(now()));
            }
            return;
        }
        if (file == "key.bin" && s.spec.encrypted) {
            sendText(response, HTTPResponse::HTTP_OK, "application/octet-stream",
                     std::string(16, '\x2a'));
            return;
        }
        if (file == "init.mp4" && s.spec.kind == StreamKind::HlsFmp4) {
            if (applyRequestFaults(name, request, response, std::nullopt)) {
                sendText(response, HTTPResponse::HTTP_OK, "video/mp4", s.loop->header());
            }
            return;
        }
        const std::string extension = s.spec.kind == StreamKind::HlsFmp4 ? ".m4s" : ".ts";
        std::int64_t sequence = 0;
        const bool numeric =
            file.size() > extension.size() &&
            file.compare(file.size() - extension.size(), extension.size(), extension) == 0 &&
            std::all_of(file.begin(), file.end() - static_cast<long>(extension.size()),
                        [](char c) { return c >= '0' && c <= '9'; });
        if (numeric) {
            sequence = std::stoll(file.substr(0, file.size() - extension.size()));
        }
        const double t = now();
        const FakeHlsTimeline timeline(s.spec, *s.loop, wallStart);
        const std::int64_t k = sequence - timeline.firstSequenceAt(t);
        const std::int64_t count = timeline.available(t);
        if (!numeric || k < 0 || k >= count || k < count - 2 * s.spec.window) {
            sendText(response, HTTPResponse::HTTP_NOT_FOUND, "text/plain", "no such segment\n");
            return;
        }
        if (!applyRequestFaults(name, request, response, sequence)) {
            return;
        }
        const std::string bytes = s.loop->unit(k);
        sendText(response, HTTPResponse::HTTP_OK,
                 s.spec.kind == StreamKind::HlsFmp4 ? "video/iso.segment" : "video/mp2t", bytes);
        std::lock_guard lock(mutex);
        streams.find(name)->second.served.push_back(ServedSegment{variant, sequence, now()});
    }

    void serveProgressive(const std::string& name, HTTPServerRequest& request,
                          HTTPServerResponse& response) {
        // A stalled progressive stream answers, then sends nothing (the stall is in the loop).
        if (!applyRequestFaults(name, request, response, std::nullopt, false)) {
            return;
        }
        const StreamView s = view(name);
        const std::vector<Fault>& faults = s.spec.faults;
        const MediaLoop* loop = s.loop;
        const StreamKind kind = s.spec.kind;
        const double connected = now();
        response.setStatusAndReason(HTTPResponse::HTTP_OK);
        response.setContentType(progressiveContentType(kind));
        response.setKeepAlive(false);
        response.set("Cache-Control", "no-cache");
        std::ostream& out = response.send();
        out.flush();
        auto sendBytes = [&](const char* data, std::size_t size) {
            out.write(data, static_cast<std::streamsize>(size));
            out.flush();
            return out.good();
        };
        if (!loop->header().empty() && !sendBytes(loop->header().data(), loop->header().size())) {
            return;
        }
        std::int64_t n = loop->unitAt(connected);
        for (;;) {
            const std::string unit = loop->unit(n);
            const double unitStart = loop->unitStart(n);
            const double unitSeconds = loop->unitSeconds(n);
            bool skipped = false;
            for (int part = 0; part < kPartsPerUnit; ++part) {
                if (!sleepUntil(unitStart + unitSeconds * part / kPartsPerUnit)) {
                    abortConnection(request);
                    return;
                }
                for (const Fault& f : faults) {
                    if (f.kind == Fault::Kind::Drop && connected < f.from && f.from <= now()) {
                        abortConnection(request);
                        return;
                    }
                }
                for (const Fault& f : faults) {
                    if (f.kind == Fault::Kind::Stall && f.activeAt(now())) {
                        if (!sleepUntil(f.to)) {
                            abortConnection(request);
                            return;
                        }
                        skipped = true;
                    }
                }
                if (skipped) {
                    // A live source does not wait for a stalled listener: go on from "now".
                    break;
                }
                const std::size_t begin = unit.size() * static_cast<std::size_t>(part) /
                                          static_cast<std::size_t>(kPartsPerUnit);
                const std::size_t end = unit.size() * static_cast<std::size_t>(part + 1) /
                                        static_cast<std::size_t>(kPartsPerUnit);
                if (!sendBytes(unit.data() + begin, end - begin)) {
                    return;
                }
            }
            n = skipped ? loop->unitAt(now()) : n + 1;
        }
    }
};

FakeStreamServer::FakeStreamServer(const MediaClip& clip, std::vector<StreamSpec> streams)
    : impl_(std::make_unique<Impl>()) {
    // Writing to a connection the client closed must fail the write, not end the process.
    std::signal(SIGPIPE, SIG_IGN);
    for (auto& spec : streams) {
        const auto format = mediaFormatOf(spec.kind);
        const auto& served = spec.clip ? *spec.clip : clip;
        auto& loop = impl_->loops[{served.folder, format}];
        if (!loop) {
            loop = std::make_unique<MediaLoop>(served, format);
        }
        StreamState state;
        state.loop = loop.get();
        state.spec = std::move(spec);
        impl_->streams.emplace(state.spec.name, std::move(state));
    }
    impl_->start = SteadyClock::now();
    impl_->wallStart = std::chrono::system_clock::now();
    Impl* impl = impl_.get();
    LoopbackServer::Options options;
    options.maxThreads = 64;
    impl_->server = std::make_unique<LoopbackServer>(
        [impl](HTTPServerRequest& request, HTTPServerResponse& response) {
            impl->handle(request, response);
        },
        options);
}

FakeStreamServer::~FakeStreamServer() {
    {
        std::lock_guard lock(impl_->mutex);
        impl_->stopping = true;
    }
    impl_->wake.notify_all();
    impl_->server.reset();
}

std::string FakeStreamServer::url(std::string_view name) const {
    return impl_->entryUrl(name);
}

std::string FakeStreamServer::mediaPlaylistUrl(std::string_view name,
                                               std::string_view variant) const {
    return impl_->server->url("/hls/" + std::string(name) + "/" + std::string(variant) +
                              "/live.m3u8");
}

std::string FakeStreamServer::redirectUrl(std::string_view name) const {
    return impl_->server->url("/go/" + std::string(name));
}

double FakeStreamServer::elapsed() const {
    return impl_->now();
}

void FakeStreamServer::waitUntil(double seconds) const {
    const double wait = seconds - elapsed();
    if (wait > 0) {
        std::this_thread::sleep_for(std::chrono::duration<double>(wait));
    }
}

void FakeStreamServer::addFault(std::string_view name, const Fault& fault) {
    std::lock_guard lock(impl_->mutex);
    impl_->streams.find(name)->second.spec.faults.push_back(fault);
}

std::size_t FakeStreamServer::connections() const {
    return impl_->server->connections();
}

std::size_t FakeStreamServer::requests(std::string_view name) const {
    std::lock_guard lock(impl_->mutex);
    return impl_->streams.find(name)->second.requests;
}

std::vector<ServedSegment> FakeStreamServer::served(std::string_view name,
                                                    std::string_view variant) const {
    std::lock_guard lock(impl_->mutex);
    std::vector<ServedSegment> result;
    for (const auto& s : impl_->streams.find(name)->second.served) {
        if (variant.empty() || s.variant == variant) {
            result.push_back(s);
        }
    }
    return result;
}

std::int64_t FakeStreamServer::liveEdge(std::string_view name, double seconds) const {
    const StreamView s = impl_->view(name);
    return s.spec.firstSequence +
           FakeHlsTimeline(s.spec, *s.loop, impl_->wallStart).available(seconds) - 1;
}

double FakeStreamServer::segmentSeconds() const {
    for (const auto& [key, loop] : impl_->loops) {
        if (const auto format = key.second;
            format == MediaLoop::Format::Ts || format == MediaLoop::Format::Fmp4) {
            return loop->unitSeconds(0);
        }
    }
    return 1.0;
}

}  // namespace confcap::demo
