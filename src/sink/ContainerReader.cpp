#include "confcap/sink/ContainerReader.h"

#include <algorithm>

#include "confcap/sink/AudioFrameReader.h"
#include "confcap/sink/MatroskaReader.h"
#include "confcap/sink/Mp4Reader.h"
#include "confcap/sink/TsReader.h"

namespace confcap::sink {

std::unique_ptr<ContainerReader> containerReaderFor(std::string_view extension) {
    if (extension == "ts") {
        return std::make_unique<TsReader>();
    }
    if (extension == "mp3" || extension == "aac") {
        return std::make_unique<AudioFrameReader>();
    }
    if (extension == "mp4") {
        return std::make_unique<Mp4Reader>();
    }
    if (extension == "webm" || extension == "mkv") {
        return std::make_unique<MatroskaReader>();
    }
    return nullptr;
}

double longestRun(const std::map<std::uint64_t, CoverageMeter::Runs>& streams) {
    double best = 0;
    for (const auto& [id, runs] : streams) {
        best = std::max(best, runs.seconds());
    }
    return best;
}

}  // namespace confcap::sink
