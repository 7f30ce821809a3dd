// SHA-256 and random identifiers (OpenSSL libcrypto). Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace rating::common {

// The 32-byte SHA-256 digest of `data`.
std::string Sha256(std::string_view data);

// Lower-case hex of `bytes`.
std::string ToHex(std::string_view bytes);

// A random RFC 4122 version-4 UUID in its 36-character text form.
std::string NewUuid();

// True if `s` is a 36-character UUID text (any version, lower or upper case hex).
bool IsUuid(std::string_view s);

// `n` random bytes from the OS CSPRNG, as lower-case hex (2n characters).
std::string RandomHex(int n);

}  // namespace rating::common
