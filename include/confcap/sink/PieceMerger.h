// Joining the pieces of one recording (the data of separate connections) into one playable file:
// byte-appending where the container allows it, ffmpeg's concat demuxer where it does not.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "confcap/core/Media.h"
#include "confcap/sink/FileTags.h"

namespace confcap::sink {

/// What merge did: `merged` means the output holds every piece in order; otherwise there is no
/// output file and the pieces are untouched. `note` is one sentence for the sidecar and the log.
struct MergeResult {
    bool merged = false;
    std::string note;
};

/// Merges piece files of one format. Immutable after construction; safe to use from any thread.
class PieceMerger {
public:
    /// Uses the ffmpeg found on PATH at construction, if any.
    PieceMerger();
    /// Uses the ffmpeg at `ffmpeg`; an empty path means none (containers are then not merged).
    explicit PieceMerger(std::filesystem::path ffmpeg);

    /// Joins `pieces` (in order, all in `format`) into `output`, which is created and must not
    /// exist yet. Concat-safe formats (MPEG-TS, MP3, ADTS AAC) are byte-appended unless `rebase`
    /// (a piece's timestamps start again, as after a restarted encoder); others, and rebased
    /// ones, are stream-copied by ffmpeg's concat demuxer (`ffmpeg -f concat -safe 0 -i list -c
    /// copy`, run without a shell), which lays each piece's timestamps after the one before.
    /// Returns merged = false when that cannot be done (no ffmpeg, ffmpeg failed); a partial output
    /// is removed. Throws core::OutputError naming the file when reading a piece or writing
    /// `output` fails, and std::invalid_argument when `pieces` is empty.
    MergeResult merge(const std::vector<std::filesystem::path>& pieces,
                      const core::StreamFormat& format, const std::filesystem::path& output,
                      bool rebase = false) const;

    /// One input of mux(): a track's file and, for an audio rendition, its name and language.
    struct MuxInput {
        std::filesystem::path file;
        std::string name;
        std::string language;
    };
    /// Joins the tracks of one piece into `output` (created; must not exist yet) in `format`:
    /// every video, audio and subtitle stream of `tracks[0]` and the audio of each further
    /// track, stream-copied by ffmpeg with their own timestamps (-copyts, so they stay in sync),
    /// the further audio streams tagged with their language and name. Returns merged = false
    /// with the reason in `note` when ffmpeg is missing or fails (no output is left). Throws
    /// std::invalid_argument for fewer than two tracks.
    MergeResult mux(const std::vector<MuxInput>& tracks, const core::StreamFormat& format,
                    const std::filesystem::path& output) const;

    /// Copies every stream of `input` (in `format`) into `output` (created; must not exist yet)
    /// in `container` with `tags` and their chapters: the stream's own container keeps every
    /// stream and its timestamps; Matroska and MP4 take the video, audio and subtitle streams
    /// (MP4 with its index at the front), so the file seeks at once. Returns merged = false with
    /// the reason in `note` when ffmpeg is missing or fails, or the container cannot hold tags
    /// (ADTS AAC, FLV); no output is then left. The stream's own container is left alone with
    /// an empty note where it cannot be tagged this way (MPEG-TS is named in place instead:
    /// nameServiceInPlace).
    MergeResult remux(const std::filesystem::path& input, const core::StreamFormat& format,
                      Container container, const FileTags& tags,
                      const std::filesystem::path& output) const;

    /// The ffmpeg this merger runs; empty when none.
    const std::filesystem::path& ffmpeg() const noexcept { return ffmpeg_; }

private:
    MergeResult appendBytes(const std::vector<std::filesystem::path>& pieces,
                            const std::filesystem::path& output) const;
    MergeResult runFfmpeg(const std::vector<std::filesystem::path>& pieces,
                          const core::StreamFormat& format,
                          const std::filesystem::path& output) const;
    // Runs ffmpeg with `args`; returns its exit code (-1 when it did not start) and output.
    std::pair<int, std::string> run(const std::vector<std::string>& args) const;

    std::filesystem::path ffmpeg_;
};

}  // namespace confcap::sink
