#include "confcap/plan/ConferencePreset.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <stdexcept>

#include "confcap/core/Text.h"

namespace confcap::plan {

namespace {

struct Section {
    std::string name;
    std::map<std::string, std::string> values;
};

std::string trimmed(std::string_view text) {
    return std::string(core::trimmed(text));
}

std::vector<Section> sections(std::string_view text) {
    std::vector<Section> result;
    int number = 0;
    while (!text.empty()) {
        const auto end = text.find('\n');
        const std::string line = trimmed(text.substr(0, end));
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
        ++number;
        if (line.empty() || line[0] == '#' || line[0] == ';') {
            continue;
        }
        if (line.front() == '[' && line.back() == ']') {
            result.push_back({trimmed(std::string_view(line).substr(1, line.size() - 2)), {}});
            continue;
        }
        const auto eq = line.find('=');
        if (eq == std::string::npos || result.empty()) {
            throw std::invalid_argument("line " + std::to_string(number) +
                                        " of the presets is neither a [section] nor key = value");
        }
        result.back().values[trimmed(std::string_view(line).substr(0, eq))] =
            trimmed(std::string_view(line).substr(eq + 1));
    }
    return result;
}

std::string withYear(std::string value, const std::string& year) {
    for (auto pos = value.find("{year}"); pos != std::string::npos;
         pos = value.find("{year}", pos + year.size())) {
        value.replace(pos, 6, year);
    }
    return value;
}

std::string valueOf(const Section& section, const std::string& key) {
    const auto it = section.values.find(key);
    return it == section.values.end() ? std::string() : it->second;
}

}  // namespace

std::optional<ConferencePreset> findPreset(std::string_view presets, std::string_view slug,
                                           int currentYear) {
    for (const auto& section : sections(presets)) {
        std::string year;
        if (core::equalsIgnoreCase(section.name, slug)) {
            year = std::to_string(currentYear);
        } else if (slug.size() == section.name.size() + 4 &&
                   core::equalsIgnoreCase(section.name, slug.substr(0, section.name.size()))) {
            year = std::string(slug.substr(section.name.size()));
            const bool digits = std::all_of(year.begin(), year.end(), [](char c) {
                return std::isdigit(static_cast<unsigned char>(c)) != 0;
            });
            if (!digits) {
                continue;
            }
        } else {
            continue;
        }
        ConferencePreset preset;
        preset.slug = std::string(slug);
        preset.title = withYear(valueOf(section, "title"), year);
        preset.schedule = withYear(valueOf(section, "schedule"), year);
        preset.timeZone = valueOf(section, "timezone");
        preset.streamTemplate = withYear(valueOf(section, "stream-template"), year);
        return preset;
    }
    return std::nullopt;
}

std::vector<std::string> presetNames(std::string_view presets) {
    std::vector<std::string> names;
    for (const auto& section : sections(presets)) {
        names.push_back(section.name);
    }
    return names;
}

}  // namespace confcap::plan
