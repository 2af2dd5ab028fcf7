#include "confcap/core/JsonWriter.h"

#include <string>

namespace confcap::core {

void JsonWriter::key(std::string_view name) {
    separate();
    string(name);
    out_ << ": ";
    afterKey_ = true;
}

void JsonWriter::value(std::string_view text) {
    separate();
    string(text);
}

void JsonWriter::value(std::int64_t number) {
    separate();
    out_ << number;
}

void JsonWriter::value(bool flag) {
    separate();
    out_ << (flag ? "true" : "false");
}

void JsonWriter::null() {
    separate();
    out_ << "null";
}

void JsonWriter::open(char bracket) {
    separate();
    out_ << bracket;
    empty_.push_back(true);
}

void JsonWriter::close(char bracket) {
    const bool wasEmpty = empty_.back();
    empty_.pop_back();
    if (!wasEmpty) {
        newline();
    }
    out_ << bracket;
    if (empty_.empty()) {
        out_ << '\n';
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
        out_ << ',';
    }
    empty_.back() = false;
    newline();
}

void JsonWriter::newline() {
    out_ << '\n';
    for (std::size_t i = 0; i < empty_.size(); ++i) {
        out_ << "  ";
    }
}

void JsonWriter::string(std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    out_ << '"';
    std::size_t plain = 0;  // start of the run of characters written as they are
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c != '"' && c != '\\') {
            continue;
        }
        out_.write(text.data() + plain, static_cast<std::streamsize>(i - plain));
        plain = i + 1;
        switch (c) {
            case '"':
                out_ << "\\\"";
                break;
            case '\\':
                out_ << "\\\\";
                break;
            case '\n':
                out_ << "\\n";
                break;
            case '\r':
                out_ << "\\r";
                break;
            case '\t':
                out_ << "\\t";
                break;
            case '\b':
                out_ << "\\b";
                break;
            case '\f':
                out_ << "\\f";
                break;
            default:
                out_ << "\\u00" << kHex[c >> 4] << kHex[c & 0xF];
        }
    }
    out_.write(text.data() + plain, static_cast<std::streamsize>(text.size() - plain));
    out_ << '"';
}

}  // namespace confcap::core
