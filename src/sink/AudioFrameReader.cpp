#include "confcap/sink/AudioFrameReader.h"

#include <algorithm>

#include "confcap/media/AudioFrames.h"

namespace confcap::sink {

namespace {

enum class Look { More, Tag, Frame, Junk };

struct Found {
    Look look = Look::Junk;
    std::optional<media::AudioFrame> frame;
};

// What the header bytes gathered so far start: an ID3v2 tag, a frame, junk, or not known before
// more bytes come.
Found lookAt(std::string_view h) {
    const std::size_t have = h.size();
    if (h[0] == 'I') {
        const auto id3 = std::string_view("ID3").substr(0, std::min<std::size_t>(have, 3));
        if (h.substr(0, id3.size()) != id3) {
            return {Look::Junk, std::nullopt};
        }
        return {have < media::kId3HeaderSize ? Look::More : Look::Tag, std::nullopt};
    }
    if (have < 2) {
        return {static_cast<unsigned char>(h[0]) == 0xFF ? Look::More : Look::Junk, std::nullopt};
    }
    std::optional<media::AudioFrame> frame;
    switch (media::audioSync(h)) {
        case media::AudioSync::Adts:
            if (have < media::kAdtsHeaderSize) {
                return {Look::More, std::nullopt};
            }
            frame = media::adtsFrame(h);
            break;
        case media::AudioSync::Mpeg:
            if (have < media::kMpegAudioHeaderSize) {
                return {Look::More, std::nullopt};
            }
            frame = media::mpegAudioFrame(h);
            break;
        case media::AudioSync::None:
            break;
    }
    return {frame ? Look::Frame : Look::Junk, frame};
}

}  // namespace

void AudioFrameReader::feed(std::string_view bytes) {
    std::size_t pos = 0;
    while (pos < bytes.size()) {
        if (skip_ > 0) {
            const auto n =
                static_cast<std::size_t>(std::min<std::uint64_t>(skip_, bytes.size() - pos));
            pos += n;
            skip_ -= n;
            continue;
        }
        header_.push_back(bytes[pos++]);
        parseHeader();
    }
}

double AudioFrameReader::seconds() const {
    return frames_ >= 2 ? seconds_ : 0;
}

bool AudioFrameReader::measured() const {
    return frames_ >= 2;
}

// Decides on the gathered header bytes: a frame or tag (skip its rest), more bytes needed, or
// junk (drop a byte and look again).
void AudioFrameReader::parseHeader() {
    while (!header_.empty()) {
        const Found found = lookAt(header_);
        switch (found.look) {
            case Look::More:
                return;
            case Look::Tag:
                skip_ = *media::id3TagLength(header_) - header_.size();
                header_.clear();
                return;
            case Look::Frame:
                frame(found.frame->seconds(), found.frame->length);
                return;
            case Look::Junk:
                header_.erase(0, 1);
                break;
        }
    }
}

void AudioFrameReader::frame(double seconds, std::uint64_t length) {
    seconds_ += seconds;
    ++frames_;
    skip_ = length - header_.size();
    header_.clear();
}

}  // namespace confcap::sink
