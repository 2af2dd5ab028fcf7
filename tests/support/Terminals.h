// Terminals for the tests of what the status module draws on one: a pseudo-terminal that collects
// what a program writes to it, and enough of a terminal to replay that output and read the screen
// it leaves.
#pragma once

#include <boost/test/unit_test.hpp>

#include <pty.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "confcap/status/TextFormat.h"

namespace confcap::testing {

/// Enough of a terminal to replay what the table wrote: printable UTF-8, CR, LF, line wrap,
/// cursor up (CUU), erase in line (EL 0), erase below (ED 0) and colours (SGR, ignored). Any
/// other escape sequence is collected in `unexpected`.
class VirtualTerminal {
public:
    VirtualTerminal(std::size_t columns, std::size_t rows) : columns_(columns), rows_(rows) {
        lines_.emplace_back();
    }

    void feed(std::string_view bytes) {
        for (std::size_t i = 0; i < bytes.size();) {
            const char c = bytes[i];
            if (c == '\x1b') {
                i = escape(bytes, i);
            } else if (c == '\r') {
                column_ = 0;
                ++i;
            } else if (c == '\n') {
                newline();
                ++i;
            } else {
                std::size_t length = 1;
                const auto lead = static_cast<unsigned char>(c);
                if (lead >= 0xF0) {
                    length = 4;
                } else if (lead >= 0xE0) {
                    length = 3;
                } else if (lead >= 0xC0) {
                    length = 2;
                }
                put(std::string(bytes.substr(i, length)));
                i += length;
            }
        }
    }

    /// Every line written (scrollback included), trailing blanks and empty last lines removed.
    std::vector<std::string> lines() const {
        std::vector<std::string> out;
        for (const auto& cells : lines_) {
            std::string text;
            for (const auto& cell : cells) {
                text += cell;
            }
            text.erase(text.find_last_not_of(' ') + 1);
            out.push_back(text);
        }
        while (!out.empty() && out.back().empty()) {
            out.pop_back();
        }
        return out;
    }

    std::vector<std::string> unexpected;

private:
    void newline() {
        ++row_;
        if (row_ == lines_.size()) {
            lines_.emplace_back();
        }
    }

    void put(const std::string& character) {
        const auto width = std::max<std::size_t>(1, status::displayWidth(character));
        if (column_ + width > columns_) {
            column_ = 0;
            newline();
        }
        auto& cells = lines_[row_];
        if (cells.size() < column_ + width) {
            cells.resize(column_ + width, " ");
        }
        cells[column_] = character;
        for (std::size_t k = 1; k < width; ++k) {
            cells[column_ + k] = "";
        }
        column_ += width;
    }

    std::size_t escape(std::string_view bytes, std::size_t at) {
        if (at + 1 >= bytes.size() || bytes[at + 1] != '[') {
            unexpected.emplace_back(bytes.substr(at, 2));
            return at + 2;
        }
        auto end = at + 2;
        while (end < bytes.size() && (std::isdigit(static_cast<unsigned char>(bytes[end])) ||
                                      bytes[end] == ';' || bytes[end] == '?')) {
            ++end;
        }
        const auto parameters = std::string(bytes.substr(at + 2, end - at - 2));
        const char final = bytes[end];
        const auto n = parameters.empty() ? 1 : std::stoul(parameters);
        const auto top = lines_.size() > rows_ ? lines_.size() - rows_ : 0;
        if (final == 'A' && parameters.find_first_not_of("0123456789") == std::string::npos) {
            row_ = row_ >= top + n ? row_ - n : top;
        } else if (final == 'K' && parameters.empty()) {
            if (lines_[row_].size() > column_) {
                lines_[row_].resize(column_);
            }
        } else if (final == 'J' && parameters.empty()) {
            if (lines_[row_].size() > column_) {
                lines_[row_].resize(column_);
            }
            lines_.resize(row_ + 1);
        } else if (final != 'm') {
            unexpected.emplace_back(bytes.substr(at, end - at + 1));
        }
        return end + 1;
    }

    std::size_t columns_, rows_;
    std::vector<std::vector<std::string>> lines_;
    std::size_t row_ = 0, column_ = 0;
};

/// A pseudo-terminal of 80x24 whose output side is read into `output` on a thread.
class PseudoTerminal {
public:
    PseudoTerminal() {
        winsize size{};
        size.ws_col = 80;
        size.ws_row = 24;
        BOOST_REQUIRE(::openpty(&master_, &slave_, nullptr, nullptr, &size) == 0);
        reader_ = std::thread([this] {
            char buffer[4096];
            for (ssize_t n; (n = ::read(master_, buffer, sizeof buffer)) > 0;) {
                std::lock_guard lock(mutex_);
                output_.append(buffer, static_cast<std::size_t>(n));
            }
        });
    }
    ~PseudoTerminal() {
        closeSlave();
        if (reader_.joinable()) {
            reader_.join();
        }
        ::close(master_);
    }
    int slave() const { return slave_; }
    /// Closes the terminal side and returns everything that was written to it.
    std::string finish() {
        closeSlave();
        reader_.join();
        return output_;
    }

private:
    void closeSlave() {
        if (slave_ >= 0) {
            ::close(slave_);
            slave_ = -1;
        }
    }
    int master_ = -1, slave_ = -1;
    std::thread reader_;
    std::mutex mutex_;
    std::string output_;
};

}  // namespace confcap::testing
