#include "confcap/media/Mp4Boxes.h"

#include <algorithm>

#include "confcap/media/Bytes.h"

namespace confcap::media {

namespace {

bool versionOne(std::string_view body) noexcept {
    return !body.empty() && byteAt(body, 0) == 1;
}

}  // namespace

ElementHeader mp4BoxHeader(std::string_view h) noexcept {
    ElementHeader read;
    if (h.size() < 8) {
        return read;
    }
    std::uint64_t total = bigEndian(h, 0, 4);
    read.id = bigEndian(h, 4, 4);
    read.length = 8;
    if (total == 1) {
        if (h.size() < 16) {
            return read;
        }
        total = bigEndian(h, 8, 8);
        read.length = 16;
    }
    if (total != 0 && total < read.length) {
        read.status = ElementHeader::Status::Bad;
        return read;
    }
    if (total != 0) {
        read.size = total - read.length;
    }
    read.status = ElementHeader::Status::Done;
    return read;
}

std::vector<Mp4Box> mp4Boxes(std::string_view bytes, std::size_t from, std::size_t to) {
    const std::size_t end = std::min(to, bytes.size());
    std::vector<Mp4Box> boxes;
    std::size_t at = from;
    while (at + 8 <= end) {
        Mp4Box box;
        box.start = at;
        std::uint64_t size = bigEndian(bytes, at, 4);
        box.type = static_cast<std::uint32_t>(bigEndian(bytes, at + 4, 4));
        if (size == 1 && at + 16 <= end) {
            size = bigEndian(bytes, at + 8, 8);
            box.header = 16;
        } else if (size == 0) {
            size = end - at;
        }
        if (size < box.header || size > end - at) {
            break;
        }
        box.size = static_cast<std::size_t>(size);
        boxes.push_back(box);
        at += box.size;
    }
    return boxes;
}

std::vector<Mp4Box> mp4Children(std::string_view bytes, const Mp4Box& box) {
    return mp4Boxes(bytes, box.start + box.header, box.start + box.size);
}

std::optional<std::uint64_t> mp4TrackId(std::string_view tkhd) noexcept {
    if (tkhd.empty()) {
        return std::nullopt;
    }
    return bigEndian(tkhd, versionOne(tkhd) ? 20 : 12, 4);
}

std::optional<std::uint64_t> mp4Timescale(std::string_view mdhd) noexcept {
    if (mdhd.empty()) {
        return std::nullopt;
    }
    return bigEndian(mdhd, versionOne(mdhd) ? 20 : 12, 4);
}

std::optional<Mp4TrackDefaults> mp4TrackExtends(std::string_view trex) noexcept {
    if (trex.size() < 20) {
        return std::nullopt;
    }
    return Mp4TrackDefaults{bigEndian(trex, 4, 4), bigEndian(trex, 12, 4)};
}

std::optional<Mp4FragmentTrack> mp4FragmentTrack(std::string_view tfhd) noexcept {
    if (tfhd.size() < 8) {
        return std::nullopt;
    }
    const std::uint64_t flags = bigEndian(tfhd, 1, 3);
    Mp4FragmentTrack found;
    found.track = bigEndian(tfhd, 4, 4);
    // After the base data offset (0x01) and the sample description index (0x02), if present.
    const std::size_t at = 8u + ((flags & 0x01) ? 8u : 0u) + ((flags & 0x02) ? 4u : 0u);
    if ((flags & 0x08) != 0) {
        found.sampleDuration = bigEndian(tfhd, at, 4);
    }
    return found;
}

Mp4Field mp4DecodeTimeField(std::string_view tfdt) noexcept {
    return Mp4Field{4, versionOne(tfdt) ? 8u : 4u};
}

std::optional<std::uint64_t> mp4DecodeTime(std::string_view tfdt) noexcept {
    if (tfdt.empty()) {
        return std::nullopt;
    }
    const auto field = mp4DecodeTimeField(tfdt);
    return bigEndian(tfdt, field.at, field.width);
}

std::uint64_t mp4RunDuration(std::string_view trun, std::uint64_t defaultDuration) noexcept {
    if (trun.size() < 8) {
        return 0;
    }
    const std::uint64_t flags = bigEndian(trun, 1, 3);
    const std::uint64_t count = bigEndian(trun, 4, 4);
    if ((flags & 0x100) == 0) {
        return count * defaultDuration;
    }
    // After the data offset (0x01) and the first sample's flags (0x04), each sample carries its
    // duration (0x100), size (0x200), flags (0x400) and composition offset (0x800) if present.
    std::size_t at = 8u + ((flags & 0x01) ? 4u : 0u) + ((flags & 0x04) ? 4u : 0u);
    const std::size_t each = ((flags & 0x100) ? 4u : 0u) + ((flags & 0x200) ? 4u : 0u) +
                             ((flags & 0x400) ? 4u : 0u) + ((flags & 0x800) ? 4u : 0u);
    std::uint64_t duration = 0;
    for (std::uint64_t i = 0; i < count && at + 4 <= trun.size(); ++i, at += each) {
        duration += bigEndian(trun, at, 4);
    }
    return duration;
}

Mp4Field mp4SequenceField() noexcept {
    return Mp4Field{4, 4};
}

std::uint64_t mp4IndexTimescale(std::string_view sidx) noexcept {
    return bigEndian(sidx, 8, 4);
}

Mp4Field mp4IndexTimeField(std::string_view sidx) noexcept {
    return Mp4Field{12, versionOne(sidx) ? 8u : 4u};
}

}  // namespace confcap::media
