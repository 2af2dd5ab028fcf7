#include "confcap/sink/FileCheck.h"

#include <Poco/SHA2Engine.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

// XXH3_state_t is declared whole, to be held by value.
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>
#ifdef CONFCAP_XXH_DISPATCH
// XXH3_128bits_update becomes the library's version that uses the CPU's widest vector unit.
#include <xxh_x86dispatch.h>
#endif

namespace confcap::sink {

namespace {

/// How much of a file fileCheckOf reads at once. Small: the talks that end together are
/// hashed at once, each on its own thread.
constexpr std::size_t kReadSize = 64 * 1024;

std::string hexOf(const unsigned char* bytes, std::size_t size) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(2 * size);
    for (std::size_t i = 0; i < size; ++i) {
        hex += kDigits[bytes[i] >> 4];
        hex += kDigits[bytes[i] & 0x0F];
    }
    return hex;
}

}  // namespace

std::string_view hashName(FileCheck::Hash hash) noexcept {
    return hash == FileCheck::Hash::Sha256 ? "sha256" : "xxh128";
}

struct FileHasher::State {
    FileCheck::Hash hash;
    std::uint64_t bytes = 0;
    XXH3_state_t xxh{};
    // Only to check a file against a sidecar written before XXH128 was its hash.
    std::optional<Poco::SHA2Engine> sha;
};

FileHasher::FileHasher(FileCheck::Hash hash) : state_(std::make_unique<State>()) {
#ifdef CONFCAP_XXH_DISPATCH
    // The library picks its implementation at its first call, without a lock: that call is made
    // once here, before hashers on several threads could make it at once.
    static const bool dispatched = [] {
        XXH3_state_t state;
        XXH3_INITSTATE(&state);
        XXH3_128bits_reset(&state);
        return XXH3_128bits_update(&state, "", 0) == XXH_OK;
    }();
    static_cast<void>(dispatched);
#endif
    state_->hash = hash;
    if (hash == FileCheck::Hash::Sha256) {
        state_->sha.emplace(Poco::SHA2Engine::SHA_256);
    } else {
        XXH3_INITSTATE(&state_->xxh);
        XXH3_128bits_reset(&state_->xxh);
    }
}

FileHasher::~FileHasher() = default;

void FileHasher::add(std::string_view bytes) {
    state_->bytes += bytes.size();
    if (state_->sha) {
        state_->sha->update(bytes.data(), bytes.size());
    } else {
        XXH3_128bits_update(&state_->xxh, bytes.data(), bytes.size());
    }
}

FileCheck FileHasher::done() {
    FileCheck check;
    check.bytes = state_->bytes;
    check.hash = state_->hash;
    if (state_->sha) {
        const auto& digest = state_->sha->digest();
        check.digest = hexOf(digest.data(), digest.size());
    } else {
        XXH128_canonical_t canonical;
        XXH128_canonicalFromHash(&canonical, XXH3_128bits_digest(&state_->xxh));
        check.digest = hexOf(canonical.digest, sizeof canonical.digest);
    }
    return check;
}

std::optional<FileCheck> fileCheckOf(const std::filesystem::path& path, FileCheck::Hash hash) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return std::nullopt;
    }
    FileHasher hasher(hash);
    std::vector<char> buffer(kReadSize);
    for (;;) {
        const auto n = ::read(fd, buffer.data(), buffer.size());
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            ::close(fd);
            return n == 0 ? std::optional(hasher.done()) : std::nullopt;
        }
        hasher.add({buffer.data(), static_cast<std::size_t>(n)});
    }
}

}  // namespace confcap::sink
