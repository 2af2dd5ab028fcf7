#include "confcap/capture/Fanout.h"

#include <algorithm>

#include "confcap/media/Ebml.h"
#include "confcap/media/FormatDetection.h"

namespace confcap::capture {

namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

// A WebM/Matroska header longer than this is not kept for sinks that join mid-stream.
constexpr std::size_t kHeaderLimit = 1024 * 1024;

bool isMatroska(const core::StreamFormat& format) {
    return format.extension == "webm" || format.extension == "mkv";
}

// Runs `deliver` for a sink, breaking the sink when it throws.
template <typename Deliver>
void guarded(AttachedSink& a, std::vector<std::string>& failures, Deliver deliver) {
    try {
        deliver();
    } catch (const std::exception& e) {
        a.broken = true;
        failures.push_back(std::string("a recording stopped taking data: ") + e.what());
    }
}

}  // namespace

bool AttachedSink::reaches(std::chrono::system_clock::time_point end) const {
    return !reached.empty() && std::all_of(reached.begin(), reached.end(),
                                           [&](const auto& r) { return r.second >= end; });
}

void Fanout::connected(const Attachments& sinks, const core::StreamFormat& format, bool newTimeline,
                       bool reconnect, const std::optional<core::Gap>& gap,
                       std::chrono::system_clock::time_point gapEnd,
                       std::vector<std::string>& failures) {
    format_ = format;
    header_.clear();
    headerComplete_ = !isMatroska(format);
    tracks_.clear();
    for (const auto& a : sinks) {
        a->tracks.clear();
        if (a->broken) {
            continue;
        }
        guarded(*a, failures, [&] {
            if (reconnect && a->active) {
                a->sink->reconnected();
            }
            if (gap) {
                core::Gap own = *gap;
                if (own.at < a->attachedAt) {
                    own.at = a->attachedAt;
                    if (!own.firstSequence) {
                        own.length = duration_cast<milliseconds>(gapEnd - own.at);
                    }
                }
                if (own.length.count() > 0) {
                    a->sink->gap(own);
                }
            }
            a->sink->beginPiece(format, newTimeline);
            a->active = true;
        });
    }
}

void Fanout::beginTrack(const Attachments& sinks, const core::TrackInfo& track,
                        const core::StreamFormat& format, std::vector<std::string>& failures) {
    auto& known = tracks_[track.index];
    known.info = track;
    known.format = format;
    known.init.clear();
    for (const auto& a : sinks) {
        a->tracks.erase(track.index);
        if (!a->active || a->broken) {
            continue;
        }
        guarded(*a, failures, [&] {
            a->sink->beginTrack(track, format);
            a->tracks.insert(track.index);
        });
    }
}

std::vector<AttachedSink*> Fanout::write(const Attachments& sinks, const core::Chunk& chunk,
                                         std::vector<std::string>& failures) {
    std::vector<AttachedSink*> reached;
    const std::string_view bytes = chunk.bytes;
    const auto track = tracks_.find(chunk.track);
    if (chunk.track != 0 && track == tracks_.end()) {
        return reached;  // a track the source never began: nothing can join it
    }
    if (chunk.track != 0) {
        if (chunk.kind == core::ChunkKind::Init) {
            track->second.init.assign(bytes);
        }
    } else if (chunk.kind == core::ChunkKind::Init) {
        header_.assign(bytes);
        headerComplete_ = true;
    } else if (!headerComplete_) {
        const std::size_t cluster = media::ebmlClusterAt(bytes);
        header_.append(bytes.substr(0, cluster));
        if (cluster != std::string_view::npos) {
            headerComplete_ = true;
        } else if (header_.size() > kHeaderLimit) {
            header_.clear();
            headerComplete_ = true;
        }
    }
    for (const auto& a : sinks) {
        if (a->broken) {
            continue;
        }
        guarded(*a, failures, [&] {
            if (a->gets(chunk.track)) {
                a->sink->write(chunk);
                reached.push_back(a.get());
                return;
            }
            if (chunk.track != 0) {
                // A further track joins at its next segment, once the main track runs.
                if (!a->active || chunk.kind == core::ChunkKind::Media) {
                    return;
                }
                a->sink->beginTrack(track->second.info, track->second.format);
                a->tracks.insert(chunk.track);
                if (chunk.kind != core::ChunkKind::Init && !track->second.init.empty()) {
                    core::Chunk init;
                    init.bytes = track->second.init;
                    init.kind = core::ChunkKind::Init;
                    init.track = chunk.track;
                    a->sink->write(init);
                }
                a->sink->write(chunk);
                reached.push_back(a.get());
                return;
            }
            if (!headerComplete_) {
                return;
            }
            const std::size_t offset = media::fileStartOffset(format_, bytes, chunk.kind);
            if (offset == std::string_view::npos) {
                return;
            }
            a->sink->beginPiece(format_, false);
            a->active = true;
            if (chunk.kind != core::ChunkKind::Init && !header_.empty()) {
                core::Chunk header;
                header.bytes = header_;
                header.kind = core::ChunkKind::Init;
                a->sink->write(header);
            }
            core::Chunk rest = chunk;
            rest.bytes = bytes.substr(offset);
            if (offset != 0) {
                rest.mediaSeconds = 0;
            }
            a->sink->write(rest);
            reached.push_back(a.get());
        });
    }
    return reached;
}

void Fanout::lost(const Attachments& sinks, const core::Gap& gap,
                  std::vector<std::string>& failures) {
    for (const auto& a : sinks) {
        if (!a->active || a->broken) {
            continue;
        }
        guarded(*a, failures, [&] { a->sink->gap(gap); });
    }
}

void Fanout::variantSwitched(const Attachments& sinks, const core::VariantSwitch& change,
                             std::vector<std::string>& failures) {
    for (const auto& a : sinks) {
        if (!a->active || a->broken) {
            continue;
        }
        guarded(*a, failures, [&] { a->sink->variantSwitched(change); });
    }
}

}  // namespace confcap::capture
