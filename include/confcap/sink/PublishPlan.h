// How a talk's kept pieces become its published files, decided before anything is touched:
// which pieces are muxed with their audio renditions, whether the pieces are joined, how the
// joined file gets the talk's tags, the names the files are placed under, and what is placed
// instead when a step fails. Pure; Publisher carries a plan out.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "confcap/core/Media.h"
#include "confcap/sink/FileTags.h"
#include "confcap/sink/PartSet.h"
#include "confcap/sink/PieceMerger.h"

namespace confcap::sink {

/// A file to place: where it is, and its name after the stem the placing chooses.
struct Placement {
    std::filesystem::path from;
    std::string suffix;  ///< ".ts", ".part2.ts", ".audio-deu.ts"
    bool operator==(const Placement&) const = default;
};

/// A kept piece as publishing finds it on disk.
struct PieceOnDisk {
    PartPiece piece;
    std::vector<std::filesystem::path> files;  ///< each track's file, in the piece's order
    std::vector<std::uint64_t> bytes;          ///< each track's size, in the piece's order
};

/// How one piece becomes one file.
struct PieceStep {
    std::filesystem::path file;  ///< the main track's file: the piece when nothing is muxed
    core::StreamFormat format;   ///< the main track's
    /// The main track and each further track that holds data, when there is such a track: they
    /// are muxed into `muxed`, a temporary file.
    std::vector<PieceMerger::MuxInput> mux;
    std::filesystem::path muxed;
    /// When the mux fails: the piece is its main file, and these renditions are placed beside it.
    std::vector<Placement> unmuxed;
};

/// Whether the pieces end up in one file.
struct JoinStep {
    enum class Kind {
        One,    ///< a single piece: it is the file
        Merge,  ///< pieces of one format, merged into `merged` (a temporary file)
        Apart,  ///< pieces of different formats: kept as numbered files (`note` says why)
    };
    Kind kind = Kind::One;
    std::string extension;  ///< of the joined file: the first piece's
    std::filesystem::path merged;
    bool rebase = false;  ///< Merge: a later piece starts a new timeline
    std::string note;
    /// The pieces' names when they stay apart (Apart, or a merge that fails), in order.
    std::vector<std::string> apartSuffixes;
};

/// How the joined file gets the talk's tags; when the pieces stay apart, MPEG-TS pieces kept as
/// recorded are each named (ServiceInPlace), others get none, and `apartNote` says so.
struct TagStep {
    enum class Kind {
        None,            ///< no tags asked for: placed as recorded
        ServiceInPlace,  ///< MPEG-TS kept as recorded: its service description is rewritten
        Remux,           ///< remuxed with the tags into `tagged` (a temporary file)
    };
    Kind kind = Kind::None;
    Container container = Container::AsRecorded;
    std::string extension;  ///< the final file's
    std::filesystem::path tagged;
    std::string apartNote;
};

/// The whole plan. Each step that fails falls back as its step says; a remux or in-place
/// naming that fails keeps the file as recorded. The files are then placed under the first
/// free stem (candidateStem) with the sidecar, and the .nfo beside it.
struct PublishPlan {
    std::vector<PieceStep> pieces;
    JoinStep join;
    TagStep tag;
};

/// The plan for publishing `pieces` (at least one) from `folder`, where temporary files are
/// made beside the parts under `leaf`. `tags`: the caller has tags for the final file. Pure.
PublishPlan planPublish(const std::filesystem::path& folder, const std::string& leaf,
                        const std::vector<PieceOnDisk>& pieces, Container container, bool tags);

/// "audio-deu", "audio-en-gb", or "audio2" when the rendition names no usable language. Pure.
std::string renditionSuffix(const PartTrack& track);

/// The stem of the `n`-th name tried (from 1): "<leaf>", "<leaf> (2)", "<leaf> (3)"... Pure.
std::string candidateStem(const std::string& leaf, int n);

}  // namespace confcap::sink
