// Key encodings of the RocksDB store (see eventstore/FORMAT.md). Layer: eventstore, internal.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/string_view.h"

namespace rating::eventstore {

// Abseil 20220623 as packaged has its own string_view type (ABSL_OPTION_USE_STD_STRING_VIEW
// is 0): convert at the edge to StrCat and hash-map lookups.
inline absl::string_view AsAbsl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

inline void AppendBigEndian32(uint32_t v, std::string* out) {
  char b[4];
  for (int i = 3; i >= 0; --i) {
    b[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  out->append(b, sizeof(b));
}

inline void AppendBigEndian64(uint64_t v, std::string* out) {
  char b[8];
  for (int i = 7; i >= 0; --i) {
    b[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  out->append(b, sizeof(b));
}

// Decodes 8 big-endian bytes; nullopt if `bytes` is not exactly 8 bytes long.
inline std::optional<uint64_t> DecodeBigEndian64(std::string_view bytes) {
  if (bytes.size() != 8) return std::nullopt;
  uint64_t v = 0;
  for (unsigned char c : bytes) v = (v << 8) | c;
  return v;
}

// `events` key: the position, 8 bytes big-endian (sorts in log order).
inline std::string PositionKey(uint64_t position) {
  std::string key;
  key.reserve(8);
  AppendBigEndian64(position, &key);
  return key;
}

// `streams` key prefix: stream name + 0x00 (names never contain NUL).
inline std::string StreamPrefix(std::string_view stream) {
  std::string key;
  key.reserve(stream.size() + 9);
  key.append(stream.data(), stream.size());
  key.push_back('\0');
  return key;
}

// `streams` key: stream name + 0x00 + version, 8 bytes big-endian.
inline std::string StreamKey(std::string_view stream, uint64_t version) {
  std::string key = StreamPrefix(stream);
  AppendBigEndian64(version, &key);
  return key;
}

}  // namespace rating::eventstore
