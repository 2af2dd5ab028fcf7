#include "confcap/sink/TsReader.h"

#include <algorithm>

namespace confcap::sink {

namespace {

constexpr std::size_t kTsPacket = 188;

std::int64_t timestamp(std::string_view p, std::size_t at) {
    return static_cast<std::int64_t>(((static_cast<std::uint64_t>(byteAt(p, at)) >> 1) & 7) << 30 |
                                     static_cast<std::uint64_t>(byteAt(p, at + 1)) << 22 |
                                     (static_cast<std::uint64_t>(byteAt(p, at + 2)) >> 1) << 15 |
                                     static_cast<std::uint64_t>(byteAt(p, at + 3)) << 7 |
                                     static_cast<std::uint64_t>(byteAt(p, at + 4)) >> 1);
}

}  // namespace

void TsReader::feed(std::string_view bytes) {
    std::size_t pos = 0;
    if (!carry_.empty()) {
        const std::size_t need = std::min(kTsPacket - carry_.size(), bytes.size());
        carry_.append(bytes.substr(0, need));
        pos = need;
        if (carry_.size() < kTsPacket) {
            return;
        }
        if (byteAt(carry_, 0) == 0x47) {
            packet(carry_);
        }
        carry_.clear();
    }
    while (pos + kTsPacket <= bytes.size()) {
        if (byteAt(bytes, pos) != 0x47 ||
            (pos + 2 * kTsPacket <= bytes.size() && byteAt(bytes, pos + kTsPacket) != 0x47)) {
            ++pos;  // lost sync: find the next packet start
            continue;
        }
        packet(bytes.substr(pos, kTsPacket));
        pos += kTsPacket;
    }
    if (pos < bytes.size()) {
        const auto rest = bytes.substr(pos);
        const auto sync = rest.find('\x47');
        if (sync != std::string_view::npos) {
            carry_.assign(rest.substr(sync));
        }
    }
}

double TsReader::seconds() const {
    return longestRun(pids_);
}

bool TsReader::measured() const {
    return !pids_.empty();
}

void TsReader::packet(std::string_view p) {
    const bool unitStart = (byteAt(p, 1) & 0x40) != 0;
    const unsigned control = (byteAt(p, 3) >> 4) & 3;
    if (!unitStart || (control & 1) == 0) {
        return;
    }
    std::size_t at = 4;
    if ((control & 2) != 0) {
        at += 1u + byteAt(p, 4);
    }
    if (at + 14 > kTsPacket) {
        return;
    }
    const auto pes = p.substr(at);
    const std::uint8_t stream = byteAt(pes, 3);
    if (byteAt(pes, 0) != 0 || byteAt(pes, 1) != 0 || byteAt(pes, 2) != 1 ||
        !((stream >= 0xC0 && stream <= 0xEF) || stream == 0xBD)) {
        return;
    }
    const unsigned flags = byteAt(pes, 7) >> 6;
    if ((flags & 2) == 0) {
        return;
    }
    // DTS runs in decode order; a PTS alone (audio) is in order too.
    const std::int64_t time =
        flags == 3 && pes.size() >= 19 ? timestamp(pes, 14) : timestamp(pes, 9);
    const std::uint64_t pid = (static_cast<std::uint64_t>(byteAt(p, 1) & 0x1F) << 8) | byteAt(p, 2);
    pids_.try_emplace(pid, 90'000, std::uint64_t{1} << 33).first->second.add(time);
}

}  // namespace confcap::sink
