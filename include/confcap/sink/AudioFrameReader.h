// The media time of an MP3 or ADTS AAC stream, added up from its frames' headers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "confcap/sink/ContainerReader.h"

namespace confcap::sink {

/// MP3 (MPEG-1, -2 and -2.5 audio, layers I to III) and ADTS AAC: the samples of every frame at
/// its sample rate, skipping ID3v2 tags and finding the next frame header after junk. Headers may
/// be split across feeds. Not thread-safe.
class AudioFrameReader final : public ContainerReader {
public:
    void feed(std::string_view bytes) override;
    /// The frames' duration; 0 until two frames were read.
    double seconds() const override;
    /// True once two frames were read (one could be junk that looks like a header).
    bool measured() const override;

private:
    void parseHeader();
    void frame(double seconds, std::uint64_t length);

    std::string header_;      // the bytes of a header (or ID3 tag header) gathered so far
    std::uint64_t skip_ = 0;  // the rest of the frame or tag, not looked at
    double seconds_ = 0;
    int frames_ = 0;
};

}  // namespace confcap::sink
