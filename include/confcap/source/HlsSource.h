// The HLS source: follows a live playlist at the RFC 8216 reload cadence and delivers each media
// segment exactly once, in order, over one keep-alive connection; after an outage it resumes at
// the next segment not yet delivered, so an outage shorter than the playlist window loses nothing.
// Audio renditions the chosen variant lacks are followed beside it as further tracks.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "confcap/source/HlsFetcher.h"
#include "confcap/source/HlsFollowing.h"
#include "confcap/source/HlsPlaylist.h"
#include "confcap/source/HlsResolver.h"
#include "confcap/source/HlsTrack.h"
#include "confcap/source/HlsVariantChoice.h"
#include "confcap/source/Source.h"
#include "confcap/source/VariantFitter.h"

namespace confcap::core {
class FetchError;
}

namespace confcap::source {

/// Reads a master or media playlist URL. A master playlist is resolved to the variant
/// `options.variant` selects and the audio renditions `options.audio` selects (see chooseAudio),
/// each followed as its own track; it is read again after a failure, so renamed variants are
/// found. A live stream starts with its newest `liveEdgeSegments` segments, or where
/// `options.resumeAt` says an earlier run stopped when the playlist still lists that segment.
///
/// Each run() reloads the playlists (after the target duration when the main one changed, half
/// of it when it did not) and fetches the segments after the last one delivered; segments that
/// rolled out meanwhile are reported as lost (to connected() for the first segment of a run, to
/// lost() later). A playlist whose sequence numbers start again, whose segments were renamed or
/// whose discontinuity sequence went back is a new timeline: it is followed from its first
/// segment and the main track starts a new piece (Resume::newTimeline). A segment with EXT-X-MAP
/// is preceded by its init section at the start of each piece.
///
/// run() returns Finished when the playlist is VOD or had ended (EXT-X-ENDLIST) when this source
/// first read it and every segment was delivered; Paused when a playlist that was live shows
/// EXT-X-ENDLIST. EXT-X-KEY with a method other than NONE is an Unusable SourceError and nothing
/// is written; a main playlist that does not grow for max(stallTimeout, 3 target durations) is a
/// Transient SourceError. A failing audio rendition is told and retried while the main track
/// goes on.
///
/// With `options.variant` empty the follower starts with the highest bandwidth and fits the
/// variant to the link (VariantFitter, on the fetch time of each main segment): a move takes
/// effect at the next segment boundary, reading the other variant's media playlist and going on
/// at the segment after the last one delivered (switchSequence); it is told with notice() and
/// variantSwitched(), and the piece goes on (no connected()) unless the other variant's
/// initialization section differs. Audio renditions are followed on as before. A reconnect keeps
/// the variant it had moved to. With `options.variant` set the variant never changes.
class HlsSource final : public Source {
public:
    HlsSource(std::string url, SourceOptions options);
    ~HlsSource() override;

    RunEnd run(SourceOutput& out) override;
    void stop() noexcept override;
    const std::string& url() const noexcept override { return url_; }

    /// The media playlist of the main track, once known. Same thread as run().
    std::string mediaPlaylistUrl() const;

private:
    struct Connection;
    struct Reading;
    void resolve(SourceOutput& out);
    void adoptTracks(std::vector<HlsTrackChoice> wanted);
    HlsPlaylist loadMain();
    void followRenditions(SourceOutput& out, Connection& connection);
    bool follow(SourceOutput& out, Connection& connection, HlsTrack& track,
                const HlsPlaylist& playlist);
    bool readTimeline(SourceOutput& out, Connection& connection, HlsTrack& track,
                      const Reading& reading);
    void tellRolledOut(SourceOutput& out, Connection& connection, const HlsTrack& track,
                       const RolledOut& lost);
    void deliverListed(SourceOutput& out, Connection& connection, HlsTrack& track,
                       const Reading& reading);
    bool giveUp(SourceOutput& out, Connection& connection, HlsTrack& track, const Reading& reading,
                const HlsSegment& segment, const core::FetchError& error);
    bool observeFetch(Connection& connection, const HlsTrack& track, const Reading& reading,
                      const HlsSegment& segment);
    bool deliver(SourceOutput& out, Connection& connection, HlsTrack& track,
                 const HlsSegment& segment);
    void beginPiece(SourceOutput& out, Connection& connection, HlsTrack& main,
                    const HlsSegment& segment, const core::StreamFormat& format);
    void moveVariant(SourceOutput& out, Connection& connection);
    bool stopped();
    bool waitFor(std::chrono::steady_clock::time_point until);

    std::string url_;
    SourceOptions options_;
    HlsFetcher fetcher_;
    HlsResolver resolver_;
    std::vector<std::unique_ptr<HlsTrack>> tracks_;
    bool delivered_ = false;  // some segment was delivered by an earlier run
    std::optional<bool> endedWhenFirstRead_;
    std::optional<HlsPlaylist> prefetched_;  // the media playlist read while resolving or moving

    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopped_ = false;
};

}  // namespace confcap::source
