// Debian's Chromium, headless, as the tests' browser: load a page (http or file URL), let its
// script run, and return the DOM it ended with, or take a screenshot of it. Each call has a
// profile and home of its own under `folder`.
#pragma once

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/RunProcess.h"
#include "support/TextCount.h"

namespace confcap::testing {

inline const char* const kChromium = "/usr/bin/chromium";

/// A Boost.Test precondition: the test runs only when Chromium is installed.
inline boost::test_tools::assertion_result chromiumPresent(boost::unit_test::test_unit_id) {
    boost::test_tools::assertion_result present(std::filesystem::exists(kChromium));
    present.message() << kChromium << " is not installed (apt-get install chromium)";
    return present;
}

/// What to do with a page.
struct BrowserRun {
    std::string url;
    int width = 1280;
    int height = 900;
    bool script = true;
    /// Milliseconds of (virtual) time the page's timers get before the DOM is taken.
    int budget = 5000;
    /// When not empty, a PNG of the page is written here instead of dumping the DOM.
    std::filesystem::path screenshot;
};

/// Runs headless Chromium on `run` with a fresh profile under `folder`; `out` of the result is
/// the serialized DOM (when not taking a screenshot), `err` its log with console messages.
inline ProcessResult browse(const BrowserRun& run, const std::filesystem::path& folder) {
    static int calls = 0;
    const auto profile = folder / ("browser-" + std::to_string(++calls));
    const auto home = profile / "home";
    std::filesystem::create_directories(home);
    std::vector<std::string> args = {
        "60", kChromium, "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--hide-scrollbars", "--user-data-dir=" + (profile / "data").string(),
        "--enable-logging=stderr", "--v=0",
        "--window-size=" + std::to_string(run.width) + "," + std::to_string(run.height),
        // Lets the page's timers run (virtually) so its refresh from /api/status happens.
        "--virtual-time-budget=" + std::to_string(run.budget)};
    if (!run.script) {
        args.push_back("--blink-settings=scriptEnabled=false");
    }
    if (run.screenshot.empty()) {
        args.push_back("--dump-dom");
    } else {
        args.push_back("--screenshot=" + run.screenshot.string());
    }
    args.push_back(run.url);
    return runProcess("/usr/bin/timeout", args,
                      {{"HOME", home.string()},
                       {"XDG_CONFIG_HOME", (home / ".config").string()},
                       {"XDG_CACHE_HOME", (home / ".cache").string()}});
}

/// A PNG file's picture size from its IHDR chunk; {0, 0} when `file` is not a PNG.
inline std::pair<std::uint32_t, std::uint32_t> pngSize(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::string head(24, '\0');
    if (!in.read(head.data(), 24) || head.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0 ||
        head.compare(12, 4, "IHDR") != 0) {
        return {0, 0};
    }
    const auto number = [&head](std::size_t at) {
        std::uint32_t value = 0;
        for (std::size_t i = 0; i < 4; ++i) {
            value = (value << 8) | static_cast<unsigned char>(head[at + i]);
        }
        return value;
    };
    return {number(16), number(20)};
}

}  // namespace confcap::testing
