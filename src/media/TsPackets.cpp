#include "confcap/media/TsPackets.h"

#include <algorithm>

namespace confcap::media {

namespace {

std::uint64_t byteAt(std::string_view s, std::size_t i) {
    return static_cast<std::uint8_t>(s[i]);
}

std::int64_t timestamp(std::string_view p, std::size_t at) {
    return static_cast<std::int64_t>(((byteAt(p, at) >> 1) & 7) << 30 | byteAt(p, at + 1) << 22 |
                                     (byteAt(p, at + 2) >> 1) << 15 | byteAt(p, at + 3) << 7 |
                                     byteAt(p, at + 4) >> 1);
}

}  // namespace

std::optional<PesTimestamp> pesTimestamp(std::string_view p) noexcept {
    if (p.size() < kTsPacketSize || byteAt(p, 0) != 0x47) {
        return std::nullopt;
    }
    const bool unitStart = (byteAt(p, 1) & 0x40) != 0;
    const auto control = (byteAt(p, 3) >> 4) & 3;
    if (!unitStart || (control & 1) == 0) {
        return std::nullopt;
    }
    std::size_t at = 4;
    if ((control & 2) != 0) {
        at += 1 + byteAt(p, 4);
    }
    if (at + 14 > kTsPacketSize) {
        return std::nullopt;
    }
    const auto pes = p.substr(at, kTsPacketSize - at);
    const auto stream = byteAt(pes, 3);
    if (byteAt(pes, 0) != 0 || byteAt(pes, 1) != 0 || byteAt(pes, 2) != 1 ||
        !((stream >= 0xC0 && stream <= 0xEF) || stream == 0xBD)) {
        return std::nullopt;
    }
    const auto flags = byteAt(pes, 7) >> 6;
    if ((flags & 2) == 0) {
        return std::nullopt;
    }
    PesTimestamp found;
    found.pid = static_cast<std::uint16_t>(((byteAt(p, 1) & 0x1F) << 8) | byteAt(p, 2));
    found.stream = static_cast<std::uint8_t>(stream);
    // DTS runs in decode order; a PTS alone (audio) is in order too.
    found.ticks = flags == 3 && pes.size() >= 19 ? timestamp(pes, 14) : timestamp(pes, 9);
    return found;
}

std::int64_t pesTicksBetween(std::int64_t earlier, std::int64_t later) noexcept {
    std::int64_t difference = (later - earlier) % kPesTimestampWrap;
    if (difference < 0) {
        difference += kPesTimestampWrap;
    }
    return difference >= kPesTimestampWrap / 2 ? difference - kPesTimestampWrap : difference;
}

void TsPacketizer::feed(std::string_view bytes, const Packet& packet) {
    std::size_t pos = 0;
    if (!carry_.empty()) {
        const std::size_t need = std::min(kTsPacketSize - carry_.size(), bytes.size());
        carry_.append(bytes.substr(0, need));
        pos = need;
        if (carry_.size() < kTsPacketSize) {
            return;
        }
        if (byteAt(carry_, 0) == 0x47) {
            packet(carry_);
        }
        carry_.clear();
    }
    while (pos + kTsPacketSize <= bytes.size()) {
        if (byteAt(bytes, pos) != 0x47 || (pos + 2 * kTsPacketSize <= bytes.size() &&
                                           byteAt(bytes, pos + kTsPacketSize) != 0x47)) {
            ++pos;  // lost sync: find the next packet start
            continue;
        }
        packet(bytes.substr(pos, kTsPacketSize));
        pos += kTsPacketSize;
    }
    if (pos < bytes.size()) {
        const auto rest = bytes.substr(pos);
        const auto sync = rest.find('\x47');
        if (sync != std::string_view::npos) {
            carry_.assign(rest.substr(sync));
        }
    }
}

}  // namespace confcap::media
