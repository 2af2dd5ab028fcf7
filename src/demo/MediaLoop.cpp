#include "confcap/demo/MediaLoop.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <optional>
#include <span>

#include "confcap/core/Error.h"
#include "confcap/media/AudioFrames.h"
#include "confcap/media/Bytes.h"
#include "confcap/media/Ebml.h"
#include "confcap/media/Mp4Boxes.h"
#include "confcap/media/TsPackets.h"

namespace confcap::demo {

namespace {

namespace fs = std::filesystem;

[[noreturn]] void malformed(const fs::path& file, const std::string& what) {
    throw core::Error("The test clip " + file.string() + " is malformed: " + what + ".",
                      core::ErrorKind::Permanent);
}

std::string readFile(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        throw core::Error("Could not read the test clip " + file.string() + ".",
                          core::ErrorKind::Permanent);
    }
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// An EBML element in a whole file: where it starts, where its body starts and its body's size.
struct EbmlElement {
    std::uint64_t id = 0;
    std::size_t dataStart = 0;
    std::optional<std::uint64_t> size;  // unset: unknown (a live stream's Segment)
};

std::optional<EbmlElement> elementAt(std::string_view s, std::size_t at) {
    if (at >= s.size()) {
        return std::nullopt;
    }
    const auto header = media::ebmlHeader(s.substr(at));
    if (header.status != media::ElementHeader::Status::Done) {
        return std::nullopt;
    }
    return EbmlElement{header.id, at + header.length, header.size};
}

}  // namespace

MediaLoop::MediaLoop(const MediaClip& clip, Format format) : format_(format) {
    switch (format) {
        case Format::Ts:
            loadSegments(clip.tsSegments, clip.segmentSeconds);
            countTsPackets();
            break;
        case Format::Fmp4:
            header_ = readFile(clip.fmp4Init);
            readFmp4Timescales();
            loadSegments(clip.fmp4Segments, clip.segmentSeconds);
            break;
        case Format::Mp3:
            loadMp3(clip.mp3);
            break;
        case Format::Webm:
            loadWebm(clip.webm, clip.seconds);
            break;
    }
    if (units_.empty() || loopSeconds_ <= 0) {
        throw core::Error("The test clip in " + clip.folder.string() + " has no media.",
                          core::ErrorKind::Permanent);
    }
}

void MediaLoop::loadSegments(const std::vector<fs::path>& files,
                             const std::vector<double>& seconds) {
    double start = 0;
    for (std::size_t i = 0; i < files.size() && i < seconds.size(); ++i) {
        units_.push_back(Unit{readFile(files[i]), start, seconds[i]});
        start += seconds[i];
    }
    loopSeconds_ = start;
}

void MediaLoop::loadMp3(const fs::path& file) {
    const std::string data = readFile(file);
    Unit current;
    double start = 0;
    std::size_t at = 0;
    while (at + media::kMpegAudioHeaderSize <= data.size()) {
        const auto frame = media::mpegAudioFrame(std::string_view(data).substr(at));
        if (!frame) {
            malformed(file, "no MPEG audio frame at byte " + std::to_string(at));
        }
        const auto length = static_cast<std::size_t>(frame->length);
        current.bytes.append(data, at, std::min(length, data.size() - at));
        current.seconds += frame->seconds();
        at += length;
        if (current.seconds >= 1.0) {
            current.start = start;
            start += current.seconds;
            units_.push_back(std::move(current));
            current = Unit{};
        }
    }
    if (!current.bytes.empty()) {
        current.start = start;
        start += current.seconds;
        units_.push_back(std::move(current));
    }
    loopSeconds_ = start;
}

void MediaLoop::loadWebm(const fs::path& file, double clipSeconds) {
    const std::string data = readFile(file);
    const auto ebml = elementAt(data, 0);
    if (!ebml || ebml->id != media::kEbmlHeaderId || !ebml->size) {
        malformed(file, "no EBML header");
    }
    const auto segment = elementAt(data, ebml->dataStart + *ebml->size);
    if (!segment || segment->id != media::kEbmlSegment || segment->size) {
        malformed(file, "no live (unknown-size) Segment");
    }
    std::size_t at = segment->dataStart;
    std::vector<std::pair<std::string, double>> clusters;
    while (const auto element = elementAt(data, at)) {
        if (!element->size || element->dataStart + *element->size > data.size()) {
            malformed(file, "an element of unknown size at byte " + std::to_string(at));
        }
        const std::size_t end = element->dataStart + *element->size;
        if (element->id == media::kEbmlCluster) {
            if (header_.empty()) {
                header_ = data.substr(0, at);
            }
            const auto timecode = elementAt(data, element->dataStart);
            if (!timecode || timecode->id != media::kEbmlTimecode || !timecode->size) {
                malformed(file, "a Cluster without a leading Timecode");
            }
            const auto body = std::string_view(data).substr(timecode->dataStart, *timecode->size);
            const double start = static_cast<double>(media::ebmlUnsigned(body)) / 1000.0;
            clusters.emplace_back(data.substr(at, end - at), start);
        }
        at = end;
    }
    for (std::size_t i = 0; i < clusters.size(); ++i) {
        const double next = i + 1 < clusters.size() ? clusters[i + 1].second : clipSeconds;
        units_.push_back(Unit{std::move(clusters[i].first), clusters[i].second,
                              std::max(0.0, next - clusters[i].second)});
    }
    loopSeconds_ = clipSeconds;
}

void MediaLoop::readFmp4Timescales() {
    using media::mp4Type;
    for (const auto& top : media::mp4Boxes(header_)) {
        if (top.type != mp4Type("moov")) {
            continue;
        }
        for (const auto& trak : media::mp4Children(header_, top)) {
            if (trak.type != mp4Type("trak")) {
                continue;
            }
            std::uint64_t trackId = 0;
            std::uint64_t timescale = 0;
            for (const auto& child : media::mp4Children(header_, trak)) {
                if (child.type == mp4Type("tkhd")) {
                    trackId = media::mp4TrackId(child.body(header_)).value_or(0);
                } else if (child.type == mp4Type("mdia")) {
                    for (const auto& m : media::mp4Children(header_, child)) {
                        if (m.type == mp4Type("mdhd")) {
                            timescale = media::mp4Timescale(m.body(header_)).value_or(0);
                        }
                    }
                }
            }
            timescales_[static_cast<std::uint32_t>(trackId)] =
                static_cast<std::uint32_t>(timescale);
        }
    }
}

void MediaLoop::countTsPackets() {
    std::array<std::uint32_t, 8192> counts{};
    for (const Unit& u : units_) {
        for (std::size_t i = 0; i + media::kTsPacketSize <= u.bytes.size();
             i += media::kTsPacketSize) {
            const auto packet = std::string_view(u.bytes).substr(i, media::kTsPacketSize);
            if (media::tsHasPayload(packet)) {
                ++counts[media::tsPid(packet)];
            }
        }
    }
    for (std::size_t pid = 0; pid < counts.size(); ++pid) {
        tsPayloadPackets_[pid] = static_cast<std::uint8_t>(counts[pid] % 16);
    }
}

double MediaLoop::unitStart(std::int64_t n) const {
    const std::int64_t count = unitsPerLoop();
    return static_cast<double>(n / count) * loopSeconds_ +
           units_[static_cast<std::size_t>(n % count)].start;
}

double MediaLoop::unitSeconds(std::int64_t n) const {
    return units_[static_cast<std::size_t>(n % unitsPerLoop())].seconds;
}

std::int64_t MediaLoop::unitAt(double mediaSeconds) const {
    const double pass = std::floor(std::max(0.0, mediaSeconds) / loopSeconds_);
    const double within = std::max(0.0, mediaSeconds) - pass * loopSeconds_;
    const auto next = std::upper_bound(units_.begin(), units_.end(), within,
                                       [](double t, const Unit& u) { return t < u.start; });
    const auto index = std::max<std::int64_t>(0, (next - units_.begin()) - 1);
    return static_cast<std::int64_t>(pass) * unitsPerLoop() + index;
}

std::string MediaLoop::unit(std::int64_t n) const {
    const std::int64_t pass = n / unitsPerLoop();
    const Unit& u = units_[static_cast<std::size_t>(n % unitsPerLoop())];
    if (pass == 0 || format_ == Format::Mp3) {
        return u.bytes;
    }
    if (format_ == Format::Webm) {
        return retimeWebm(u.bytes, pass);
    }
    std::string bytes = u.bytes;
    if (format_ == Format::Ts) {
        retimeTs(bytes, pass);
    } else {
        retimeFmp4(bytes, pass);
    }
    return bytes;
}

void MediaLoop::retimeTs(std::string& s, std::int64_t pass) const {
    const auto shift = static_cast<std::uint64_t>(std::llround(
        static_cast<double>(pass) * loopSeconds_ * static_cast<double>(media::kPesTicksPerSecond)));
    for (std::size_t i = 0; i + media::kTsPacketSize <= s.size(); i += media::kTsPacketSize) {
        const auto packet = std::span<char>(s).subspan(i, media::kTsPacketSize);
        const auto pid = media::tsPid(std::string_view(packet.data(), packet.size()));
        media::advanceTsContinuity(packet,
                                   static_cast<std::uint64_t>(pass) * tsPayloadPackets_[pid]);
        media::shiftTsTimes(packet, shift);
    }
}

void MediaLoop::retimeFmp4(std::string& s, std::int64_t pass) const {
    using media::mp4Type;
    const double passSeconds = static_cast<double>(pass) * loopSeconds_;
    auto ticks = [&](std::uint64_t timescale) {
        return static_cast<std::uint64_t>(
            std::llround(passSeconds * static_cast<double>(timescale)));
    };
    // Adds `add` to the number at `field` of `box`'s body.
    auto advance = [&](const media::Mp4Box& box, media::Mp4Field field, std::uint64_t add) {
        const std::size_t at = box.start + box.header + field.at;
        media::putBigEndian(s, at, field.width, media::bigEndian(s, at, field.width) + add);
    };
    for (const auto& top : media::mp4Boxes(s)) {
        if (top.type == mp4Type("sidx")) {
            const auto sidx = top.body(s);
            advance(top, media::mp4IndexTimeField(sidx), ticks(media::mp4IndexTimescale(sidx)));
        } else if (top.type == mp4Type("moof")) {
            for (const auto& child : media::mp4Children(s, top)) {
                if (child.type == mp4Type("mfhd")) {
                    advance(child, media::mp4SequenceField(),
                            static_cast<std::uint64_t>(pass * unitsPerLoop()));
                }
                if (child.type != mp4Type("traf")) {
                    continue;
                }
                std::uint64_t timescale = 0;
                for (const auto& t : media::mp4Children(s, child)) {
                    if (t.type == mp4Type("tfhd")) {
                        const auto header = media::mp4FragmentTrack(t.body(s));
                        const auto found = timescales_.find(
                            header ? static_cast<std::uint32_t>(header->track) : 0);
                        timescale = found == timescales_.end() ? 0 : found->second;
                    } else if (t.type == mp4Type("tfdt")) {
                        advance(t, media::mp4DecodeTimeField(t.body(s)), ticks(timescale));
                    }
                }
            }
        }
    }
}

std::string MediaLoop::retimeWebm(const std::string& cluster, std::int64_t pass) const {
    const auto element = elementAt(cluster, 0);
    const auto timecode = elementAt(cluster, element ? element->dataStart : cluster.size());
    if (!timecode || !timecode->size) {
        return cluster;
    }
    const std::uint64_t moved =
        media::ebmlUnsigned(
            std::string_view(cluster).substr(timecode->dataStart, *timecode->size)) +
        static_cast<std::uint64_t>(std::llround(static_cast<double>(pass) * loopSeconds_ * 1000));
    const std::size_t restStart = timecode->dataStart + *timecode->size;
    const std::size_t restSize = cluster.size() - restStart;
    // The Timecode as an 8-byte unsigned integer, the Cluster's size as an 8-byte size.
    std::string out;
    out.reserve(cluster.size() + 24);
    out.append(cluster, 0, 4);
    out += media::ebmlLongSize(restSize + 10);
    out += media::ebmlLongUnsigned(static_cast<std::uint8_t>(media::kEbmlTimecode), moved);
    out.append(cluster, restStart, restSize);
    return out;
}

}  // namespace confcap::demo
