#include "confcap/sink/AudioFrameReader.h"

#include <algorithm>
#include <array>

namespace confcap::sink {

void AudioFrameReader::feed(std::string_view bytes) {
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

double AudioFrameReader::seconds() const {
    return frames_ >= 2 ? seconds_ : 0;
}

bool AudioFrameReader::measured() const {
    return frames_ >= 2;
}

// Decides on the gathered header bytes: a frame or tag (skip its rest), more bytes needed, or
// junk (drop a byte and look again).
void AudioFrameReader::parseHeader() {
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

bool AudioFrameReader::adts(std::string_view h) {
    static constexpr std::array<int, 13> kRates = {96000, 88200, 64000, 48000, 44100, 32000, 24000,
                                                   22050, 16000, 12000, 11025, 8000,  7350};
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

bool AudioFrameReader::mpeg(std::string_view h) {
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
    if (version == 1 || layer == 0 || bitrateIndex == 0 || bitrateIndex == 15 || rateIndex == 3) {
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

void AudioFrameReader::frame(double seconds, std::uint64_t length) {
    seconds_ += seconds;
    ++frames_;
    skip_ = length - header_.size();
    header_.clear();
}

}  // namespace confcap::sink
