// A published file's size and content hash: how `recut` tells that a file is still the one
// confcap published (not changed since by a person or a program) before it replaces it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace confcap::sink {

/// The size and hash of a file's bytes.
struct FileCheck {
    /// XXH128 (XXH3, 128 bits; `xxhsum -H2` prints it) for what confcap publishes: a change
    /// check, not a signature, at a tenth of SHA-256's CPU. SHA-256 for sidecars written
    /// before XXH128 was used.
    enum class Hash { Xxh128, Sha256 };

    std::uint64_t bytes = 0;
    Hash hash = Hash::Xxh128;
    std::string digest;  ///< lower-case hex, in the byte order the hash's own tools print
    bool operator==(const FileCheck&) const = default;
};

/// The sidecar's name of `hash`: "xxh128" or "sha256".
std::string_view hashName(FileCheck::Hash hash) noexcept;

/// Hashes bytes given in order, in pieces. Not thread-safe.
class FileHasher {
public:
    explicit FileHasher(FileCheck::Hash hash = FileCheck::Hash::Xxh128);
    ~FileHasher();
    FileHasher(const FileHasher&) = delete;
    FileHasher& operator=(const FileHasher&) = delete;

    void add(std::string_view bytes);
    /// The check of every byte added. Call once.
    FileCheck done();

private:
    struct State;
    std::unique_ptr<State> state_;
};

/// The check of the file at `path` with `hash`; none when it cannot be read. Reads it whole.
std::optional<FileCheck> fileCheckOf(const std::filesystem::path& path,
                                     FileCheck::Hash hash = FileCheck::Hash::Xxh128);

}  // namespace confcap::sink
