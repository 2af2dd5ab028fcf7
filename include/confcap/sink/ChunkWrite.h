// Where a talk's sink wrote a chunk whole, told to the others that get the same chunk after it
// on the room's capture thread (the room's tape, the overlap ledger).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <utility>

#include "confcap/core/Media.h"

namespace confcap::sink {

/// A chunk a talk wrote: what identifies it while it is delivered (its buffer, size, track and
/// HLS sequence; buffers are reused, so only while it is delivered), and where its bytes went.
struct ChunkWrite {
    const char* data = nullptr;
    std::size_t size = 0;
    int track = 0;
    std::optional<std::int64_t> sequence;
    std::filesystem::path file;  ///< full path
    std::uint64_t offset = 0;

    ChunkWrite() = default;
    ChunkWrite(const core::Chunk& chunk, std::filesystem::path written, std::uint64_t at)
        : data(chunk.bytes.data()),
          size(chunk.bytes.size()),
          track(chunk.track),
          sequence(chunk.sequence),
          file(std::move(written)),
          offset(at) {}

    /// Whether it was made for `chunk`. Pure.
    bool of(const core::Chunk& chunk) const noexcept {
        return data == chunk.bytes.data() && size == chunk.bytes.size() && track == chunk.track &&
               sequence == chunk.sequence;
    }
};

}  // namespace confcap::sink
