// Big-endian numbers read and written, by table.
#include "confcap/media/Bytes.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

BOOST_AUTO_TEST_SUITE(BytesTest)

namespace data = boost::unit_test::data;
using confcap::media::bigEndian;
using confcap::media::putBigEndian;

namespace {

struct Number {
    const char* name;
    std::string bytes;
    std::size_t at;
    std::size_t count;
    std::uint64_t value;
};

std::ostream& operator<<(std::ostream& out, const Number& n) {
    return out << n.name;
}

const std::vector<Number> kNumbers = {
    {"one byte", "\x01\xFE", 1, 1, 0xFE},
    {"four bytes, most significant first", "\x12\x34\x56\x78", 0, 4, 0x12345678},
    {"eight bytes", std::string("\x80\0\0\0\0\0\0\x01", 8), 0, 8, 0x8000000000000001},
    {"none", "\x12", 0, 0, 0},
    {"bytes past the end are left out", "\xAB\xCD", 1, 4, 0xCD},
    {"starting past the end", "\xAB", 5, 2, 0},
};

struct Written {
    const char* name;
    std::size_t at;
    std::size_t count;
    std::uint64_t value;
    std::string bytes;  ///< four bytes of 0xEE written over
};

std::ostream& operator<<(std::ostream& out, const Written& w) {
    return out << w.name;
}

const std::vector<Written> kWritten = {
    {"two bytes in the middle", 1, 2, 0x1234, "\xEE\x12\x34\xEE"},
    {"only the low bytes of a wider value", 0, 2, 0xABCD1234, "\x12\x34\xEE\xEE"},
    {"bytes past the end are left out", 2, 4, 0x01020304, "\xEE\xEE\x01\x02"},
    {"none", 0, 0, 0xFF, "\xEE\xEE\xEE\xEE"},
};

}  // namespace

BOOST_DATA_TEST_CASE(big_endian_numbers, data::make(kNumbers), n) {
    BOOST_TEST(bigEndian(n.bytes, n.at, n.count) == n.value);
}

BOOST_DATA_TEST_CASE(big_endian_numbers_written, data::make(kWritten), w) {
    std::string bytes(4, '\xEE');
    putBigEndian(bytes, w.at, w.count, w.value);
    BOOST_TEST(bytes == w.bytes);
}

BOOST_AUTO_TEST_SUITE_END()
