// Header fields of an HTTP response as received: the fetch module's value type for responses and
// streams. Names are matched without regard to case, as HTTP requires.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace confcap::fetch {

/// Header fields in arrival order, looked up case-insensitively.
class HttpHeaders {
public:
    using Field = std::pair<std::string, std::string>;

    /// Appends a field; the name keeps its spelling.
    void add(std::string name, std::string value);
    /// The value of the first field named `name` (any case), or nullopt when there is none.
    std::optional<std::string> get(std::string_view name) const;
    /// True when a field named `name` (any case) is present.
    bool contains(std::string_view name) const;
    /// Every field, in arrival order.
    const std::vector<Field>& fields() const noexcept { return fields_; }

private:
    std::vector<Field> fields_;
};

}  // namespace confcap::fetch
