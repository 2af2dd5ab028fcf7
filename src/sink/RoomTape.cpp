#include "confcap/sink/RoomTape.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <system_error>
#include <utility>
#include <vector>

#include "confcap/core/FileIo.h"
#include "confcap/core/Format.h"
#include "confcap/media/TsPackets.h"

namespace confcap::sink {

namespace {

// A piece's name: its start in UTC to the millisecond, and a count that keeps two pieces begun
// in the same millisecond apart; names sort in the order the pieces began.
std::string pieceId(std::chrono::system_clock::time_point at, int count) {
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
    const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[64];
    std::snprintf(text, sizeof text, "%04d%02d%02dT%02d%02d%02d.%03dZ-%04d", utc.tm_year + 1900,
                  utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                  static_cast<int>(ms % 1000), count % 10000);
    return text;
}

int openAppend(const std::filesystem::path& path) {
    return ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

}  // namespace

RoomTape::RoomTape(std::filesystem::path folder, const core::Clock& clock, std::uint64_t keepFree)
    : folder_(std::move(folder)), clock_(clock), keepFree_(keepFree) {}

RoomTape::~RoomTape() {
    closeFiles();
}

void RoomTape::TrackFile::close() noexcept {
    for (const int open : {fd, sharingFd}) {
        if (open >= 0) {
            ::close(open);
        }
    }
    fd = sharingFd = -1;
}

void RoomTape::closeFiles() {
    for (auto& [track, file] : tracks_) {
        file.close();
    }
    tracks_.clear();
    if (index_ >= 0) {
        ::close(index_);
        index_ = -1;
    }
    piece_.reset();
}

std::string RoomTape::error() const {
    std::lock_guard lock(mutex_);
    return error_;
}

void RoomTape::fail(const std::string& what, int error) {
    if (!failed_) {
        failed_ = true;
        std::lock_guard lock(mutex_);
        error_ = "The room's tape stopped: cannot write " + what + ": " + std::strerror(error) +
                 ". The talks record on without it.";
    }
    closeFiles();
}

bool RoomTape::roomLeft() {
    constexpr std::uint64_t kLookEvery = 1024 * 1024;
    if (keepFree_ == 0 || (piece_ && sinceLook_ < kLookEvery)) {
        return true;
    }
    sinceLook_ = 0;
    struct statvfs disk {};
    if (::statvfs(folder_.c_str(), &disk) != 0) {
        return true;  // a disk that cannot be looked at fails, if at all, at the next write
    }
    const auto free = static_cast<std::uint64_t>(disk.f_bavail) * disk.f_frsize;
    if (free >= keepFree_) {
        return true;
    }
    failed_ = true;
    {
        std::lock_guard lock(mutex_);
        error_ = "The room's tape stopped: its disk has " + core::formatBytes(free) +
                 " free, less than the " + core::formatBytes(keepFree_) +
                 " --min-free keeps for the talks, which record on without it.";
    }
    closeFiles();
    return false;
}

void RoomTape::append(const TapeEvent& event) {
    if (index_ < 0) {
        return;
    }
    if (!core::writeAll(index_, tapeLine(event))) {
        fail(core::quotedPath(folder_), errno);
    }
}

void RoomTape::beginPiece(const core::StreamFormat& format, bool newTimeline) {
    if (failed_) {
        return;
    }
    closeFiles();
    std::error_code error;
    std::filesystem::create_directories(folder_, error);
    if (error) {
        fail(core::quotedPath(folder_), error.value());
        return;
    }
    if (!roomLeft()) {
        return;
    }
    const auto now = clock_.now();
    TapePiece piece{pieceId(now, ++pieces_), format, newTimeline};
    index_ = openAppend(folder_ / (piece.id + ".idx"));
    if (index_ < 0) {
        fail(core::quotedPath(folder_ / (piece.id + ".idx")), errno);
        return;
    }
    piece_ = piece;
    tracks_[0].format = format;
    append({now, piece});
}

void RoomTape::beginTrack(const core::TrackInfo& track, const core::StreamFormat& format) {
    if (!piece_) {
        return;
    }
    auto& file = tracks_[track.index];
    if (file.format.extension != format.extension) {
        file.close();  // the track goes on in files of its own (their names have the extension)
        file = TrackFile{};
    }
    file.format = format;
    append({clock_.now(), TapeTrack{track, format}});
}

void RoomTape::shared(const core::Chunk& chunk, const std::filesystem::path& file,
                      std::uint64_t offset) {
    if (!failed_ && !chunk.bytes.empty()) {
        offers_.emplace_back(chunk, file, offset);
    }
}

namespace {

// Whether the file open as `fd` holds `bytes` at `offset`, judged by their first and last
// packet's worth: an offer is only taken for the chunk it was made for, even where buffers are
// reused. A talk names itself in its MPEG-TS service description as it writes (TsServiceNamer):
// where the stream has a packet of it (PID 0x11), the file need only have one there too.
bool holds(int fd, std::uint64_t offset, std::string_view bytes) {
    constexpr std::size_t kProbe = media::kTsPacketSize;
    const auto serviceDescription = [](std::string_view packet) {
        return packet.size() == kProbe && packet[0] == '\x47' &&
               media::tsPid(packet) == media::kTsSdtPid;
    };
    const auto probe = [&](std::size_t at) {
        const auto length = std::min(kProbe, bytes.size() - at);
        char found[kProbe];
        if (::pread(fd, found, length, static_cast<off_t>(offset + at)) !=
            static_cast<ssize_t>(length)) {
            return false;
        }
        const std::string_view sent = bytes.substr(at, length);
        const std::string_view kept(found, length);
        return kept == sent || (serviceDescription(sent) && serviceDescription(kept));
    };
    return probe(0) && probe(bytes.size() - std::min(kProbe, bytes.size()));
}

}  // namespace

bool RoomTape::refer(const core::Chunk& chunk, TrackFile& file) {
    std::optional<ChunkWrite> taken;
    for (const auto& offer : offers_) {
        if (offer.of(chunk) && (!taken || offer.file == file.sharing)) {
            taken = offer;  // the file shared already, when it is one of them
        }
    }
    offers_.clear();
    if (!taken) {
        return false;
    }
    const bool another = taken->file != file.sharing;
    const int fd = another ? ::open(taken->file.c_str(), O_RDONLY | O_CLOEXEC) : file.sharingFd;
    const auto drop = [&] {
        if (another && fd >= 0) {
            ::close(fd);
        }
        return false;
    };
    if (fd < 0 || !holds(fd, taken->offset, chunk.bytes)) {
        return drop();
    }
    if (another) {
        const auto name = piece_->id + "-t" + std::to_string(chunk.track) + "-s" +
                          std::to_string(++links_) + "." + file.format.extension;
        if (::link(taken->file.c_str(), (folder_ / name).c_str()) != 0) {
            return drop();  // a file system without hard links: the tape writes the bytes itself
        }
        if (file.sharingFd >= 0) {
            ::close(file.sharingFd);
        }
        file.sharingFd = fd;
        file.sharing = taken->file;
        file.link = name;
    }
    TapeChunk entry;
    entry.file = file.link;
    entry.track = chunk.track;
    entry.kind = chunk.kind;
    entry.offset = taken->offset;
    entry.length = chunk.bytes.size();
    entry.mediaSeconds = chunk.mediaSeconds;
    entry.sequence = chunk.sequence;
    entry.uri = std::string(chunk.uri);
    entry.endsAt = chunk.endsAt;
    sharedBytes_ += chunk.bytes.size();
    append({clock_.now(), entry});
    return true;
}

void RoomTape::write(const core::Chunk& chunk) {
    if (!piece_ || chunk.bytes.empty()) {
        offers_.clear();
        return;
    }
    const auto it = tracks_.find(chunk.track);
    if (it == tracks_.end()) {
        offers_.clear();
        return;  // a track never begun
    }
    auto& file = it->second;
    if (refer(chunk, file) || !roomLeft()) {
        return;
    }
    if (file.fd < 0) {
        const auto path = tapeTrackFile(folder_, *piece_, chunk.track, file.format);
        file.fd = openAppend(path);
        if (file.fd < 0) {
            fail(core::quotedPath(path), errno);
            return;
        }
        struct stat info {};
        file.size = ::fstat(file.fd, &info) == 0 ? static_cast<std::uint64_t>(info.st_size) : 0;
    }
    if (!core::writeAll(file.fd, chunk.bytes)) {
        fail(core::quotedPath(tapeTrackFile(folder_, *piece_, chunk.track, file.format)), errno);
        return;
    }
    TapeChunk entry;
    entry.track = chunk.track;
    entry.kind = chunk.kind;
    entry.offset = file.size;
    entry.length = chunk.bytes.size();
    entry.mediaSeconds = chunk.mediaSeconds;
    entry.sequence = chunk.sequence;
    entry.uri = std::string(chunk.uri);
    entry.endsAt = chunk.endsAt;
    file.size += chunk.bytes.size();
    bytes_ += chunk.bytes.size();
    sinceLook_ += chunk.bytes.size();
    append({clock_.now(), entry});
}

void RoomTape::gap(const core::Gap& gap) {
    append({clock_.now(), TapeGap{gap}});
}

void RoomTape::reconnected() {
    append({clock_.now(), TapeReconnect{}});
}

void RoomTape::variantSwitched(const core::VariantSwitch& change) {
    append({clock_.now(), TapeVariant{change}});
}

namespace {

// The tape folders under `tapes`, one per room; none when it does not exist.
std::vector<std::filesystem::path> roomFolders(const std::filesystem::path& tapes) {
    std::vector<std::filesystem::path> rooms;
    std::error_code error;
    if (!std::filesystem::is_directory(tapes, error)) {
        return rooms;
    }
    for (const auto& room : std::filesystem::directory_iterator(tapes, error)) {
        if (room.is_directory(error)) {
            rooms.push_back(room.path());
        }
    }
    return rooms;
}

// The media files of the piece whose index is `index` (its own "<id>-t<track>.<ext>" and the
// talks' files it shares), each with the bytes only the tape holds: a shared file's count once
// the talk's own name for it is gone.
std::vector<std::pair<std::filesystem::path, std::uint64_t>> trackFiles(
    const std::filesystem::path& index) {
    std::vector<std::pair<std::filesystem::path, std::uint64_t>> files;
    std::error_code error;
    const auto stem = index.stem().string() + "-t";
    for (const auto& file : std::filesystem::directory_iterator(index.parent_path(), error)) {
        if (file.path().filename().string().rfind(stem, 0) == 0) {
            struct stat info {};
            const bool alone = ::stat(file.path().c_str(), &info) == 0 && info.st_nlink == 1;
            files.emplace_back(file.path(), alone ? static_cast<std::uint64_t>(info.st_size) : 0);
        }
    }
    return files;
}

// Every piece of every room's tape under `tapes`, the oldest last write first.
std::vector<TapeFile> piecesUnder(const std::filesystem::path& tapes) {
    std::vector<TapeFile> all;
    for (const auto& room : roomFolders(tapes)) {
        try {
            for (auto& piece : readTapeBounds(room)) {
                all.push_back(std::move(piece));
            }
        } catch (const std::exception&) {
            // A room's tape that cannot be read now is looked at next time.
        }
    }
    std::sort(all.begin(), all.end(),
              [](const TapeFile& a, const TapeFile& b) { return a.last < b.last; });
    return all;
}

// Deletes a piece's files and its index; the bytes freed.
std::uint64_t removePiece(const TapeFile& piece) {
    std::uint64_t freed = 0;
    std::error_code error;
    for (const auto& [file, size] : trackFiles(piece.index)) {
        if (std::filesystem::remove(file, error)) {
            freed += size;
        }
    }
    std::filesystem::remove(piece.index, error);
    return freed;
}

}  // namespace

TapeHolding tapeIn(const std::filesystem::path& folder) {
    TapeHolding holding;
    holding.room = folder.filename().string();
    try {
        for (const auto& piece : readTapeBounds(folder)) {
            holding.from = holding.pieces == 0 ? piece.first : std::min(holding.from, piece.first);
            holding.until = std::max(holding.until, piece.last);
            ++holding.pieces;
            for (const auto& file : trackFiles(piece.index)) {
                holding.bytes += file.second;
            }
            holding.spans.push_back({piece.first, piece.last});
        }
    } catch (const std::exception&) {
        // A tape that cannot be read now is looked at next time.
    }
    return holding;
}

std::vector<TapeHolding> tapesIn(const std::filesystem::path& tapes) {
    std::vector<TapeHolding> all;
    for (const auto& room : roomFolders(tapes)) {
        if (auto holding = tapeIn(room); holding.pieces > 0) {
            all.push_back(std::move(holding));
        }
    }
    std::sort(all.begin(), all.end(),
              [](const TapeHolding& a, const TapeHolding& b) { return a.room < b.room; });
    return all;
}

std::uint64_t expireTapes(const std::filesystem::path& tapes, std::chrono::seconds keep,
                          std::chrono::system_clock::time_point now) {
    std::uint64_t freed = 0;
    for (const auto& piece : piecesUnder(tapes)) {
        if (piece.last + keep <= now) {
            freed += removePiece(piece);
        }
    }
    return freed;
}

std::uint64_t freeTapeSpace(const std::filesystem::path& tapes, std::uint64_t bytes,
                            std::chrono::system_clock::time_point now, std::chrono::seconds idle) {
    std::uint64_t freed = 0;
    for (const auto& piece : piecesUnder(tapes)) {
        if (freed >= bytes || piece.last + idle > now) {
            break;
        }
        freed += removePiece(piece);
    }
    return freed;
}

}  // namespace confcap::sink
