#include "confcap/source/HlsSource.h"

#include <algorithm>
#include <chrono>

#include "confcap/core/Error.h"
#include "confcap/source/HlsFollowing.h"
#include "confcap/source/HlsVariantChoice.h"

namespace confcap::source {

namespace {

using SteadyClock = std::chrono::steady_clock;
using WallClock = std::chrono::system_clock;
using std::chrono::milliseconds;

std::string seconds(SteadyClock::duration d) {
    return std::to_string((std::chrono::duration_cast<milliseconds>(d).count() + 500) / 1000) +
           " s";
}

milliseconds since(SteadyClock::time_point then) {
    return std::chrono::duration_cast<milliseconds>(SteadyClock::now() - then);
}

}  // namespace

/// What one run() (one connection) has done so far.
struct HlsSource::Connection {
    bool connected = false;  // connected() was called
    Resume resume;           // handed to connected() with the first segment
    bool newPiece = false;   // the next main segment starts a new piece
    bool newTimeline = false;
    std::int64_t newest = -1;  // the newest main segment listed at the last reload
    SteadyClock::time_point grew = SteadyClock::now();
    std::optional<WallClock::time_point> mainStart;       // media start of the first main segment
    SteadyClock::time_point loaded = SteadyClock::now();  // when the main playlist was read
    std::optional<SegmentFetch> fetched;  // what the main segment delivered last showed
    std::optional<VariantDecision> move;  // to be made at the next segment boundary
};

/// One reading of a track's media playlist.
struct HlsSource::Reading {
    const HlsPlaylist& playlist;
    WallClock::time_point at;
    milliseconds target;
    std::int64_t first;  // the first listed segment's sequence number
};

HlsSource::HlsSource(std::string url, SourceOptions options)
    : url_(std::move(url)),
      options_(std::move(options)),
      fetcher_(options_),
      resolver_(url_, options_) {}

HlsSource::~HlsSource() = default;

void HlsSource::stop() noexcept {
    {
        std::lock_guard lock(mutex_);
        stopped_ = true;
    }
    wake_.notify_all();
    fetcher_.abort();
}

bool HlsSource::stopped() {
    std::lock_guard lock(mutex_);
    return stopped_;
}

bool HlsSource::waitFor(SteadyClock::time_point until) {
    std::unique_lock lock(mutex_);
    wake_.wait_until(lock, until, [&] { return stopped_; });
    return !stopped_;
}

std::string HlsSource::mediaPlaylistUrl() const {
    return tracks_.empty() ? std::string() : tracks_.front()->url;
}

void HlsSource::resolve(SourceOutput& out) {
    HlsPlaylist playlist = fetcher_.playlist(url_);
    auto wanted = resolver_.resolve(playlist, out, tracks_.empty());
    if (!playlist.master) {
        prefetched_ = std::move(playlist);
    }
    adoptTracks(std::move(wanted));
}

// Follows `wanted`: a playlist followed before goes on where it stopped; a new one starts where
// options_.resumeAt says an earlier run stopped, on the source's first resolve.
void HlsSource::adoptTracks(std::vector<HlsTrackChoice> wanted) {
    const bool first = tracks_.empty();
    std::vector<std::unique_ptr<HlsTrack>> tracks;
    for (auto& [info, url] : wanted) {
        std::unique_ptr<HlsTrack> track;
        for (auto& known : tracks_) {
            if (known && known->info == info && known->url == url) {
                track = std::move(known);
            }
        }
        if (!track) {
            track = std::make_unique<HlsTrack>();
            track->info = info;
            track->url = url;
            for (const auto& point : options_.resumeAt) {
                if (point.track == info.index && first) {
                    track->timeline.resumeAt(point.nextSequence, point.lastUri);
                }
            }
        }
        tracks.push_back(std::move(track));
    }
    tracks_ = std::move(tracks);
}

RunEnd HlsSource::run(SourceOutput& out) {
    if (stopped()) {
        return RunEnd::Stopped;
    }
    Connection connection;
    connection.resume.first = !delivered_;
    if (tracks_.empty() || resolver_.master()) {
        resolve(out);
    }
    if (auto& fitter = resolver_.fitter()) {
        fitter->reconnected();
    }
    for (auto& track : tracks_) {
        track->leavePiece();
    }
    HlsTrack& main = *tracks_.front();
    for (;;) {
        const auto loadStart = SteadyClock::now();
        const HlsPlaylist playlist = loadMain();
        connection.loaded = loadStart;
        const bool changed = follow(out, connection, main, playlist);
        if (stopped()) {
            return RunEnd::Stopped;
        }
        if (connection.move) {
            moveVariant(out, connection);  // and go on at once in the other variant
            continue;
        }
        followRenditions(out, connection);
        const auto still = SteadyClock::now() - connection.grew;
        switch (reloadEnd(playlist, main.timeline.next(), *endedWhenFirstRead_, still,
                          options_.stallTimeout)) {
            case ReloadEnd::Finished:
                out.notice("The stream " + main.url + " is a finished recording (" +
                           (playlist.playlistType == "VOD" ? "VOD" : "EXT-X-ENDLIST") + ").");
                return RunEnd::Finished;
            case ReloadEnd::Paused:
                out.notice("The stream " + main.url + " ended (EXT-X-ENDLIST).");
                return RunEnd::Paused;
            case ReloadEnd::Stalled:
                throw core::SourceError(
                    "The playlist " + main.url + " has not grown for " + seconds(still) + ".",
                    core::ErrorKind::Transient);
            case ReloadEnd::Reload:
                break;
        }
        if (!waitFor(loadStart + reloadDelay(playlist, changed))) {
            return RunEnd::Stopped;
        }
    }
}

// The main track's media playlist: the one read while resolving or moving, else read now.
HlsPlaylist HlsSource::loadMain() {
    const HlsTrack& main = *tracks_.front();
    HlsPlaylist playlist = prefetched_ ? std::move(*prefetched_) : fetcher_.playlist(main.url);
    prefetched_.reset();
    if (playlist.master) {
        throw core::SourceError(
            "The media playlist " + main.url + " turned into a master playlist.",
            core::ErrorKind::Permanent);
    }
    if (!endedWhenFirstRead_) {
        endedWhenFirstRead_ = playlist.endList || playlist.playlistType == "VOD";
    }
    return playlist;
}

// Further tracks follow once the main track runs; their failures do not stop it.
void HlsSource::followRenditions(SourceOutput& out, Connection& connection) {
    for (std::size_t i = 1; i < tracks_.size() && connection.connected; ++i) {
        HlsTrack& track = *tracks_[i];
        try {
            const HlsPlaylist rendition = fetcher_.playlist(track.url);
            if (!track.playlistFailure.empty()) {
                out.notice("The audio rendition \"" + track.info.name + "\" is back.");
                track.playlistFailure.clear();
            }
            follow(out, connection, track, rendition);
        } catch (const core::Error& e) {
            if (e.kind() == core::ErrorKind::Unusable || stopped()) {
                throw;
            }
            if (track.playlistFailure.empty()) {
                out.notice("The audio rendition \"" + track.info.name + "\" failed (" + e.what() +
                           "); the recording goes on without it until it is back.");
            }
            track.playlistFailure = e.what();
        }
    }
}

// Delivers what `playlist` lists after the track's last delivered segment. Returns whether the
// main track's playlist grew.
bool HlsSource::follow(SourceOutput& out, Connection& connection, HlsTrack& track,
                       const HlsPlaylist& playlist) {
    if (playlist.encrypted()) {
        const std::string method = playlist.encryptionMethod();
        throw core::SourceError("encrypted HLS (" + method + ") is not supported: " + track.url +
                                    " uses EXT-X-KEY METHOD=" + method + ".",
                                core::ErrorKind::Unusable);
    }
    if (playlist.segments.empty()) {
        return false;
    }
    const bool isMain = track.main();
    const Reading reading{playlist, WallClock::now(), targetOf(playlist),
                          playlist.segments.front().sequence};
    if (!readTimeline(out, connection, track, reading)) {
        return false;
    }
    bool changed = false;
    if (const std::int64_t newest = playlist.segments.back().sequence; isMain) {
        changed = newest != connection.newest;
        if (changed) {
            connection.newest = newest;
            connection.grew = SteadyClock::now();
        }
    }
    if (!track.timeline.next()) {
        track.timeline.setNext(
            startSequence(playlist, *endedWhenFirstRead_, options_.liveEdgeSegments,
                          isMain ? std::nullopt : connection.mainStart, reading.at));
    }
    if (const auto lost = rolledOut(*track.timeline.next(), reading.first, reading.target)) {
        tellRolledOut(out, connection, track, *lost);
        track.timeline.setNext(reading.first);
        if (connection.move) {
            return changed;  // the next segment comes from the other variant
        }
    }
    deliverListed(out, connection, track, reading);
    return changed;
}

// Reads the track's playlist into its timeline; false when it is an older copy. A new timeline
// is told, and on the main track begins a new piece (what the old one did not deliver is lost).
bool HlsSource::readTimeline(SourceOutput& out, Connection& connection, HlsTrack& track,
                             const Reading& reading) {
    const auto since =
        std::chrono::duration_cast<milliseconds>(reading.at - track.timeline.lastDelivered());
    switch (track.timeline.read(reading.playlist, reading.at)) {
        case HlsContinuity::Stale:
            return false;
        case HlsContinuity::Continues:
            return true;
        case HlsContinuity::NewTimeline:
            break;
    }
    out.notice("The stream " + track.url + " started again (a new timeline from segment " +
               std::to_string(reading.first) + "); following it.");
    if (!track.main()) {
        return true;
    }
    connection.newPiece = true;
    connection.newTimeline = true;
    if (!connection.connected) {
        return true;
    }
    // Restarted between two reloads: what the old timeline did not deliver is lost, about the
    // time since the last segment, less the one that was due.
    if (const auto length = restartLoss(since, reading.target)) {
        out.lost(restartGap(track.url, track.timeline.lastDelivered(), *length));
    }
    return true;
}

// Tells segments that rolled out before they were fetched: with the connection's first segment
// on the main track, as a gap otherwise (which may move the main track to a lower variant).
void HlsSource::tellRolledOut(SourceOutput& out, Connection& connection, const HlsTrack& track,
                              const RolledOut& lost) {
    const bool isMain = track.main();
    if (isMain && !connection.connected) {
        addLost(connection.resume, lost.firstSequence, lost.lastSequence, lost.length);
        return;
    }
    out.lost(rolledOutGap(lost, track.info, track.url, track.timeline.lastDelivered()));
    if (auto& fitter = resolver_.fitter(); isMain && fitter) {
        if (auto decision = fitter->lost(lost.count); decision.step != VariantStep::Stay) {
            connection.move = std::move(decision);
        }
    }
}

// Delivers the listed segments from the track's next one on, until one must wait, the fitter
// asks for a move or the source is stopped.
void HlsSource::deliverListed(SourceOutput& out, Connection& connection, HlsTrack& track,
                              const Reading& reading) {
    for (const HlsSegment& segment : reading.playlist.segments) {
        if (segment.sequence < *track.timeline.next()) {
            continue;
        }
        if (stopped()) {
            return;
        }
        try {
            if (!deliver(out, connection, track, segment)) {
                return;  // a further track waits for the main track's next piece
            }
        } catch (const core::FetchError& e) {
            if (e.transient() || e.httpStatus() == 0) {
                throw;
            }
            if (!giveUp(out, connection, track, reading, segment, e)) {
                return;
            }
        }
        track.refusals.clear();
        track.timeline.setNext(segment.sequence + 1);
        if (observeFetch(connection, track, reading, segment)) {
            return;  // moves at this segment boundary
        }
    }
}

// A listed segment the server refused (404, 403, ...) may have rolled out a moment ago: it is
// tried again from a fresh playlist (throws on the main track), and given up after a few, which
// is told as lost. Returns true when it was given up and the track goes on past it.
bool HlsSource::giveUp(SourceOutput& out, Connection& connection, HlsTrack& track,
                       const Reading& reading, const HlsSegment& segment,
                       const core::FetchError& error) {
    const bool isMain = track.main();
    if (auto& fitter = resolver_.fitter(); isMain && fitter && connection.connected) {
        // Refused after the time it had left in the playlist: the follower fell behind and the
        // segment rolled out. The other variant's playlist tells what is left.
        const auto left = timeLeftListed(segment.sequence - reading.first, reading.target,
                                         since(connection.loaded));
        if (left <= milliseconds(0)) {
            if (auto decision = fitter->lost(1); decision.step != VariantStep::Stay) {
                connection.move = std::move(decision);
                return false;
            }
        }
    }
    switch (track.refusals.refused(segment.sequence, isMain)) {
        case Refusal::Retry:
            throw core::SourceError(error.what(), core::ErrorKind::Transient);
        case Refusal::NextReload:
            return false;
        case Refusal::GiveUp:
            break;
    }
    const core::Gap gap = refusedGap(segment, reading.at, error.what());
    if (isMain && !connection.connected) {
        addLost(connection.resume, segment.sequence, segment.sequence, gap.length);
    } else {
        out.lost(gap);
    }
    return true;
}

// Tells the fitter how the main segment just delivered came, and when the one after it leaves
// the playlist. True when the fitter asks for a move.
bool HlsSource::observeFetch(Connection& connection, const HlsTrack& track, const Reading& reading,
                             const HlsSegment& segment) {
    auto& fitter = resolver_.fitter();
    if (!track.main() || !fitter || !connection.fetched) {
        return false;
    }
    SegmentFetch fetch = *connection.fetched;
    connection.fetched.reset();
    const std::int64_t place = segment.sequence + 1 - reading.first;
    if (place < static_cast<std::int64_t>(reading.playlist.segments.size())) {
        fetch.untilRollout = timeLeftListed(place, reading.target, since(connection.loaded));
    }
    if (auto decision = fitter->observe(fetch); decision.step != VariantStep::Stay) {
        connection.move = std::move(decision);
        return true;
    }
    return false;
}

// Makes the move the fitter asked for: the main track goes on in the other variant's media
// playlist (read here, followed next) at the segment after the last one delivered.
void HlsSource::moveVariant(SourceOutput& out, Connection& connection) {
    const VariantDecision decision = std::move(*connection.move);
    connection.move.reset();
    HlsTrack& main = *tracks_.front();
    const HlsVariant from = resolver_.rung(resolver_.fitter()->current());
    const HlsVariant& to = resolver_.rung(decision.to);
    HlsPlaylist other = fetcher_.playlist(to.uri);
    const std::int64_t next = main.timeline.next().value_or(connection.newest + 1);
    const std::int64_t sequence = switchSequence(other, next, connection.newest, main.lastEnd);
    main.timeline.continueAt(sequence, main.timeline.lastDelivered());
    main.url = to.uri;
    main.refusals.clear();
    resolver_.moveTo(decision.to, SteadyClock::now());
    prefetched_ = std::move(other);

    const auto change =
        variantSwitch(decision, from, to, sequence, main.lastEnd.value_or(WallClock::now()));
    out.notice(switchNotice(change, decision.step, from, to));
    out.variantSwitched(change);
}

// Fetches and writes one segment. Returns false when a further track must wait for a new piece
// (its initialization changed mid-piece); the main track then starts one.
bool HlsSource::deliver(SourceOutput& out, Connection& connection, HlsTrack& track,
                        const HlsSegment& segment) {
    const bool isMain = track.main();
    if (!isMain) {
        switch (furtherTrackStep(connection.connected, connection.newPiece, segment.map,
                                 track.begun, track.pieceMap)) {
            case TrackStep::Wait:
                return false;
            case TrackStep::NewPiece:
                connection.newPiece = true;
                return false;
            case TrackStep::Deliver:
                break;
        }
    }
    std::string contentType;
    const auto fetchStart = SteadyClock::now();
    const std::string_view body =
        fetcher_.segment(segment.uri, segment.byteLength, segment.byteOffset, &contentType);
    if (isMain) {
        SegmentFetch fetched;
        fetched.at = SteadyClock::now();
        fetched.duration = hlsMillis(segment.duration);
        fetched.fetchTime = std::chrono::duration_cast<milliseconds>(fetched.at - fetchStart);
        fetched.bytes = body.size();
        connection.fetched = fetched;
    }
    if (segment.map && (!track.map || *track.map != *segment.map)) {
        track.mapBytes =
            fetcher_.media(segment.map->uri, segment.map->byteLength, segment.map->byteOffset);
        track.map = segment.map;
    }
    const core::StreamFormat format =
        detectFormat(contentType, segment.map ? std::string_view(track.mapBytes) : body);
    if (isMain) {
        beginPiece(out, connection, track, segment, format);
    } else if (!track.begun) {
        out.beginTrack(track.info, format);
        track.begun = true;
    }
    track.write(out, segment, body);
    fetcher_.release();  // the sinks have the bytes: the buffer serves another room
    delivered_ = true;
    return true;
}

// Tells connected() when the main track's `segment` begins a piece (see pieceResume), and a
// discontinuity in the stream.
void HlsSource::beginPiece(SourceOutput& out, Connection& connection, HlsTrack& main,
                           const HlsSegment& segment, const core::StreamFormat& format) {
    PiecePlace place;
    place.connected = connection.connected;
    place.newPiece = connection.newPiece;
    place.newTimeline = connection.newTimeline;
    place.newInit = segment.map && main.pieceMap && *main.pieceMap != *segment.map;
    place.discontinuity = segment.discontinuity;
    place.deliveredBefore = delivered_;
    if (auto resume = pieceResume(place, connection.resume)) {
        resume->sequence = segment.sequence;
        resume->programDateTime = segment.programDateTime;
        resume->mediaStart = main.timeline.startOf(segment, WallClock::now());
        out.connected(format, *resume);
        connection.connected = true;
        connection.newPiece = false;
        connection.newTimeline = false;
        for (auto& t : tracks_) {
            t->leavePiece();
        }
        main.begun = true;
        if (!connection.mainStart) {
            connection.mainStart = main.timeline.startOf(segment, WallClock::now());
        }
    }
    if (segment.discontinuity && place.deliveredBefore) {
        out.notice("Discontinuity before segment " + std::to_string(segment.sequence) + " of " +
                   main.url + ": a new piece starts.");
    }
}

}  // namespace confcap::source
