// Bytes as a client sends them, through the status server's reading of a request head and of
// its credentials: no crash or UB; a head it reads is a prefix of at most kMaxRequestHead bytes
// ending in a blank line, with a token method, HTTP/1.0 or 1.1, a target and fields without
// control characters, read the same with more bytes after it and incomplete a byte short; a
// refusal is 400, 431 or 505; and no Authorization value but the token is granted.
#include <Poco/Base64Decoder.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>

#include "FuzzCheck.h"
#include "confcap/status/RequestHead.h"
#include "confcap/status/ServedFile.h"
#include "confcap/status/StatusAuth.h"

using namespace confcap;

namespace {

constexpr std::string_view kToken = "fuzz-token-0123456789abcdef";
std::unique_ptr<status::StatusAuth> auth;

bool isToken(std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u > 32 && u < 127 &&
               std::string_view("\"(),/:;<=>?@[\\]{}").find(c) == std::string_view::npos;
    });
}

bool hasControl(std::string_view text, bool tabAllowed) {
    return std::any_of(text.begin(), text.end(), [tabAllowed](char c) {
        const auto u = static_cast<unsigned char>(c);
        return (u < 32 && !(tabAllowed && u == '\t')) || u == 127;
    });
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    const auto file = std::filesystem::temp_directory_path() /
                      ("confcap-fuzz-token-" + std::to_string(::getpid()));
    std::ofstream(file) << kToken << "\n";
    auth = std::make_unique<status::StatusAuth>(status::StatusAuth::fromFile(file));
    std::filesystem::remove(file);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    const auto reading = status::readRequestHead(bytes);
    if (std::holds_alternative<status::HeadIncomplete>(reading)) {
        fuzz::check(size < status::kMaxRequestHead, "an incomplete head past the limit");
        return 0;
    }
    if (const auto* refusal = std::get_if<status::HeadRefusal>(&reading)) {
        fuzz::check(refusal->status == 400 || refusal->status == 431 || refusal->status == 505,
                    "refused with another status");
        return 0;
    }
    const auto& head = std::get<status::RequestHead>(reading);
    fuzz::check(head.length <= size && head.length <= status::kMaxRequestHead,
                "a head longer than the bytes or the limit");
    const auto taken = bytes.substr(0, head.length);
    fuzz::check(taken.ends_with("\n\n") || taken.ends_with("\n\r\n"),
                "a head that does not end in a blank line");
    const auto& request = head.request;
    fuzz::check(isToken(request.getMethod()), "a method that is not a token");
    fuzz::check(request.getVersion() == "HTTP/1.0" || request.getVersion() == "HTTP/1.1",
                "another HTTP version");
    fuzz::check(!request.getURI().empty() && !hasControl(request.getURI(), false) &&
                    request.getURI().find(' ') == std::string::npos,
                "a target with a control character or space");
    for (const auto& [name, value] : request) {
        fuzz::check(isToken(name), "a field name that is not a token");
        fuzz::check(!hasControl(value, true), "a field value with a control character");
    }
    // The same head alone, and a byte short of its end.
    const auto alone = status::readRequestHead(taken);
    const auto* again = std::get_if<status::RequestHead>(&alone);
    fuzz::check(again != nullptr && again->length == head.length &&
                    again->request.getURI() == request.getURI(),
                "the head read differently without what follows it");
    fuzz::check(std::holds_alternative<status::HeadIncomplete>(
                    status::readRequestHead(taken.substr(0, taken.size() - 1))),
                "a head a byte short of its end was not incomplete");
    // What the server does next with it: the path, and the credentials.
    if (const auto file = status::servedFile(status::requestPath(request.getURI()))) {
        if (const auto* relative = std::get_if<std::string>(&*file)) {
            const std::filesystem::path served(*relative);
            fuzz::check(!relative->empty() && served.is_relative() &&
                            std::none_of(served.begin(), served.end(),
                                         [](const auto& part) { return part == ".."; }),
                        "a served path that leaves the folder");
        }
    }
    const auto authorization = request.get("Authorization", "");
    const auto verdict = auth->check(authorization);
    if (verdict == status::StatusAuth::Verdict::Granted &&
        authorization.find(kToken) == std::string::npos) {
        // Then it is Basic, with the token as its password.
        const auto space = authorization.find_first_of(" \t");
        fuzz::check(space != std::string::npos, "granted without a scheme");
        std::istringstream in(authorization.substr(space + 1));
        Poco::Base64Decoder decoder(in);
        std::string decoded((std::istreambuf_iterator<char>(decoder)),
                            std::istreambuf_iterator<char>());
        fuzz::check(decoded.ends_with(":" + std::string(kToken)), "granted without the token");
    }
    return 0;
}
