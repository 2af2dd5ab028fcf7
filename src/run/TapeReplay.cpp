#include "confcap/run/TapeReplay.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <optional>

#include "confcap/capture/Fanout.h"
#include "confcap/core/Error.h"
#include "confcap/core/FileIo.h"
#include "confcap/plan/FileNamer.h"

namespace confcap::run {

namespace {

using Time = std::chrono::system_clock::time_point;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

/// A stretch of the window shorter than this without media is a chunk's arrival jitter.
constexpr auto kHoleSlack = std::chrono::seconds(2);
/// Bytes of a WebM/Matroska piece read before the window: its header is in them.
constexpr std::uint64_t kHeaderBytes = 1024 * 1024;

// The open files of one piece, read by offset.
class PieceFiles {
public:
    PieceFiles(std::filesystem::path folder, sink::TapePiece piece)
        : folder_(std::move(folder)), piece_(std::move(piece)) {
        formats_[0] = piece_.format;
    }
    ~PieceFiles() {
        for (auto& [track, fd] : fds_) {
            ::close(fd);
        }
        for (auto& [name, fd] : shared_) {
            ::close(fd);
        }
    }
    PieceFiles(const PieceFiles&) = delete;
    PieceFiles& operator=(const PieceFiles&) = delete;

    void format(int track, const core::StreamFormat& format) {
        if (const auto fd = fds_.find(track); fd != fds_.end()) {
            ::close(fd->second);
            fds_.erase(fd);
        }
        formats_[track] = format;
    }

    std::string read(const sink::TapeChunk& chunk) {
        int fd = -1;
        if (chunk.file.empty()) {
            auto own = fds_.find(chunk.track);
            if (own == fds_.end()) {
                own =
                    fds_.emplace(chunk.track, open(sink::tapeTrackFile(folder_, piece_, chunk.track,
                                                                       formats_[chunk.track])))
                        .first;
            }
            fd = own->second;
        } else {
            auto shared = shared_.find(chunk.file);
            if (shared == shared_.end()) {
                shared = shared_.emplace(chunk.file, open(folder_ / chunk.file)).first;
            }
            fd = shared->second;
        }
        std::string bytes(chunk.length, '\0');
        std::size_t done = 0;
        while (done < bytes.size()) {
            const auto n = ::pread(fd, bytes.data() + done, bytes.size() - done,
                                   static_cast<off_t>(chunk.offset + done));
            if (n <= 0) {
                if (n < 0 && errno == EINTR) {
                    continue;
                }
                break;  // the tape ends early (the process died mid-write): what is there
            }
            done += static_cast<std::size_t>(n);
        }
        bytes.resize(done);
        return bytes;
    }

    const core::StreamFormat& mainFormat() const { return piece_.format; }

private:
    static int open(const std::filesystem::path& path) {
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            throw core::OutputError("Cannot read the tape file " + core::quotedPath(path) + ": " +
                                    std::strerror(errno) + ".");
        }
        return fd;
    }

    std::filesystem::path folder_;
    sink::TapePiece piece_;
    std::map<int, core::StreamFormat> formats_;
    std::map<int, int> fds_;
    std::map<std::string, int> shared_;  // by name: the talks' files the piece shares
};

bool isMatroska(const core::StreamFormat& format) {
    return format.extension == "webm" || format.extension == "mkv";
}

// Plays one window; the sink joins with the first media inside it.
class Replay {
public:
    Replay(const std::filesystem::path& folder, Time from, Time until, core::MediaSink& sink,
           ReplayClock& clock)
        : folder_(folder), from_(from), until_(until), clock_(clock), reach_(from) {
        attached_ = std::make_shared<capture::AttachedSink>();
        attached_->sink = &sink;
        attached_->windowEnd = until;
        attached_->attachedAt = from;
    }

    // Plays one piece; false once the window is over.
    bool play(const sink::TapeFile& piece) {
        if (piece.last < from_ && !holdsHls(piece)) {
            return true;  // over before the window opened
        }
        std::optional<PieceFiles> files;
        for (const auto& event : piece.events) {
            clock_.at = event.at;
            if (const auto* p = std::get_if<sink::TapePiece>(&event.what)) {
                if (p->format.extension.empty()) {
                    return true;
                }
                files.emplace(folder_, *p);
                fanout_.connected(sinks(), p->format, p->newTimeline, false, std::nullopt, {},
                                  failures_);
            } else if (!files) {
                continue;
            } else if (const auto* t = std::get_if<sink::TapeTrack>(&event.what)) {
                files->format(t->track.index, t->format);
                fanout_.beginTrack(sinks(), t->track, t->format, failures_);
            } else if (const auto* c = std::get_if<sink::TapeChunk>(&event.what)) {
                if (!chunk(*files, *c, event.at)) {
                    return false;
                }
            } else if (const auto* g = std::get_if<sink::TapeGap>(&event.what)) {
                gap(g->gap);
            } else if (std::holds_alternative<sink::TapeReconnect>(event.what)) {
                if (joined_ && attached_->active) {
                    attached_->sink->reconnected();
                }
            } else if (const auto* v = std::get_if<sink::TapeVariant>(&event.what)) {
                if (joined_) {
                    fanout_.variantSwitched(sinks(), v->change, failures_);
                }
            }
            throwFailure();
        }
        return true;
    }

    std::uint64_t finish() {
        clock_.at = until_;
        hole(until_);
        return bytes_;
    }

private:
    static bool holdsHls(const sink::TapeFile& piece) {
        for (const auto& event : piece.events) {
            if (const auto* c = std::get_if<sink::TapeChunk>(&event.what); c && c->endsAt) {
                return true;
            }
        }
        return false;
    }

    capture::Attachments sinks() const {
        return joined_ ? capture::Attachments{attached_} : capture::Attachments{};
    }

    bool chunk(PieceFiles& files, const sink::TapeChunk& c, Time at) {
        const auto start = c.mediaStart(at);
        const auto end = c.mediaEnd(at);
        if (start > until_) {
            // Later media of the main track ends the window; a rendition's may come a little
            // after the main track's.
            return c.track != 0;
        }
        const bool inside = c.endsAt ? end > from_ : at >= from_;
        if (!inside) {
            // Before the window: only what a sink joining later needs from it.
            const bool header =
                c.kind == core::ChunkKind::Init ||
                (c.track == 0 && isMatroska(files.mainFormat()) && c.offset < kHeaderBytes);
            if (header) {
                deliver(files, c);
            }
            return true;
        }
        joined_ = true;
        if (c.track == 0) {
            hole(start);
        }
        if (deliver(files, c) && c.track == 0) {
            reach_ = std::max(reach_, end);
        }
        return true;
    }

    // Writes the chunk's bytes through the fanout; whether it reached the sink.
    bool deliver(PieceFiles& files, const sink::TapeChunk& c) {
        const auto bytes = files.read(c);
        core::Chunk chunk;
        chunk.bytes = bytes;
        chunk.kind = c.kind;
        chunk.track = c.track;
        chunk.mediaSeconds = c.mediaSeconds;
        chunk.sequence = c.sequence;
        chunk.uri = c.uri;
        chunk.endsAt = c.endsAt;
        const auto reached = fanout_.write(sinks(), chunk, failures_);
        if (!reached.empty()) {
            bytes_ += bytes.size();
        }
        return !reached.empty();
    }

    // A gap the tape tells of, cut to the window.
    void gap(const core::Gap& recorded) {
        const auto start = std::max(recorded.at, from_);
        const auto end = std::min(recorded.at + recorded.length, until_);
        if (end <= start) {
            return;
        }
        core::Gap own = recorded;
        own.at = start;
        own.length = duration_cast<milliseconds>(end - start);
        attached_->sink->gap(own);
        reach_ = std::max(reach_, end);
    }

    // The window up to `next` that neither media nor a gap on the tape accounts for.
    void hole(Time next) {
        const auto end = std::min(next, until_);
        if (end <= reach_ + kHoleSlack) {
            return;
        }
        core::Gap missing;
        missing.at = reach_;
        missing.length = duration_cast<milliseconds>(end - reach_);
        missing.cause = core::gapcause::kNotTaped;
        missing.detail = "The room's tape does not hold this part of the window.";
        attached_->sink->gap(missing);
        reach_ = end;
    }

    void throwFailure() {
        if (!failures_.empty()) {
            throw core::OutputError(failures_.front());
        }
    }

    std::filesystem::path folder_;
    Time from_;
    Time until_;
    ReplayClock& clock_;
    Time reach_;  // how far the window is accounted for
    capture::Fanout fanout_;
    std::shared_ptr<capture::AttachedSink> attached_;
    bool joined_ = false;
    std::vector<std::string> failures_;
    std::uint64_t bytes_ = 0;  // media bytes the sink got
};

}  // namespace

std::filesystem::path tapesFolder(const std::filesystem::path& outDir) {
    return outDir / ".confcap" / "tape";
}

std::filesystem::path tapeFolderFor(const std::filesystem::path& outDir, const std::string& room) {
    plan::NameFields fields;
    fields.room = room;
    return tapesFolder(outDir) / plan::fileNameFor(fields, "{room}", false);
}

std::uint64_t replayTape(const std::filesystem::path& folder,
                         const std::vector<sink::TapeFile>& tape, Time from, Time until,
                         core::MediaSink& sink, ReplayClock& clock) {
    Replay replay(folder, from, until, sink, clock);
    for (const auto& piece : tape) {
        if (!replay.play(piece)) {
            break;
        }
    }
    return replay.finish();
}

}  // namespace confcap::run
