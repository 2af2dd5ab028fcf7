#include "confcap/sink/Mp4Reader.h"

#include "confcap/media/Mp4Boxes.h"

namespace confcap::sink {

namespace {

using media::mp4Type;

}  // namespace

Mp4Reader::Mp4Reader() : ElementStream(media::mp4BoxHeader) {}

void Mp4Reader::feed(std::string_view bytes) {
    ElementStream::feed(bytes);
}

double Mp4Reader::seconds() const {
    return longestRun(tracks_);
}

bool Mp4Reader::measured() const {
    return !tracks_.empty();
}

media::ElementStream::Action Mp4Reader::decide(std::uint64_t id, std::optional<std::uint64_t>) {
    return id == mp4Type("moov") || id == mp4Type("moof") ? Action::Read : Action::Skip;
}

void Mp4Reader::element(std::uint64_t id, std::string_view body) {
    if (id == mp4Type("moov")) {
        movie(body);
    } else {
        fragment(body);
    }
}

void Mp4Reader::movie(std::string_view moov) {
    for (const auto& box : media::mp4Boxes(moov)) {
        if (box.type == mp4Type("trak")) {
            std::uint64_t track = 0;
            std::uint64_t timescale = 0;
            for (const auto& child : media::mp4Children(moov, box)) {
                if (child.type == mp4Type("tkhd")) {
                    track = media::mp4TrackId(child.body(moov)).value_or(track);
                } else if (child.type == mp4Type("mdia")) {
                    for (const auto& m : media::mp4Children(moov, child)) {
                        if (m.type == mp4Type("mdhd")) {
                            timescale = media::mp4Timescale(m.body(moov)).value_or(timescale);
                        }
                    }
                }
            }
            if (track != 0 && timescale != 0) {
                timescales_[track] = timescale;
            }
        } else if (box.type == mp4Type("mvex")) {
            for (const auto& child : media::mp4Children(moov, box)) {
                const auto defaults = child.type == mp4Type("trex")
                                          ? media::mp4TrackExtends(child.body(moov))
                                          : std::nullopt;
                if (defaults) {
                    defaultDurations_[defaults->track] = defaults->sampleDuration;
                }
            }
        }
    }
}

void Mp4Reader::fragment(std::string_view moof) {
    for (const auto& traf : media::mp4Boxes(moof)) {
        if (traf.type != mp4Type("traf")) {
            continue;
        }
        std::uint64_t track = 0;
        std::uint64_t defaultDuration = 0;
        std::optional<std::uint64_t> decodeTime;
        std::uint64_t duration = 0;
        for (const auto& box : media::mp4Children(moof, traf)) {
            const auto body = box.body(moof);
            if (box.type == mp4Type("tfhd")) {
                if (const auto header = media::mp4FragmentTrack(body)) {
                    track = header->track;
                    const auto defaults = defaultDurations_.find(track);
                    defaultDuration = header->sampleDuration.value_or(
                        defaults == defaultDurations_.end() ? 0 : defaults->second);
                }
            } else if (box.type == mp4Type("tfdt")) {
                if (const auto time = media::mp4DecodeTime(body)) {
                    decodeTime = time;
                }
            } else if (box.type == mp4Type("trun")) {
                duration += media::mp4RunDuration(body, defaultDuration);
            }
        }
        const auto timescale = timescales_.find(track);
        if (decodeTime && timescale != timescales_.end()) {
            tracks_.try_emplace(track, timescale->second)
                .first->second.add(static_cast<std::int64_t>(*decodeTime),
                                   static_cast<std::int64_t>(duration));
        }
    }
}

}  // namespace confcap::sink
