// Finishing what an earlier run left: recordings whose part lists remain after a crash, a kill or
// a stop inside their window.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <vector>

#include "confcap/sink/FileTags.h"
#include "confcap/sink/PieceMerger.h"
#include "confcap/sink/Recording.h"

namespace confcap::sink {

/// Finalizes every part set left under `outDir` (searched recursively; hidden folders such as
/// ".confcap" are skipped) with the talk, window and thresholds its part list keeps: published
/// or discarded as TalkSink::finalize does, never overwriting. Part sets a live sink holds (in
/// any process), and those whose stem (relative, without extension) `keep` accepts, are left
/// alone. The files are finished as `container` and `nfo` ask (TalkSinkConfig). Returns one
/// result per part set finished or failed.
std::vector<FinalizeResult> recoverLeftovers(
    const std::filesystem::path& outDir, const PieceMerger& merger = PieceMerger(),
    const std::function<bool(const std::filesystem::path& stem)>& keep = {},
    std::optional<Container> container = std::nullopt, bool nfo = false);

}  // namespace confcap::sink
