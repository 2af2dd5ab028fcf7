// The JSON spellings the part list and the sidecar share: a recorded gap (the cause, the failure
// and the HLS sequences lost, with the gap's times in the form of each document), instants in
// milliseconds and lengths in seconds to the millisecond; and the lines of the logs (the tape
// index, the part log), one JSON object each.
#pragma once

#include <Poco/JSON/Object.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "confcap/sink/Recording.h"

namespace confcap::sink {

/// A JSON object that keeps its keys in the order they are set, as the documents are written.
Poco::JSON::Object::Ptr newJsonObject();

/// `object` as a line of a log: compact JSON, then "\n".
std::string jsonLine(const Poco::JSON::Object& object);
/// The object a log line holds; null when the line is not one (cut off when its writer died).
/// Never throws.
Poco::JSON::Object::Ptr objectOfLine(std::string_view line) noexcept;

/// An instant as milliseconds since the epoch (the part list's "...Ms" fields), and back; a value
/// the clock cannot hold (beyond the year 2200 either way) is not a time of ours and throws
/// Poco::DataException. Pure.
std::int64_t epochMillis(std::chrono::system_clock::time_point t);
std::chrono::system_clock::time_point fromEpochMillis(std::int64_t ms);

/// A length as seconds to the millisecond (the sidecar's "...Seconds" fields), and back. Pure.
double secondsOf(std::chrono::milliseconds length);
std::chrono::milliseconds lengthOf(double seconds);

/// Seconds rounded to the millisecond. Pure.
double roundedSeconds(double seconds);

/// How a document tells a gap's times.
enum class GapTimes {
    /// The part list: "atMs" (milliseconds since the epoch) and "lengthMs".
    Milliseconds,
    /// The sidecar: "at" (RFC 3339 UTC to the second), "offsetSeconds" after the window's start
    /// and "lengthSeconds", to the millisecond. "at" is left out when the gap's `at` is the
    /// epoch: a gap of a merged file, which tells only where it lies in the file.
    Seconds,
};

/// The gap as a JSON object: its times, "cause", and "detail", "firstSequence", "lastSequence"
/// when known. Pure.
Poco::JSON::Object::Ptr gapJson(const RecordedGap& gap, GapTimes times);

/// The gap from such an object. In the part list's form the offset is `at` minus
/// `windowStart`; in the sidecar's it is read, and `at` is the epoch when the object has none.
/// Missing fields stay empty. Throws Poco::Exception when a field holds the wrong kind of value.
RecordedGap gapFrom(const Poco::JSON::Object& object, GapTimes times,
                    std::chrono::system_clock::time_point windowStart);

}  // namespace confcap::sink
