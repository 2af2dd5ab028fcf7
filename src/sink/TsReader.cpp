#include "confcap/sink/TsReader.h"

namespace confcap::sink {

void TsReader::feed(std::string_view bytes) {
    packets_.feed(bytes, [this](std::string_view packet) {
        if (const auto found = media::pesTimestamp(packet)) {
            pids_.try_emplace(found->pid, media::kPesTicksPerSecond, media::kPesTimestampWrap)
                .first->second.add(found->ticks);
        }
    });
}

double TsReader::seconds() const {
    return longestRun(pids_);
}

bool TsReader::measured() const {
    return !pids_.empty();
}

}  // namespace confcap::sink
