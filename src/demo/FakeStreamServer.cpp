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

bool isHls(StreamKind kind) {
    return kind == StreamKind::Hls || kind == StreamKind::HlsFmp4;
}

MediaLoop::Format formatOf(StreamKind kind) {
    switch (kind) {
        case StreamKind::Hls:
        case StreamKind::Ts:
            return MediaLoop::Format::Ts;
        case StreamKind::HlsFmp4:
            return MediaLoop::Format::Fmp4;
        case StreamKind::Mp3:
            return MediaLoop::Format::Mp3;
        case StreamKind::Webm:
            return MediaLoop::Format::Webm;
    }
    return MediaLoop::Format::Ts;
}

const char* progressiveExtension(StreamKind kind) {
    switch (kind) {
        case StreamKind::Mp3:
            return ".mp3";
        case StreamKind::Webm:
            return ".webm";
        default:
            return ".ts";
    }
}

const char* progressiveContentType(StreamKind kind) {
    switch (kind) {
        case StreamKind::Mp3:
            return "audio/mpeg";
        case StreamKind::Webm:
            return "video/webm";
        default:
            return "video/mp2t";
    }
}

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

bool active(const Fault& f, double t) {
    return f.from <= t && t < f.to;
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
    std::uint64_t bytes = 0;
};

}  // namespace

Fault Fault::drop(double at, double refuseUntil) {
    Fault f;
    f.kind = Kind::Drop;
    f.from = at;
    f.to = std::max(at, refuseUntil);
    return f;
}

Fault Fault::stall(double from, double to) {
    Fault f;
    f.kind = Kind::Stall;
    f.from = from;
    f.to = to;
    return f;
}

Fault Fault::httpStatus(double from, double to, int status, long retryAfter) {
    Fault f;
    f.kind = Kind::Status;
    f.from = from;
    f.to = to;
    f.status = status;
    f.retryAfter = retryAfter;
    return f;
}

Fault Fault::failOnce(std::int64_t sequence, int status) {
    Fault f;
    f.kind = Kind::FailOnce;
    f.sequence = sequence;
    f.status = status;
    f.from = 0;
    f.to = 1e18;
    return f;
}

Fault Fault::endList(double from, double to) {
    Fault f;
    f.kind = Kind::EndList;
    f.from = from;
    f.to = to;
    return f;
}

Fault Fault::restart(double from, double to, std::int64_t sequence) {
    Fault f;
    f.kind = Kind::Restart;
    f.from = from;
    f.to = to;
    f.status = 404;
    f.sequence = sequence;
    return f;
}

struct FakeStreamServer::Impl {
    SteadyClock::time_point start = SteadyClock::now();
    std::chrono::system_clock::time_point wallStart = std::chrono::system_clock::now();
    std::map<MediaLoop::Format, std::unique_ptr<MediaLoop>> loops;
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

    // --- HLS timeline --------------------------------------------------------------------

    // Seconds of EndList pause before server time t.
    static double pausedBefore(const StreamSpec& spec, double t) {
        double paused = 0;
        for (const Fault& f : spec.faults) {
            if (f.kind == Fault::Kind::EndList && f.from < t) {
                paused += std::min(t, f.to) - f.from;
            }
        }
        return paused;
    }

    static double prerollSeconds(const StreamView& s) {
        return s.loop->unitStart(std::max(1, s.spec.window));
    }

    // The last restart done by server time t, if any: the timeline then counts from its end.
    static const Fault* restartedBy(const StreamSpec& spec, double t) {
        const Fault* last = nullptr;
        for (const Fault& f : spec.faults) {
            if (f.kind == Fault::Kind::Restart && f.to <= t && (!last || f.to > last->to)) {
                last = &f;
            }
        }
        return last;
    }

    // The numbering of the timeline in force at server time t.
    static std::int64_t firstSequenceAt(const StreamSpec& spec, double t) {
        const Fault* restart = restartedBy(spec, t);
        return restart != nullptr ? restart->sequence : spec.firstSequence;
    }

    // Segments (counted from 0) complete at server time t.
    static std::int64_t available(const StreamView& s, double t) {
        if (const Fault* restart = restartedBy(s.spec, t)) {
            return s.loop->unitAt(t - restart->to);
        }
        const double media = t - pausedBefore(s.spec, t);
        return s.loop->unitAt(media + prerollSeconds(s));
    }

    static bool endListed(const StreamSpec& spec, double t) {
        return std::any_of(spec.faults.begin(), spec.faults.end(), [&](const Fault& f) {
            return f.kind == Fault::Kind::EndList && active(f, t);
        });
    }

    // Segments that start a discontinuity: the first one made after each pause that began.
    static std::vector<std::int64_t> discontinuities(const StreamView& s, double t) {
        std::vector<std::int64_t> points;
        for (const Fault& f : s.spec.faults) {
            if (f.kind == Fault::Kind::EndList && f.from < t) {
                points.push_back(available(s, f.from));
            }
        }
        std::sort(points.begin(), points.end());
        return points;
    }

    // Wall-clock start of segment k.
    std::chrono::system_clock::time_point segmentWallTime(const StreamView& s,
                                                          std::int64_t k) const {
        double t = s.loop->unitStart(k) - prerollSeconds(s);
        std::vector<const Fault*> pauses;
        for (const Fault& f : s.spec.faults) {
            if (f.kind == Fault::Kind::EndList) {
                pauses.push_back(&f);
            }
        }
        std::sort(pauses.begin(), pauses.end(),
                  [](const Fault* a, const Fault* b) { return a->from < b->from; });
        for (const Fault* f : pauses) {
            if (f->from <= t) {
                t += f->to - f->from;
            }
        }
        return wallStart + std::chrono::duration_cast<std::chrono::system_clock::duration>(
                               std::chrono::duration<double>(t));
    }

    std::string playlist(const StreamView& s, double t) const {
        const std::int64_t count = available(s, t);
        const std::int64_t first = std::max<std::int64_t>(0, count - s.spec.window);
        const std::int64_t base = firstSequenceAt(s.spec, t);
        const auto points =
            restartedBy(s.spec, t) != nullptr ? std::vector<std::int64_t>() : discontinuities(s, t);
        const bool fmp4 = s.spec.kind == StreamKind::HlsFmp4;
        double longest = 0;
        for (std::int64_t k = first; k < count; ++k) {
            longest = std::max(longest, s.loop->unitSeconds(k));
        }
        std::int64_t discontinuitySequence = 0;
        for (const std::int64_t p : points) {
            discontinuitySequence += p <= first ? 1 : 0;
        }
        std::ostringstream out;
        out << "#EXTM3U\n#EXT-X-VERSION:" << (fmp4 ? 7 : 3)
            << "\n#EXT-X-TARGETDURATION:" << static_cast<int>(std::ceil(longest - 1e-6))
            << "\n#EXT-X-MEDIA-SEQUENCE:" << base + first << '\n';
        if (discontinuitySequence > 0) {
            out << "#EXT-X-DISCONTINUITY-SEQUENCE:" << discontinuitySequence << '\n';
        }
        if (s.spec.encrypted) {
            out << "#EXT-X-KEY:METHOD=AES-128,URI=\"key.bin\","
                   "IV=0x000102030405060708090A0B0C0D0E0F\n";
        }
        if (fmp4) {
            out << "#EXT-X-MAP:URI=\"init.mp4\"\n";
        }
        for (std::int64_t k = first; k < count; ++k) {
            const bool discontinuity = std::binary_search(points.begin(), points.end(), k);
            if (discontinuity && k != first) {
                out << "#EXT-X-DISCONTINUITY\n";
            }
            if ((k == first || discontinuity) && restartedBy(s.spec, t) == nullptr) {
                const auto wall =
                    std::chrono::time_point_cast<std::chrono::milliseconds>(segmentWallTime(s, k));
                out << "#EXT-X-PROGRAM-DATE-TIME:" << date::format("%FT%TZ", wall) << '\n';
            }
            char extinf[32];
            std::snprintf(extinf, sizeof extinf, "%.3f", s.loop->unitSeconds(k));
            out << "#EXTINF:" << extinf << ",\n" << base + k << (fmp4 ? ".m4s" : ".ts") << '\n';
        }
        if (endListed(s.spec, t)) {
            out << "#EXT-X-ENDLIST\n";
        }
        return out.str();
    }

    static std::string masterPlaylist() {
        return "#EXTM3U\n"
               "#EXT-X-STREAM-INF:BANDWIDTH=400000,RESOLUTION=320x180,"
               "CODECS=\"avc1.42c00d,mp4a.40.2\"\n"
               "low/live.m3u8\n"
               "#EXT-X-STREAM-INF:BANDWIDTH=1200000,RESOLUTION=1280x720,"
               "CODECS=\"avc1.64001f,mp4a.40.2\"\n"
               "high/live.m3u8\n";
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
            if (hangOnStall && f.kind == Fault::Kind::Stall && active(f, t)) {
                if (!sleepUntil(f.to)) {
                    abortConnection(request);
                    return false;
                }
                t = now();
            }
        }
        for (const Fault& f : faults) {
            const bool staleConnection = firstSeen < f.from && f.from <= t;
            if (f.kind == Fault::Kind::Drop && (active(f, t) || staleConnection)) {
                std::lock_guard lock(mutex);
                clientsSeen.erase(client);
                abortConnection(request);
                return false;
            }
            if ((f.kind == Fault::Kind::Status || f.kind == Fault::Kind::Restart) && active(f, t)) {
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
                         masterPlaylist());
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
                         playlist(s, now()));
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
        const std::int64_t k = sequence - firstSequenceAt(s.spec, t);
        const std::int64_t count = available(s, t);
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
            if (out.good()) {
                std::lock_guard lock(mutex);
                streams.find(name)->second.bytes += size;
            }
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
                    if (f.kind == Fault::Kind::Stall && active(f, now())) {
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
        const auto format = formatOf(spec.kind);
        auto& loop = impl_->loops[format];
        if (!loop) {
            loop = std::make_unique<MediaLoop>(clip, format);
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
    return s.spec.firstSequence + Impl::available(s, seconds) - 1;
}

double FakeStreamServer::segmentSeconds() const {
    for (const auto& [format, loop] : impl_->loops) {
        if (format == MediaLoop::Format::Ts || format == MediaLoop::Format::Fmp4) {
            return loop->unitSeconds(0);
        }
    }
    return 1.0;
}

std::uint64_t FakeStreamServer::bytesSent(std::string_view name) const {
    std::lock_guard lock(impl_->mutex);
    return impl_->streams.find(name)->second.bytes;
}

}  // namespace confcap::demo
