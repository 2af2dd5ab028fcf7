// A talk's part log ("<stem>.part.log"), as a kill, a full disk or a foreign file leaves it: every
// line read as a log line and added to a part list it continues. No crash or UB; a line read back
// is written as a line that reads back to the same line, and adds what it says to the list.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "FuzzCheck.h"
#include "confcap/sink/PartList.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    std::size_t at = 0;
    while (at <= text.size()) {
        const auto end = std::min(text.find('\n', at), text.size());
        if (const auto read = confcap::sink::partLogLineFrom(text.substr(at, end - at))) {
            const auto line = confcap::sink::partLogText(*read);
            confcap::fuzz::check(!line.empty() && line.find('\n') == line.size() - 1,
                                 "a line is one line, ending with \\n");
            const auto again = confcap::sink::partLogLineFrom(line);
            confcap::fuzz::check(again.has_value(), "a written line reads back");
            confcap::fuzz::check(confcap::sink::partLogText(*again) == line,
                                 "a line read back is written the same");

            // The list it continues: its mark, and its file as the last piece's track.
            confcap::sink::PartList list;
            list.logMark = read->mark;
            confcap::sink::PartTrack track;
            track.track = read->track;
            track.file = read->file;
            list.pieces.push_back({{track}, false});
            const bool applied = !read->mark.empty() && confcap::sink::applyLogLine(list, *read);
            confcap::fuzz::check(applied || read->mark.empty(), "a line continues its list");
            const auto& segments = list.pieces.back().tracks.front().segments;
            confcap::fuzz::check(segments.size() == (applied && read->segment ? 1u : 0u),
                                 "a line adds its segment and nothing else");
            confcap::fuzz::check(!confcap::sink::partListText(list, "room/talk").empty(),
                                 "the list is written");
        }
        at = end + 1;
    }
    return 0;
}
