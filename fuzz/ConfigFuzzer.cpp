// A --config INI file through the reader and the typed options built from it: it is read, or
// fails with a core::Error (a sentence naming the file or option); it never crashes or hangs.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "confcap/app/CommandLine.h"
#include "confcap/app/ListCommand.h"
#include "confcap/app/RunOptions.h"
#include "confcap/core/Error.h"
#include "confcap/select/Selector.h"

using namespace confcap;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::string path = (std::filesystem::temp_directory_path() /
                                     ("confcap-fuzz-" + std::to_string(::getpid()) + ".ini"))
                                        .string();
    {
        std::ofstream file(path, std::ios::binary | std::ios::trunc);
        file.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    }
    for (const auto command : {app::kList, app::kRecord}) {
        app::Arguments arguments;
        try {
            arguments.mergeConfigFile(path, command);
            select::Selector selector(app::selectionRules(arguments));
            if (command == app::kRecord) {
                app::planOptions(arguments);
                app::streamMap(arguments);
                app::durationOption(arguments, "refresh", core::Seconds(300));
                app::durationOption(arguments, "stall-timeout", core::Seconds(20));
                if (const auto minSize = arguments.value("min-size")) {
                    app::parseSize("--min-size", *minSize);
                }
                app::outputFolder(arguments);
            }
        } catch (const core::Error&) {
        }
    }
    return 0;
}
