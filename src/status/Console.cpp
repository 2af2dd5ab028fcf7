#include "confcap/status/Console.h"

#include "confcap/core/FileIo.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "confcap/status/TextFormat.h"

namespace confcap::status {

Console::Console(int fd, std::optional<bool> terminal)
    : writer_([fd](std::string_view bytes) { core::writeAll(fd, bytes); }),
      terminal_(terminal.value_or(::isatty(fd) == 1)),
      fd_(fd) {}

Console::Console(Writer writer, bool terminal, std::size_t width, std::size_t height)
    : writer_(std::move(writer)), terminal_(terminal), width_(width), height_(height) {}

std::size_t Console::width() const {
    std::size_t columns = width_;
    winsize size{};
    if (fd_ >= 0 && ::ioctl(fd_, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) {
        columns = size.ws_col;
    }
    return std::max<std::size_t>(columns, 20);
}

std::size_t Console::height() const {
    std::size_t rows = height_;
    winsize size{};
    if (fd_ >= 0 && ::ioctl(fd_, TIOCGWINSZ, &size) == 0 && size.ws_row > 0) {
        rows = size.ws_row;
    }
    return std::max<std::size_t>(rows, 5);
}

std::string Console::eraseSequence() const {
    if (drawnLines_ == 0) {
        return {};
    }
    // Back to column 0 of the block's first line, then erase from there to the end of the screen.
    return "\r\x1b[" + std::to_string(drawnLines_) + "A\x1b[J";
}

std::string Console::drawSequence() const {
    std::string out;
    for (const auto& line : block_) {
        out += line;
        out += "\x1b[K\n";
    }
    return out;
}

void Console::print(std::string_view text) {
    std::string out;
    std::lock_guard lock(mutex_);
    if (terminal_) {
        out = eraseSequence();
    }
    out.append(text);
    if (out.empty() || out.back() != '\n') {
        out.push_back('\n');
    }
    if (terminal_) {
        out += drawSequence();
    }
    writer_(out);
}

void Console::showBlock(std::vector<std::string> lines) {
    if (!terminal_) {
        return;
    }
    // A line that wraps or a block taller than the screen would break the cursor-up count.
    const auto columns = width() - 1;
    const auto rows = height() - 1;
    if (lines.size() > rows) {
        lines.resize(rows);
    }
    for (auto& line : lines) {
        line = truncateToWidth(line, columns);
    }
    std::lock_guard lock(mutex_);
    block_ = std::move(lines);
    // Redraw over the old block line by line (each line clears its own rest) rather than
    // erasing it first, so the screen does not flicker; then clear whatever the old block
    // had below the new one.
    std::string out;
    if (drawnLines_ > 0) {
        out = "\r\x1b[" + std::to_string(drawnLines_) + "A";
    }
    out += drawSequence();
    out += "\x1b[J";
    drawnLines_ = block_.size();
    writer_(out);
}

void Console::clearBlock() {
    if (!terminal_) {
        return;
    }
    std::lock_guard lock(mutex_);
    const auto out = eraseSequence();
    block_.clear();
    drawnLines_ = 0;
    if (!out.empty()) {
        writer_(out);
    }
}

}  // namespace confcap::status
