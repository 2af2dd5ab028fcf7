// What MPEG-TS can carry about a talk: the service name and provider of its service description
// table (SDT), which players such as VLC and mpv show as the stream's title. Written in place:
// each SDT packet is replaced by one of the same size, every other byte stays as it was.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "confcap/sink/FileCheck.h"

namespace confcap::sink {

/// Decides, packet by packet, what an MPEG-TS stream's SDT packets become: the start of an
/// SDT-actual section (table 0x42 on PID 0x11) is replaced by one naming `service` and
/// `provider` with the stream's own ids and version; the packets that continue such a section
/// become null packets; every other packet (other tables on PID 0x11 too) stays. Text that is
/// not ASCII is marked as UTF-8 (EN 300 468 annex A); names are shortened to fit one packet.
/// Not thread-safe.
class TsServiceTagger {
public:
    TsServiceTagger(std::string_view service, std::string_view provider);

    /// The 188 bytes that replace `packet` (which starts with the sync byte), or nullopt when
    /// it stays.
    std::optional<std::string> replacement(std::string_view packet);
    /// The SDT sections rewritten so far.
    std::size_t named() const noexcept { return named_; }

private:
    std::string service_;
    std::string provider_;
    std::size_t named_ = 0;
    bool inSection_ = false;  ///< later packets on PID 0x11 continue a rewritten section
};

/// The SDT section that names `service` and `provider` for the given ids, CRC included. Pure.
std::string sdtSection(std::uint16_t transportStream, std::uint16_t network,
                       std::uint16_t serviceId, std::uint8_t version, std::string_view service,
                       std::string_view provider);

/// What nameServiceInPlace did: the SDT sections it rewrote (0 when the stream has none, and
/// the file is then unchanged) and the check of the file as it left it.
struct NamedInPlace {
    std::size_t sections = 0;
    FileCheck check;
};

/// Names the talk in the MPEG-TS file `file` in place (TsServiceTagger), reading it through
/// once, rewriting only SDT packets and hashing the file as it leaves it on the way (so that
/// the check costs no second read); bytes that are not whole packets (a connection cut inside
/// one) are skipped over. Throws core::OutputError naming the file when reading or writing
/// fails.
NamedInPlace nameServiceInPlace(const std::filesystem::path& file, std::string_view service,
                                std::string_view provider);

}  // namespace confcap::sink
