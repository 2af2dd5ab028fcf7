// How one room's stream reaches the talk sinks attached to it: every chunk goes to each sink, a
// sink that joins mid-stream begins where a player can start (the next HLS segment, WebM cluster
// or MPEG-TS packet, after the piece's initialization), and a further track joins once the main
// one runs. Used on the capture's thread, with the capture's lock NOT held: the sinks write files.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "confcap/core/Media.h"
#include "confcap/source/Source.h"

namespace confcap::capture {

/// A talk sink attached to a capture, and how far it got.
struct AttachedSink {
    core::MediaSink* sink = nullptr;
    std::chrono::system_clock::time_point windowEnd;   ///< UTC
    std::chrono::system_clock::time_point attachedAt;  ///< UTC
    // Changed only while the capture delivers (see RoomCapture), read after it.
    bool active = false;   ///< had a beginPiece: gets the current piece (its main track)
    bool broken = false;   ///< threw; gets nothing more
    bool last = false;     ///< gets each chunk after the others (fixed when attached)
    std::set<int> tracks;  ///< further tracks it gets in the current piece
    /// HLS: how far the media it got reaches on the wall clock, per track. Changed under the
    /// capture's lock.
    std::map<int, std::chrono::system_clock::time_point> reached;

    bool gets(int track) const { return active && (track == 0 || tracks.count(track) > 0); }
    /// Whether every track it got media of reaches `end`.
    bool reaches(std::chrono::system_clock::time_point end) const;
};

using Attachments = std::vector<std::shared_ptr<AttachedSink>>;

/// The state of a room's stream that sinks need to join it. One per capture run; not
/// thread-safe (the capture's thread uses it). Each call delivers to `sinks` and appends a
/// sentence to `failures` for each sink that threw (it is then broken and gets nothing more).
class Fanout {
public:
    /// The main track starts a piece in `format`: each sink that had begun is told of the
    /// reconnect (when `reconnect`), gets `gap` (from no earlier than its attach time; a gap
    /// measured in time ends at `gapEnd`) and begins the piece.
    void connected(const Attachments& sinks, const core::StreamFormat& format, bool newTimeline,
                   bool reconnect, const std::optional<core::Gap>& gap,
                   std::chrono::system_clock::time_point gapEnd,
                   std::vector<std::string>& failures);
    /// A further track begins in `format`.
    void beginTrack(const Attachments& sinks, const core::TrackInfo& track,
                    const core::StreamFormat& format, std::vector<std::string>& failures);
    /// Media: written to every sink that gets its track, and to sinks that can join here.
    /// Returns the sinks it reached.
    std::vector<AttachedSink*> write(const Attachments& sinks, const core::Chunk& chunk,
                                     std::vector<std::string>& failures);
    /// Media lost while connected: a gap for every sink that gets the stream.
    void lost(const Attachments& sinks, const core::Gap& gap, std::vector<std::string>& failures);
    /// The main track goes on in another HLS variant: told to every sink that gets the stream.
    void variantSwitched(const Attachments& sinks, const core::VariantSwitch& change,
                         std::vector<std::string>& failures);

private:
    struct KnownTrack {
        core::TrackInfo info;
        core::StreamFormat format;
        std::string init;  // its initialization section, for a sink joining mid-piece
    };

    core::StreamFormat format_;
    std::string header_;  // what a sink joining mid-piece needs first
    bool headerComplete_ = true;
    std::map<int, KnownTrack> tracks_;  // the further tracks of the current piece
};

}  // namespace confcap::capture
