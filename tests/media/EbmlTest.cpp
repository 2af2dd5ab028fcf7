// EBML variable-length integers, element headers, block times and the values written for a
// live stream's clusters, by table.
#include "confcap/media/Ebml.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

BOOST_AUTO_TEST_SUITE(EbmlTest)

namespace data = boost::unit_test::data;
using confcap::media::ebmlHeader;
using confcap::media::ebmlVint;
using confcap::media::ElementHeader;
using Status = ElementHeader::Status;

namespace {

struct Vint {
    const char* name;
    std::string bytes;
    bool keepMarker;
    std::optional<std::uint64_t> value;  ///< unset: more bytes needed
    std::size_t length;
};

std::ostream& operator<<(std::ostream& out, const Vint& v) {
    return out << v.name;
}

const std::vector<Vint> kVints = {
    {"one byte", "\x81", false, 1, 1},
    {"one byte, marker kept", "\xE7", true, 0xE7, 1},
    {"two bytes", "\x40\x02", false, 2, 2},
    {"four bytes, an id", "\x1F\x43\xB6\x75", true, 0x1F43B675, 4},
    {"eight bytes", std::string("\x01\0\0\0\0\0\x01\0", 8), false, 256, 8},
    {"cut short", "\x40", false, std::nullopt, 0},
    {"nothing", "", false, std::nullopt, 0},
    {"a zero byte starts none", std::string(1, '\0'), false, ~std::uint64_t{0}, 0},
};

struct Header {
    const char* name;
    std::string bytes;
    Status status;
    std::uint64_t id;
    std::optional<std::uint64_t> size;
    std::size_t length;
};

std::ostream& operator<<(std::ostream& out, const Header& h) {
    return out << h.name;
}

const std::vector<Header> kHeaders = {
    {"a cluster", "\x1F\x43\xB6\x75\x84", Status::Done, confcap::media::kEbmlCluster, 4, 5},
    {"a timecode", "\xE7\x81", Status::Done, confcap::media::kEbmlTimecode, 1, 2},
    {"a segment of unknown size", "\x18\x53\x80\x67\x01\xFF\xFF\xFF\xFF\xFF\xFF\xFF", Status::Done,
     confcap::media::kEbmlSegment, std::nullopt, 12},
    {"unknown in one byte", "\xA3\xFF", Status::Done, confcap::media::kEbmlSimpleBlock,
     std::nullopt, 2},
    {"an id longer than four bytes", std::string("\x08\0\0\0\0\x81", 6), Status::Bad, 0,
     std::nullopt, 0},
    {"a size starting with a zero byte", std::string("\xE7\x00", 2), Status::Bad, 0, std::nullopt,
     0},
    {"no size yet", "\x1F\x43\xB6\x75", Status::More, 0, std::nullopt, 0},
    {"an id cut short", "\x1F\x43", Status::More, 0, std::nullopt, 0},
};

}  // namespace

BOOST_DATA_TEST_CASE(variable_length_integers, data::make(kVints), v) {
    const auto read = ebmlVint(v.bytes, 0, v.keepMarker);
    BOOST_TEST(read.has_value() == v.value.has_value());
    if (read) {
        BOOST_TEST(read->value == *v.value);
        BOOST_TEST(read->length == v.length);
    }
}

BOOST_DATA_TEST_CASE(element_headers, data::make(kHeaders), h) {
    const auto read = ebmlHeader(h.bytes);
    BOOST_TEST((read.status == h.status));
    if (h.status == Status::Done) {
        BOOST_TEST(read.id == h.id);
        BOOST_TEST((read.size == h.size));
        BOOST_TEST(read.length == h.length);
    }
}

BOOST_AUTO_TEST_CASE(block_times_and_values) {
    using confcap::media::ebmlBlockTime;
    const auto block = ebmlBlockTime("\x82\xFF\xFE\x80rest");
    BOOST_TEST_REQUIRE(block.has_value());
    BOOST_TEST(block->track == 2u);
    BOOST_TEST(block->relative == -2);
    BOOST_TEST(!ebmlBlockTime("\x82\x00"));
    BOOST_TEST(!ebmlBlockTime(std::string("\0\0\0", 3)));
    BOOST_TEST(confcap::media::ebmlUnsigned("\x0F\x42\x40") == 1'000'000u);
    BOOST_TEST(confcap::media::ebmlUnsigned("") == 0u);
    BOOST_TEST(confcap::media::ebmlClusterAt("ab\x1F\x43\xB6\x75") == 2u);
    BOOST_TEST(confcap::media::ebmlClusterAt("\x1F\x43\xB6") == std::string_view::npos);
}

BOOST_AUTO_TEST_CASE(long_fields_read_back) {
    const auto size = confcap::media::ebmlLongSize(1234);
    BOOST_TEST(size.size() == 8u);
    const auto read = ebmlVint(size, 0, false);
    BOOST_TEST_REQUIRE(read.has_value());
    BOOST_TEST(read->value == 1234u);
    const auto element = confcap::media::ebmlLongUnsigned(0xE7, 90'000);
    const auto header = ebmlHeader(element);
    BOOST_TEST((header.status == Status::Done));
    BOOST_TEST(header.id == confcap::media::kEbmlTimecode);
    BOOST_TEST((header.size == std::optional<std::uint64_t>(8)));
    BOOST_TEST(confcap::media::ebmlUnsigned(std::string_view(element).substr(2)) == 90'000u);
}

BOOST_AUTO_TEST_SUITE_END()
