#include "confcap/status/StatusAuth.h"

#include <Poco/Base64Decoder.h>
#include <Poco/SHA2Engine.h>

#include <crypt.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

#include "confcap/core/Error.h"
#include "confcap/core/Text.h"

namespace confcap::status {

namespace {

constexpr std::size_t kMinTokenLength = 16;

bool isSupportedHash(std::string_view hash) {
    return hash.starts_with("$2a$") || hash.starts_with("$2b$") || hash.starts_with("$2y$") ||
           hash.starts_with("$6$");
}

bool isHashAlphabet(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) {
        return c == '.' || c == '/' || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
               (c >= 'a' && c <= 'z');
    });
}

/// Whether `hash` has the form of a whole bcrypt or sha512-crypt hash, judged without hashing
/// (its cost may be any): libcrypt takes its setting, and the checksum after it has the length
/// and letters of one.
bool isWellFormedHash(const std::string& hash) {
    if (::crypt_checksalt(hash.c_str()) != CRYPT_SALT_OK) {
        return false;
    }
    const auto last = hash.rfind('$');
    const std::string_view checksum = std::string_view(hash).substr(last + 1);
    if (hash.starts_with("$6$")) {
        return checksum.size() == 86 && isHashAlphabet(checksum);
    }
    // $2y$NN$ and 53 characters: 22 of salt, 31 of checksum.
    return hash.size() == 60 && last == 6 && hash[4] >= '0' && hash[4] <= '3' && hash[5] >= '0' &&
           hash[5] <= '9' && isHashAlphabet(checksum);
}

/// The password's hash with the salt and cost of `setting`, as libcrypt computes it; empty when
/// libcrypt does not take the setting.
std::string cryptHash(const std::string& password, const std::string& setting) {
    auto data = std::make_unique<crypt_data>();
    const char* hashed = ::crypt_rn(password.c_str(), setting.c_str(), data.get(),
                                    static_cast<int>(sizeof(crypt_data)));
    return hashed == nullptr || hashed[0] == '*' ? std::string() : std::string(hashed);
}

Poco::DigestEngine::Digest sha256(std::string_view text) {
    Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
    engine.update(text.data(), static_cast<unsigned>(text.size()));
    return engine.digest();
}

/// Equal in time that depends on neither text's content nor length.
bool equalInConstantTime(std::string_view a, std::string_view b) {
    const auto x = sha256(a);
    const auto y = sha256(b);
    unsigned char differ = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        differ = static_cast<unsigned char>(differ | (x[i] ^ y[i]));
    }
    return differ == 0;
}

/// "user:password" of a Basic value; nullopt when it is not base64 of a text with a colon, or
/// holds a NUL.
std::optional<std::pair<std::string, std::string>> basicCredentials(std::string_view encoded) {
    std::string decoded;
    try {
        std::istringstream in{std::string(core::trimmed(encoded))};
        Poco::Base64Decoder decoder(in);
        std::ostringstream out;
        out << decoder.rdbuf();
        decoded = out.str();
    } catch (const std::exception&) {
        return std::nullopt;
    }
    const auto colon = decoded.find(':');
    // libcrypt reads a password up to its first NUL: "secret\0anything" would pass for "secret".
    if (colon == std::string::npos || decoded.find('\0') != std::string::npos) {
        return std::nullopt;
    }
    return std::make_pair(decoded.substr(0, colon), decoded.substr(colon + 1));
}

/// The scheme's credentials of an Authorization value ("Basic abc" -> "abc"); nullopt for
/// another scheme.
std::optional<std::string_view> credentialsFor(std::string_view authorization,
                                               std::string_view scheme) {
    authorization = core::trimmed(authorization);
    if (authorization.size() <= scheme.size() ||
        !core::equalsIgnoreCase(authorization.substr(0, scheme.size()), scheme) ||
        (authorization[scheme.size()] != ' ' && authorization[scheme.size()] != '\t')) {
        return std::nullopt;
    }
    return core::trimmed(authorization.substr(scheme.size()));
}

}  // namespace

StatusAuth StatusAuth::fromFile(const std::filesystem::path& file) {
    const auto named = "The --status-auth file " + file.string();
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        throw core::ConfigError(named + " cannot be read.");
    }
    std::vector<std::pair<int, std::string>> lines;
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        const auto text = core::trimmed(line);
        if (!text.empty() && text.front() != '#') {
            lines.emplace_back(number, std::string(text));
        }
    }
    if (in.bad()) {
        throw core::ConfigError(named + " cannot be read.");
    }
    if (lines.empty()) {
        throw core::ConfigError(named +
                                " names nobody: write user:hash lines (htpasswd -B) or a token.");
    }
    StatusAuth auth;
    const auto userLine = [](const std::string& text) {
        const auto colon = text.find(':');
        return colon != std::string::npos && colon > 0 && colon + 1 < text.size() &&
               text[colon + 1] == '$';
    };
    if (lines.size() == 1 && !userLine(lines.front().second)) {
        auth.token_ = lines.front().second;
        if (auth.token_.size() < kMinTokenLength) {
            throw core::ConfigError(named + " holds a token of " +
                                    std::to_string(auth.token_.size()) +
                                    " characters; use at least 16 (openssl rand -hex 32 makes "
                                    "one).");
        }
        return auth;
    }
    for (const auto& [number, text] : lines) {
        const auto where = named + ", line " + std::to_string(number);
        if (!userLine(text)) {
            throw core::ConfigError(where + ", is not user:hash (a token file holds one line).");
        }
        const auto colon = text.find(':');
        auto user = text.substr(0, colon);
        auto hash = text.substr(colon + 1);
        if (!isSupportedHash(hash)) {
            throw core::ConfigError(where +
                                    ", has a password hash confcap does not take; write "
                                    "it with htpasswd -B (bcrypt) or mkpasswd -m sha-512.");
        }
        if (!isWellFormedHash(hash)) {
            throw core::ConfigError(where + ", has a malformed " +
                                    (hash.starts_with("$6$") ? "sha512-crypt" : "bcrypt") +
                                    " hash.");
        }
        if (!auth.users_.emplace(std::move(user), std::move(hash)).second) {
            throw core::ConfigError(where + ", names a user a line above names already.");
        }
    }
    return auth;
}

StatusAuth::Verdict StatusAuth::check(std::string_view authorization) const {
    const auto basic = credentialsFor(authorization, "Basic");
    if (!token_.empty()) {
        if (const auto bearer = credentialsFor(authorization, "Bearer")) {
            return equalInConstantTime(*bearer, token_) ? Verdict::Granted : Verdict::Denied;
        }
        if (!basic) {
            return Verdict::Missing;
        }
        const auto given = basicCredentials(*basic);
        return given && equalInConstantTime(given->second, token_) ? Verdict::Granted
                                                                   : Verdict::Denied;
    }
    if (!basic) {
        return Verdict::Missing;
    }
    const auto given = basicCredentials(*basic);
    if (!given) {
        return Verdict::Denied;
    }
    const auto user = users_.find(given->first);
    // An unknown user costs a hash too, so the time taken does not tell which part was wrong.
    const auto& hash = user == users_.end() ? users_.begin()->second : user->second;
    const auto computed = cryptHash(given->second, hash);
    const bool match = !computed.empty() && equalInConstantTime(computed, hash);
    return match && user != users_.end() ? Verdict::Granted : Verdict::Denied;
}

std::string StatusAuth::challenge() const {
    return "Basic realm=\"confcap\", charset=\"UTF-8\"";
}

}  // namespace confcap::status
