// Small real media for the fake conference: one short test clip made with ffmpeg in every format
// the fake stream server serves, made once and kept in a cache folder keyed by how it was made.
#pragma once

#include <filesystem>
#include <vector>

namespace confcap::demo {

/// The files of one generated clip. Every file holds the same `seconds` of test picture and tone.
struct MediaClip {
    std::filesystem::path folder;
    /// H.264 + AAC MPEG-TS HLS segments in order; their concatenation is one playable TS file.
    std::vector<std::filesystem::path> tsSegments;
    /// The same cut as fragmented MP4: `fmp4Init` (EXT-X-MAP) and the media segments.
    std::filesystem::path fmp4Init;
    std::vector<std::filesystem::path> fmp4Segments;
    /// Each segment's duration in seconds (EXTINF), the same for the TS and fMP4 cuts.
    std::vector<double> segmentSeconds;
    /// MP3, 64 kbit/s constant bit rate, 44.1 kHz mono, without ID3 tag or Xing header.
    std::filesystem::path mp3;
    /// VP8 + Opus live WebM: unknown-size Segment, one Cluster per second.
    std::filesystem::path webm;
    /// The clip's length in seconds.
    double seconds = 0;
};

/// What a clip's picture and sound hold.
enum class ClipContent {
    Moving,  ///< a moving test picture and a tone
    Silent,  ///< the moving picture, with an audio track that is silent
    Still,   ///< a still picture (colour bars that never change), with the tone
};

/// Makes and caches the test clip.
class MediaFixture {
public:
    /// The clip in a sub-folder of `cacheDir` named after a hash of the ffmpeg commands that make
    /// it; runs ffmpeg (about a second) only when no finished copy is there. Several processes
    /// may call this at once: each builds in a private folder and renames it into place.
    /// Throws core::Error (Permanent) when ffmpeg is missing or fails, naming the command.
    static MediaClip ensure(const std::filesystem::path& cacheDir,
                            ClipContent content = ClipContent::Moving);

    /// `$XDG_CACHE_HOME/confcap/media`, else `$HOME/.cache/confcap/media`, else a folder under
    /// the system temp folder.
    static std::filesystem::path defaultCacheDir();
};

}  // namespace confcap::demo
