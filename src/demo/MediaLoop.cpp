#include "confcap/demo/MediaLoop.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>

#include "confcap/core/Error.h"

namespace confcap::demo {

namespace {

namespace fs = std::filesystem;

constexpr std::size_t kTsPacket = 188;
constexpr std::uint32_t kWebmCluster = 0x1F43B675;
constexpr std::uint32_t kWebmSegment = 0x18538067;
constexpr std::uint32_t kWebmTimecode = 0xE7;

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

std::uint8_t byteAt(const std::string& s, std::size_t i) {
    return static_cast<std::uint8_t>(s[i]);
}

void putByte(std::string& s, std::size_t i, std::uint64_t value) {
    s[i] = static_cast<char>(static_cast<std::uint8_t>(value & 0xFF));
}

std::uint64_t readBig(const std::string& s, std::size_t at, std::size_t bytes) {
    std::uint64_t value = 0;
    for (std::size_t k = 0; k < bytes; ++k) {
        value = (value << 8) | byteAt(s, at + k);
    }
    return value;
}

void writeBig(std::string& s, std::size_t at, std::size_t bytes, std::uint64_t value) {
    for (std::size_t k = 0; k < bytes; ++k) {
        putByte(s, at + bytes - 1 - k, value >> (8 * k));
    }
}

// --- MPEG-TS -------------------------------------------------------------------------------

constexpr std::uint64_t kTimestampMask = (1ull << 33) - 1;

std::uint64_t readPesTimestamp(const std::string& s, std::size_t at) {
    return ((static_cast<std::uint64_t>(byteAt(s, at)) >> 1 & 0x07) << 30) |
           (static_cast<std::uint64_t>(byteAt(s, at + 1)) << 22) |
           ((static_cast<std::uint64_t>(byteAt(s, at + 2)) >> 1) << 15) |
           (static_cast<std::uint64_t>(byteAt(s, at + 3)) << 7) |
           (static_cast<std::uint64_t>(byteAt(s, at + 4)) >> 1);
}

void writePesTimestamp(std::string& s, std::size_t at, std::uint64_t ts) {
    putByte(s, at, (byteAt(s, at) & 0xF0u) | ((ts >> 29) & 0x0E) | 1);
    putByte(s, at + 1, ts >> 22);
    putByte(s, at + 2, ((ts >> 14) & 0xFE) | 1);
    putByte(s, at + 3, ts >> 7);
    putByte(s, at + 4, ((ts << 1) & 0xFE) | 1);
}

bool pesHasOptionalHeader(std::uint8_t streamId) {
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

// --- fMP4 ----------------------------------------------------------------------------------

struct Box {
    std::size_t start = 0;
    std::size_t size = 0;
    std::size_t header = 8;
    std::string type;
};

// The boxes directly inside [begin, end).
std::vector<Box> boxesIn(const std::string& s, std::size_t begin, std::size_t end) {
    std::vector<Box> boxes;
    std::size_t at = begin;
    while (at + 8 <= end) {
        Box box;
        box.start = at;
        box.size = static_cast<std::size_t>(readBig(s, at, 4));
        box.type = s.substr(at + 4, 4);
        if (box.size == 1 && at + 16 <= end) {
            box.size = static_cast<std::size_t>(readBig(s, at + 8, 8));
            box.header = 16;
        } else if (box.size == 0) {
            box.size = end - at;
        }
        if (box.size < box.header || at + box.size > end) {
            break;
        }
        boxes.push_back(box);
        at += box.size;
    }
    return boxes;
}

std::vector<Box> childrenOf(const std::string& s, const Box& box) {
    return boxesIn(s, box.start + box.header, box.start + box.size);
}

// --- WebM / EBML ---------------------------------------------------------------------------

struct EbmlElement {
    std::uint32_t id = 0;
    std::size_t start = 0;      // first byte of the ID
    std::size_t dataStart = 0;  // first byte of the data
    std::uint64_t size = 0;
    bool unknownSize = false;
};

std::size_t vintLength(std::uint8_t first) {
    std::size_t length = 1;
    for (std::uint8_t mask = 0x80; mask != 0 && (first & mask) == 0; mask >>= 1) {
        ++length;
    }
    return length;
}

bool readElement(const std::string& s, std::size_t at, EbmlElement& element) {
    if (at >= s.size()) {
        return false;
    }
    const std::size_t idLength = vintLength(byteAt(s, at));
    if (idLength > 4 || at + idLength >= s.size()) {
        return false;
    }
    element.start = at;
    element.id = static_cast<std::uint32_t>(readBig(s, at, idLength));
    const std::size_t sizeAt = at + idLength;
    const std::size_t sizeLength = vintLength(byteAt(s, sizeAt));
    if (sizeLength > 8 || sizeAt + sizeLength > s.size()) {
        return false;
    }
    const std::uint64_t marker = 1ull << (7 * sizeLength);
    const std::uint64_t raw = readBig(s, sizeAt, sizeLength);
    element.size = raw & (marker - 1);
    element.unknownSize = element.size == marker - 1;
    element.dataStart = sizeAt + sizeLength;
    return true;
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
    static constexpr int kBitrates[16] = {0,   32,  40,  48,  56,  64,  80,  96,
                                          112, 128, 160, 192, 224, 256, 320, 0};
    static constexpr int kRates[4] = {44100, 48000, 32000, 0};
    const std::string data = readFile(file);
    Unit current;
    double start = 0;
    std::size_t at = 0;
    while (at + 4 <= data.size()) {
        const std::uint8_t b1 = byteAt(data, at + 1);
        const std::uint8_t b2 = byteAt(data, at + 2);
        // MPEG-1 Layer III only: that is what the fixture makes.
        if (byteAt(data, at) != 0xFF || (b1 & 0xFE) != 0xFA) {
            malformed(file, "no MPEG-1 Layer III frame at byte " + std::to_string(at));
        }
        const int bitrate = kBitrates[b2 >> 4];
        const int rate = kRates[(b2 >> 2) & 3];
        if (bitrate == 0 || rate == 0) {
            malformed(file, "bad frame header at byte " + std::to_string(at));
        }
        const auto length = static_cast<std::size_t>(144 * bitrate * 1000 / rate + ((b2 >> 1) & 1));
        const double frameSeconds = 1152.0 / rate;
        current.bytes.append(data, at, std::min(length, data.size() - at));
        current.seconds += frameSeconds;
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
    EbmlElement element;
    if (!readElement(data, 0, element) || element.id != 0x1A45DFA3) {
        malformed(file, "no EBML header");
    }
    EbmlElement segment;
    if (!readElement(data, element.dataStart + element.size, segment) ||
        segment.id != kWebmSegment || !segment.unknownSize) {
        malformed(file, "no live (unknown-size) Segment");
    }
    std::size_t at = segment.dataStart;
    std::vector<std::pair<std::string, double>> clusters;
    while (readElement(data, at, element)) {
        if (element.unknownSize || element.dataStart + element.size > data.size()) {
            malformed(file, "an element of unknown size at byte " + std::to_string(at));
        }
        const std::size_t end = element.dataStart + element.size;
        if (element.id == kWebmCluster) {
            if (header_.empty()) {
                header_ = data.substr(0, at);
            }
            EbmlElement timecode;
            if (!readElement(data, element.dataStart, timecode) || timecode.id != kWebmTimecode) {
                malformed(file, "a Cluster without a leading Timecode");
            }
            const double start =
                static_cast<double>(readBig(data, timecode.dataStart, timecode.size)) / 1000.0;
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
    for (const Box& top : boxesIn(header_, 0, header_.size())) {
        if (top.type != "moov") {
            continue;
        }
        for (const Box& trak : childrenOf(header_, top)) {
            if (trak.type != "trak") {
                continue;
            }
            std::uint32_t trackId = 0;
            std::uint32_t timescale = 0;
            for (const Box& child : childrenOf(header_, trak)) {
                if (child.type == "tkhd") {
                    const bool v1 = byteAt(header_, child.start + 8) == 1;
                    trackId = static_cast<std::uint32_t>(
                        readBig(header_, child.start + (v1 ? 28 : 20), 4));
                } else if (child.type == "mdia") {
                    for (const Box& m : childrenOf(header_, child)) {
                        if (m.type == "mdhd") {
                            const bool v1 = byteAt(header_, m.start + 8) == 1;
                            timescale = static_cast<std::uint32_t>(
                                readBig(header_, m.start + (v1 ? 28 : 20), 4));
                        }
                    }
                }
            }
            timescales_[trackId] = timescale;
        }
    }
}

void MediaLoop::countTsPackets() {
    std::array<std::uint32_t, 8192> counts{};
    for (const Unit& u : units_) {
        for (std::size_t i = 0; i + kTsPacket <= u.bytes.size(); i += kTsPacket) {
            const auto pid = static_cast<std::size_t>(((byteAt(u.bytes, i + 1) & 0x1F) << 8) |
                                                      byteAt(u.bytes, i + 2));
            if ((byteAt(u.bytes, i + 3) & 0x10) != 0) {
                ++counts[pid];
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
    const auto shift = static_cast<std::uint64_t>(
        std::llround(static_cast<double>(pass) * loopSeconds_ * 90000.0));
    for (std::size_t i = 0; i + kTsPacket <= s.size(); i += kTsPacket) {
        if (byteAt(s, i) != 0x47) {
            continue;
        }
        const bool unitStart = (byteAt(s, i + 1) & 0x40) != 0;
        const auto pid =
            static_cast<std::size_t>(((byteAt(s, i + 1) & 0x1F) << 8) | byteAt(s, i + 2));
        const std::uint8_t control = (byteAt(s, i + 3) >> 4) & 3;
        if ((control & 1) != 0) {
            const auto add = static_cast<std::uint64_t>(pass) * tsPayloadPackets_[pid];
            putByte(s, i + 3, (byteAt(s, i + 3) & 0xF0u) | ((byteAt(s, i + 3) + add) & 0x0F));
        }
        std::size_t p = i + 4;
        const std::size_t end = i + kTsPacket;
        if ((control & 2) != 0) {
            const std::size_t length = byteAt(s, p);
            if (length >= 7 && p + 7 <= end && (byteAt(s, p + 1) & 0x10) != 0) {
                const std::uint64_t base = (readBig(s, p + 2, 4) << 1) | (byteAt(s, p + 6) >> 7);
                const std::uint64_t moved = (base + shift) & kTimestampMask;
                writeBig(s, p + 2, 4, moved >> 1);
                putByte(s, p + 6, ((moved & 1) << 7) | (byteAt(s, p + 6) & 0x7Fu));
            }
            p += 1 + length;
        }
        if ((control & 1) == 0 || !unitStart || p + 14 > end) {
            continue;
        }
        if (byteAt(s, p) != 0 || byteAt(s, p + 1) != 0 || byteAt(s, p + 2) != 1 ||
            !pesHasOptionalHeader(byteAt(s, p + 3))) {
            continue;
        }
        const std::uint8_t flags = byteAt(s, p + 7) >> 6;
        if ((flags & 2) != 0) {
            writePesTimestamp(s, p + 9, (readPesTimestamp(s, p + 9) + shift) & kTimestampMask);
        }
        if (flags == 3 && p + 19 <= end) {
            writePesTimestamp(s, p + 14, (readPesTimestamp(s, p + 14) + shift) & kTimestampMask);
        }
    }
}

void MediaLoop::retimeFmp4(std::string& s, std::int64_t pass) const {
    const double passSeconds = static_cast<double>(pass) * loopSeconds_;
    auto ticks = [&](std::uint32_t timescale) {
        return static_cast<std::uint64_t>(std::llround(passSeconds * timescale));
    };
    for (const Box& top : boxesIn(s, 0, s.size())) {
        if (top.type == "sidx") {
            const bool v1 = byteAt(s, top.start + 8) == 1;
            const auto timescale = static_cast<std::uint32_t>(readBig(s, top.start + 16, 4));
            const std::size_t width = v1 ? 8 : 4;
            writeBig(s, top.start + 20, width,
                     readBig(s, top.start + 20, width) + ticks(timescale));
        } else if (top.type == "moof") {
            for (const Box& child : childrenOf(s, top)) {
                if (child.type == "mfhd") {
                    writeBig(s, child.start + 12, 4,
                             readBig(s, child.start + 12, 4) +
                                 static_cast<std::uint64_t>(pass * unitsPerLoop()));
                }
                if (child.type != "traf") {
                    continue;
                }
                std::uint32_t timescale = 0;
                for (const Box& t : childrenOf(s, child)) {
                    if (t.type == "tfhd") {
                        const auto id = static_cast<std::uint32_t>(readBig(s, t.start + 12, 4));
                        const auto found = timescales_.find(id);
                        timescale = found == timescales_.end() ? 0 : found->second;
                    } else if (t.type == "tfdt") {
                        const std::size_t width = byteAt(s, t.start + 8) == 1 ? 8 : 4;
                        writeBig(s, t.start + 12, width,
                                 readBig(s, t.start + 12, width) + ticks(timescale));
                    }
                }
            }
        }
    }
}

std::string MediaLoop::retimeWebm(const std::string& cluster, std::int64_t pass) const {
    EbmlElement element;
    EbmlElement timecode;
    readElement(cluster, 0, element);
    readElement(cluster, element.dataStart, timecode);
    const std::uint64_t moved =
        readBig(cluster, timecode.dataStart, timecode.size) +
        static_cast<std::uint64_t>(std::llround(static_cast<double>(pass) * loopSeconds_ * 1000));
    const std::size_t restStart = timecode.dataStart + timecode.size;
    const std::size_t restSize = cluster.size() - restStart;
    // Timecode as an 8-byte unsigned integer; sizes as 8-byte vints (0x01 + 7 bytes).
    std::string out;
    out.reserve(cluster.size() + 24);
    out.append(cluster, 0, 4);
    std::string size(8, '\0');
    writeBig(size, 0, 8, (1ull << 56) | (restSize + 10));
    out += size;
    out += static_cast<char>(kWebmTimecode);
    out += static_cast<char>(0x88);
    std::string value(8, '\0');
    writeBig(value, 0, 8, moved);
    out += value;
    out.append(cluster, restStart, restSize);
    return out;
}

}  // namespace confcap::demo
