// The files the status server serves: which file under the output folder a request path names,
// and opening it so that nothing outside that folder (or in its bookkeeping folder) is read.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace confcap::status {

/// The bookkeeping folder under the output folder, and what of it is served: the end-of-run
/// summary as JSON and as a page, and the talks' thumbnails.
inline constexpr std::string_view kBookkeeping = ".confcap";
inline constexpr std::string_view kSummaryFile = ".confcap/summary.json";
inline constexpr std::string_view kSummaryPage = ".confcap/summary.html";
inline constexpr std::string_view kThumbnails = ".confcap/thumbs/";

/// Why a file is not served: the HTTP status to answer and a few words for the log.
struct FileRefusal {
    int status = 404;
    std::string why;
};

/// The path of an HTTP request target: an absolute-form target loses its scheme and authority,
/// and the query and fragment are dropped. Pure.
std::string_view requestPath(std::string_view target);

/// The file a request path names, relative to the output folder: "/summary.json" gives
/// kSummaryFile, "/recordings/P" the percent-decoded P; nullopt for any other path. P is refused
/// (403, 400 or 404) when it is empty, absolute or holds "..", ".", an empty segment, an encoded
/// slash, a NUL or a backslash, in any spelling, or lies in the bookkeeping folder (but for
/// kSummaryFile, kSummaryPage and files under kThumbnails). Pure.
std::optional<std::variant<std::string, FileRefusal>> servedFile(std::string_view path);

/// Opens `relative` (from servedFile) under `outputDir` read-only and returns the descriptor,
/// which the caller closes. The target is resolved (symlinks included) and checked to lie inside
/// the folder before it is opened, and the opened descriptor is checked again; only regular
/// files are served, and a FIFO does not block. Refuses with 403 or 404 otherwise.
std::variant<int, FileRefusal> openServedFile(const std::filesystem::path& outputDir,
                                              const std::string& relative);

/// What a Range header asks of a file: a byte range (both ends inclusive), nothing it holds
/// (416), or the whole file.
struct ByteRange {
    std::uint64_t first, last;  // inclusive
};
struct Unsatisfiable {};
struct WholeFile {};
using RangeRequest = std::variant<WholeFile, ByteRange, Unsatisfiable>;

/// A single "bytes=" range against a file of `size` bytes. Multiple ranges and malformed or
/// inverted ranges are ignored (the whole file is sent), as RFC 9110 allows.
RangeRequest parseRange(std::string_view header, std::uint64_t size);

/// The Content-Type of a served file, by its extension (a .part file by the name before it).
std::string contentType(std::string_view name);

}  // namespace confcap::status
