#include "confcap/media/FormatDetection.h"

#include <algorithm>

#include "confcap/media/AudioFrames.h"
#include "confcap/media/Ebml.h"
#include "confcap/media/TsPackets.h"

namespace confcap::media {

namespace {

std::optional<core::StreamFormat> fromFrameSync(std::string_view b) {
    switch (audioSync(b)) {
        case AudioSync::Adts:
            return core::StreamFormat{"aac", true};
        case AudioSync::Mpeg:
            return core::StreamFormat{"mp3", true};
        case AudioSync::None:
            break;
    }
    return std::nullopt;
}

}  // namespace

std::optional<core::StreamFormat> formatFromBytes(std::string_view b) {
    if (b.substr(0, 4) == kEbmlMagic) {
        if (b.substr(0, 64).find("matroska") != std::string_view::npos) {
            return core::StreamFormat{"mkv", false};
        }
        return core::StreamFormat{"webm", false};
    }
    if (b.substr(0, 4) == "OggS") {
        // Chained Ogg streams are valid Ogg: a reconnect's bytes may follow the earlier ones.
        return core::StreamFormat{"ogg", true};
    }
    if (b.substr(0, 3) == "FLV") {
        return core::StreamFormat{"flv", false};
    }
    if (b.size() >= 8) {
        const std::string_view box = b.substr(4, 4);
        if (box == "ftyp" || box == "styp" || box == "moof" || box == "moov") {
            return core::StreamFormat{"mp4", false};
        }
    }
    if (tsSyncAt(b, 0)) {
        return core::StreamFormat{"ts", true};
    }
    if (const auto tag = id3TagLength(b)) {
        // The first frame after the tag tells MP3 from AAC when it is in view.
        if (*tag < b.size()) {
            if (auto format = fromFrameSync(b.substr(static_cast<std::size_t>(*tag)))) {
                return format;
            }
        }
        return core::StreamFormat{"mp3", true};
    }
    return fromFrameSync(b);
}

std::size_t fileStartOffset(const core::StreamFormat& format, std::string_view bytes,
                            core::ChunkKind kind) {
    if (kind != core::ChunkKind::Media) {
        return 0;
    }
    if (format.extension == "ts") {
        const std::size_t limit = std::min(bytes.size(), kTsPacketSize);
        for (std::size_t i = 0; i < limit; ++i) {
            if (tsSyncAt(bytes, i)) {
                return i;
            }
        }
        return std::string_view::npos;
    }
    if (format.extension == "webm" || format.extension == "mkv") {
        return ebmlClusterAt(bytes);
    }
    return 0;
}

}  // namespace confcap::media
