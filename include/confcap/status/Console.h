// The one object that writes to the operator's console, so that log lines and the live status
// table share it without tearing: the table is a block kept at the bottom, and every line printed
// goes above it (the block is cleared, the line written, the block redrawn).
#pragma once

#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace confcap::status {

class Console {
public:
    /// Writes all of the given bytes (or fails silently: a console is best effort).
    using Writer = std::function<void(std::string_view)>;

    /// Writes to file descriptor `fd` (not owned). `terminal` overrides the isatty(fd) decision.
    /// The size is read from the terminal (TIOCGWINSZ) at each use; 80x24 when unknown.
    explicit Console(int fd, std::optional<bool> terminal = std::nullopt);
    /// Writes through `writer`, for tests and for consoles that are not file descriptors.
    Console(Writer writer, bool terminal, std::size_t width = 80, std::size_t height = 24);

    Console(const Console&) = delete;
    Console& operator=(const Console&) = delete;

    /// Whether this console is a terminal (cursor movement and colour may be used).
    bool terminal() const noexcept { return terminal_; }
    /// Columns of the terminal, at least 20. Thread-safe.
    std::size_t width() const;
    /// Rows of the terminal, at least 5. Thread-safe.
    std::size_t height() const;

    /// Prints `text` (one or more complete lines; a final newline is added when missing) above
    /// the block. Lines printed by concurrent callers never interleave. Thread-safe.
    void print(std::string_view text);
    /// Replaces the block at the bottom of a terminal with `lines` (valid UTF-8, no control
    /// characters), redrawn in place with cursor-up and clear-line sequences. Lines are cut to
    /// width() - 1 columns and the block to height() - 1 lines. Does nothing when the console is
    /// not a terminal. Thread-safe.
    void showBlock(std::vector<std::string> lines);
    /// Removes the block from the screen (before the program prints its last words). Thread-safe.
    void clearBlock();

private:
    /// The escape sequence that moves back over the drawn block and erases it; empty when none.
    std::string eraseSequence() const;
    std::string drawSequence() const;

    Writer writer_;
    bool terminal_;
    int fd_ = -1;
    std::size_t width_ = 80, height_ = 24;
    mutable std::mutex mutex_;
    std::vector<std::string> block_;
    std::size_t drawnLines_ = 0;
};

}  // namespace confcap::status
