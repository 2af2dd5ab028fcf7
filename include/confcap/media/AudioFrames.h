// MPEG audio (MP3) and ADTS AAC as bytes: what a frame header says (its length, sample rate and
// samples), the frame sync that tells the two apart, and the length of an ID3v2 tag before them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace confcap::media {

/// The bytes an ADTS header, an MPEG audio header and an ID3v2 tag header need.
inline constexpr std::size_t kAdtsHeaderSize = 7;
inline constexpr std::size_t kMpegAudioHeaderSize = 4;
inline constexpr std::size_t kId3HeaderSize = 10;

/// Which frame header the first two bytes start: ADTS (12 sync bits, layer 00), MPEG audio
/// (11 sync bits, layer I, II or III), or none.
enum class AudioSync { None, Adts, Mpeg };
/// The frame header `bytes` start with, by its first two bytes (None when fewer). Pure.
AudioSync audioSync(std::string_view bytes) noexcept;

/// One audio frame, from its header.
struct AudioFrame {
    std::uint64_t length = 0;  ///< bytes, header included
    int sampleRate = 0;        ///< Hz
    int samples = 0;           ///< per channel
    /// Its duration.
    double seconds() const noexcept { return static_cast<double>(samples) / sampleRate; }
};

/// The frame an ADTS header (kAdtsHeaderSize bytes) describes, or nullopt when it cannot be one.
/// Pure.
std::optional<AudioFrame> adtsFrame(std::string_view header) noexcept;
/// The frame an MPEG-1, -2 or -2.5 audio header of layer I to III (kMpegAudioHeaderSize bytes)
/// describes, or nullopt when it cannot be one (free format included). Pure.
std::optional<AudioFrame> mpegAudioFrame(std::string_view header) noexcept;

/// The whole length of the ID3v2 tag (header, body and footer) a kId3HeaderSize-byte header
/// starts, or nullopt when `header` is not one. Pure.
std::optional<std::uint64_t> id3TagLength(std::string_view header) noexcept;

}  // namespace confcap::media
