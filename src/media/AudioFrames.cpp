#include "confcap/media/AudioFrames.h"

#include <array>

#include "confcap/media/Bytes.h"

namespace confcap::media {

AudioSync audioSync(std::string_view b) noexcept {
    if (b.size() < 2 || byteAt(b, 0) != 0xFF || (byteAt(b, 1) & 0xE0) != 0xE0) {
        return AudioSync::None;
    }
    if ((byteAt(b, 1) & 0xF6) == 0xF0) {
        return AudioSync::Adts;
    }
    return (byteAt(b, 1) & 0x06) != 0 ? AudioSync::Mpeg : AudioSync::None;
}

std::optional<AudioFrame> adtsFrame(std::string_view h) noexcept {
    static constexpr std::array<int, 13> kRates = {96000, 88200, 64000, 48000, 44100, 32000, 24000,
                                                   22050, 16000, 12000, 11025, 8000,  7350};
    if (h.size() < kAdtsHeaderSize || audioSync(h) != AudioSync::Adts) {
        return std::nullopt;
    }
    const unsigned rateIndex = (byteAt(h, 2) >> 2) & 0xF;
    const std::uint64_t length = (static_cast<std::uint64_t>(byteAt(h, 3) & 3) << 11) |
                                 (static_cast<std::uint64_t>(byteAt(h, 4)) << 3) |
                                 (byteAt(h, 5) >> 5);
    if (rateIndex >= kRates.size() || length < kAdtsHeaderSize) {
        return std::nullopt;
    }
    return AudioFrame{length, kRates[rateIndex], 1024 * ((byteAt(h, 6) & 3) + 1)};
}

std::optional<AudioFrame> mpegAudioFrame(std::string_view h) noexcept {
    static constexpr int kV1[3][15] = {
        {0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448},
        {0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384},
        {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320}};
    static constexpr int kV2[2][15] = {
        {0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256},
        {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160}};
    static constexpr int kRates[3] = {44100, 48000, 32000};
    if (h.size() < kMpegAudioHeaderSize || audioSync(h) != AudioSync::Mpeg) {
        return std::nullopt;
    }
    const unsigned version = (byteAt(h, 1) >> 3) & 3;  // 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5
    const unsigned layer = (byteAt(h, 1) >> 1) & 3;    // 3: I, 2: II, 1: III
    const unsigned bitrateIndex = byteAt(h, 2) >> 4;
    const unsigned rateIndex = (byteAt(h, 2) >> 2) & 3;
    const unsigned padding = (byteAt(h, 2) >> 1) & 1;
    if (version == 1 || bitrateIndex == 0 || bitrateIndex == 15 || rateIndex == 3) {
        return std::nullopt;
    }
    const bool v1 = version == 3;
    const std::uint64_t bitrate =
        1000u * static_cast<unsigned>(v1 ? kV1[3 - layer][bitrateIndex]
                                         : kV2[layer == 3 ? 0 : 1][bitrateIndex]);
    const int rate = kRates[rateIndex] >> (v1 ? 0 : version == 2 ? 1 : 2);
    const auto perSecond = static_cast<std::uint64_t>(rate);
    AudioFrame frame;
    frame.sampleRate = rate;
    if (layer == 3) {
        frame.length = (12 * bitrate / perSecond + padding) * 4;
        frame.samples = 384;
    } else {
        const bool half = layer == 1 && !v1;
        frame.length = (half ? 72 : 144) * bitrate / perSecond + padding;
        frame.samples = half ? 576 : 1152;
    }
    if (frame.length < kMpegAudioHeaderSize) {
        return std::nullopt;
    }
    return frame;
}

std::optional<std::uint64_t> id3TagLength(std::string_view h) noexcept {
    if (h.size() < kId3HeaderSize || h.substr(0, 3) != "ID3") {
        return std::nullopt;
    }
    const std::uint64_t size = (byteAt(h, 6) & 0x7Fu) << 21 | (byteAt(h, 7) & 0x7Fu) << 14 |
                               (byteAt(h, 8) & 0x7Fu) << 7 | (byteAt(h, 9) & 0x7Fu);
    return kId3HeaderSize + size + ((byteAt(h, 5) & 0x10) != 0 ? 10 : 0);
}

}  // namespace confcap::media
