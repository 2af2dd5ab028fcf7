// MPEG-TS as bytes: cutting a stream into its 188-byte packets (across reads, finding the way back
// after junk) and the timestamp a PES packet starts with. The one place that reads these layouts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace confcap::media {

inline constexpr std::size_t kTsPacketSize = 188;
/// PES timestamps count 90 kHz ticks and wrap at 2^33.
inline constexpr std::int64_t kPesTicksPerSecond = 90'000;
inline constexpr std::int64_t kPesTimestampWrap = std::int64_t{1} << 33;

/// The timestamp an audio, video or private (0xBD) PES packet starts with.
struct PesTimestamp {
    std::uint16_t pid = 0;
    std::uint8_t stream = 0;  ///< the PES stream id: 0xE0-0xEF video, 0xC0-0xDF audio, 0xBD
    std::int64_t ticks = 0;   ///< its DTS, else its PTS (90 kHz, < 2^33)
    bool video() const noexcept { return stream >= 0xE0 && stream <= 0xEF; }
};

/// The timestamp of the PES packet that starts in `packet` (one whole TS packet), or nullopt
/// when none starts there. Pure.
std::optional<PesTimestamp> pesTimestamp(std::string_view packet) noexcept;

/// `later` minus `earlier` in ticks, across the 2^33 wrap: the shorter way round. Pure.
std::int64_t pesTicksBetween(std::int64_t earlier, std::int64_t later) noexcept;

/// Cuts an MPEG-TS byte stream into whole packets, whatever the reads' sizes: a packet split
/// across two feeds is joined, and after junk the next packet start (0x47 a packet apart) is
/// found. Not thread-safe.
class TsPacketizer {
public:
    using Packet = std::function<void(std::string_view packet)>;
    /// Calls `packet` for each whole packet `bytes` completes, in order.
    void feed(std::string_view bytes, const Packet& packet);

private:
    std::string carry_;  // the start of a packet the next feed completes
};

}  // namespace confcap::media
