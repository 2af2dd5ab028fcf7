// The one error hierarchy: every failure carries how much waiting can help (ErrorKind) and the
// server's Retry-After when it gave one, so retry decisions are made from data rather than from
// chains of catch blocks.
#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

namespace confcap::core {

/// How much another attempt can help.
enum class ErrorKind {
    /// An attempt a moment later may succeed: a network error, HTTP 5xx, a stall.
    Transient,
    /// This request failed for good (HTTP 404, a page that is not a playlist): a one-off fetch
    /// such as a schedule gives up, but a live stream inside its window keeps being tried, since
    /// a stream that is not live yet or restarting answers exactly so.
    Permanent,
    /// No attempt can ever succeed: a URL confcap cannot use, an unsupported encryption.
    Unusable,
};

/// Base of all confcap errors. `what()` is one sentence fit to show a user.
class Error : public std::runtime_error {
public:
    Error(const std::string& message, ErrorKind kind,
          std::optional<std::chrono::seconds> retryAfter = std::nullopt)
        : std::runtime_error(message), kind_(kind), retryAfter_(retryAfter) {}
    ErrorKind kind() const noexcept { return kind_; }
    bool transient() const noexcept { return kind_ == ErrorKind::Transient; }
    /// How long the server asked to wait before the next attempt (Retry-After), when it did.
    std::optional<std::chrono::seconds> retryAfter() const noexcept { return retryAfter_; }

private:
    ErrorKind kind_;
    std::optional<std::chrono::seconds> retryAfter_;
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
class FetchError : public Error {
public:
    /// What went wrong, for a one-word report (a stream check) without reading the message.
    enum class Cause {
        Other,
        Http,          ///< the server answered a status that is not 2xx (httpStatus())
        Certificate,   ///< the TLS certificate could not be verified
        Refused,       ///< the connection was refused
        HostNotFound,  ///< the host name did not resolve
        Timeout,       ///< no answer, or no data, within the time limit
        Reset,         ///< the connection was reset or closed without an answer
    };

    FetchError(const std::string& message, ErrorKind kind, int httpStatus = 0,
               std::optional<std::chrono::seconds> retryAfter = std::nullopt)
        : Error(message, kind, retryAfter),
          httpStatus_(httpStatus),
          cause_(httpStatus != 0 ? Cause::Http : Cause::Other) {}
    FetchError(const std::string& message, ErrorKind kind, Cause cause)
        : Error(message, kind), httpStatus_(0), cause_(cause) {}
    int httpStatus() const noexcept { return httpStatus_; }
    Cause cause() const noexcept { return cause_; }

private:
    int httpStatus_;
    Cause cause_;
};

/// A local input file (a schedule given as a path) does not exist or cannot be read.
class InputError : public FetchError {
public:
    explicit InputError(const std::string& message) : FetchError(message, ErrorKind::Permanent) {}
};

/// A stream source failed (bad playlist, unsupported encryption, stalled connection).
class SourceError : public Error {
public:
    SourceError(const std::string& message, ErrorKind kind,
                std::optional<std::chrono::seconds> retryAfter = std::nullopt)
        : Error(message, kind, retryAfter) {}
};

/// A part of confcap that a task needs is not installed (or belongs to another build of it).
class NotInstalledError : public Error {
public:
    explicit NotInstalledError(const std::string& message) : Error(message, ErrorKind::Unusable) {}
};

/// Writing output failed (folder not writable, disk full, file size limit).
class OutputError : public Error {
public:
    explicit OutputError(const std::string& message) : Error(message, ErrorKind::Permanent) {}
};

}  // namespace confcap::core
