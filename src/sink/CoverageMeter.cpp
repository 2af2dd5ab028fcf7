#include "confcap/sink/CoverageMeter.h"

#include <algorithm>
#include <array>
#include <optional>
#include <vector>

namespace confcap::sink {

namespace {

// Timestamps further apart than this (or going back by more than a frame's worth) mean the
// stream was away or started again: the stretch between is not media that was recorded.
constexpr std::int64_t kJumpSeconds = 5;
constexpr std::size_t kTsPacket = 188;
// A box or EBML element read whole to look inside (moov, moof, Info) is at most this big.
constexpr std::size_t kBoxLimit = 16 * 1024 * 1024;

std::uint8_t byteAt(std::string_view s, std::size_t i) {
    return static_cast<std::uint8_t>(s[i]);
}

std::uint64_t bigEndian(std::string_view s, std::size_t at, std::size_t bytes) {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < bytes && at + i < s.size(); ++i) {
        value = (value << 8) | byteAt(s, at + i);
    }
    return value;
}

}  // namespace

void CoverageMeter::Runs::add(std::int64_t time, std::int64_t duration) {
    if (wrap_ != 0) {
        time = static_cast<std::int64_t>(static_cast<std::uint64_t>(time) % wrap_);
    }
    if (!started_) {
        started_ = true;
        runLength_ = 0;
        last_ = time;
        lastDuration_ = duration;
        return;
    }
    std::int64_t delta = time - last_;
    if (wrap_ != 0) {
        const auto half = static_cast<std::int64_t>(wrap_ / 2);
        if (delta > half) {
            delta -= static_cast<std::int64_t>(wrap_);
        } else if (delta < -half) {
            delta += static_cast<std::int64_t>(wrap_);
        }
    }
    const auto scale = static_cast<std::int64_t>(timescale_);
    if (delta <= 0 && delta > -scale / 2) {
        return;  // a repeated or slightly reordered timestamp
    }
    if (delta < 0 || delta > kJumpSeconds * scale) {
        closed_ += runLength_ + std::max(lastDuration_, step_);
        runLength_ = 0;
    } else {
        runLength_ += delta;
        step_ = delta;
    }
    last_ = time;
    lastDuration_ = duration;
}

double CoverageMeter::Runs::seconds() const {
    if (!started_ || timescale_ == 0) {
        return 0;
    }
    const auto units = closed_ + runLength_ + std::max(lastDuration_, step_);
    return static_cast<double>(units) / static_cast<double>(timescale_);
}

class CoverageMeter::Reader {
public:
    virtual ~Reader() = default;
    virtual void feed(std::string_view bytes) = 0;
    virtual double seconds() const = 0;
    virtual bool measured() const = 0;
};

namespace {

using Runs = CoverageMeter::Runs;

double longest(const std::map<std::uint64_t, Runs>& streams) {
    double best = 0;
    for (const auto& [id, runs] : streams) {
        best = std::max(best, runs.seconds());
    }
    return best;
}

/// MPEG-TS: the DTS (else PTS) of every PES packet that starts in a payload, per PID.
class TsReader final : public CoverageMeter::Reader {
public:
    void feed(std::string_view bytes) override {
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
    double seconds() const override { return longest(pids_); }
    bool measured() const override { return !pids_.empty(); }

private:
    static std::int64_t timestamp(std::string_view p, std::size_t at) {
        return static_cast<std::int64_t>(
            ((static_cast<std::uint64_t>(byteAt(p, at)) >> 1) & 7) << 30 |
            static_cast<std::uint64_t>(byteAt(p, at + 1)) << 22 |
            (static_cast<std::uint64_t>(byteAt(p, at + 2)) >> 1) << 15 |
            static_cast<std::uint64_t>(byteAt(p, at + 3)) << 7 |
            static_cast<std::uint64_t>(byteAt(p, at + 4)) >> 1);
    }

    void packet(std::string_view p) {
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
        const std::uint64_t pid =
            (static_cast<std::uint64_t>(byteAt(p, 1) & 0x1F) << 8) | byteAt(p, 2);
        pids_.try_emplace(pid, 90'000, std::uint64_t{1} << 33).first->second.add(time);
    }

    std::string carry_;
    std::map<std::uint64_t, Runs> pids_;
};

/// MP3 and ADTS AAC: the samples of every frame, skipping ID3 tags and resyncing after junk.
class FrameReader final : public CoverageMeter::Reader {
public:
    void feed(std::string_view bytes) override {
        std::size_t pos = 0;
        while (pos < bytes.size()) {
            if (skip_ > 0) {
                const auto n =
                    static_cast<std::size_t>(std::min<std::uint64_t>(skip_, bytes.size() - pos));
                pos += n;
                skip_ -= n;
                continue;
            }
            header_.push_back(bytes[pos++]);
            parseHeader();
        }
    }
    double seconds() const override { return frames_ >= 2 ? seconds_ : 0; }
    bool measured() const override { return frames_ >= 2; }

private:
    // Decides on the gathered header bytes: a frame or tag (skip its rest), more bytes needed,
    // or junk (drop a byte and look again).
    void parseHeader() {
        while (!header_.empty()) {
            const std::size_t have = header_.size();
            const auto h = std::string_view(header_);
            if (byteAt(h, 0) == 'I') {
                if (have < 10) {
                    if (std::string_view("ID3").substr(0, std::min<std::size_t>(have, 3)) ==
                        h.substr(0, std::min<std::size_t>(have, 3))) {
                        return;
                    }
                } else if (h.substr(0, 3) == "ID3") {
                    const std::uint64_t size = (byteAt(h, 6) & 0x7Fu) << 21 |
                                               (byteAt(h, 7) & 0x7Fu) << 14 |
                                               (byteAt(h, 8) & 0x7Fu) << 7 | (byteAt(h, 9) & 0x7Fu);
                    skip_ = size + ((byteAt(h, 5) & 0x10) != 0 ? 10 : 0);
                    header_.clear();
                    return;
                }
            } else if (byteAt(h, 0) == 0xFF) {
                if (have < 2) {
                    return;
                }
                if ((byteAt(h, 1) & 0xF6) == 0xF0) {  // ADTS
                    if (have < 7) {
                        return;
                    }
                    if (adts(h)) {
                        return;
                    }
                } else if ((byteAt(h, 1) & 0xE0) == 0xE0) {
                    if (have < 4) {
                        return;
                    }
                    if (mpeg(h)) {
                        return;
                    }
                }
            }
            header_.erase(0, 1);
        }
    }

    bool adts(std::string_view h) {
        static constexpr std::array<int, 13> kRates = {96000, 88200, 64000, 48000, 44100,
                                                       32000, 24000, 22050, 16000, 12000,
                                                       11025, 8000,  7350};
        const unsigned rateIndex = (byteAt(h, 2) >> 2) & 0xF;
        const std::uint64_t length = (static_cast<std::uint64_t>(byteAt(h, 3) & 3) << 11) |
                                     (static_cast<std::uint64_t>(byteAt(h, 4)) << 3) |
                                     (byteAt(h, 5) >> 5);
        if (rateIndex >= kRates.size() || length < 7) {
            return false;
        }
        frame(1024.0 * ((byteAt(h, 6) & 3) + 1) / kRates[rateIndex], length);
        return true;
    }

    bool mpeg(std::string_view h) {
        static constexpr int kV1[3][15] = {
            {0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448},
            {0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384},
            {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320}};
        static constexpr int kV2[2][15] = {
            {0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256},
            {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160}};
        static constexpr int kRates[3] = {44100, 48000, 32000};
        const unsigned version = (byteAt(h, 1) >> 3) & 3;  // 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5
        const unsigned layer = (byteAt(h, 1) >> 1) & 3;    // 3: I, 2: II, 1: III
        const unsigned bitrateIndex = byteAt(h, 2) >> 4;
        const unsigned rateIndex = (byteAt(h, 2) >> 2) & 3;
        const unsigned padding = (byteAt(h, 2) >> 1) & 1;
        if (version == 1 || layer == 0 || bitrateIndex == 0 || bitrateIndex == 15 ||
            rateIndex == 3) {
            return false;
        }
        const bool v1 = version == 3;
        const std::uint64_t bitrate =
            1000u * static_cast<unsigned>(v1 ? kV1[3 - layer][bitrateIndex]
                                             : kV2[layer == 3 ? 0 : 1][bitrateIndex]);
        const std::uint64_t rate =
            static_cast<std::uint64_t>(kRates[rateIndex]) >> (v1             ? 0
                                                              : version == 2 ? 1
                                                                             : 2);
        std::uint64_t length = 0;
        double samples = 0;
        if (layer == 3) {
            length = (12 * bitrate / rate + padding) * 4;
            samples = 384;
        } else {
            const bool half = layer == 1 && !v1;
            length = (half ? 72 : 144) * bitrate / rate + padding;
            samples = half ? 576 : 1152;
        }
        if (length < 4) {
            return false;
        }
        frame(samples / static_cast<double>(rate), length);
        return true;
    }

    void frame(double seconds, std::uint64_t length) {
        seconds_ += seconds;
        ++frames_;
        skip_ = length - header_.size();
        header_.clear();
    }

    std::string header_;
    std::uint64_t skip_ = 0;
    double seconds_ = 0;
    int frames_ = 0;
};

/// Reads a stream of elements whose payloads are mostly skipped: a header is gathered, then the
/// element is entered, read whole (small ones the reader looks into) or skipped.
class ElementStream {
public:
    /// Enter: read its children; Read: hand its whole body to element(); Peek: hand its first
    /// kPeek bytes to element() and skip the rest; Skip: ignore it.
    enum class Action { Enter, Read, Peek, Skip };
    static constexpr std::size_t kPeek = 8;
    virtual ~ElementStream() = default;

    void feed(std::string_view bytes) {
        std::size_t pos = 0;
        while (pos < bytes.size()) {
            if (skip_ > 0) {
                const auto n =
                    static_cast<std::size_t>(std::min<std::uint64_t>(skip_, bytes.size() - pos));
                if (reading_) {
                    body_.append(bytes.substr(pos, std::min(n, readLimit_ - body_.size())));
                }
                pos += n;
                skip_ -= n;
                if (reading_ && (skip_ == 0 || body_.size() >= readLimit_)) {
                    reading_ = false;
                    element(readId_, body_);
                    body_.clear();
                }
                continue;
            }
            if (broken_) {
                return;
            }
            header_.push_back(bytes[pos++]);
            std::uint64_t id = 0;
            std::optional<std::uint64_t> size;
            std::size_t length = 0;
            switch (parseHeader(header_, id, size, length)) {
                case Parse::More:
                    continue;
                case Parse::Bad:
                    broken_ = true;  // lost: nothing more is counted
                    return;
                case Parse::Done:
                    break;
            }
            header_.clear();
            const Action action = decide(id, size);
            if (action == Action::Enter || !size) {
                continue;
            }
            skip_ = *size;
            if ((action == Action::Read && *size <= kBoxLimit) || action == Action::Peek) {
                readLimit_ = action == Action::Peek ? kPeek : static_cast<std::size_t>(*size);
                reading_ = true;
                readId_ = id;
                if (skip_ == 0) {
                    reading_ = false;
                    element(id, body_);
                }
            }
        }
    }

protected:
    enum class Parse { More, Bad, Done };
    /// Reads an element header from the start of `header`.
    virtual Parse parseHeader(std::string_view header, std::uint64_t& id,
                              std::optional<std::uint64_t>& size, std::size_t& length) = 0;
    /// What to do with an element (`size` unset: it runs until its parent ends).
    virtual Action decide(std::uint64_t id, std::optional<std::uint64_t> size) = 0;
    /// An element read whole.
    virtual void element(std::uint64_t id, std::string_view body) = 0;

private:
    std::string header_;
    std::string body_;
    std::uint64_t skip_ = 0;
    bool reading_ = false;
    std::size_t readLimit_ = 0;
    bool broken_ = false;
    std::uint64_t readId_ = 0;
};

/// Fragmented MP4: each fragment's decode time (tfdt) and length (trun sample durations), in the
/// timescale the init section (moov) gives its track.
class Mp4Reader final : public CoverageMeter::Reader, private ElementStream {
public:
    void feed(std::string_view bytes) override { ElementStream::feed(bytes); }
    double seconds() const override { return longest(tracks_); }
    bool measured() const override { return !tracks_.empty(); }

private:
    static constexpr std::uint64_t box(const char (&name)[5]) {
        return (static_cast<std::uint64_t>(static_cast<unsigned char>(name[0])) << 24) |
               (static_cast<std::uint64_t>(static_cast<unsigned char>(name[1])) << 16) |
               (static_cast<std::uint64_t>(static_cast<unsigned char>(name[2])) << 8) |
               static_cast<unsigned char>(name[3]);
    }

    Parse parseHeader(std::string_view h, std::uint64_t& id, std::optional<std::uint64_t>& size,
                      std::size_t& length) override {
        if (h.size() < 8) {
            return Parse::More;
        }
        std::uint64_t total = bigEndian(h, 0, 4);
        id = bigEndian(h, 4, 4);
        length = 8;
        if (total == 1) {
            if (h.size() < 16) {
                return Parse::More;
            }
            total = bigEndian(h, 8, 8);
            length = 16;
        }
        if (total == 0) {
            size.reset();  // to the end of the stream
        } else if (total < length) {
            return Parse::Bad;
        } else {
            size = total - length;
        }
        return Parse::Done;
    }

    Action decide(std::uint64_t id, std::optional<std::uint64_t>) override {
        return id == box("moov") || id == box("moof") ? Action::Read : Action::Skip;
    }

    // Calls `visit(type, payload)` for each box in `data`.
    template <typename Visit>
    static void boxes(std::string_view data, Visit visit) {
        std::size_t at = 0;
        while (at + 8 <= data.size()) {
            std::uint64_t size = bigEndian(data, at, 4);
            const std::uint64_t type = bigEndian(data, at + 4, 4);
            std::size_t header = 8;
            if (size == 1 && at + 16 <= data.size()) {
                size = bigEndian(data, at + 8, 8);
                header = 16;
            } else if (size == 0) {
                size = data.size() - at;
            }
            if (size < header || size > data.size() - at) {
                return;
            }
            visit(type, data.substr(at + header, static_cast<std::size_t>(size) - header));
            at += static_cast<std::size_t>(size);
        }
    }

    void element(std::uint64_t id, std::string_view body) override {
        if (id == box("moov")) {
            movie(body);
        } else {
            fragment(body);
        }
    }

    void movie(std::string_view moov) {
        boxes(moov, [&](std::uint64_t type, std::string_view payload) {
            if (type == box("trak")) {
                std::uint64_t track = 0;
                std::uint64_t timescale = 0;
                boxes(payload, [&](std::uint64_t t, std::string_view p) {
                    if (t == box("tkhd") && !p.empty()) {
                        track = bigEndian(p, byteAt(p, 0) == 1 ? 20 : 12, 4);
                    } else if (t == box("mdia")) {
                        boxes(p, [&](std::uint64_t m, std::string_view q) {
                            if (m == box("mdhd") && !q.empty()) {
                                timescale = bigEndian(q, byteAt(q, 0) == 1 ? 20 : 12, 4);
                            }
                        });
                    }
                });
                if (track != 0 && timescale != 0) {
                    timescales_[track] = timescale;
                }
            } else if (type == box("mvex")) {
                boxes(payload, [&](std::uint64_t t, std::string_view p) {
                    if (t == box("trex") && p.size() >= 20) {
                        defaultDurations_[bigEndian(p, 4, 4)] = bigEndian(p, 12, 4);
                    }
                });
            }
        });
    }

    void fragment(std::string_view moof) {
        boxes(moof, [&](std::uint64_t type, std::string_view traf) {
            if (type != box("traf")) {
                return;
            }
            std::uint64_t track = 0;
            std::uint64_t defaultDuration = 0;
            std::optional<std::uint64_t> decodeTime;
            std::uint64_t duration = 0;
            boxes(traf, [&](std::uint64_t t, std::string_view p) {
                if (t == box("tfhd") && p.size() >= 8) {
                    const std::uint64_t flags = bigEndian(p, 1, 3);
                    track = bigEndian(p, 4, 4);
                    defaultDuration = defaultDurations_.count(track) ? defaultDurations_[track] : 0;
                    std::size_t at = 8u + ((flags & 0x01) ? 8u : 0u) + ((flags & 0x02) ? 4u : 0u);
                    if ((flags & 0x08) != 0) {
                        defaultDuration = bigEndian(p, at, 4);
                    }
                } else if (t == box("tfdt") && !p.empty()) {
                    decodeTime = byteAt(p, 0) == 1 ? bigEndian(p, 4, 8) : bigEndian(p, 4, 4);
                } else if (t == box("trun") && p.size() >= 8) {
                    const std::uint64_t flags = bigEndian(p, 1, 3);
                    const std::uint64_t count = bigEndian(p, 4, 4);
                    std::size_t at = 8u + ((flags & 0x01) ? 4u : 0u) + ((flags & 0x04) ? 4u : 0u);
                    const std::size_t each =
                        ((flags & 0x100) ? 4u : 0u) + ((flags & 0x200) ? 4u : 0u) +
                        ((flags & 0x400) ? 4u : 0u) + ((flags & 0x800) ? 4u : 0u);
                    if ((flags & 0x100) == 0) {
                        duration += count * defaultDuration;
                        return;
                    }
                    for (std::uint64_t i = 0; i < count && at + 4 <= p.size(); ++i, at += each) {
                        duration += bigEndian(p, at, 4);
                    }
                }
            });
            const auto timescale = timescales_.find(track);
            if (decodeTime && timescale != timescales_.end()) {
                tracks_.try_emplace(track, timescale->second)
                    .first->second.add(static_cast<std::int64_t>(*decodeTime),
                                       static_cast<std::int64_t>(duration));
            }
        });
    }

    std::map<std::uint64_t, std::uint64_t> timescales_;
    std::map<std::uint64_t, std::uint64_t> defaultDurations_;
    std::map<std::uint64_t, Runs> tracks_;
};

/// WebM/Matroska: every block's time (cluster timecode plus its own), per track, in the
/// segment's TimecodeScale.
class MatroskaReader final : public CoverageMeter::Reader, private ElementStream {
public:
    void feed(std::string_view bytes) override { ElementStream::feed(bytes); }
    double seconds() const override { return longest(tracks_); }
    bool measured() const override { return !tracks_.empty(); }

private:
    static constexpr std::uint64_t kSegment = 0x18538067, kInfo = 0x1549A966,
                                   kTimecodeScale = 0x2AD7B1, kCluster = 0x1F43B675,
                                   kTimecode = 0xE7, kSimpleBlock = 0xA3, kBlockGroup = 0xA0,
                                   kBlock = 0xA1;

    // An EBML variable-length integer at `at`: its value (with or without the length marker)
    // and length, or nullopt when more bytes are needed.
    static std::optional<std::pair<std::uint64_t, std::size_t>> vint(std::string_view h,
                                                                     std::size_t at,
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
            return length > 8
                       ? std::make_optional(std::make_pair(~std::uint64_t{0}, std::size_t{0}))
                       : std::nullopt;
        }
        std::uint64_t value = keepMarker ? first : (first & (0xFFu >> length));
        for (std::size_t i = 1; i < length; ++i) {
            value = (value << 8) | byteAt(h, at + i);
        }
        return std::make_pair(value, length);
    }

    Parse parseHeader(std::string_view h, std::uint64_t& id, std::optional<std::uint64_t>& size,
                      std::size_t& length) override {
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

    Action decide(std::uint64_t id, std::optional<std::uint64_t> size) override {
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

    void element(std::uint64_t id, std::string_view body) override {
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

    std::uint64_t scale_ = 1'000'000;  // nanoseconds per timecode tick
    std::optional<std::uint64_t> cluster_;
    std::map<std::uint64_t, Runs> tracks_;
};

}  // namespace

CoverageMeter::CoverageMeter(std::string_view extension) {
    if (extension == "ts") {
        reader_ = std::make_unique<TsReader>();
    } else if (extension == "mp3" || extension == "aac") {
        reader_ = std::make_unique<FrameReader>();
    } else if (extension == "mp4") {
        reader_ = std::make_unique<Mp4Reader>();
    } else if (extension == "webm" || extension == "mkv") {
        reader_ = std::make_unique<MatroskaReader>();
    }
}

CoverageMeter::~CoverageMeter() = default;
CoverageMeter::CoverageMeter(CoverageMeter&&) noexcept = default;
CoverageMeter& CoverageMeter::operator=(CoverageMeter&&) noexcept = default;

void CoverageMeter::feed(std::string_view bytes) {
    if (reader_) {
        reader_->feed(bytes);
    }
}

double CoverageMeter::seconds() const {
    return reader_ ? reader_->seconds() : 0;
}

bool CoverageMeter::measured() const {
    return reader_ && reader_->measured();
}

}  // namespace confcap::sink
