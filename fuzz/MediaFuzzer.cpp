// Stream bytes through every reader of media layouts: format detection, MPEG-TS packets and PES
// timestamps, MP4 box walks and box fields, EBML headers and blocks, audio frame headers, and the
// element stream walk over MP4 and EBML. Every offset and length they give stays inside the bytes.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "FuzzCheck.h"
#include "confcap/media/AudioFrames.h"
#include "confcap/media/Ebml.h"
#include "confcap/media/ElementStream.h"
#include "confcap/media/FormatDetection.h"
#include "confcap/media/Mp4Boxes.h"
#include "confcap/media/TsPackets.h"

using namespace confcap;

namespace {

// Reads every element whole (up to the stream's limit) and peeks into the rest.
class Walker final : public media::ElementStream {
public:
    explicit Walker(HeaderReader readHeader) : ElementStream(readHeader) {}

private:
    Action decide(std::uint64_t id, std::optional<std::uint64_t> size) override {
        if (!size) {
            return Action::Enter;
        }
        return id % 3 == 0 ? Action::Read : id % 3 == 1 ? Action::Peek : Action::Enter;
    }
    void element(std::uint64_t, std::string_view body) override {
        fuzz::check(body.size() <= (std::size_t{16} << 20), "element body over the read limit");
    }
};

void walkBoxes(std::string_view bytes, const media::Mp4Box& parent, int depth) {
    for (const auto& box : media::mp4Children(bytes, parent)) {
        fuzz::check(box.start >= parent.start + parent.header &&
                        box.start + box.size <= parent.start + parent.size,
                    "a child box outside its parent");
        const auto body = box.body(bytes);
        media::mp4TrackId(body);
        media::mp4Timescale(body);
        media::mp4TrackExtends(body);
        media::mp4FragmentTrack(body);
        media::mp4DecodeTime(body);
        media::mp4RunDuration(body, 1024);
        media::mp4IndexTimescale(body);
        if (depth < 8) {
            walkBoxes(bytes, box, depth + 1);
        }
    }
}

void mp4(std::string_view bytes) {
    std::size_t end = 0;
    for (const auto& box : media::mp4Boxes(bytes)) {
        fuzz::check(
            box.start == end && box.size >= box.header && box.start + box.size <= bytes.size(),
            "a box outside the bytes or not after the one before");
        end = box.start + box.size;
        walkBoxes(bytes, box, 0);
    }
    const auto header = media::mp4BoxHeader(bytes);
    fuzz::check(
        header.status != media::ElementHeader::Status::Done || header.length <= bytes.size(),
        "a box header longer than the bytes");
}

void ebml(std::string_view bytes) {
    const auto header = media::ebmlHeader(bytes);
    fuzz::check(header.status != media::ElementHeader::Status::Done ||
                    (header.length >= 2 && header.length <= bytes.size()),
                "an element header longer than the bytes");
    if (const auto vint = media::ebmlVint(bytes, 0, false)) {
        fuzz::check(vint->length <= 8 && vint->length <= bytes.size(), "a vint past the bytes");
    }
    media::ebmlBlockTime(bytes);
    media::ebmlUnsigned(bytes.substr(0, 8));
    const auto cluster = media::ebmlClusterAt(bytes);
    fuzz::check(cluster == std::string_view::npos || cluster + 4 <= bytes.size(),
                "a cluster past the bytes");
}

void audio(std::string_view bytes) {
    for (const auto& frame : {media::adtsFrame(bytes), media::mpegAudioFrame(bytes)}) {
        if (frame) {
            fuzz::check(frame->length >= media::kAdtsHeaderSize ||
                            frame->length >= media::kMpegAudioHeaderSize,
                        "a frame shorter than its header");
            fuzz::check(frame->sampleRate > 0 && frame->samples > 0, "a frame without time");
        }
    }
    if (const auto tag = media::id3TagLength(bytes)) {
        fuzz::check(*tag >= media::kId3HeaderSize, "an ID3 tag shorter than its header");
    }
}

void ts(std::string_view bytes) {
    media::TsPacketizer packets;
    packets.feed(bytes, [](std::string_view packet) {
        fuzz::check(packet.size() == media::kTsPacketSize && packet[0] == '\x47',
                    "a packet that is not one");
        const auto payload = media::tsPayload(packet);
        fuzz::check(payload.size() < media::kTsPacketSize, "a payload longer than its packet");
        media::tsSectionStart(packet);
        if (const auto found = media::pesTimestamp(packet)) {
            fuzz::check(found->ticks >= 0 && found->ticks < media::kPesTimestampWrap,
                        "a timestamp past 2^33");
        }
        std::string copy(packet);
        media::shiftTsTimes(copy, 123'456'789);
        media::advanceTsContinuity(copy, 5);
        fuzz::check(copy.size() == media::kTsPacketSize && copy[0] == '\x47',
                    "a shifted packet lost its sync");
    });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    if (const auto format = media::formatFromBytes(bytes)) {
        const auto start = media::fileStartOffset(*format, bytes, core::ChunkKind::Media);
        fuzz::check(start == std::string_view::npos || start <= bytes.size(),
                    "a file start past the bytes");
    }
    mp4(bytes);
    ebml(bytes);
    audio(bytes);
    ts(bytes);
    for (const auto reader : {&media::mp4BoxHeader, &media::ebmlHeader}) {
        Walker walker(reader);
        walker.feed(bytes.substr(0, bytes.size() / 2));
        walker.feed(bytes.substr(bytes.size() / 2));
    }
    return 0;
}
