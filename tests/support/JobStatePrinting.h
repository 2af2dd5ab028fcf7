#pragma once

#include <ostream>

#include "confcap/run/Report.h"

namespace confcap::run {

/// Lets BOOST_TEST name the states when a comparison of job states fails.
inline std::ostream& operator<<(std::ostream& out, JobState state) {
    return out << toString(state);
}

}  // namespace confcap::run
