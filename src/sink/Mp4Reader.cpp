#include "confcap/sink/Mp4Reader.h"

namespace confcap::sink {

namespace {

constexpr std::uint64_t box(const char (&name)[5]) {
    return (static_cast<std::uint64_t>(static_cast<unsigned char>(name[0])) << 24) |
           (static_cast<std::uint64_t>(static_cast<unsigned char>(name[1])) << 16) |
           (static_cast<std::uint64_t>(static_cast<unsigned char>(name[2])) << 8) |
           static_cast<unsigned char>(name[3]);
}

// Calls `visit(type, payload)` for each box in `data`.
template <typename Visit>
void boxes(std::string_view data, Visit visit) {
    std::size_t at = 0;
    while (at + 8 <= data.size()) {
        std::uint64_t size = bigEndian(data, at, 4);
        const std::uint64_t type = bigEndian(data, at + 4, 4);
        std::size_t header = 8;
        if (size == 1 && at + 16 <= data.size()) {
            size = bigEndian(data, at + 8, 8);
            header = 16;
        } else if (size == 0) {
            size = data.size() - at;
        }
        if (size < header || size > data.size() - at) {
            return;
        }
        visit(type, data.substr(at + header, static_cast<std::size_t>(size) - header));
        at += static_cast<std::size_t>(size);
    }
}

}  // namespace

void Mp4Reader::feed(std::string_view bytes) {
    ElementStream::feed(bytes);
}

double Mp4Reader::seconds() const {
    return longestRun(tracks_);
}

bool Mp4Reader::measured() const {
    return !tracks_.empty();
}

ElementStream::Parse Mp4Reader::parseHeader(std::string_view h, std::uint64_t& id,
                                            std::optional<std::uint64_t>& size,
                                            std::size_t& length) {
    if (h.size() < 8) {
        return Parse::More;
    }
    std::uint64_t total = bigEndian(h, 0, 4);
    id = bigEndian(h, 4, 4);
    length = 8;
    if (total == 1) {
        if (h.size() < 16) {
            return Parse::More;
        }
        total = bigEndian(h, 8, 8);
        length = 16;
    }
    if (total == 0) {
        size.reset();  // to the end of the stream
    } else if (total < length) {
        return Parse::Bad;
    } else {
        size = total - length;
    }
    return Parse::Done;
}

ElementStream::Action Mp4Reader::decide(std::uint64_t id, std::optional<std::uint64_t>) {
    return id == box("moov") || id == box("moof") ? Action::Read : Action::Skip;
}

void Mp4Reader::element(std::uint64_t id, std::string_view body) {
    if (id == box("moov")) {
        movie(body);
    } else {
        fragment(body);
    }
}

void Mp4Reader::movie(std::string_view moov) {
    boxes(moov, [&](std::uint64_t type, std::string_view payload) {
        if (type == box("trak")) {
            std::uint64_t track = 0;
            std::uint64_t timescale = 0;
            boxes(payload, [&](std::uint64_t t, std::string_view p) {
                if (t == box("tkhd") && !p.empty()) {
                    track = bigEndian(p, byteAt(p, 0) == 1 ? 20 : 12, 4);
                } else if (t == box("mdia")) {
                    boxes(p, [&](std::uint64_t m, std::string_view q) {
                        if (m == box("mdhd") && !q.empty()) {
                            timescale = bigEndian(q, byteAt(q, 0) == 1 ? 20 : 12, 4);
                        }
                    });
                }
            });
            if (track != 0 && timescale != 0) {
                timescales_[track] = timescale;
            }
        } else if (type == box("mvex")) {
            boxes(payload, [&](std::uint64_t t, std::string_view p) {
                if (t == box("trex") && p.size() >= 20) {
                    defaultDurations_[bigEndian(p, 4, 4)] = bigEndian(p, 12, 4);
                }
            });
        }
    });
}

void Mp4Reader::fragment(std::string_view moof) {
    boxes(moof, [&](std::uint64_t type, std::string_view traf) {
        if (type != box("traf")) {
            return;
        }
        std::uint64_t track = 0;
        std::uint64_t defaultDuration = 0;
        std::optional<std::uint64_t> decodeTime;
        std::uint64_t duration = 0;
        boxes(traf, [&](std::uint64_t t, std::string_view p) {
            if (t == box("tfhd") && p.size() >= 8) {
                const std::uint64_t flags = bigEndian(p, 1, 3);
                track = bigEndian(p, 4, 4);
                defaultDuration = defaultDurations_.count(track) ? defaultDurations_[track] : 0;
                std::size_t at = 8u + ((flags & 0x01) ? 8u : 0u) + ((flags & 0x02) ? 4u : 0u);
                if ((flags & 0x08) != 0) {
                    defaultDuration = bigEndian(p, at, 4);
                }
            } else if (t == box("tfdt") && !p.empty()) {
                decodeTime = byteAt(p, 0) == 1 ? bigEndian(p, 4, 8) : bigEndian(p, 4, 4);
            } else if (t == box("trun") && p.size() >= 8) {
                const std::uint64_t flags = bigEndian(p, 1, 3);
                const std::uint64_t count = bigEndian(p, 4, 4);
                std::size_t at = 8u + ((flags & 0x01) ? 4u : 0u) + ((flags & 0x04) ? 4u : 0u);
                const std::size_t each = ((flags & 0x100) ? 4u : 0u) + ((flags & 0x200) ? 4u : 0u) +
                                         ((flags & 0x400) ? 4u : 0u) + ((flags & 0x800) ? 4u : 0u);
                if ((flags & 0x100) == 0) {
                    duration += count * defaultDuration;
                    return;
                }
                for (std::uint64_t i = 0; i < count && at + 4 <= p.size(); ++i, at += each) {
                    duration += bigEndian(p, at, 4);
                }
            }
        });
        const auto timescale = timescales_.find(track);
        if (decodeTime && timescale != timescales_.end()) {
            tracks_.try_emplace(track, timescale->second)
                .first->second.add(static_cast<std::int64_t>(*decodeTime),
                                   static_cast<std::int64_t>(duration));
        }
    });
}

}  // namespace confcap::sink
