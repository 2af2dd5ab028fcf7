#include "confcap/media/TsPackets.h"

#include <algorithm>

namespace confcap::media {

namespace {

std::uint64_t wideByteAt(std::string_view s, std::size_t i) {
    return static_cast<std::uint8_t>(s[i]);
}

std::int64_t timestamp(std::string_view p, std::size_t at) {
    return static_cast<std::int64_t>(((wideByteAt(p, at) >> 1) & 7) << 30 |
                                     wideByteAt(p, at + 1) << 22 |
                                     (wideByteAt(p, at + 2) >> 1) << 15 |
                                     wideByteAt(p, at + 3) << 7 | wideByteAt(p, at + 4) >> 1);
}

void putTimestamp(std::span<char> p, std::size_t at, std::uint64_t ts) {
    const auto put = [&](std::size_t i, std::uint64_t value) {
        p[i] = static_cast<char>(static_cast<std::uint8_t>(value & 0xFF));
    };
    const auto first = static_cast<std::uint8_t>(p[at]);
    put(at, (first & 0xF0u) | ((ts >> 29) & 0x0E) | 1);
    put(at + 1, ts >> 22);
    put(at + 2, ((ts >> 14) & 0xFE) | 1);
    put(at + 3, ts >> 7);
    put(at + 4, ((ts << 1) & 0xFE) | 1);
}

// Stream ids whose PES packets have no optional header (and so no timestamps).
bool pesHasOptionalHeader(std::uint64_t streamId) {
    switch (streamId) {
        case 0xBC:
        case 0xBE:
        case 0xBF:
        case 0xF0:
        case 0xF1:
        case 0xF2:
        case 0xF8:
        case 0xFF:
            return false;
        default:
            return true;
    }
}

constexpr std::uint64_t kTimestampMask = kPesTimestampWrap - 1;

}  // namespace

bool tsUnitStart(std::string_view p) noexcept {
    return (wideByteAt(p, 1) & 0x40) != 0;
}

bool tsHasPayload(std::string_view p) noexcept {
    return (wideByteAt(p, 3) & 0x10) != 0;
}

std::string_view tsPayload(std::string_view p) noexcept {
    const auto control = (wideByteAt(p, 3) >> 4) & 0x3;
    std::size_t at = 4;
    if (control == 2 || control == 0) {
        return {};
    }
    if (control == 3) {
        at += 1u + wideByteAt(p, 4);
    }
    return at < kTsPacketSize ? p.substr(at) : std::string_view();
}

std::string_view tsSectionStart(std::string_view p) noexcept {
    if (!tsUnitStart(p)) {
        return {};
    }
    const auto payload = tsPayload(p);
    if (payload.empty() || 1u + wideByteAt(payload, 0) >= payload.size()) {
        return {};
    }
    return payload.substr(1 + wideByteAt(payload, 0));
}

std::optional<PesTimestamp> pesTimestamp(std::string_view p) noexcept {
    if (p.size() < kTsPacketSize || wideByteAt(p, 0) != 0x47) {
        return std::nullopt;
    }
    const bool unitStart = (wideByteAt(p, 1) & 0x40) != 0;
    const auto control = (wideByteAt(p, 3) >> 4) & 3;
    if (!unitStart || (control & 1) == 0) {
        return std::nullopt;
    }
    std::size_t at = 4;
    if ((control & 2) != 0) {
        at += 1 + wideByteAt(p, 4);
    }
    if (at + 14 > kTsPacketSize) {
        return std::nullopt;
    }
    const auto pes = p.substr(at, kTsPacketSize - at);
    const auto stream = wideByteAt(pes, 3);
    if (wideByteAt(pes, 0) != 0 || wideByteAt(pes, 1) != 0 || wideByteAt(pes, 2) != 1 ||
        !((stream >= 0xC0 && stream <= 0xEF) || stream == 0xBD)) {
        return std::nullopt;
    }
    const auto flags = wideByteAt(pes, 7) >> 6;
    if ((flags & 2) == 0) {
        return std::nullopt;
    }
    PesTimestamp found;
    found.pid = static_cast<std::uint16_t>(((wideByteAt(p, 1) & 0x1F) << 8) | wideByteAt(p, 2));
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

void shiftTsTimes(std::span<char> packet, std::uint64_t ticks) noexcept {
    const std::string_view s(packet.data(), packet.size());
    if (s.size() < kTsPacketSize || wideByteAt(s, 0) != 0x47) {
        return;
    }
    const auto control = (wideByteAt(s, 3) >> 4) & 3;
    std::size_t p = 4;
    if ((control & 2) != 0) {
        const std::size_t length = wideByteAt(s, p);
        if (length >= 7 && p + 7 <= kTsPacketSize && (wideByteAt(s, p + 1) & 0x10) != 0) {
            // The PCR base: 33 bits in the 4 bytes and the top bit that follow the flags.
            const std::uint64_t base = wideByteAt(s, p + 2) << 25 | wideByteAt(s, p + 3) << 17 |
                                       wideByteAt(s, p + 4) << 9 | wideByteAt(s, p + 5) << 1 |
                                       wideByteAt(s, p + 6) >> 7;
            const std::uint64_t moved = (base + ticks) & kTimestampMask;
            for (std::size_t i = 0; i < 4; ++i) {
                packet[p + 2 + i] = static_cast<char>((moved >> (25 - 8 * i)) & 0xFF);
            }
            packet[p + 6] = static_cast<char>(((moved & 1) << 7) | (wideByteAt(s, p + 6) & 0x7Fu));
        }
        p += 1 + length;
    }
    if ((control & 1) == 0 || !tsUnitStart(s) || p + 14 > kTsPacketSize) {
        return;
    }
    if (wideByteAt(s, p) != 0 || wideByteAt(s, p + 1) != 0 || wideByteAt(s, p + 2) != 1 ||
        !pesHasOptionalHeader(wideByteAt(s, p + 3))) {
        return;
    }
    const auto flags = wideByteAt(s, p + 7) >> 6;
    const auto shift = [&](std::size_t at) {
        const auto moved = (static_cast<std::uint64_t>(timestamp(s, at)) + ticks) & kTimestampMask;
        putTimestamp(packet, at, moved);
    };
    if ((flags & 2) != 0) {
        shift(p + 9);
    }
    if (flags == 3 && p + 19 <= kTsPacketSize) {
        shift(p + 14);
    }
}

void advanceTsContinuity(std::span<char> packet, std::uint64_t count) noexcept {
    const std::string_view s(packet.data(), packet.size());
    if (s.size() < 4 || wideByteAt(s, 0) != 0x47 || !tsHasPayload(s)) {
        return;
    }
    packet[3] = static_cast<char>((wideByteAt(s, 3) & 0xF0u) | ((wideByteAt(s, 3) + count) & 0x0F));
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
        if (wideByteAt(carry_, 0) == 0x47) {
            packet(carry_);
        }
        carry_.clear();
    }
    while (pos + kTsPacketSize <= bytes.size()) {
        if (wideByteAt(bytes, pos) != 0x47 || (pos + 2 * kTsPacketSize <= bytes.size() &&
                                               wideByteAt(bytes, pos + kTsPacketSize) != 0x47)) {
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
