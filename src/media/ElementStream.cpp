#include "confcap/media/ElementStream.h"

#include <algorithm>

namespace confcap::media {

namespace {

// A box or EBML element read whole to look inside (moov, moof, Info) is at most this big.
constexpr std::size_t kBoxLimit = 16 * 1024 * 1024;

}  // namespace

void ElementStream::feed(std::string_view bytes) {
    std::size_t pos = 0;
    while (pos < bytes.size()) {
        if (skip_ > 0) {
            const auto n =
                static_cast<std::size_t>(std::min<std::uint64_t>(skip_, bytes.size() - pos));
            if (reading_) {
                body_.append(bytes.substr(pos, std::min(n, readLimit_ - body_.size())));
            }
            pos += n;
            skip_ -= n;
            if (reading_ && (skip_ == 0 || body_.size() >= readLimit_)) {
                reading_ = false;
                element(readId_, body_);
                body_.clear();
            }
            continue;
        }
        if (broken_) {
            return;
        }
        header_.push_back(bytes[pos++]);
        const ElementHeader read = readHeader_(header_);
        switch (read.status) {
            case ElementHeader::Status::More:
                continue;
            case ElementHeader::Status::Bad:
                broken_ = true;  // lost: nothing more is counted
                return;
            case ElementHeader::Status::Done:
                break;
        }
        header_.clear();
        const std::uint64_t id = read.id;
        const std::optional<std::uint64_t> size = read.size;
        const Action action = decide(id, size);
        if (action == Action::Enter || !size) {
            continue;
        }
        skip_ = *size;
        if ((action == Action::Read && *size <= kBoxLimit) || action == Action::Peek) {
            readLimit_ = action == Action::Peek ? kPeek : static_cast<std::size_t>(*size);
            reading_ = true;
            readId_ = id;
            if (skip_ == 0) {
                reading_ = false;
                element(id, body_);
            }
        }
    }
}

}  // namespace confcap::media
