// The walk through a container made of nested elements with a size in their header (MP4 boxes,
// EBML elements), for readers of such containers that skip most payloads unread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace confcap::media {

/// An element header read from the start of some bytes.
struct ElementHeader {
    /// More: it needs more bytes; Bad: it cannot be a header; Done: read.
    enum class Status { More, Bad, Done };
    Status status = Status::More;
    std::uint64_t id = 0;
    std::optional<std::uint64_t> size;  ///< of the body; unset: it runs until its parent ends
    std::size_t length = 0;             ///< of the header
};

/// Reads a stream of elements whose payloads are mostly skipped: a header is gathered, then the
/// element is entered, read whole (small ones the reader looks into) or skipped. The container's
/// header reader says how a header reads; a subclass says what to do with each element. Bytes
/// may be split anywhere. After a header that cannot be read everything else is ignored. Not
/// thread-safe.
class ElementStream {
public:
    /// Enter: read its children; Read: hand its whole body to element() (one over 16 MiB is
    /// skipped); Peek: hand its first kPeek bytes to element() and skip the rest; Skip: ignore it.
    enum class Action { Enter, Read, Peek, Skip };
    /// How many bytes of an element a Peek hands on.
    static constexpr std::size_t kPeek = 8;
    /// Reads the header at the start of its argument (mp4BoxHeader, ebmlHeader). Pure.
    using HeaderReader = ElementHeader (*)(std::string_view bytes) noexcept;

    explicit ElementStream(HeaderReader readHeader) : readHeader_(readHeader) {}
    virtual ~ElementStream() = default;

    /// Reads the next bytes of the stream.
    void feed(std::string_view bytes);

protected:
    /// What to do with an element (`size` unset: it runs until its parent ends).
    virtual Action decide(std::uint64_t id, std::optional<std::uint64_t> size) = 0;
    /// An element read whole, or the start of one peeked at.
    virtual void element(std::uint64_t id, std::string_view body) = 0;

private:
    HeaderReader readHeader_;
    std::string header_;
    std::string body_;
    std::uint64_t skip_ = 0;
    bool reading_ = false;
    std::size_t readLimit_ = 0;
    bool broken_ = false;
    std::uint64_t readId_ = 0;
};

}  // namespace confcap::media
