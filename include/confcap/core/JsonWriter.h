// JSON written as it goes, for outputs too large to build as a tree first: `list --json` of a
// schedule with 100 000 talks.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace confcap::core {

/// Writes one JSON value to a stream, indented by two spaces a level. The caller pairs every
/// begin with its end and gives each member of an object its key first; nothing is checked.
/// Strings are written as valid UTF-8: an invalid sequence becomes U+FFFD, as core::toValidUtf8
/// makes it. Output is collected in pieces and reaches the stream when a piece is full, when
/// the outermost value ends, and on destruction.
class JsonWriter {
public:
    explicit JsonWriter(std::ostream& out) : out_(out) {}
    ~JsonWriter() { flush(); }
    JsonWriter(const JsonWriter&) = delete;
    JsonWriter& operator=(const JsonWriter&) = delete;

    void beginObject() { open('{'); }
    void endObject() { close('}'); }
    void beginArray() { open('['); }
    void endArray() { close(']'); }
    /// The key of the next member of the object open now.
    void key(std::string_view name);

    void value(std::string_view text);
    void value(const char* text) { value(std::string_view(text)); }
    void value(std::int64_t number);
    void value(bool flag);
    void null();

    /// key(name), then value(v).
    template <typename T>
    void member(std::string_view name, const T& v) {
        key(name);
        value(v);
    }

private:
    void open(char bracket);
    void close(char bracket);
    /// The comma and line break before a value or key, unless it follows a key.
    void separate();
    void newline();
    void string(std::string_view text);
    /// Hands what was collected to the stream.
    void flush();

    std::ostream& out_;
    std::string pending_;
    std::vector<bool> empty_;  ///< per open level: nothing written in it yet
    bool afterKey_ = false;
};

}  // namespace confcap::core
