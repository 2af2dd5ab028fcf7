#include "confcap/core/Outcome.h"

#include <ostream>

namespace confcap::core {

const char* toString(Outcome outcome) noexcept {
    switch (outcome) {
        case Outcome::Recorded:
            return "recorded";
        case Outcome::Discarded:
            return "discarded";
        case Outcome::Failed:
            return "failed";
        case Outcome::Skipped:
            return "skipped";
        case Outcome::Cancelled:
            return "cancelled";
        case Outcome::Interrupted:
            return "interrupted";
    }
    return "failed";
}

std::optional<Outcome> outcomeNamed(std::string_view name) noexcept {
    for (const auto outcome : {Outcome::Recorded, Outcome::Discarded, Outcome::Failed,
                               Outcome::Skipped, Outcome::Cancelled, Outcome::Interrupted}) {
        if (name == toString(outcome)) {
            return outcome;
        }
    }
    return std::nullopt;
}

std::ostream& operator<<(std::ostream& out, Outcome outcome) {
    return out << toString(outcome);
}

}  // namespace confcap::core
