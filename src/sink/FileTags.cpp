#include "confcap/sink/FileTags.h"

#include <pugixml.hpp>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "confcap/core/Text.h"
#include "confcap/core/Time.h"

namespace confcap::sink {

namespace {

/// `raw` as valid UTF-8 without the control characters XML 1.0 and metadata files cannot hold;
/// with `keepLines`, line breaks stay (as "\n").
std::string printable(std::string_view raw, bool keepLines) {
    const auto valid = core::toValidUtf8(raw);
    const std::string_view text = valid;
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
            continue;
        }
        if (c == '\n' || c == '\r') {
            out += keepLines ? '\n' : ' ';
        } else if (c == '\t') {
            out += ' ';
        } else if (c >= 0x20 && c != 0x7f) {
            out += static_cast<char>(c);
        }
    }
    return std::string(core::trimmed(out));
}

std::string joined(const std::vector<std::string>& values, std::string_view separator) {
    std::string out;
    for (const auto& value : values) {
        const auto clean = printable(value, false);
        if (!clean.empty()) {
            out += (out.empty() ? "" : std::string(separator)) + clean;
        }
    }
    return out;
}

/// An ffmetadata value: '=', ';', '#', '\' and line breaks escaped with a backslash.
std::string escapedMetadata(std::string_view value) {
    std::string out;
    for (char c : value) {
        if (c == '=' || c == ';' || c == '#' || c == '\\' || c == '\n') {
            out += '\\';
        }
        out += c;
    }
    return out;
}

std::int64_t millisecondsOf(double seconds) {
    return static_cast<std::int64_t>(std::llround(seconds * 1000.0));
}

}  // namespace

std::optional<Container> containerNamed(std::string_view name) {
    if (core::equalsIgnoreCase(name, "ts")) {
        return Container::AsRecorded;
    }
    if (core::equalsIgnoreCase(name, "mkv")) {
        return Container::Matroska;
    }
    if (core::equalsIgnoreCase(name, "mp4")) {
        return Container::Mp4;
    }
    return std::nullopt;
}

std::string_view toString(Container container) {
    switch (container) {
        case Container::Matroska:
            return "mkv";
        case Container::Mp4:
            return "mp4";
        case Container::AsRecorded:
            break;
    }
    return "ts";
}

std::string extensionIn(Container container, std::string_view recordedExtension) {
    return container == Container::AsRecorded ? std::string(recordedExtension)
                                              : std::string(toString(container));
}

FileTags fileTagsFor(const TalkMetadata& talk, std::string_view extension,
                     std::optional<std::chrono::system_clock::time_point> mediaStart,
                     double mediaSeconds) {
    FileTags file;
    auto add = [&](std::string key, std::string_view value, bool keepLines = false) {
        auto clean = printable(value, keepLines);
        if (!clean.empty()) {
            file.tags.emplace_back(std::move(key), std::move(clean));
        }
    };
    if (extension == "ts") {
        add("service_name", talk.title);
        add("service_provider", talk.conference);
        return file;
    }
    add("title", talk.title);
    add("subtitle", talk.subtitle);
    add("artist", joined(talk.persons, ", "));
    add("album", talk.conference);
    add("date", talk.date);
    add("genre", talk.track);
    add("language", talk.language);
    add("room", talk.room);
    add("url", talk.url);
    add("comment", joined({talk.room, talk.url}, ", "));
    add("description", talk.abstract, true);
    add("synopsis", talk.abstract, true);

    if (!mediaStart || !talk.start || !talk.end || !(mediaSeconds > 0)) {
        return file;
    }
    const auto offset = [&](core::Instant at) {
        const auto from = std::chrono::duration<double>(at.time_since_epoch()) -
                          std::chrono::duration<double>(mediaStart->time_since_epoch());
        return std::clamp(from.count(), 0.0, mediaSeconds);
    };
    const double talkStart = offset(*talk.start);
    const double talkEnd = std::max(talkStart, offset(*talk.end));
    constexpr double kShortest = 1.0;  // a chapter shorter than this is left out
    if (talkStart >= kShortest) {
        file.chapters.push_back({0, talkStart, "Before the talk"});
    }
    if (talkEnd - talkStart >= kShortest) {
        const auto title = printable(talk.title, false);
        file.chapters.push_back({talkStart, talkEnd, title.empty() ? "The talk" : title});
    }
    if (mediaSeconds - talkEnd >= kShortest) {
        file.chapters.push_back({talkEnd, mediaSeconds, "After the talk"});
    }
    return file;
}

std::string ffmetadataText(const FileTags& tags) {
    std::string text = ";FFMETADATA1\n";
    for (const auto& [key, value] : tags.tags) {
        text += key + "=" + escapedMetadata(printable(value, true)) + "\n";
    }
    for (const auto& chapter : tags.chapters) {
        text += "[CHAPTER]\nTIMEBASE=1/1000\nSTART=" +
                std::to_string(millisecondsOf(chapter.startSeconds)) +
                "\nEND=" + std::to_string(millisecondsOf(chapter.endSeconds)) +
                "\ntitle=" + escapedMetadata(printable(chapter.title, false)) + "\n";
    }
    return text;
}

std::string nfoText(const TalkMetadata& talk) {
    pugi::xml_document document;
    auto declaration = document.append_child(pugi::node_declaration);
    declaration.append_attribute("version") = "1.0";
    declaration.append_attribute("encoding") = "UTF-8";
    declaration.append_attribute("standalone") = "yes";
    auto movie = document.append_child("movie");
    auto add = [&](const char* name, std::string_view value, bool keepLines = false) {
        const auto clean = printable(value, keepLines);
        if (!clean.empty()) {
            movie.append_child(name).text().set(clean.c_str());
        }
    };
    add("title", talk.title);
    add("plot", talk.abstract, true);
    add("outline", talk.subtitle);
    add("tagline", talk.subtitle);
    if (talk.durationSeconds > 0) {
        add("runtime", std::to_string((talk.durationSeconds + 59) / 60));
    }
    add("premiered", talk.date);
    add("year", talk.date.substr(0, std::min<std::size_t>(talk.date.size(), 4)));
    add("studio", talk.conference);
    add("tag", talk.track);
    add("genre", talk.track);
    for (const auto& person : talk.persons) {
        const auto name = printable(person, false);
        if (!name.empty()) {
            auto actor = movie.append_child("actor");
            actor.append_child("name").text().set(name.c_str());
            actor.append_child("role").text().set("Speaker");
        }
    }
    if (!talk.guid.empty() || !talk.id.empty()) {
        auto id = movie.append_child("uniqueid");
        id.append_attribute("type") = "confcap";
        id.append_attribute("default") = "true";
        id.text().set(printable(talk.guid.empty() ? talk.id : talk.guid, false).c_str());
    }
    add("website", talk.url);
    std::ostringstream out;
    document.save(out, "  ", pugi::format_indent, pugi::encoding_utf8);
    return out.str();
}

}  // namespace confcap::sink
