// The files in tests/data, for the suites that read real schedules, API documents and captured
// program output.
#pragma once

#include <boost/test/unit_test.hpp>

#include <fstream>
#include <iterator>
#include <string>

namespace confcap::testing {

/// The path of `relative` under tests/data, e.g. "schedules/31c3-frab-v1.5.xml".
inline std::string testDataPath(const std::string& relative) {
    return std::string(CONFCAP_DATA_DIR) + "/" + relative;
}

/// The bytes of `relative` under tests/data; the test fails when the file cannot be read.
inline std::string testData(const std::string& relative) {
    std::ifstream in(testDataPath(relative), std::ios::binary);
    BOOST_REQUIRE_MESSAGE(in, "cannot open " << testDataPath(relative));
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace confcap::testing
