#include "confcap/source/HlsVariantChoice.h"

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <ostream>
#include <string>
#include <vector>

BOOST_AUTO_TEST_SUITE(HlsVariantChoiceTest)

namespace data = boost::unit_test::data;
using namespace confcap::source;

namespace {

// uri, bandwidth, width, height, codecs, audio group
const std::vector<HlsVariant> kVariants = {
    {"http://h/sd.m3u8", 800'000, 640, 360, "", "aud"},
    {"http://h/hd.m3u8", 2'200'000, 1280, 720, "", "aud"},
    {"http://h/fhd.m3u8", 5'000'000, 1920, 1080, "", "aud"},
};

struct FollowedCase {
    const char* name;
    HlsVariant followed;
    int expected;  ///< index in kVariants; -1 for none
};

std::ostream& operator<<(std::ostream& out, const FollowedCase& c) {
    return out << c.name;
}

const FollowedCase kFollowed[] = {
    {"the same URI", {"http://h/hd.m3u8", 1, 1, 1, "", ""}, 1},
    {"renamed, with the same resolution and bandwidth",
     {"http://h/new/720.m3u8", 2'200'000, 1280, 720, "", ""},
     1},
    {"renamed, with another bandwidth",
     {"http://h/new/720.m3u8", 2'000'000, 1280, 720, "", ""},
     -1},
    {"gone", {"http://h/uhd.m3u8", 9'000'000, 3840, 2160, "", ""}, -1},
};

}  // namespace

BOOST_DATA_TEST_CASE(the_variant_followed_is_found_again, data::make(kFollowed), c) {
    const HlsVariant* found = followedVariant(kVariants, c.followed);
    BOOST_TEST((found == (c.expected < 0 ? nullptr : &kVariants[std::size_t(c.expected)])));
}

BOOST_AUTO_TEST_CASE(the_rung_of_a_variant_on_its_ladder) {
    BOOST_TEST(ladderRung(kVariants, kVariants[2]) == 2u);
    BOOST_TEST(ladderRung(kVariants, kVariants[0]) == 0u);
    BOOST_TEST(ladderRung(kVariants, HlsVariant{"http://h/other.m3u8", 1, 1, 1, "", ""}) == 0u);
}

BOOST_AUTO_TEST_CASE(the_variant_is_track_zero_and_each_rendition_a_further_track) {
    HlsRendition german;
    german.name = "audio_1";
    german.language = "deu";
    german.uri = "http://h/deu.m3u8";
    HlsRendition english;
    english.name = "Translated";
    english.language = "en";
    english.uri = "http://h/en.m3u8";
    const auto tracks = tracksToFollow(kVariants[1], {german, english});
    BOOST_REQUIRE_EQUAL(tracks.size(), 3u);
    BOOST_TEST(tracks[0].url == "http://h/hd.m3u8");
    BOOST_TEST(tracks[0].info.index == 0);
    BOOST_TEST(tracks[0].info.name.empty());
    BOOST_TEST(tracks[1].url == "http://h/deu.m3u8");
    BOOST_TEST(tracks[1].info.index == 1);
    BOOST_TEST(tracks[1].info.language == "deu");
    BOOST_TEST(tracks[2].info.index == 2);
    BOOST_TEST(tracks[2].info.name == "Translated");
    BOOST_TEST(tracksToFollow(kVariants[0], {}).size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
