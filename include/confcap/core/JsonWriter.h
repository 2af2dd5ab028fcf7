// JSON written as it goes, for outputs too large to build as a tree first: `list --json` of a
// schedule with 100 000 talks. Strings must be valid UTF-8 (core::toValidUtf8).
#pragma once

#include <cstdint>
#include <ostream>
#include <string_view>
#include <vector>

namespace confcap::core {

/// Writes one JSON value to a stream, indented by two spaces a level. The caller pairs every
/// begin with its end and gives each member of an object its key first; nothing is checked.
class JsonWriter {
public:
    explicit JsonWriter(std::ostream& out) : out_(out) {}

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

    std::ostream& out_;
    std::vector<bool> empty_;  ///< per open level: nothing written in it yet
    bool afterKey_ = false;
};

}  // namespace confcap::core
