// Who may read the status server (--status-auth): the users of an htpasswd file with their
// password hashes, or one bearer token, and the check of a request's Authorization header.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace confcap::status {

class StatusAuth {
public:
    /// How a request's credentials fared.
    enum class Verdict {
        Granted,
        /// No Authorization header, or one of a scheme not taken here.
        Missing,
        /// Credentials that do not match: an unknown user and a wrong password alike.
        Denied,
    };

    /// Reads `file`: either lines "user:HASH" as htpasswd writes them, HASH a bcrypt ($2a$, $2b$,
    /// $2y$; `htpasswd -B`) or sha512-crypt ($6$; `mkpasswd -m sha-512`) hash, or one line that
    /// is a bearer token of at least 16 characters. Empty lines and lines starting with '#' are
    /// skipped. Throws core::ConfigError naming the file, and the line where one is at fault,
    /// when it cannot be read, names nobody, or holds another kind of line or hash.
    static StatusAuth fromFile(const std::filesystem::path& file);

    /// Checks the value of an Authorization header (empty when there was none): "Basic" with a
    /// user of the file and the password, or with a token file "Bearer TOKEN" or "Basic" with
    /// any user and the token as password (as a browser asks). Takes as long as the hash takes
    /// (bcrypt: tens of milliseconds), and about as long for an unknown user; the token is
    /// compared in constant time. Thread-safe.
    Verdict check(std::string_view authorization) const;

    /// The WWW-Authenticate value of a 401.
    std::string challenge() const;

    /// True when the file was a bearer token.
    bool usesToken() const { return !token_.empty(); }

private:
    StatusAuth() = default;
    std::map<std::string, std::string, std::less<>> users_;  // user -> crypt hash
    std::string token_;
};

}  // namespace confcap::status
