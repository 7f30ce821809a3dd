#include "common/crypto.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdint>
#include <cstring>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/check.h"

namespace rating::common {

std::string Sha256(std::string_view data) {
  // OpenSSL 3 looks the algorithm up on every EVP_Digest call; the hash chain hashes every
  // event, so fetch it once and keep one context per thread.
  static EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  RATING_CHECK(kSha256 != nullptr);
  struct ContextDeleter {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
  };
  thread_local std::unique_ptr<EVP_MD_CTX, ContextDeleter> ctx(EVP_MD_CTX_new());
  RATING_CHECK(ctx != nullptr);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  RATING_CHECK(EVP_DigestInit_ex2(ctx.get(), kSha256, nullptr) == 1);
  RATING_CHECK(EVP_DigestUpdate(ctx.get(), data.data(), data.size()) == 1);
  RATING_CHECK(EVP_DigestFinal_ex(ctx.get(), out, &len) == 1);
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string ToHex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

std::string RandomHex(int n) {
  std::string raw(static_cast<size_t>(n), '\0');
  RATING_CHECK(RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), n) == 1);
  return ToHex(raw);
}

namespace {

// Random bytes for ids, drawn from a pool that RAND_bytes refills 4 KiB at a time. OpenSSL 3
// seeds a generator for each thread on its first RAND_bytes, and gRPC's sync server starts and
// stops threads under load: a call per id made every command seed one (a tenth of a write's
// server time). Each byte is handed out once.
void IdBytes(unsigned char* out, size_t n) {
  static absl::Mutex mu(absl::kConstInit);
  static unsigned char pool[4096] ABSL_GUARDED_BY(mu);
  static size_t used ABSL_GUARDED_BY(mu) = sizeof(pool);
  absl::MutexLock lock(&mu);
  if (used + n > sizeof(pool)) {
    RATING_CHECK(RAND_bytes(pool, sizeof(pool)) == 1);
    used = 0;
  }
  std::memcpy(out, pool + used, n);
  used += n;
}

}  // namespace

std::string NewUuid() {
  unsigned char b[16];
  IdBytes(b, sizeof(b));
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  std::string hex = ToHex(std::string_view(reinterpret_cast<const char*>(b), sizeof(b)));
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

}  // namespace rating::common
