// Playlist bytes through the HLS parser: it returns a playlist or throws SourceError, and a media
// playlist's numbers are consistent and leave room for the arithmetic of the source.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>

#include "FuzzCheck.h"
#include "confcap/core/Error.h"
#include "confcap/source/HlsPlaylist.h"
#include "confcap/source/HlsVariantChoice.h"

using namespace confcap;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    source::HlsPlaylist playlist;
    try {
        playlist = source::parseHlsPlaylist(text, "https://cdn.example/live/stream.m3u8");
    } catch (const core::SourceError&) {
        return 0;
    }
    if (playlist.master) {
        for (const char* selector : {"", "min", "0", "720p", "1280x720"}) {
            try {
                source::chooseVariant(playlist.variants, selector);
            } catch (const core::Error&) {
            }
        }
        return 0;
    }
    fuzz::check(playlist.targetDuration >= 0 && playlist.targetDuration <= 86400,
                "target duration out of bounds");
    constexpr auto kRoom = std::numeric_limits<std::int64_t>::max() / 4;
    for (std::size_t i = 0; i < playlist.segments.size(); ++i) {
        const auto& segment = playlist.segments[i];
        fuzz::check(segment.sequence >= 0 && segment.sequence < kRoom, "sequence out of bounds");
        fuzz::check(segment.discontinuitySequence >= 0 && segment.discontinuitySequence < kRoom,
                    "discontinuity sequence out of bounds");
        fuzz::check(i == 0 || segment.sequence == playlist.segments[i - 1].sequence + 1,
                    "sequence numbers are not consecutive");
        fuzz::check(segment.duration >= 0 && segment.duration <= 86400,
                    "segment duration out of bounds");
        if (segment.byteLength) {
            fuzz::check(*segment.byteLength <=
                            std::numeric_limits<std::uint64_t>::max() - segment.byteOffset,
                        "byte range overflows");
        }
        // What the source computes from a segment.
        static_cast<void>(static_cast<long>(segment.duration * 1000));
        static_cast<void>(1000 * playlist.targetDuration);
    }
    return 0;
}
