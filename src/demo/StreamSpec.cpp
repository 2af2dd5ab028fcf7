#include "confcap/demo/StreamSpec.h"

namespace confcap::demo {

bool isHls(StreamKind kind) noexcept {
    return kind == StreamKind::Hls || kind == StreamKind::HlsFmp4;
}

MediaLoop::Format mediaFormatOf(StreamKind kind) noexcept {
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

const char* progressiveExtension(StreamKind kind) noexcept {
    switch (kind) {
        case StreamKind::Mp3:
            return ".mp3";
        case StreamKind::Webm:
            return ".webm";
        default:
            return ".ts";
    }
}

const char* progressiveContentType(StreamKind kind) noexcept {
    switch (kind) {
        case StreamKind::Mp3:
            return "audio/mpeg";
        case StreamKind::Webm:
            return "video/webm";
        default:
            return "video/mp2t";
    }
}

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

}  // namespace confcap::demo
