// A room tape's index, as a damaged or foreign file would hold it: every line read as a tape
// event. No crash or UB; an event read back is written as a line that reads back to the same line.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "FuzzCheck.h"
#include "confcap/sink/TapeIndex.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    std::size_t at = 0;
    while (at <= text.size()) {
        const auto end = std::min(text.find('\n', at), text.size());
        if (const auto event = confcap::sink::tapeEventFrom(text.substr(at, end - at))) {
            const auto line = confcap::sink::tapeLine(*event);
            confcap::fuzz::check(!line.empty() && line.back() == '\n', "a line ends with \\n");
            const auto again = confcap::sink::tapeEventFrom(line);
            confcap::fuzz::check(again.has_value(), "a written line reads back");
            confcap::fuzz::check(confcap::sink::tapeLine(*again) == line,
                                 "a line read back is written the same");
        }
        at = end + 1;
    }
    return 0;
}
