#include "confcap/fetch/HttpHeaders.h"

#include <algorithm>

namespace confcap::fetch {

namespace {

bool equalNoCase(std::string_view a, std::string_view b) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [&](char x, char y) { return lower(x) == lower(y); });
}

}  // namespace

void HttpHeaders::add(std::string name, std::string value) {
    fields_.emplace_back(std::move(name), std::move(value));
}

std::optional<std::string> HttpHeaders::get(std::string_view name) const {
    for (const auto& [fieldName, value] : fields_) {
        if (equalNoCase(fieldName, name)) {
            return value;
        }
    }
    return std::nullopt;
}

bool HttpHeaders::contains(std::string_view name) const {
    return get(name).has_value();
}

}  // namespace confcap::fetch
