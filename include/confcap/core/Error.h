// The one error hierarchy: every failure carries whether retrying can help (Transient) or not
// (Permanent), so retry decisions are made from data rather than from chains of catch blocks.
#pragma once

#include <stdexcept>
#include <string>

namespace confcap::core {

enum class ErrorKind { Transient, Permanent };

/// Base of all confcap errors. `what()` is one sentence fit to show a user.
class Error : public std::runtime_error {
public:
    Error(const std::string& message, ErrorKind kind) : std::runtime_error(message), kind_(kind) {}
    ErrorKind kind() const noexcept { return kind_; }
    bool transient() const noexcept { return kind_ == ErrorKind::Transient; }

private:
    ErrorKind kind_;
};

/// A bad option, argument or option value given by the user.
class UsageError : public Error {
public:
    explicit UsageError(const std::string& message) : Error(message, ErrorKind::Permanent) {}
};

/// A configuration file that cannot be read or holds a bad value.
class ConfigError : public Error {
public:
    explicit ConfigError(const std::string& message) : Error(message, ErrorKind::Permanent) {}
};

/// A schedule that cannot be understood (malformed, not a schedule, missing time zone).
class ScheduleError : public Error {
public:
    explicit ScheduleError(const std::string& message) : Error(message, ErrorKind::Permanent) {}
};

/// Getting bytes from a URL or file failed. HTTP status is 0 when no response arrived.
/// `retryAfter` is the server's Retry-After in seconds, or -1 when it gave none.
class FetchError : public Error {
public:
    FetchError(const std::string& message, ErrorKind kind, int httpStatus = 0, long retryAfter = -1)
        : Error(message, kind), httpStatus_(httpStatus), retryAfter_(retryAfter) {}
    int httpStatus() const noexcept { return httpStatus_; }
    long retryAfter() const noexcept { return retryAfter_; }

private:
    int httpStatus_;
    long retryAfter_;
};

/// A local input file (a schedule given as a path) does not exist or cannot be read.
class InputError : public FetchError {
public:
    explicit InputError(const std::string& message) : FetchError(message, ErrorKind::Permanent) {}
};

/// A stream source failed (bad playlist, unsupported encryption, stalled connection).
class SourceError : public Error {
public:
    SourceError(const std::string& message, ErrorKind kind, long retryAfter = -1)
        : Error(message, kind), retryAfter_(retryAfter) {}
    long retryAfter() const noexcept { return retryAfter_; }

private:
    long retryAfter_;
};

/// Writing output failed (folder not writable, disk full, file size limit).
class OutputError : public Error {
public:
    explicit OutputError(const std::string& message) : Error(message, ErrorKind::Permanent) {}
};

}  // namespace confcap::core
