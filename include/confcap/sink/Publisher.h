// Turns the kept pieces of a talk's recording into its final file beside the parts: carries out
// the PublishPlan (each piece's tracks joined into one file, the pieces joined, the talk's tags),
// moves the result to a free name, and writes the sidecar next to it.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "confcap/sink/FileCheck.h"
#include "confcap/sink/PartSet.h"
#include "confcap/sink/PieceMerger.h"

namespace confcap::sink {

/// What publish() does to the final file besides placing it.
struct Finishing {
    Container container = Container::AsRecorded;
    /// The tags for the final file with the given extension; the file is placed as recorded
    /// when this is empty.
    std::function<FileTags(std::string_view extension)> tags;
    std::string nfo;  ///< the text of "<name>.nfo"; none is written when empty
};

/// What publish() placed.
struct Published {
    /// The final file first; then, when they could not be joined, the numbered pieces or the
    /// audio renditions that could not be muxed (full paths).
    std::vector<std::filesystem::path> files;
    std::filesystem::path sidecar;  ///< empty when it could not be written
    bool merged = false;            ///< one file holds every kept piece
    std::vector<std::string> notes;
    /// The container asked for, and whether the final file was remuxed or tagged into it;
    /// `finishError` says why not when that failed (the file is then kept as recorded).
    Container container = Container::AsRecorded;
    bool tagged = false;
    std::size_t chapters = 0;
    std::string finishError;
    std::filesystem::path nfo;  ///< "<name>.nfo"; empty when none was written
    /// The final file's check, when publishing read the file through anyway (an MPEG-TS file
    /// named in place); none when it is still to be made (fileCheckOf).
    std::optional<FileCheck> check;
};

/// Publishes recordings. Immutable after construction; safe to use from any thread.
class Publisher {
public:
    explicit Publisher(PieceMerger merger = PieceMerger());

    /// The sidecar's text, made once the files are placed.
    using Sidecar = std::function<std::string(const Published&)>;

    /// Publishes the pieces `kept` (indexes into parts.list().pieces) as "<leaf>.<ext>" in the
    /// parts' folder, " (2)", " (3)"... when that name is taken; a file is never replaced. A piece
    /// with further tracks is first muxed into one file (PieceMerger::mux), then the pieces are
    /// joined (PieceMerger::merge, rebasing timestamps when a piece starts a new timeline).
    /// Pieces that cannot be joined are placed as numbered files, renditions that cannot be
    /// muxed as "<name>.audio-<language>.<ext>". One final file is then given its tags: an
    /// MPEG-TS one kept as recorded is named in place (nameServiceInPlace, also in a part it
    /// is, unless the part was named as it was written: PartSet::namedAsWritten), others are
    /// remuxed into the container `finishing` asks for (PieceMerger::remux); when that fails
    /// the file is placed as recorded. Pieces placed apart get no tags, except that MPEG-TS
    /// ones kept as recorded are each named. The sidecar "<name>.json" is created
    /// first and exclusively: it reserves the name; "<name>.nfo" is written beside it when asked
    /// for. Throws core::OutputError when nothing could be placed; the parts' media is then
    /// untouched and no temporary file is left. The parts are not removed.
    Published publish(const PartSet& parts, const std::vector<std::size_t>& kept,
                      const Sidecar& sidecar, const Finishing& finishing = {}) const;

private:
    PieceMerger merger_;
};

}  // namespace confcap::sink
