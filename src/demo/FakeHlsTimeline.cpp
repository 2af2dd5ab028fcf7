#include "FakeHlsTimeline.h"

#include <date/date.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace confcap::demo {

FakeHlsTimeline::FakeHlsTimeline(const StreamSpec& spec, const MediaLoop& loop,
                                 std::chrono::system_clock::time_point wallStart)
    : spec_(spec), loop_(loop), wallStart_(wallStart) {}

// Seconds of EndList pause before server time t.
double FakeHlsTimeline::pausedBefore(double t) const {
    double paused = 0;
    for (const Fault& f : spec_.faults) {
        if (f.kind == Fault::Kind::EndList && f.from < t) {
            paused += std::min(t, f.to) - f.from;
        }
    }
    return paused;
}

double FakeHlsTimeline::prerollSeconds() const {
    return loop_.unitStart(std::max(1, spec_.window));
}

// The last restart done by server time t, if any: the timeline then counts from its end.
const Fault* FakeHlsTimeline::restartedBy(double t) const {
    const Fault* last = nullptr;
    for (const Fault& f : spec_.faults) {
        if (f.kind == Fault::Kind::Restart && f.to <= t && (!last || f.to > last->to)) {
            last = &f;
        }
    }
    return last;
}

// The numbering of the timeline in force at server time t.
std::int64_t FakeHlsTimeline::firstSequenceAt(double t) const {
    const Fault* restart = restartedBy(t);
    return restart != nullptr ? restart->sequence : spec_.firstSequence;
}

// Segments (counted from 0) complete at server time t.
std::int64_t FakeHlsTimeline::available(double t) const {
    if (const Fault* restart = restartedBy(t)) {
        return loop_.unitAt(t - restart->to);
    }
    const double media = t - pausedBefore(t);
    return loop_.unitAt(media + prerollSeconds());
}

bool FakeHlsTimeline::endListed(double t) const {
    return std::any_of(spec_.faults.begin(), spec_.faults.end(), [&](const Fault& f) {
        return f.kind == Fault::Kind::EndList && f.activeAt(t);
    });
}

// Segments that start a discontinuity: the first one made after each pause that began.
std::vector<std::int64_t> FakeHlsTimeline::discontinuities(double t) const {
    std::vector<std::int64_t> points;
    for (const Fault& f : spec_.faults) {
        if (f.kind == Fault::Kind::EndList && f.from < t) {
            points.push_back(available(f.from));
        }
    }
    std::sort(points.begin(), points.end());
    return points;
}

// Wall-clock start of segment k.
std::chrono::system_clock::time_point FakeHlsTimeline::segmentWallTime(std::int64_t k) const {
    double t = loop_.unitStart(k) - prerollSeconds();
    std::vector<const Fault*> pauses;
    for (const Fault& f : spec_.faults) {
        if (f.kind == Fault::Kind::EndList) {
            pauses.push_back(&f);
        }
    }
    std::sort(pauses.begin(), pauses.end(),
              [](const Fault* a, const Fault* b) { return a->from < b->from; });
    for (const Fault* f : pauses) {
        if (f->from <= t) {
            t += f->to - f->from;
        }
    }
    return wallStart_ + std::chrono::duration_cast<std::chrono::system_clock::duration>(
                            std::chrono::duration<double>(t));
}

std::string FakeHlsTimeline::mediaPlaylist(double t) const {
    const std::int64_t count = available(t);
    const std::int64_t first = std::max<std::int64_t>(0, count - spec_.window);
    const std::int64_t base = firstSequenceAt(t);
    const auto points =
        restartedBy(t) != nullptr ? std::vector<std::int64_t>() : discontinuities(t);
    const bool fmp4 = spec_.kind == StreamKind::HlsFmp4;
    double longest = 0;
    for (std::int64_t k = first; k < count; ++k) {
        longest = std::max(longest, loop_.unitSeconds(k));
    }
    std::int64_t discontinuitySequence = 0;
    for (const std::int64_t p : points) {
        discontinuitySequence += p <= first ? 1 : 0;
    }
    std::ostringstream out;
    out << "#EXTM3U\n#EXT-X-VERSION:" << (fmp4 ? 7 : 3)
        << "\n#EXT-X-TARGETDURATION:" << static_cast<int>(std::ceil(longest - 1e-6))
        << "\n#EXT-X-MEDIA-SEQUENCE:" << base + first << '\n';
    if (discontinuitySequence > 0) {
        out << "#EXT-X-DISCONTINUITY-SEQUENCE:" << discontinuitySequence << '\n';
    }
    if (spec_.encrypted) {
        out << "#EXT-X-KEY:METHOD=AES-128,URI=\"key.bin\","
               "IV=0x000102030405060708090A0B0C0D0E0F\n";
    }
    if (fmp4) {
        out << "#EXT-X-MAP:URI=\"init.mp4\"\n";
    }
    for (std::int64_t k = first; k < count; ++k) {
        const bool discontinuity = std::binary_search(points.begin(), points.end(), k);
        if (discontinuity && k != first) {
            out << "#EXT-X-DISCONTINUITY\n";
        }
        if ((k == first || discontinuity) && restartedBy(t) == nullptr) {
            const auto wall =
                std::chrono::time_point_cast<std::chrono::milliseconds>(segmentWallTime(k));
            out << "#EXT-X-PROGRAM-DATE-TIME:" << date::format("%FT%TZ", wall) << '\n';
        }
        char extinf[32];
        std::snprintf(extinf, sizeof extinf, "%.3f", loop_.unitSeconds(k));
        out << "#EXTINF:" << extinf << ",\n" << base + k << (fmp4 ? ".m4s" : ".ts") << '\n';
    }
    if (endListed(t)) {
        out << "#EXT-X-ENDLIST\n";
    }
    return out.str();
}

std::string FakeHlsTimeline::masterPlaylist() {
    return "#EXTM3U\n"
           "#EXT-X-STREAM-INF:BANDWIDTH=400000,RESOLUTION=320x180,"
           "CODECS=\"avc1.42c00d,mp4a.40.2\"\n"
           "low/live.m3u8\n"
           "#EXT-X-STREAM-INF:BANDWIDTH=1200000,RESOLUTION=1280x720,"
           "CODECS=\"avc1.64001f,mp4a.40.2\"\n"
           "high/live.m3u8\n";
}
}  // namespace confcap::demo
