#include "confcap/select/NearNames.h"

#include <algorithm>
#include <cctype>
#include <numeric>
#include <set>

namespace confcap::select {

namespace {

/// The lower-case words of `text`: runs of letters and digits (any byte above ASCII counts as a
/// letter, so words in other scripts are kept whole).
std::set<std::string> wordsOf(std::string_view text) {
    std::set<std::string> words;
    std::string word;
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u) || u >= 0x80) {
            word += static_cast<char>(std::tolower(u));
        } else if (!word.empty()) {
            words.insert(std::move(word));
            word.clear();
        }
    }
    if (!word.empty()) {
        words.insert(std::move(word));
    }
    return words;
}

}  // namespace

std::string singleQuoted(std::string_view text) {
    return "'" + std::string(text) + "'";
}

std::string lowered(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

std::size_t editDistance(std::string_view a, std::string_view b) {
    const std::string x = lowered(a);
    const std::string y = lowered(b);
    std::vector<std::size_t> row(y.size() + 1);
    std::iota(row.begin(), row.end(), std::size_t{0});
    for (std::size_t i = 1; i <= x.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= y.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (x[i - 1] != y[j - 1])});
            diagonal = above;
        }
    }
    return row[y.size()];
}

std::string nameList(const std::vector<std::string>& names, std::size_t limit, bool quote) {
    std::string out;
    const std::size_t shown = std::min(names.size(), limit);
    for (std::size_t i = 0; i < shown; ++i) {
        if (i > 0) {
            out += i + 1 == shown && shown == names.size() ? " and " : ", ";
        }
        out += quote ? singleQuoted(names[i]) : names[i];
    }
    if (names.size() > shown) {
        out += " and " + std::to_string(names.size() - shown) + " more";
    }
    return out;
}

std::vector<std::string> closestNames(std::string_view value, const std::vector<std::string>& known,
                                      std::size_t limit) {
    const auto wanted = wordsOf(value);
    struct Scored {
        std::size_t shared;
        std::size_t distance;
        std::size_t index;
    };
    std::vector<Scored> scored;
    scored.reserve(known.size());
    for (std::size_t i = 0; i < known.size(); ++i) {
        const auto words = wordsOf(known[i]);
        const auto shared = static_cast<std::size_t>(std::count_if(
            words.begin(), words.end(), [&](const std::string& w) { return wanted.count(w) > 0; }));
        scored.push_back({shared, editDistance(value, known[i]), i});
    }
    const auto count = std::min(limit, scored.size());
    std::partial_sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(count),
                      scored.end(), [](const Scored& a, const Scored& b) {
                          if (a.shared != b.shared) {
                              return a.shared > b.shared;
                          }
                          return a.distance != b.distance ? a.distance < b.distance
                                                          : a.index < b.index;
                      });
    std::vector<std::string> out;
    for (std::size_t i = 0; i < count; ++i) {
        out.push_back(known[scored[i].index]);
    }
    return out;
}

}  // namespace confcap::select
