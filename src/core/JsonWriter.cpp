#include "confcap/core/JsonWriter.h"

#include <charconv>
#include <string>

#include "confcap/core/Text.h"

namespace confcap::core {

namespace {

// Writing each piece to the stream as it comes costs a stream call per comma and quote; a piece
// this size costs one per many talks.
constexpr std::size_t kPieceBytes = 64 * 1024;

}  // namespace

void JsonWriter::key(std::string_view name) {
    separate();
    string(name);
    pending_ += ": ";
    afterKey_ = true;
}

void JsonWriter::value(std::string_view text) {
    separate();
    string(text);
}

void JsonWriter::value(std::int64_t number) {
    separate();
    char digits[24];
    const auto end = std::to_chars(std::begin(digits), std::end(digits), number).ptr;
    pending_.append(digits, end);
}

void JsonWriter::value(bool flag) {
    separate();
    pending_ += flag ? "true" : "false";
}

void JsonWriter::null() {
    separate();
    pending_ += "null";
}

void JsonWriter::open(char bracket) {
    separate();
    pending_ += bracket;
    empty_.push_back(true);
}

void JsonWriter::close(char bracket) {
    const bool wasEmpty = empty_.back();
    empty_.pop_back();
    if (!wasEmpty) {
        newline();
    }
    pending_ += bracket;
    if (empty_.empty()) {
        pending_ += '\n';
        flush();
    } else if (pending_.size() >= kPieceBytes) {
        flush();
    }
}

void JsonWriter::separate() {
    if (afterKey_) {
        afterKey_ = false;
        return;
    }
    if (empty_.empty()) {
        return;
    }
    if (!empty_.back()) {
        pending_ += ',';
    }
    empty_.back() = false;
    newline();
}

void JsonWriter::newline() {
    pending_ += '\n';
    pending_.append(2 * empty_.size(), ' ');
}

void JsonWriter::string(std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    pending_ += '"';
    std::size_t plain = 0;  // start of the run of characters written as they are
    std::size_t i = 0;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            ++i;
            continue;
        }
        if (c >= 0x80) {
            const std::size_t start = i;
            if (decodeUtf8(text, i)) {
                continue;
            }
            pending_.append(text.data() + plain, start - plain);
            pending_ += "\xEF\xBF\xBD";
            plain = i;
            continue;
        }
        pending_.append(text.data() + plain, i - plain);
        plain = ++i;
        switch (c) {
            case '"':
                pending_ += "\\\"";
                break;
            case '\\':
                pending_ += "\\\\";
                break;
            case '\n':
                pending_ += "\\n";
                break;
            case '\r':
                pending_ += "\\r";
                break;
            case '\t':
                pending_ += "\\t";
                break;
            case '\b':
                pending_ += "\\b";
                break;
            case '\f':
                pending_ += "\\f";
                break;
            default:
                pending_ += "\\u00";
                pending_ += kHex[c >> 4];
                pending_ += kHex[c & 0xF];
        }
    }
    pending_.append(text.data() + plain, text.size() - plain);
    pending_ += '"';
}

void JsonWriter::flush() {
    out_.write(pending_.data(), static_cast<std::streamsize>(pending_.size()));
    pending_.clear();
}

}  // namespace confcap::core
