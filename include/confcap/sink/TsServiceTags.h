// What MPEG-TS can carry about a talk: the service name and provider of its service description
// table (SDT), which players such as VLC and mpv show as the stream's title. Written by
// rewriting the SDT packets and leaving every other packet as it was.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace confcap::sink {

/// Rewrites an MPEG-TS byte stream: every SDT section start (PID 0x11) is replaced by one
/// naming `service` and `provider` (keeping the stream's ids), continuation packets of the old
/// SDT are dropped, and a stream without an SDT before its first PAT gets one right after it.
/// Bytes that are not whole packets (a connection cut inside one) pass through as they are.
/// Text that is not ASCII is marked as UTF-8 (EN 300 468 annex A); names are shortened to fit
/// one packet. Not thread-safe.
class TsServiceTagger {
public:
    TsServiceTagger(std::string_view service, std::string_view provider);

    /// The bytes to write for the next `bytes` of the stream (packets may be split across
    /// calls).
    std::string feed(std::string_view bytes);
    /// The bytes to write at the end of the stream.
    std::string finish();
    /// True once an SDT naming the talk was written.
    bool named() const noexcept { return sdtSeen_; }

private:
    std::string consume(std::string_view bytes, bool atEnd);
    void packet(std::string_view p, std::string& out);
    std::string sdtPacket(std::uint16_t transportStream, std::uint16_t network,
                          std::uint16_t service, std::uint8_t version);

    std::string service_;
    std::string provider_;
    std::string carry_;
    std::uint8_t continuity_ = 0;
    bool sdtSeen_ = false;
    bool patSeen_ = false;
};

/// The SDT section that names `service` and `provider` for the given ids, CRC included. Pure.
std::string sdtSection(std::uint16_t transportStream, std::uint16_t network,
                       std::uint16_t serviceId, std::uint8_t version, std::string_view service,
                       std::string_view provider);

}  // namespace confcap::sink
