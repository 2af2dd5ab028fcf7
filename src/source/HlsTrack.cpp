#include "confcap/source/HlsTrack.h"

namespace confcap::source {

void HlsTrack::leavePiece() noexcept {
    begun = false;
    pieceMap.reset();
}

void HlsTrack::write(SourceOutput& out, const HlsSegment& segment, std::string_view body) {
    if (segment.map && pieceMap != segment.map) {
        core::Chunk init;
        init.bytes = mapBytes;
        init.kind = core::ChunkKind::Init;
        init.track = info.index;
        out.write(init);
        pieceMap = segment.map;
    }
    core::Chunk chunk;
    chunk.bytes = body;
    chunk.kind = core::ChunkKind::SegmentStart;
    chunk.track = info.index;
    chunk.mediaSeconds = segment.duration;
    chunk.sequence = segment.sequence;
    chunk.uri = segment.uri;
    chunk.endsAt = timeline.endOf(segment, std::chrono::system_clock::now());
    lastEnd = chunk.endsAt;
    out.write(chunk);
    timeline.delivered(segment, std::chrono::system_clock::now());
}

}  // namespace confcap::source
