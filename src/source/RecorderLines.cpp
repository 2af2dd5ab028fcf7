#include "confcap/source/RecorderLines.h"

namespace confcap::source {

namespace {

constexpr std::size_t kLineLimit = 400;
constexpr int kLinesPerMinute = 20;

}  // namespace

RecorderLines::RecorderLines(std::string name, SourceOutput& out)
    : name_(std::move(name)), out_(out) {}

void RecorderLines::feed(std::string_view bytes) {
    for (const char c : bytes) {
        if (c == '\n' || c == '\r') {
            finishLine();
        } else if (partial_.size() < kLineLimit) {
            partial_ += static_cast<unsigned char>(c) < 0x20 && c != '\t' ? ' ' : c;
        }
    }
}

void RecorderLines::flush() {
    finishLine();
    if (held_ > 0) {
        out_.notice(name_ + ": " + std::to_string(held_) +
                    (held_ == 1 ? " more line was" : " more lines were") + " not logged");
        held_ = 0;
    }
}

void RecorderLines::finishLine() {
    const auto begin = partial_.find_first_not_of(" \t");
    if (begin == std::string::npos) {
        partial_.clear();
        return;
    }
    std::string line = partial_.substr(begin);
    partial_.clear();
    if (line.find("Last message repeated") == std::string::npos) {
        last_ = line;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - windowStart_ > std::chrono::minutes(1)) {
        windowStart_ = now;
        logged_ = 0;
    }
    if (logged_ < kLinesPerMinute) {
        ++logged_;
        out_.notice(name_ + ": " + line);
    } else {
        ++held_;
    }
}

}  // namespace confcap::source
