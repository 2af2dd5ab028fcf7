// Talk fields through the file namer: the path is relative, every component is non-empty, not
// "." or "..", clean UTF-8 (no NUL or control characters, no separators) and within
// kMaxComponentBytes, and the stem plus an extension is the name.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "FuzzCheck.h"
#include "confcap/core/Error.h"
#include "confcap/plan/FileNamer.h"

using namespace confcap;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider input(data, size);
    static const char* const kPatterns[] = {
        "{date}/{room}/{time} {title}.{ext}", "{title}", "{room}/{title} - {persons}.{ext}",
        "{acronym}/{day}/{id} {slug} {subtitle}.{ext}", "{track}/{guid}/{lang}.{ext}"};
    const bool windowsSafe = input.ConsumeBool();
    const std::string pattern =
        kPatterns[input.ConsumeIntegralInRange<std::size_t>(0, std::size(kPatterns) - 1)];
    plan::NameFields fields;
    fields.date = "2024-12-27";
    fields.time = "1030";
    fields.ext = "ts";
    for (std::string* field :
         {&fields.room, &fields.persons, &fields.id, &fields.slug, &fields.subtitle, &fields.track,
          &fields.guid, &fields.lang, &fields.acronym, &fields.day}) {
        *field = input.ConsumeRandomLengthString(300);
    }
    fields.title = input.ConsumeRemainingBytesAsString();

    const auto name = plan::fileNameFor(fields, pattern, windowsSafe);
    fuzz::check(name.is_relative() && !name.empty(), "the name is not a relative path");
    for (const auto& component : name) {
        const std::string text = component.string();
        fuzz::check(!text.empty() && text != "." && text != "..",
                    "empty, . or .. component: " + text);
        fuzz::check(text.front() != '.', "a component starts with a dot");
        fuzz::check(text.find('/') == std::string::npos && text.find('\\') == std::string::npos,
                    "a component holds a separator");
        fuzz::check(fuzz::isCleanUtf8(text), "a component is not clean UTF-8");
        fuzz::check(text.size() <= plan::kMaxComponentBytes,
                    "a component of " + std::to_string(text.size()) + " bytes");
        if (windowsSafe) {
            fuzz::check(text.back() != '.' && text.back() != ' ',
                        "a Windows-safe component ends in a dot or space");
        }
    }
    auto stem = plan::fileStemFor(fields, pattern, windowsSafe);
    if (pattern.ends_with(".{ext}")) {
        stem += ".ts";
        fuzz::check(stem == name, "stem + extension is not the name");
    }
    return 0;
}
