// A talk's recording on disk while it is made: the files of its pieces beside the final name
// ("<stem>.<ext>.part", a further track's "<stem>.a1.<ext>.part", later pieces "....part2") and
// the part list "<stem>.part.json" from which a later process continues or finishes it, with
// the part log "<stem>.part.log" of what was written since the list was saved.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "confcap/core/Error.h"
#include "confcap/core/Media.h"
#include "confcap/sink/PartList.h"
#include "confcap/sink/Recording.h"
#include "confcap/sink/TsServiceTags.h"

namespace confcap::sink {

/// The part set is held by a live sink (in this or another process).
class PartSetInUse : public core::OutputError {
public:
    using core::OutputError::OutputError;
};

/// The part set of one recording. Used by one thread at a time.
class PartSet {
public:
    /// The part set of `stem` (relative to `outDir`, without extension). A part list left there
    /// is read, with the lines of the part log that continue it, and its first piece locked
    /// (flock), so no other holder can take it. Throws
    /// PartSetInUse when another holder has it, and core::OutputError when the list cannot be
    /// read or is damaged. Without a list the set starts empty and creates nothing yet.
    PartSet(std::filesystem::path outDir, std::filesystem::path stem);
    /// Closes the files and lets go of the lock; everything on disk stays.
    ~PartSet();
    PartSet(const PartSet&) = delete;
    PartSet& operator=(const PartSet&) = delete;

    /// True when a part list of an earlier holder was read.
    bool loaded() const noexcept { return loaded_; }
    PartList& list() noexcept { return list_; }
    const PartList& list() const noexcept { return list_; }
    /// The folder of the files and the final name there, without extension.
    const std::filesystem::path& folder() const noexcept { return folder_; }
    const std::string& leaf() const noexcept { return leaf_; }
    std::filesystem::path pathOf(const PartTrack& track) const { return folder_ / track.file; }
    /// The bytes of a piece's files on disk.
    std::uint64_t bytesOf(const PartPiece& piece) const;

    /// Starts a new piece whose main track is in `format`, creating the folder as needed.
    /// Throws core::OutputError naming the file when it cannot be created.
    void openPiece(const core::StreamFormat& format, bool newTimeline);
    /// Gives the current piece a file for the further track `info.index` in `format`; the piece
    /// keeps one it has in the same format. Throws core::OutputError as openPiece does, and
    /// std::logic_error before openPiece.
    void openTrack(const core::TrackInfo& info, const core::StreamFormat& format);
    /// True when the current piece has an open file for `track`.
    bool isOpen(int track) const noexcept { return files_.count(track) > 0; }
    /// Appends to `track`'s file in the current piece with POSIX pwrite() at the file's end,
    /// which the set keeps (it created the file and alone writes it). Returns the errno that
    /// stopped it (0 when everything was written); `written` tells how much was. A write that
    /// fails is undone where the file can be cut back (then `written` is 0), so that the chunk
    /// can be written whole later.
    int append(int track, std::string_view bytes, std::size_t& written);
    /// Like append(), for a whole HLS segment: when every byte was written, the segment is
    /// noted in the track's segment list with the offset it begins at.
    int appendSegment(int track, std::string_view bytes, std::int64_t sequence, double seconds,
                      std::size_t& written);
    /// Where the bytes of a write lie: the track's file (full path) and the offset they begin at.
    struct WrittenAt {
        std::filesystem::path file;
        std::uint64_t offset = 0;
    };
    /// Where the last append() or appendSegment() put its bytes, when it wrote every one of
    /// them; none otherwise.
    std::optional<WrittenAt> lastWrite() const;
    /// Where the next append() to `track` puts its bytes: the track's file in the current piece
    /// and its end, with the track's format; none when the track has no open file.
    struct TrackEnd {
        WrittenAt at;
        core::StreamFormat format;
    };
    std::optional<TrackEnd> endOf(int track) const;
    /// Closes the files of the current piece.
    void closeFiles() noexcept;

    /// Names the talk as `names` in the service description of each MPEG-TS main track from the
    /// next piece on, as it is written (TsServiceNamer), so that publishing need not read the
    /// file through again; none, or other names, stop it for the current piece's file too.
    void nameServiceAsWritten(std::optional<TsService> names);
    /// What naming `file` as it was written did, when it is a main track of this set named as
    /// `names` from its first byte to its last and closed since; none otherwise.
    std::optional<NamedInPlace> namedAsWritten(const std::filesystem::path& file,
                                               const TsService& names) const;

    /// Writes the part list atomically (core::replaceFile) under a new log mark, and removes
    /// the part log. Never throws.
    bool save() noexcept;
    /// Appends to the part log what the last write to `track` added: its segment (after an
    /// appendSegment()), the list's resume point of the track, last data and coverage; what a
    /// save would keep of that write. Nothing before the first save (there is no mark to
    /// continue). Never throws; false when the line could not be written whole.
    bool logWrite(int track) noexcept;
    /// The part list's text for `list` of the recording `stem` (what save() writes:
    /// partListText). Pure.
    static std::string textOf(const PartList& list, const std::filesystem::path& stem);
    /// Deletes every piece file, the part list and the part log.
    void removeAll() noexcept;
    /// Lets go of the lock (the set may then be taken over by a recovery).
    void release() noexcept;

    /// "<outDir>/<stem>.part.json". Pure.
    static std::filesystem::path listPathFor(const std::filesystem::path& outDir,
                                             const std::filesystem::path& stem);
    /// "<outDir>/<stem>.part.log". Pure.
    static std::filesystem::path logPathFor(const std::filesystem::path& outDir,
                                            const std::filesystem::path& stem);

private:
    void load();
    /// Adds the lines of the part log that continue the list just read.
    void applyLog();
    void lockFirstPiece();
    void closeLog() noexcept;
    int create(const std::string& name);

    std::filesystem::path outDir_;
    std::filesystem::path stem_;
    std::filesystem::path folder_;
    std::string leaf_;
    std::filesystem::path listPath_;
    std::filesystem::path logPath_;
    PartList list_;
    bool loaded_ = false;
    /// A file of the current piece: its descriptor, its size, and its naming as it is written.
    struct OpenFile {
        int fd = -1;
        std::uint64_t end = 0;
        std::unique_ptr<TsServiceNamer> namer;  ///< named as naming_ (other names reset it)
    };
    /// A closed file's naming as it was written.
    struct Named {
        TsService names;
        NamedInPlace named;
    };
    void closeFile(int track, OpenFile& file) noexcept;

    std::map<int, OpenFile> files_;  // track → its file in the current piece
    std::optional<TsService> naming_;
    std::map<std::filesystem::path, Named> named_;  // closed main tracks named as written
    int lockFd_ = -1;                               // holds flock() on the first piece
    int logFd_ = -1;                                // the part log, once written to
    std::uint64_t logSize_ = 0;                     // its size, while open
    int lastTrack_ = 0;                             // of the last append()
    std::optional<std::uint64_t> lastOffset_;       // where it began, when it wrote every byte
    std::optional<SegmentMark> lastSegment_;        // what the last appendSegment() added
};

}  // namespace confcap::sink
