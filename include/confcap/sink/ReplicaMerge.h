// Copies of the same talks recorded by several hosts ("replicas") into their own folders, and
// the one file per talk made from the best of them: HLS copies are cut by media sequence, so
// each copy's segments fill the others' gaps.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "confcap/sink/MergePlan.h"
#include "confcap/sink/PartSet.h"
#include "confcap/sink/Sidecar.h"

namespace confcap::sink {

/// One copy of a talk: a published recording and its sidecar in one replica's folder.
struct TalkCopy {
    std::filesystem::path folder;   ///< the replica's folder, as given
    std::filesystem::path sidecar;  ///< "<name>.json"
    std::filesystem::path file;     ///< the final file the sidecar names
    std::string relative;           ///< that file relative to the folder ("Room/10:30 Talk.ts")
    std::string key;                ///< the talk: "guid:…", else "id:…"
    Sidecar sidecarDocument;        ///< what the sidecar says
    /// The HLS segments of the main stream with their offsets in `file`; empty when the file
    /// cannot be cut by segment (not one MPEG-TS file joined byte by byte, or no segments).
    std::vector<SegmentMark> segments;
    /// True when the file is one MPEG-TS file without segments (a progressive stream): it can
    /// be cut by the timestamps of its packets.
    bool progressiveTs = false;
    double coveredSeconds = 0;
};

/// What a folder holds: the copies found, and a sentence for each sidecar skipped.
struct ReplicaScan {
    std::vector<TalkCopy> copies;
    std::vector<std::string> warnings;
};

/// Reads every sidecar under `folder` (recursively; part lists are not sidecars). A sidecar
/// that is not JSON, names no talk or no file, or whose file is missing is skipped with a
/// warning; JSON files that are not sidecars of confcap are left alone.
ReplicaScan scanReplica(const std::filesystem::path& folder);

/// What merging one talk's copies made.
struct MergedTalk {
    std::filesystem::path file;     ///< the file placed in the output folder
    std::filesystem::path sidecar;  ///< its sidecar
    bool cut = false;               ///< made segment by segment from several copies
    MergePlan plan;                 ///< when cut: which copy supplied what, and the gaps left
    /// Progressive MPEG-TS copies cut by timestamp: the runs taken and the gaps left (the
    /// seconds per copy are in plan.secondsByCopy).
    bool cutByTime = false;
    std::vector<TimeRun> timeRuns;
    std::vector<TimeRun> timeGaps;
    std::size_t source = 0;  ///< when not cut: the copy taken whole
    std::vector<std::string> notes;
};

/// Writes one file for a talk from its copies (of the same talk, each from another folder)
/// into `outDir` under the copies' relative name, never replacing anything (" (2)" when the
/// name is taken, as Publisher places recordings), as planReplicas() decides: by segment
/// (planMerge), by the timestamps of the video (else audio) PES packets of progressive
/// MPEG-TS copies (planByTime), or the copy that covers the most taken whole. The sidecar is
/// the chosen copy's, with the file, its bytes and segments, the gaps left and a "replicas" object
/// telling which folder supplied which seconds. Throws core::OutputError when the output
/// cannot be written or a copy cannot be read.
MergedTalk mergeCopies(const std::vector<TalkCopy>& copies, const std::filesystem::path& outDir);

}  // namespace confcap::sink
