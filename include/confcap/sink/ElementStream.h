// The walk through a container made of nested elements with a size in their header (MP4 boxes,
// EBML elements), shared by the readers of such containers: most payloads are skipped unread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace confcap::sink {

/// Reads a stream of elements whose payloads are mostly skipped: a header is gathered, then the
/// element is entered, read whole (small ones the reader looks into) or skipped. A subclass says
/// how a header reads and what to do with each element. Bytes may be split anywhere. After a
/// header that cannot be read everything else is ignored. Not thread-safe.
class ElementStream {
public:
    /// Enter: read its children; Read: hand its whole body to element() (one over 16 MiB is
    /// skipped); Peek: hand its first kPeek bytes to element() and skip the rest; Skip: ignore it.
    enum class Action { Enter, Read, Peek, Skip };
    /// How many bytes of an element a Peek hands on.
    static constexpr std::size_t kPeek = 8;
    virtual ~ElementStream() = default;

    /// Reads the next bytes of the stream.
    void feed(std::string_view bytes);

protected:
    enum class Parse { More, Bad, Done };
    /// Reads an element header from the start of `header`: its `id`, the `size` of its body
    /// (unset: it runs until its parent ends) and the header's `length`. More: it needs more
    /// bytes; Bad: it cannot be a header.
    virtual Parse parseHeader(std::string_view header, std::uint64_t& id,
                              std::optional<std::uint64_t>& size, std::size_t& length) = 0;
    /// What to do with an element (`size` unset: it runs until its parent ends).
    virtual Action decide(std::uint64_t id, std::optional<std::uint64_t> size) = 0;
    /// An element read whole, or the start of one peeked at.
    virtual void element(std::uint64_t id, std::string_view body) = 0;

private:
    std::string header_;
    std::string body_;
    std::uint64_t skip_ = 0;
    bool reading_ = false;
    std::size_t readLimit_ = 0;
    bool broken_ = false;
    std::uint64_t readId_ = 0;
};

}  // namespace confcap::sink
