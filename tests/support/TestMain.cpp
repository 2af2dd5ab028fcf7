// The entry point of every test executable: Boost.Test's runner, from the shared library. The
// suites themselves are in the other sources; CTest runs each with --run_test=<suite>.
#define BOOST_TEST_MODULE confcap
#include <boost/test/unit_test.hpp>
