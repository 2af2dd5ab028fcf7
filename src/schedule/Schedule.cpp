#include "confcap/schedule/Schedule.h"

#include <algorithm>
#include <cctype>

namespace confcap::schedule {

namespace {

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

}  // namespace

const Room* Schedule::findRoom(std::string_view nameOrGuid) const {
    if (nameOrGuid.empty()) {
        return nullptr;
    }
    for (const Room& room : rooms) {
        if (equalsIgnoringCase(room.name, nameOrGuid) ||
            (!room.guid.empty() && equalsIgnoringCase(room.guid, nameOrGuid))) {
            return &room;
        }
    }
    return nullptr;
}

}  // namespace confcap::schedule
