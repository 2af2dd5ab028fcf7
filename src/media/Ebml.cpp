#include "confcap/media/Ebml.h"

#include "confcap/media/Bytes.h"

namespace confcap::media {

std::optional<EbmlVint> ebmlVint(std::string_view h, std::size_t at, bool keepMarker) noexcept {
    if (at >= h.size()) {
        return std::nullopt;
    }
    const std::uint8_t first = byteAt(h, at);
    std::size_t length = 1;
    while (length <= 8 && (first & (0x80u >> (length - 1))) == 0) {
        ++length;
    }
    if (length > 8) {
        return EbmlVint{~std::uint64_t{0}, 0};
    }
    if (at + length > h.size()) {
        return std::nullopt;
    }
    std::uint64_t value = keepMarker ? first : (first & (0xFFu >> length));
    for (std::size_t i = 1; i < length; ++i) {
        value = (value << 8) | byteAt(h, at + i);
    }
    return EbmlVint{value, length};
}

ElementHeader ebmlHeader(std::string_view h) noexcept {
    ElementHeader read;
    const auto id = ebmlVint(h, 0, true);
    if (!id) {
        return read;
    }
    if (id->length == 0 || id->length > 4) {
        read.status = ElementHeader::Status::Bad;
        return read;
    }
    const auto size = ebmlVint(h, id->length, false);
    if (!size) {
        return read;
    }
    if (size->length == 0) {
        read.status = ElementHeader::Status::Bad;
        return read;
    }
    read.status = ElementHeader::Status::Done;
    read.id = id->value;
    read.length = id->length + size->length;
    const std::uint64_t unknown = (std::uint64_t{1} << (7 * size->length)) - 1;
    if (size->value != unknown) {
        read.size = size->value;
    }
    return read;
}

std::uint64_t ebmlUnsigned(std::string_view body) noexcept {
    return bigEndian(body, 0, body.size());
}

std::optional<EbmlBlockTime> ebmlBlockTime(std::string_view block) noexcept {
    const auto track = ebmlVint(block, 0, false);
    if (!track || track->length == 0 || track->length + 2 > block.size()) {
        return std::nullopt;
    }
    const auto relative =
        static_cast<std::int16_t>(static_cast<std::uint16_t>(bigEndian(block, track->length, 2)));
    return EbmlBlockTime{track->value, relative};
}

std::size_t ebmlClusterAt(std::string_view bytes) noexcept {
    return bytes.find("\x1F\x43\xB6\x75");
}

std::string ebmlLongSize(std::uint64_t size) {
    std::string out(8, '\0');
    putBigEndian(out, 0, 8, (std::uint64_t{1} << 56) | size);
    return out;
}

std::string ebmlLongUnsigned(std::uint8_t id, std::uint64_t value) {
    std::string out(10, '\0');
    out[0] = static_cast<char>(id);
    out[1] = static_cast<char>(0x88);  // a one-byte size: 8
    putBigEndian(out, 2, 8, value);
    return out;
}

}  // namespace confcap::media
