#include "confcap/fetch/ScheduleSource.h"

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <system_error>

#include <Poco/DigestEngine.h>
#include <Poco/SHA1Engine.h>

#include "confcap/core/Error.h"
#include "confcap/core/FileIo.h"
#include "confcap/core/Time.h"

namespace confcap::fetch {

using core::ErrorKind;
using core::FetchError;

namespace {

constexpr std::string_view kCacheMagic = "confcap-schedule-cache 1";

// The last good bytes of one URL with the validators that came with them.
struct CacheEntry {
    std::string url;
    std::string etag;
    std::string lastModified;
    std::string saved;  // RFC 3339 UTC
    std::string bytes;
};

// "scheme://" with a scheme made of letters marks a URL; anything else is a file path.
bool looksLikeUrl(const std::string& source) {
    const auto end = source.find("://");
    if (end == std::string::npos || end == 0) {
        return false;
    }
    for (std::size_t i = 0; i < end; ++i) {
        const char c = source[i];
        const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (!letter && !(i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))) {
            return false;
        }
    }
    return true;
}

std::optional<CacheEntry> readCache(const std::filesystem::path& file, const std::string& url) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        return std::nullopt;
    }
    CacheEntry entry;
    std::string line;
    if (!std::getline(in, line) || line != kCacheMagic) {
        return std::nullopt;
    }
    while (std::getline(in, line) && !line.empty()) {
        const auto space = line.find(' ');
        const std::string key = line.substr(0, space);
        const std::string value = space == std::string::npos ? "" : line.substr(space + 1);
        if (key == "url") {
            entry.url = value;
        } else if (key == "etag") {
            entry.etag = value;
        } else if (key == "last-modified") {
            entry.lastModified = value;
        } else if (key == "saved") {
            entry.saved = value;
        }
    }
    if (!in || entry.url != url) {
        return std::nullopt;
    }
    entry.bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (in.bad()) {
        return std::nullopt;
    }
    return entry;
}

// Replaced whole (core::replaceFile), so a reader (or a crash) never sees half a cache file.
void writeCache(const std::filesystem::path& file, const CacheEntry& entry) {
    std::filesystem::create_directories(file.parent_path());
    std::string text;
    text.append(kCacheMagic).append("\n");
    text.append("url ").append(entry.url).append("\n");
    text.append("etag ").append(entry.etag).append("\n");
    text.append("last-modified ").append(entry.lastModified).append("\n");
    text.append("saved ").append(entry.saved).append("\n\n");
    text.append(entry.bytes);
    if (!core::replaceFile(file, text)) {
        throw std::runtime_error("writing " + file.string() + " failed: " + std::strerror(errno));
    }
}

// A sentence without its final period, so a clause can follow it.
std::string withoutPeriod(std::string sentence) {
    if (!sentence.empty() && sentence.back() == '.') {
        sentence.pop_back();
    }
    return sentence;
}

std::string fallbackWarning(const std::string& failure, const CacheEntry& cached) {
    return withoutPeriod(failure) + "; using the copy cached at " + cached.saved + ".";
}

}  // namespace

ScheduleSource::ScheduleSource(std::string source) : ScheduleSource(std::move(source), Options{}) {}

ScheduleSource::ScheduleSource(std::string source, Options options, Validator validator)
    : source_(std::move(source)),
      isUrl_(looksLikeUrl(source_)),
      options_(std::move(options)),
      validator_(std::move(validator)) {
    if (options_.cacheDir.empty()) {
        options_.cacheDir = defaultCacheDir();
    }
}

ScheduleSource::~ScheduleSource() = default;

std::filesystem::path ScheduleSource::defaultCacheDir() {
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg == '/') {
        return std::filesystem::path(xdg) / "confcap";
    }
    if (const char* home = std::getenv("HOME"); home && *home != '\0') {
        return std::filesystem::path(home) / ".cache" / "confcap";
    }
    return {};
}

std::filesystem::path ScheduleSource::cacheFile() const {
    if (!isUrl_ || options_.cacheDir.empty()) {
        return {};
    }
    Poco::SHA1Engine sha1;
    sha1.update(source_);
    const std::string hex = Poco::DigestEngine::digestToHex(sha1.digest());
    return options_.cacheDir / ("schedule-" + hex.substr(0, 16) + ".cache");
}

FetchedSchedule ScheduleSource::fetch() {
    return isUrl_ ? fetchUrl() : fetchFile();
}

FetchedSchedule ScheduleSource::fetchFile() {
    const std::filesystem::path path(source_);
    std::error_code error;
    const auto status = std::filesystem::status(path, error);
    if (!std::filesystem::exists(status)) {
        throw core::InputError("The " + options_.what + " file " + source_ + " does not exist.");
    }
    if (std::filesystem::is_directory(status)) {
        throw core::InputError(source_ + " is a folder, not a " + options_.what + " file.");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw core::InputError("Could not read the " + options_.what + " file " + source_ + ": " +
                               std::strerror(errno) + ".");
    }
    FetchedSchedule result;
    // Reserved at the file's size and appended in chunks: resizing first would zero-fill the
    // whole string before the read overwrites it, and growing it as it comes copies it again.
    const auto size = std::filesystem::file_size(path, error);
    if (!error) {
        result.bytes.reserve(static_cast<std::size_t>(size));
    }
    std::array<char, 64 * 1024> chunk;
    while (in.read(chunk.data(), chunk.size()) || in.gcount() > 0) {
        result.bytes.append(chunk.data(), static_cast<std::size_t>(in.gcount()));
    }
    if (in.bad()) {
        throw core::InputError("Could not read the " + options_.what + " file " + source_ + ".");
    }
    result.source = source_;
    remember(result, std::nullopt);
    return result;
}

namespace {

// The GET of `url`, conditional on the validators of `cached` when there is a copy.
HttpRequest requestFor(const std::string& url, const ScheduleSource::Options& options,
                       const std::optional<CacheEntry>& cached) {
    HttpRequest request;
    request.url = url;
    request.connectTimeout = options.connectTimeout;
    request.readTimeout = options.readTimeout;
    request.maxBodyBytes = options.maxBytes;
    if (cached && !cached->etag.empty()) {
        request.headers.emplace_back("If-None-Match", cached->etag);
    }
    if (cached && !cached->lastModified.empty()) {
        request.headers.emplace_back("If-Modified-Since", cached->lastModified);
    }
    return request;
}

// Keeps the body of `response` with its validators as the copy of `url` in `file`; the
// sentence for the user when that fails.
std::optional<std::string> keepCopy(const std::filesystem::path& file, const std::string& url,
                                    const HttpResponse& response,
                                    const ScheduleSource::Options& options) {
    const core::SystemClock systemClock;
    const core::Clock& clock = options.clock ? *options.clock : systemClock;
    CacheEntry entry;
    entry.url = url;
    entry.etag = response.headers.get("ETag").value_or("");
    entry.lastModified = response.headers.get("Last-Modified").value_or("");
    entry.saved = core::formatUtc(std::chrono::floor<std::chrono::seconds>(clock.now()));
    entry.bytes = response.body;
    try {
        writeCache(file, entry);
    } catch (const std::exception& error) {
        return "Could not keep a copy of the " + options.what + " in " + file.string() + " (" +
               error.what() + ").";
    }
    return std::nullopt;
}

}  // namespace

FetchedSchedule ScheduleSource::fetchUrl() {
    const std::filesystem::path file = cacheFile();
    std::optional<CacheEntry> cached;
    if (!file.empty()) {
        cached = readCache(file, source_);
    }
    const std::optional<std::string> baseline =
        cached ? std::optional<std::string>(cached->bytes) : std::nullopt;

    FetchedSchedule result;
    result.source = source_;
    const auto useCache = [&](std::optional<std::string> warning) {
        result.bytes = cached->bytes;
        result.fromCache = warning.has_value();
        result.warning = std::move(warning);
        remember(result, baseline);
        return result;
    };

    if (!client_) {
        client_ = std::make_unique<HttpClient>(HttpClient::Options{options_.caFile, {}});
    }
    HttpResponse response;
    try {
        response = client_->get(requestFor(source_, options_, cached));
    } catch (const FetchError& error) {
        if (!cached) {
            throw;
        }
        return useCache(fallbackWarning(error.what(), *cached));
    }
    if (response.status == 304) {
        if (!cached) {
            throw FetchError(source_ + " answered 304 Not Modified to a request for a copy.",
                             ErrorKind::Transient, 304);
        }
        return useCache(std::nullopt);
    }

    if (validator_) {
        try {
            validator_(response.body);
        } catch (const std::exception& error) {
            if (!cached) {
                throw;
            }
            return useCache(fallbackWarning(error.what(), *cached));
        }
    }

    if (!file.empty()) {
        result.warning = keepCopy(file, source_, response, options_);
    }
    result.bytes = std::move(response.body);
    remember(result, baseline);
    return result;
}

void ScheduleSource::remember(FetchedSchedule& result, const std::optional<std::string>& baseline) {
    const std::pair fingerprint{result.bytes.size(), std::hash<std::string>{}(result.bytes)};
    if (previous_) {
        result.changed = *previous_ != fingerprint;
    } else {
        result.changed = !baseline || *baseline != result.bytes;
    }
    previous_ = fingerprint;
}

}  // namespace confcap::fetch
