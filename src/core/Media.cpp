#include "confcap/core/Media.h"

#include <algorithm>

namespace confcap::core {

namespace {

constexpr std::string_view kMatroskaCluster = "\x1F\x43\xB6\x75";
constexpr std::size_t kTsPacket = 188;

}  // namespace

std::size_t startOffset(const StreamFormat& format, std::string_view bytes, ChunkKind kind) {
    if (kind != ChunkKind::Media) {
        return 0;
    }
    if (format.extension == "ts") {
        const std::size_t limit = std::min(bytes.size(), kTsPacket);
        for (std::size_t i = 0; i < limit; ++i) {
            if (bytes[i] == 0x47 &&
                (i + kTsPacket >= bytes.size() || bytes[i + kTsPacket] == 0x47)) {
                return i;
            }
        }
        return std::string_view::npos;
    }
    if (format.extension == "webm" || format.extension == "mkv") {
        return bytes.find(kMatroskaCluster);
    }
    return 0;
}

}  // namespace confcap::core
