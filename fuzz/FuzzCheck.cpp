#include "FuzzCheck.h"

#include "confcap/core/Text.h"

namespace confcap::fuzz {

bool isCleanUtf8(std::string_view text) {
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7F) {
            return false;
        }
    }
    return core::toValidUtf8(text) == text;
}

}  // namespace confcap::fuzz
