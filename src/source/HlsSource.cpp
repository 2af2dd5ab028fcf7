#include "confcap/source/HlsSource.h"

#include <algorithm>
#include <chrono>

#include "confcap/core/Error.h"
#include "confcap/fetch/HttpClient.h"
#include "confcap/source/HlsTimeline.h"
#include "confcap/source/HlsVariantChoice.h"

namespace confcap::source {

namespace {

using SteadyClock = std::chrono::steady_clock;
using WallClock = std::chrono::system_clock;
using std::chrono::milliseconds;

constexpr std::size_t kPlaylistLimit = 16 * 1024 * 1024;
// A segment larger than this is not a media segment of a live stream.
constexpr std::size_t kSegmentLimit = 256 * 1024 * 1024;
// A listed segment the server refuses this many times in a row is given up as lost.
constexpr int kSegmentAttempts = 3;

std::string seconds(milliseconds d) {
    return std::to_string((d.count() + 500) / 1000) + " s";
}

core::VariantInfo infoOf(const HlsVariant& variant) {
    return {variant.width, variant.height, variant.bandwidth};
}

// The variant of a master playlist read again that is the one followed: the same URI, else the
// same resolution and bandwidth.
const HlsVariant* sameVariant(const std::vector<HlsVariant>& variants, const HlsVariant& followed) {
    for (const auto& v : variants) {
        if (v.uri == followed.uri) {
            return &v;
        }
    }
    for (const auto& v : variants) {
        if (v.width == followed.width && v.height == followed.height &&
            v.bandwidth == followed.bandwidth) {
            return &v;
        }
    }
    return nullptr;
}

}  // namespace

/// One followed media playlist. What outlives a run: where to go on, what was delivered.
struct HlsSource::Track {
    core::TrackInfo info;
    std::string url;
    HlsTimeline timeline;
    std::optional<HlsMap> map;  // the init section fetched last, and its bytes
    std::string mapBytes;
    std::int64_t failingSequence = -1;  // repeated refusals of one listed segment
    int failures = 0;
    std::string playlistFailure;  // a further track's playlist that fails now, as told
    std::optional<WallClock::time_point> lastEnd;  // where the media delivered last ends

    // Per piece: whether the track began in it, with which init section.
    bool begun = false;
    std::optional<HlsMap> pieceMap;
};

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

HlsSource::HlsSource(std::string url, SourceOptions options)
    : url_(std::move(url)), options_(std::move(options)) {
    fetch::HttpClient::Options clientOptions;
    clientOptions.caFile = options_.caFile;
    client_ = std::make_unique<fetch::HttpClient>(clientOptions);
}

HlsSource::~HlsSource() = default;

void HlsSource::stop() noexcept {
    {
        std::lock_guard lock(mutex_);
        stopped_ = true;
    }
    wake_.notify_all();
    client_->abort();
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

std::string HlsSource::fetch(const std::string& url, std::optional<std::uint64_t> length,
                             std::uint64_t offset, std::size_t limit, std::string* contentType) {
    fetch::HttpRequest request;
    request.url = url;
    request.connectTimeout = options_.connectTimeout;
    request.readTimeout = options_.stallTimeout;
    request.maxBodyBytes = limit;
    if (length) {
        request.headers.emplace_back("Range", "bytes=" + std::to_string(offset) + "-" +
                                                  std::to_string(offset + *length - 1));
    }
    auto response = client_->get(request);
    if (contentType != nullptr) {
        *contentType = response.headers.get("Content-Type").value_or("");
    }
    return std::move(response.body);
}

HlsPlaylist HlsSource::load(const std::string& url, std::string* finalUrl) {
    fetch::HttpRequest request;
    request.url = url;
    request.connectTimeout = options_.connectTimeout;
    request.readTimeout = options_.stallTimeout;
    request.maxBodyBytes = kPlaylistLimit;
    auto response = client_->get(request);
    if (finalUrl != nullptr) {
        *finalUrl = response.finalUrl;
    }
    return parseHlsPlaylist(response.body, response.finalUrl);
}

void HlsSource::resolve(SourceOutput& out, Connection&) {
    HlsPlaylist playlist = load(url_);
    std::vector<std::pair<core::TrackInfo, std::string>> wanted;
    if (!playlist.master) {
        if (master_) {
            throw core::SourceError(
                "The master playlist " + url_ + " turned into a media playlist.",
                core::ErrorKind::Permanent);
        }
        wanted.emplace_back(core::TrackInfo{}, url_);
        prefetched_ = std::move(playlist);
    } else {
        master_ = true;
        const bool fitting = options_.variant.empty();
        const HlsVariant* followed =
            fitting && variant_ ? sameVariant(playlist.variants, *variant_) : nullptr;
        const HlsVariant& variant =
            followed != nullptr ? *followed : chooseVariant(playlist.variants, options_.variant);
        variant_ = variant;
        if (fitting) {
            auto ladder = variantLadder(playlist.variants, variant);
            std::size_t rung = 0;
            std::vector<std::int64_t> bandwidths;
            for (std::size_t i = 0; i < ladder.size(); ++i) {
                rung = ladder[i].uri == variant.uri ? i : rung;
                bandwidths.push_back(ladder[i].bandwidth);
            }
            const bool sameLadder =
                ladder.size() == ladder_.size() &&
                std::equal(ladder.begin(), ladder.end(), ladder_.begin(),
                           [](const auto& a, const auto& b) { return a.bandwidth == b.bandwidth; });
            if (ladder.size() < 2) {
                fitter_.reset();
            } else if (!fitter_ || !sameLadder || fitter_->current() != rung) {
                fitter_.emplace(std::move(bandwidths), rung, SteadyClock::now(), options_.fitter);
            }
            ladder_ = std::move(ladder);
        }
        wanted.emplace_back(core::TrackInfo{}, variant.uri);
        bool unmatched = false;
        const auto audio = chooseAudio(playlist, variant, options_.audio, &unmatched);
        if (unmatched) {
            out.notice("No audio rendition of " + url_ + " is named \"" + options_.audio +
                       "\" (it has " + describeAudio(playlist, variant.audioGroup) +
                       "); recording the default one.");
        }
        for (const auto& rendition : audio) {
            core::TrackInfo info;
            info.index = static_cast<int>(wanted.size());
            info.name = rendition.name;
            info.language = rendition.language;
            wanted.emplace_back(info, rendition.uri);
        }
    }
    const bool first = tracks_.empty();
    std::vector<std::unique_ptr<Track>> tracks;
    for (auto& [info, url] : wanted) {
        std::unique_ptr<Track> track;
        for (auto& known : tracks_) {
            if (known && known->info == info && known->url == url) {
                track = std::move(known);  // the same playlist: go on where it stopped
            }
        }
        if (!track) {
            track = std::make_unique<Track>();
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
    if (first && master_) {
        std::string chosen =
            "Following the variant " + describeVariant(*variant_) + " at " + tracks.front()->url;
        for (std::size_t i = 1; i < tracks.size(); ++i) {
            const auto& info = tracks[i]->info;
            chosen += (i == 1 ? " with the audio " : ", ") +
                      (info.language.empty() ? std::string() : info.language + " ") + "\"" +
                      info.name + "\"";
        }
        chosen += ".";
        if (fitter_) {
            chosen += " It steps down when the link cannot keep up (" +
                      std::to_string(ladder_.size()) + " variants, down to " +
                      describeVariant(ladder_.front()) + ").";
        }
        out.notice(chosen);
    }
    tracks_ = std::move(tracks);
}

RunEnd HlsSource::run(SourceOutput& out) {
    if (stopped()) {
        return RunEnd::Stopped;
    }
    Connection connection;
    connection.resume.first = !delivered_;
    if (tracks_.empty() || master_) {
        resolve(out, connection);
    }
    if (fitter_) {
        fitter_->reconnected();
    }
    for (auto& track : tracks_) {
        track->begun = false;
        track->pieceMap.reset();
    }
    Track& main = *tracks_.front();
    for (;;) {
        const auto loadStart = SteadyClock::now();
        HlsPlaylist playlist = prefetched_ ? std::move(*prefetched_) : load(main.url);
        prefetched_.reset();
        if (playlist.master) {
            throw core::SourceError(
                "The media playlist " + main.url + " turned into a master playlist.",
                core::ErrorKind::Permanent);
        }
        if (!endedWhenFirstRead_) {
            endedWhenFirstRead_ = playlist.endList || playlist.playlistType == "VOD";
        }
        const milliseconds target =
            hlsMillis(static_cast<double>(std::max(1, playlist.targetDuration)));
        connection.loaded = loadStart;
        const bool changed = follow(out, connection, main, playlist);
        if (stopped()) {
            return RunEnd::Stopped;
        }
        if (connection.move) {
            moveVariant(out, connection);  // and go on at once in the other variant
            continue;
        }
        // Further tracks follow once the main track runs; their failures do not stop it.
        for (std::size_t i = 1; i < tracks_.size() && connection.connected; ++i) {
            Track& track = *tracks_[i];
            try {
                const HlsPlaylist rendition = load(track.url);
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
                    out.notice("The audio rendition \"" + track.info.name + "\" failed (" +
                               e.what() + "); the recording goes on without it until it is back.");
                }
                track.playlistFailure = e.what();
            }
        }
        if (playlist.endList && main.timeline.next() && !playlist.segments.empty() &&
            *main.timeline.next() > playlist.segments.back().sequence) {
            if (*endedWhenFirstRead_) {
                out.notice("The stream " + main.url + " is a finished recording (" +
                           (playlist.playlistType == "VOD" ? "VOD" : "EXT-X-ENDLIST") + ").");
                return RunEnd::Finished;
            }
            out.notice("The stream " + main.url + " ended (EXT-X-ENDLIST).");
            return RunEnd::Paused;
        }
        const milliseconds stallLimit = std::max(options_.stallTimeout, target * 3);
        const auto still = SteadyClock::now() - connection.grew;
        if (still > stallLimit) {
            throw core::SourceError("The playlist " + main.url + " has not grown for " +
                                        seconds(std::chrono::duration_cast<milliseconds>(still)) +
                                        ".",
                                    core::ErrorKind::Transient);
        }
        if (!waitFor(loadStart + (changed ? target : target / 2))) {
            return RunEnd::Stopped;
        }
    }
}

// Delivers what `playlist` lists after the track's last delivered segment. Returns whether the
// main track's playlist grew.
bool HlsSource::follow(SourceOutput& out, Connection& connection, Track& track,
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
    const bool isMain = track.info.index == 0;
    const std::int64_t first = playlist.segments.front().sequence;
    const std::int64_t newest = playlist.segments.back().sequence;
    const auto now = WallClock::now();
    const auto since =
        std::chrono::duration_cast<milliseconds>(now - track.timeline.lastDelivered());
    const milliseconds target =
        hlsMillis(static_cast<double>(std::max(1, playlist.targetDuration)));
    switch (track.timeline.read(playlist, now)) {
        case HlsContinuity::Stale:
            return false;
        case HlsContinuity::NewTimeline:
            out.notice("The stream " + track.url + " started again (a new timeline from segment " +
                       std::to_string(first) + "); following it.");
            if (isMain) {
                connection.newPiece = true;
                connection.newTimeline = true;
                if (connection.connected) {
                    // Restarted between two reloads: what the old timeline did not deliver is
                    // lost, about the time since the last segment, less the one that was due.
                    core::Gap gap;
                    gap.at = track.timeline.lastDelivered();
                    gap.length = std::max(milliseconds(0), since - target);
                    gap.cause = core::gapcause::kRestarted;
                    gap.detail = "The stream " + track.url + " started again.";
                    if (gap.length.count() > 0) {
                        out.lost(gap);
                    }
                }
            }
            break;
        case HlsContinuity::Continues:
            break;
    }

    bool changed = false;
    if (isMain) {
        changed = newest != connection.newest;
        if (changed) {
            connection.newest = newest;
            connection.grew = SteadyClock::now();
        }
    }
    if (!track.timeline.next()) {
        track.timeline.setNext(startSequence(playlist, *endedWhenFirstRead_,
                                             options_.liveEdgeSegments,
                                             isMain ? std::nullopt : connection.mainStart, now));
    }
    if (const std::int64_t next = *track.timeline.next(); next < first) {
        const std::int64_t count = first - next;
        // What a jump of the numbering lost, at most a day's worth: the length stays a length.
        const auto lostLength = target * std::min<std::int64_t>(count, 86400);
        const std::string what = std::to_string(count) + " segments of " + track.url +
                                 " rolled out of the playlist before they were fetched";
        if (isMain && !connection.connected) {
            auto& r = connection.resume;
            r.lostFirst = r.lostFirst ? std::min(*r.lostFirst, next) : next;
            r.lostLast = r.lostLast ? std::max(*r.lostLast, first - 1) : first - 1;
            r.lostLength += lostLength;
        } else {
            core::Gap gap;
            gap.at = track.timeline.lastDelivered();
            gap.length = lostLength;
            gap.cause = core::gapcause::kRolledOut;
            gap.detail = isMain ? what : "The audio rendition \"" + track.info.name + "\": " + what;
            gap.firstSequence = next;
            gap.lastSequence = first - 1;
            out.lost(gap);
            if (isMain && fitter_) {
                if (auto decision = fitter_->lost(count); decision.step != VariantStep::Stay) {
                    connection.move = std::move(decision);
                }
            }
        }
        track.timeline.setNext(first);
        if (connection.move) {
            return changed;  // the next segment comes from the other variant
        }
    }
    for (const HlsSegment& segment : playlist.segments) {
        if (segment.sequence < *track.timeline.next()) {
            continue;
        }
        if (stopped()) {
            return changed;
        }
        try {
            if (!deliver(out, connection, track, segment)) {
                break;  // a further track waits for the main track's next piece
            }
        } catch (const core::FetchError& e) {
            // A listed segment the server refuses (404, 403, ...) may have rolled out a moment
            // ago: try again from a fresh playlist, and give it up after a few.
            if (e.transient() || e.httpStatus() == 0) {
                throw;
            }
            if (isMain && fitter_ && connection.connected) {
                // Refused after the time it had left in the playlist: the follower fell behind
                // and the segment rolled out. The other variant's playlist tells what is left.
                const std::int64_t place = segment.sequence - first;
                const auto elapsed = std::chrono::duration_cast<milliseconds>(SteadyClock::now() -
                                                                              connection.loaded);
                if (elapsed >= target * (place + 1)) {
                    if (auto decision = fitter_->lost(1); decision.step != VariantStep::Stay) {
                        connection.move = std::move(decision);
                        break;
                    }
                }
            }
            track.failures = track.failingSequence == segment.sequence ? track.failures + 1 : 1;
            track.failingSequence = segment.sequence;
            if (track.failures < kSegmentAttempts) {
                if (!isMain) {
                    break;
                }
                throw core::SourceError(e.what(), core::ErrorKind::Transient);
            }
            core::Gap gap;
            gap.at = now;
            gap.length = hlsMillis(segment.duration);
            gap.cause = core::gapcause::kSegmentFailed;
            gap.detail = e.what();
            gap.firstSequence = segment.sequence;
            gap.lastSequence = segment.sequence;
            if (isMain && !connection.connected) {
                auto& r = connection.resume;
                r.lostFirst =
                    r.lostFirst ? std::min(*r.lostFirst, segment.sequence) : segment.sequence;
                r.lostLast =
                    r.lostLast ? std::max(*r.lostLast, segment.sequence) : segment.sequence;
                r.lostLength += gap.length;
            } else {
                out.lost(gap);
            }
        }
        track.failures = 0;
        track.failingSequence = -1;
        track.timeline.setNext(segment.sequence + 1);
        if (isMain && fitter_ && connection.fetched) {
            SegmentFetch fetch = *connection.fetched;
            connection.fetched.reset();
            // The next segment leaves the playlist about when as many updates have come as
            // segments listed before it, counted from when the playlist was read.
            const std::int64_t place = segment.sequence + 1 - first;
            if (place < static_cast<std::int64_t>(playlist.segments.size())) {
                fetch.untilRollout =
                    target * (place + 1) - std::chrono::duration_cast<milliseconds>(
                                               SteadyClock::now() - connection.loaded);
            }
            if (auto decision = fitter_->observe(fetch); decision.step != VariantStep::Stay) {
                connection.move = std::move(decision);
                break;  // at this segment boundary
            }
        }
    }
    return changed;
}

// Makes the move the fitter asked for: the main track goes on in the other variant's media
// playlist (read here, followed next) at the segment after the last one delivered.
void HlsSource::moveVariant(SourceOutput& out, Connection& connection) {
    const VariantDecision decision = std::move(*connection.move);
    connection.move.reset();
    Track& main = *tracks_.front();
    const HlsVariant from = ladder_[fitter_->current()];
    const HlsVariant& to = ladder_[decision.to];
    HlsPlaylist other = load(to.uri);
    const std::int64_t next = main.timeline.next().value_or(connection.newest + 1);
    const std::int64_t sequence = switchSequence(other, next, connection.newest, main.lastEnd);
    main.timeline.continueAt(sequence, main.timeline.lastDelivered());
    main.url = to.uri;
    main.failures = 0;
    main.failingSequence = -1;
    variant_ = to;
    fitter_->moved(decision.to, SteadyClock::now());
    prefetched_ = std::move(other);

    core::VariantSwitch change;
    change.at = main.lastEnd.value_or(WallClock::now());
    change.from = infoOf(from);
    change.to = infoOf(to);
    change.why = decision.why;
    change.sequence = sequence;
    out.notice(std::string(decision.step == VariantStep::Down ? "Stepping down" : "Stepping up") +
               " from the variant " + describeVariant(from) + " to " + describeVariant(to) +
               " at segment " + std::to_string(sequence) + ": " + decision.why + ".");
    out.variantSwitched(change);
}

// Fetches and writes one segment. Returns false when a further track must wait for a new piece
// (its initialization changed mid-piece); the main track then starts one.
bool HlsSource::deliver(SourceOutput& out, Connection& connection, Track& track,
                        const HlsSegment& segment) {
    const bool isMain = track.info.index == 0;
    if (!isMain && (!connection.connected || connection.newPiece)) {
        return false;
    }
    if (!isMain && segment.map && track.begun && track.pieceMap &&
        *track.pieceMap != *segment.map) {
        connection.newPiece = true;
        return false;
    }
    std::string contentType;
    const auto fetchStart = SteadyClock::now();
    const std::string body =
        fetch(segment.uri, segment.byteLength, segment.byteOffset, kSegmentLimit, &contentType);
    if (isMain) {
        SegmentFetch fetched;
        fetched.at = SteadyClock::now();
        fetched.duration = hlsMillis(segment.duration);
        fetched.fetchTime = std::chrono::duration_cast<milliseconds>(fetched.at - fetchStart);
        fetched.bytes = body.size();
        connection.fetched = fetched;
    }
    if (segment.map && (!track.map || *track.map != *segment.map)) {
        track.mapBytes = fetch(segment.map->uri, segment.map->byteLength, segment.map->byteOffset,
                               kSegmentLimit);
        track.map = segment.map;
    }
    const core::StreamFormat format = detectFormat(
        contentType, segment.map ? std::string_view(track.mapBytes) : std::string_view(body));
    const bool delivering = delivered_;
    if (isMain) {
        const bool newInit = segment.map && track.pieceMap && *track.pieceMap != *segment.map;
        // A discontinuity breaks the timestamps as a restart does: the next piece begins here.
        const bool broken = segment.discontinuity && connection.connected;
        if (!connection.connected || newInit || broken || connection.newPiece) {
            Resume resume = connection.connected ? Resume{} : connection.resume;
            resume.first = connection.connected ? false : connection.resume.first;
            resume.sequence = segment.sequence;
            resume.programDateTime = segment.programDateTime;
            resume.mediaStart = track.timeline.startOf(segment, WallClock::now());
            resume.newTimeline = connection.newTimeline || broken ||
                                 (!connection.connected && segment.discontinuity && delivering);
            out.connected(format, resume);
            connection.connected = true;
            connection.newPiece = false;
            connection.newTimeline = false;
            for (auto& t : tracks_) {
                t->begun = false;
                t->pieceMap.reset();
            }
            track.begun = true;
            if (!connection.mainStart) {
                connection.mainStart = track.timeline.startOf(segment, WallClock::now());
            }
        }
        if (segment.discontinuity && delivering) {
            out.notice("Discontinuity before segment " + std::to_string(segment.sequence) + " of " +
                       track.url + ": a new piece starts.");
        }
    } else if (!track.begun) {
        out.beginTrack(track.info, format);
        track.begun = true;
    }
    if (segment.map && track.pieceMap != segment.map) {
        core::Chunk init;
        init.bytes = track.mapBytes;
        init.kind = core::ChunkKind::Init;
        init.track = track.info.index;
        out.write(init);
        track.pieceMap = segment.map;
    }
    core::Chunk chunk;
    chunk.bytes = body;
    chunk.kind = core::ChunkKind::SegmentStart;
    chunk.track = track.info.index;
    chunk.mediaSeconds = segment.duration;
    chunk.sequence = segment.sequence;
    chunk.uri = segment.uri;
    chunk.endsAt = track.timeline.endOf(segment, WallClock::now());
    track.lastEnd = chunk.endsAt;
    out.write(chunk);
    track.timeline.delivered(segment, WallClock::now());
    delivered_ = true;
    return true;
}

}  // namespace confcap::source
