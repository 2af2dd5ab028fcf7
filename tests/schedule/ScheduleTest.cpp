#include "confcap/schedule/Schedule.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(ScheduleTest)

namespace bdata = boost::unit_test::data;
using confcap::schedule::Room;
using confcap::schedule::Schedule;

namespace {

Schedule threeRooms() {
    Schedule schedule;
    schedule.rooms.push_back(Room{"Saal 1", "ba692ba3-421b-5371-8309-60acc34a3c05", "saal1"});
    schedule.rooms.push_back(
        Room{"Saal GLITCH", "7202df07-050c-552f-8318-992f94e40ef0", "saalglitch"});
    schedule.rooms.push_back(Room{"UA2.118 (Henriot)", "", "ua2118"});
    return schedule;
}

}  // namespace

BOOST_DATA_TEST_CASE(findsRoomsByNameOrGuidIgnoringCase,
                     bdata::make({"Saal 1", "saal 1", "SAAL GLITCH",
                                  "BA692BA3-421B-5371-8309-60ACC34A3C05",
                                  "7202df07-050c-552f-8318-992f94e40ef0", "ua2.118 (henriot)"}) ^
                         bdata::make({"Saal 1", "Saal 1", "Saal GLITCH", "Saal 1", "Saal GLITCH",
                                      "UA2.118 (Henriot)"}),
                     query, expectedName) {
    const Schedule schedule = threeRooms();
    const Room* room = schedule.findRoom(query);
    BOOST_REQUIRE(room != nullptr);
    BOOST_TEST(room->name == expectedName);
}

BOOST_DATA_TEST_CASE(findsNoRoomForOtherNames,
                     bdata::make({"", "Saal", "Saal 12", "ua2118", "ba692ba3"}), query) {
    const Schedule schedule = threeRooms();
    BOOST_TEST(schedule.findRoom(query) == nullptr);
}

BOOST_AUTO_TEST_SUITE_END()
