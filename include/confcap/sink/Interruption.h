// A clean stop inside a talk's window: what the stop published (playable files under the final
// names, told apart later by their fingerprints), and how the next run inside the window makes
// those files the first pieces of the recording again, so that the talk still ends as one file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "confcap/sink/PartSet.h"
#include "confcap/sink/Publisher.h"
#include "confcap/sink/Recording.h"

namespace confcap::sink {

/// A file confcap published, as it was then: enough to tell later whether anyone changed it.
struct PublishedFile {
    std::string file;        ///< relative to the output folder, '/'-separated
    std::uint64_t size = 0;  ///< bytes
    /// SHA-1 (hex) of its size, its first MiB and its last MiB.
    std::string hash;
    std::int64_t modifiedNs = 0;  ///< its modification time, nanoseconds since the epoch
    bool operator==(const PublishedFile&) const = default;
};

/// The fingerprint of `outDir`/`file` now; nullopt when it cannot be read. Reads at most 2 MiB.
std::optional<PublishedFile> fingerprintOf(const std::filesystem::path& outDir,
                                           const std::string& file);

/// What a clean stop inside the window left of a talk.
struct Interruption {
    /// Outcome Interrupted. `files` are the published files; none when nothing was worth a file
    /// yet (then the parts and their list stay, as after a crash).
    FinalizeResult result;
    /// The part list (PartSet's text) that makes the published files the recording's pieces
    /// again, under their names with ".part" added; empty when the parts stay.
    std::string continuation;
    std::vector<PublishedFile> published;
};

/// What lets the next run continue the files an interruption published: `list` (the
/// recording's part list as it stands, counters and resume points included) with the
/// `published` files as its pieces under their names with ".part" added, and each file's
/// fingerprint. `kept` are the pieces publishing used; with one piece placed as one file its HLS
/// segments stay listed. Empty when a published file cannot be read back. Reads the files'
/// starts and ends.
Interruption continuationOf(PartList list, const Published& published,
                            const std::vector<std::size_t>& kept,
                            const std::filesystem::path& outDir, const std::filesystem::path& stem);

/// How reopenPublished() went.
struct Reopening {
    enum class State {
        Continued,  ///< the published files are the recording's pieces again
        /// A published file was changed since (or could not be made a piece): it is left as it
        /// is, and the recording starts a file of its own
        Changed,
        Gone,  ///< nothing to reopen: the files are gone, or the parts are already there
    };
    State state = State::Gone;
    std::string message;  ///< one sentence for the log; empty for Gone
};

/// Makes the files an interruption published (`published`, with `continuation`) the pieces of
/// the recording `stem` (relative to `outDir`) again, when each is unchanged: renamed back to its
/// part name, the part list written, the interrupted sidecar removed. A file changed since is
/// never touched. Call before the recording's TalkSink is made. Does not throw.
Reopening reopenPublished(const std::filesystem::path& outDir, const std::filesystem::path& stem,
                          const std::string& continuation,
                          const std::vector<PublishedFile>& published) noexcept;

}  // namespace confcap::sink
