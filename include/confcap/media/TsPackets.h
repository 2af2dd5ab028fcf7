// MPEG-TS as bytes: cutting a stream into its 188-byte packets (across reads, finding the way back
// after junk), a packet's header fields, and the timestamps a packet carries (PCR, PES PTS/DTS).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace confcap::media {

inline constexpr std::size_t kTsPacketSize = 188;
/// The PID of the service description table (SDT), where a stream names its service.
inline constexpr std::uint16_t kTsSdtPid = 0x0011;
/// PES timestamps count 90 kHz ticks and wrap at 2^33.
inline constexpr std::int64_t kPesTicksPerSecond = 90'000;
inline constexpr std::int64_t kPesTimestampWrap = std::int64_t{1} << 33;

// The two below are asked of every packet of every stream recorded: inline.

/// True when a packet starts at `at` of `bytes`: a sync byte (0x47) with another one a packet
/// later, or the end of `bytes` before that. Pure.
inline bool tsSyncAt(std::string_view bytes, std::size_t at) noexcept {
    return at < bytes.size() && bytes[at] == '\x47' &&
           (at + kTsPacketSize >= bytes.size() || bytes[at + kTsPacketSize] == '\x47');
}

/// The PID of `packet` (at least its 4-byte header). Pure.
inline std::uint16_t tsPid(std::string_view packet) noexcept {
    return static_cast<std::uint16_t>(((static_cast<std::uint8_t>(packet[1]) & 0x1F) << 8) |
                                      static_cast<std::uint8_t>(packet[2]));
}
/// True when a PES packet or a section starts in `packet`'s payload. Pure.
bool tsUnitStart(std::string_view packet) noexcept;
/// True when `packet` carries a payload. Pure.
bool tsHasPayload(std::string_view packet) noexcept;
/// The payload of `packet` (one whole TS packet), or empty when it has none. Pure.
std::string_view tsPayload(std::string_view packet) noexcept;
/// The start of the table section that starts in `packet` (after the pointer field), or empty
/// when none does. Pure.
std::string_view tsSectionStart(std::string_view packet) noexcept;

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

/// Moves the times one whole TS packet carries by `ticks` (90 kHz, modulo 2^33): the PCR of its
/// adaptation field and the PTS and DTS of a PES header that starts in it.
void shiftTsTimes(std::span<char> packet, std::uint64_t ticks) noexcept;
/// Moves the continuity counter of one TS packet on by `count` (modulo 16); a packet without a
/// payload (or without the sync byte) keeps it.
void advanceTsContinuity(std::span<char> packet, std::uint64_t count) noexcept;

/// Cuts an MPEG-TS byte stream into whole packets, whatever the reads' sizes: a packet split
/// across two feeds is joined, and after junk the next packet start (0x47 a packet apart) is
/// found. Not thread-safe.
class TsPacketizer {
public:
    using Packet = std::function<void(std::string_view packet)>;
    /// Calls `packet` for each whole packet `bytes` completes, in order.
    void feed(std::string_view bytes, const Packet& packet);
    /// The start of a packet that no feed has completed yet, handed back and forgotten.
    std::string release() noexcept { return std::exchange(carry_, {}); }

private:
    std::string carry_;  // the start of a packet the next feed completes
};

}  // namespace confcap::media
