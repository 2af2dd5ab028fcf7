#include "confcap/sink/MatroskaReader.h"

#include <algorithm>
#include <utility>

namespace confcap::sink {

namespace {

constexpr std::uint64_t kSegment = 0x18538067, kInfo = 0x1549A966, kTimecodeScale = 0x2AD7B1,
                        kCluster = 0x1F43B675, kTimecode = 0xE7, kSimpleBlock = 0xA3,
                        kBlockGroup = 0xA0, kBlock = 0xA1;

// An EBML variable-length integer at `at`: its value (with or without the length marker) and
// length, or nullopt when more bytes are needed.
std::optional<std::pair<std::uint64_t, std::size_t>> vint(std::string_view h, std::size_t at,
                                                          bool keepMarker) {
    if (at >= h.size()) {
        return std::nullopt;
    }
    const std::uint8_t first = byteAt(h, at);
    std::size_t length = 1;
    while (length <= 8 && (first & (0x80u >> (length - 1))) == 0) {
        ++length;
    }
    if (length > 8 || at + length > h.size()) {
        return length > 8 ? std::make_optional(std::make_pair(~std::uint64_t{0}, std::size_t{0}))
                          : std::nullopt;
    }
    std::uint64_t value = keepMarker ? first : (first & (0xFFu >> length));
    for (std::size_t i = 1; i < length; ++i) {
        value = (value << 8) | byteAt(h, at + i);
    }
    return std::make_pair(value, length);
}

}  // namespace

void MatroskaReader::feed(std::string_view bytes) {
    ElementStream::feed(bytes);
}

double MatroskaReader::seconds() const {
    return longestRun(tracks_);
}

bool MatroskaReader::measured() const {
    return !tracks_.empty();
}

ElementStream::Parse MatroskaReader::parseHeader(std::string_view h, std::uint64_t& id,
                                                 std::optional<std::uint64_t>& size,
                                                 std::size_t& length) {
    const auto idPart = vint(h, 0, true);
    if (!idPart) {
        return Parse::More;
    }
    if (idPart->second == 0 || idPart->second > 4) {
        return Parse::Bad;
    }
    const auto sizePart = vint(h, idPart->second, false);
    if (!sizePart) {
        return Parse::More;
    }
    if (sizePart->second == 0) {
        return Parse::Bad;
    }
    id = idPart->first;
    length = idPart->second + sizePart->second;
    const std::uint64_t unknown = (std::uint64_t{1} << (7 * sizePart->second)) - 1;
    if (sizePart->first == unknown) {
        size.reset();
    } else {
        size = sizePart->first;
    }
    return Parse::Done;
}

ElementStream::Action MatroskaReader::decide(std::uint64_t id, std::optional<std::uint64_t> size) {
    if (id == kSegment || id == kCluster || id == kBlockGroup || id == kInfo) {
        return Action::Enter;
    }
    if (!size) {
        return Action::Enter;  // cannot be skipped without knowing its end
    }
    if (id == kTimecodeScale || id == kTimecode) {
        return Action::Read;
    }
    if (id == kSimpleBlock || id == kBlock) {
        return Action::Peek;  // its track and time; the frame itself is skipped
    }
    return Action::Skip;
}

void MatroskaReader::element(std::uint64_t id, std::string_view body) {
    if (id == kTimecodeScale) {
        scale_ = std::max<std::uint64_t>(1, bigEndian(body, 0, body.size()));
    } else if (id == kTimecode) {
        cluster_ = bigEndian(body, 0, body.size());
    } else if (cluster_) {
        const auto track = vint(body, 0, false);
        if (!track || track->second == 0 || track->second + 2 > body.size()) {
            return;
        }
        const auto relative = static_cast<std::int16_t>(
            static_cast<std::uint16_t>(bigEndian(body, track->second, 2)));
        tracks_.try_emplace(track->first, 1'000'000'000 / scale_)
            .first->second.add(static_cast<std::int64_t>(*cluster_) + relative);
    }
}

}  // namespace confcap::sink
