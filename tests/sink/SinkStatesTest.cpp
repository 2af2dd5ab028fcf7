// The talk sink's state machine by table: every move between two states, allowed or not.
#include "confcap/sink/SinkStates.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <ostream>
#include <stdexcept>
#include <vector>

BOOST_AUTO_TEST_SUITE(SinkStatesTest)

namespace data = boost::unit_test::data;
using confcap::sink::SinkState;
using confcap::sink::SinkStatus;

namespace {

struct Move {
    SinkState from;
    SinkState to;
    bool allowed;
};

std::ostream& operator<<(std::ostream& out, const Move& move) {
    return out << confcap::sink::toString(move.from) << " -> " << confcap::sink::toString(move.to);
}

constexpr auto W = SinkState::Waiting;
constexpr auto R = SinkState::Recording;
constexpr auto D = SinkState::DiskFull;
constexpr auto F = SinkState::WriteFailed;
constexpr auto X = SinkState::Finalized;

// All 25 pairs.
const std::vector<Move> kMoves = {
    {W, W, false}, {W, R, true},  {W, D, false}, {W, F, true},  {W, X, true},
    {R, W, false}, {R, R, true},  {R, D, true},  {R, F, true},  {R, X, true},
    {D, W, true},  {D, R, true},  {D, D, false}, {D, F, true},  {D, X, true},
    {F, W, false}, {F, R, false}, {F, D, false}, {F, F, false}, {F, X, true},
    {X, W, false}, {X, R, false}, {X, D, false}, {X, F, false}, {X, X, false},
};

}  // namespace

BOOST_DATA_TEST_CASE(allowed_moves, data::make(kMoves), move) {
    BOOST_TEST(confcap::sink::transitionAllowed(move.from, move.to) == move.allowed);
}

BOOST_DATA_TEST_CASE(transition_moves_or_refuses, data::make(kMoves), move) {
    SinkStatus status;
    status.state = move.from;
    status.bytes = 7;
    if (move.allowed) {
        confcap::sink::transition(status, move.to);
        BOOST_TEST(static_cast<int>(status.state) == static_cast<int>(move.to));
    } else {
        BOOST_CHECK_THROW(confcap::sink::transition(status, move.to), std::logic_error);
        BOOST_TEST(static_cast<int>(status.state) == static_cast<int>(move.from));
    }
    BOOST_TEST(status.bytes == 7u);
}

BOOST_AUTO_TEST_SUITE_END()
