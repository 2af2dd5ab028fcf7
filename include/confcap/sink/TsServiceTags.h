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
#include "confcap/sink/FileTags.h"

namespace confcap::sink {

/// The names an MPEG-TS file's service description gives: the talk and the conference.
struct TsService {
    std::string name;
    std::string provider;
    bool operator==(const TsService&) const = default;
};

/// The service name and provider among a file's tags (fileTagsFor with "ts"). Pure.
TsService tsServiceIn(const FileTags& tags);

/// Decides, packet by packet, what an MPEG-TS stream's SDT packets become: the start of an
/// SDT-actual section (table 0x42 on PID 0x11) is replaced by one naming `service` and
/// `provider` with the stream's own ids and version; the packets that continue such a section
/// become null packets; every other packet (other tables on PID 0x11 too) stays. Text that is
/// not ASCII is marked as UTF-8 (EN 300 468 annex A); names are shortened to fit one packet.
/// Not thread-safe.
class TsServiceTagger {
public:
    explicit TsServiceTagger(const TsService& names);

    /// The 188 bytes that replace `packet` (which starts with the sync byte), or nullopt when
    /// it stays.
    std::optional<std::string> replacement(std::string_view packet);
    /// The SDT sections rewritten so far.
    std::size_t named() const noexcept { return named_; }

private:
    TsService names_;
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

/// Names the talk in an MPEG-TS file in place (TsServiceTagger) while the file is gone through
/// in order: fed the file's bytes from its first on, in pieces of any size, as they are read or
/// written, it rewrites each SDT packet among them with pwrite() and hashes the file as it leaves
/// it on the way (so that the check costs no second read). A packet is a sync byte with another
/// one a packet later (or the file's end); bytes that are not whole packets (a connection cut
/// inside one) are skipped over. It waits for that next sync byte, so up to a packet of what
/// was fed is decided only by a later feed() or by finish(). Not thread-safe.
class TsServiceNamer {
public:
    /// For the file open for writing as `fd` (not owned), which begins with the first bytes fed.
    TsServiceNamer(int fd, const TsService& names);
    TsServiceNamer(const TsServiceNamer&) = delete;
    TsServiceNamer& operator=(const TsServiceNamer&) = delete;

    /// The file's next `bytes`, already in it. False when a rewrite failed (errno says why);
    /// the namer is then of no further use.
    bool feed(std::string_view bytes);
    /// The file ends after what was fed: decides the rest and says what was done; none when a
    /// rewrite failed (errno says why). Call once.
    std::optional<NamedInPlace> finish();

private:
    /// Decides the packets of `bytes` (which begin at the file's offset `settled_`) that begin
    /// before `stop` and can be decided, hashes the bytes it decided and returns how many those
    /// are; npos when a rewrite failed.
    std::size_t settle(std::string_view bytes, std::size_t stop, bool end);

    int fd_;
    TsServiceTagger tagger_;
    FileHasher hasher_;
    std::uint64_t settled_ = 0;  ///< the bytes decided and hashed; `held_` follows them
    std::string held_;           ///< what was fed and is not decided yet: under two packets
};

/// Names the talk in the MPEG-TS file `file` in place, reading it through once
/// (TsServiceNamer). Throws core::OutputError naming the file when reading or writing fails.
NamedInPlace nameServiceInPlace(const std::filesystem::path& file, const TsService& names);

}  // namespace confcap::sink
