// The one spelling of a figure for people: sizes, rates, spans and measured lengths, shared by
// the log, the terminal table, the status page, sidecars and the summary.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace confcap::core {

/// "512 B", "12.3 kB", "123 MB", "1.2 GB": decimal units, at most 4 digits. Pure.
std::string formatBytes(std::uint64_t bytes);

/// "850 kb/s", "4.1 Mb/s"; "-" for 0 or less. Pure.
std::string formatRate(double bitsPerSecond);

/// A span for narrow columns: "45s", "12m", "1h05", "26h". Negative spans count as 0. Pure.
std::string formatSpan(std::chrono::seconds span);

/// "3.2 s", "45 s", "12.5 min": a measured length for messages. Negative lengths count as 0.
/// Pure.
std::string formatSeconds(double seconds);

}  // namespace confcap::core
