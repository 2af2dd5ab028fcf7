// Which reader reads which container, and the longest run of several streams, by table.
#include "confcap/sink/ContainerReader.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <typeinfo>
#include <vector>

#include "confcap/sink/AudioFrameReader.h"
#include "confcap/sink/MatroskaReader.h"
#include "confcap/sink/Mp4Reader.h"
#include "confcap/sink/TsReader.h"

BOOST_AUTO_TEST_SUITE(ContainerReaderTest)

namespace data = boost::unit_test::data;
using confcap::sink::AudioFrameReader;
using confcap::sink::containerReaderFor;
using confcap::sink::CoverageMeter;
using confcap::sink::longestRun;
using confcap::sink::MatroskaReader;
using confcap::sink::Mp4Reader;
using confcap::sink::TsReader;

namespace {

struct Container {
    const char* extension;
    const std::type_info* reader;  ///< nullptr: none
};

std::ostream& operator<<(std::ostream& out, const Container& c) {
    return out << '"' << c.extension << '"';
}

const std::vector<Container> kContainers = {
    {"ts", &typeid(TsReader)},
    {"mp3", &typeid(AudioFrameReader)},
    {"aac", &typeid(AudioFrameReader)},
    {"mp4", &typeid(Mp4Reader)},
    {"webm", &typeid(MatroskaReader)},
    {"mkv", &typeid(MatroskaReader)},
    {"flv", nullptr},
    {"TS", nullptr},
    {"", nullptr},
};

}  // namespace

BOOST_DATA_TEST_CASE(the_reader_for_each_container, data::make(kContainers), c) {
    const auto reader = containerReaderFor(c.extension);
    if (c.reader == nullptr) {
        BOOST_TEST(!reader);
    } else {
        BOOST_TEST_REQUIRE(reader);
        BOOST_TEST((typeid(*reader) == *c.reader));
        BOOST_TEST(!reader->measured());
        BOOST_TEST(reader->seconds() == 0.0);
    }
}

BOOST_AUTO_TEST_CASE(the_longest_run_of_several_streams) {
    BOOST_TEST(longestRun({}) == 0.0);
    std::map<std::uint64_t, CoverageMeter::Runs> streams;
    for (int i = 0; i < 50; ++i) {
        streams[0x100].add(i * 3600);  // 2 s at 90 kHz
    }
    auto& milliseconds = streams.try_emplace(0x101, 1000).first->second;
    for (int i = 0; i < 3; ++i) {
        milliseconds.add(i * 1000);  // 3 s at 1 kHz
    }
    BOOST_TEST(longestRun(streams) == 3.0);
}

BOOST_AUTO_TEST_SUITE_END()
