// ElementStream by table, on a toy container whose headers are two bytes (id, body size; size
// 0xFF: unknown, id 0: not a header): which elements reach element(), and with which bytes.
#include "confcap/media/ElementStream.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

BOOST_AUTO_TEST_SUITE(ElementStreamTest)

namespace data = boost::unit_test::data;
using confcap::media::ElementStream;
using Action = ElementStream::Action;

namespace {

using confcap::media::ElementHeader;

ElementHeader toyHeader(std::string_view header) noexcept {
    ElementHeader read;
    if (header.size() < 2) {
        return read;
    }
    if (header[0] == 0) {
        read.status = ElementHeader::Status::Bad;
        return read;
    }
    read.status = ElementHeader::Status::Done;
    read.id = static_cast<std::uint8_t>(header[0]);
    const auto bodySize = static_cast<std::uint8_t>(header[1]);
    if (bodySize != 0xFF) {
        read.size = bodySize;
    }
    read.length = 2;
    return read;
}

class ToyStream final : public ElementStream {
public:
    explicit ToyStream(std::map<std::uint64_t, Action> actions)
        : ElementStream(toyHeader), actions_(std::move(actions)) {}
    /// "id:body" for each element handed on.
    std::vector<std::string> seen;

private:
    Action decide(std::uint64_t id, std::optional<std::uint64_t>) override {
        const auto action = actions_.find(id);
        return action == actions_.end() ? Action::Skip : action->second;
    }
    void element(std::uint64_t id, std::string_view body) override {
        seen.push_back(std::string(1, static_cast<char>(id)) + ":" + std::string(body));
    }

    std::map<std::uint64_t, Action> actions_;
};

/// An element: its id, its body's size and the body.
std::string el(char id, const std::string& body) {
    return std::string{id, static_cast<char>(body.size())} + body;
}

struct Row {
    const char* name;
    std::string bytes;
    std::vector<std::string> seen;
};

std::ostream& operator<<(std::ostream& out, const Row& row) {
    return out << row.name;
}

// R: Read, P: Peek, E: Enter; any other id is skipped.
const std::vector<Row> kRows = {
    {"an element read whole", el('R', "hello, world"), {"R:hello, world"}},
    {"an empty element read", el('R', ""), {"R:"}},
    {"the first bytes of one peeked at", el('P', "0123456789abc"), {"P:01234567"}},
    {"one shorter than a peek", el('P', "0123"), {"P:0123"}},
    {"a skipped element is not looked into",
     el('x', el('R', "inner")) + el('R', "after"),
     {"R:after"}},
    {"an entered element's children",
     el('E', el('R', "a") + el('x', "b") + el('P', "c")),
     {"R:a", "P:c"}},
    {"one of unknown size is entered", std::string{'R', '\xFF'} + el('R', "inner"), {"R:inner"}},
    {"nothing after a header that cannot be one",
     el('R', "before") + std::string{'\0', '\1'} + el('R', "after"),
     {"R:before"}},
};

}  // namespace

BOOST_DATA_TEST_CASE(elements_handed_on, data::make(kRows), row) {
    // Fed whole, and in pieces that split headers and bodies anywhere.
    for (const std::size_t piece : {row.bytes.size(), std::size_t{1}, std::size_t{3}}) {
        ToyStream stream({{'R', Action::Read}, {'P', Action::Peek}, {'E', Action::Enter}});
        for (std::size_t at = 0; at < row.bytes.size(); at += piece) {
            stream.feed(std::string_view(row.bytes).substr(at, piece));
        }
        BOOST_TEST(stream.seen == row.seen, boost::test_tools::per_element());
    }
}

BOOST_AUTO_TEST_SUITE_END()
