#include "confcap/sink/MatroskaReader.h"

#include <algorithm>

#include "confcap/media/Ebml.h"

namespace confcap::sink {

MatroskaReader::MatroskaReader() : ElementStream(media::ebmlHeader) {}

void MatroskaReader::feed(std::string_view bytes) {
    ElementStream::feed(bytes);
}

double MatroskaReader::seconds() const {
    return longestRun(tracks_);
}

bool MatroskaReader::measured() const {
    return !tracks_.empty();
}

media::ElementStream::Action MatroskaReader::decide(std::uint64_t id,
                                                    std::optional<std::uint64_t> size) {
    if (id == media::kEbmlSegment || id == media::kEbmlCluster || id == media::kEbmlBlockGroup ||
        id == media::kEbmlInfo) {
        return Action::Enter;
    }
    if (!size) {
        return Action::Enter;  // cannot be skipped without knowing its end
    }
    if (id == media::kEbmlTimecodeScale || id == media::kEbmlTimecode) {
        return Action::Read;
    }
    if (id == media::kEbmlSimpleBlock || id == media::kEbmlBlock) {
        return Action::Peek;  // its track and time; the frame itself is skipped
    }
    return Action::Skip;
}

void MatroskaReader::element(std::uint64_t id, std::string_view body) {
    if (id == media::kEbmlTimecodeScale) {
        scale_ = std::max<std::uint64_t>(1, media::ebmlUnsigned(body));
    } else if (id == media::kEbmlTimecode) {
        cluster_ = media::ebmlUnsigned(body);
    } else if (cluster_) {
        if (const auto block = media::ebmlBlockTime(body)) {
            tracks_.try_emplace(block->track, 1'000'000'000 / scale_)
                .first->second.add(static_cast<std::int64_t>(*cluster_) + block->relative);
        }
    }
}

}  // namespace confcap::sink
