// Internal string helpers for rules/ (not part of the API). Debian's Abseil 20220623 is built
// with its own absl::string_view, so absl::StrCat cannot take the std::string_view the API
// uses; Cat() concatenates std::string_view pieces and integers instead.
#pragma once

#include <charconv>
#include <concepts>
#include <string>
#include <string_view>
#include <vector>

namespace rating::rules::internal {

inline void AppendPiece(std::string& out, std::string_view piece) { out.append(piece); }

template <typename T>
requires std::integral<T> &&
    (!std::same_as<T, bool>)&&(!std::same_as<T, char>)void AppendPiece(std::string& out, T value) {
  out.append(std::to_string(value));
}

// Concatenates strings, string views, C strings and integers.
template <typename... Pieces>
std::string Cat(const Pieces&... pieces) {
  std::string out;
  (AppendPiece(out, pieces), ...);
  return out;
}

// Joins `parts` with `separator`.
template <typename Container>
std::string Join(const Container& parts, std::string_view separator) {
  std::string out;
  bool first = true;
  for (const auto& part : parts) {
    if (!first) out.append(separator);
    first = false;
    AppendPiece(out, part);
  }
  return out;
}

// `text` without leading and trailing ASCII whitespace.
inline std::string_view Strip(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n\f\v";
  const size_t begin = text.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  const size_t end = text.find_last_not_of(kSpace);
  return text.substr(begin, end - begin + 1);
}

// Splits `text` at `separator` into at most `max_parts` parts (the last keeps the rest).
inline std::vector<std::string_view> Split(std::string_view text, char separator,
                                           size_t max_parts = std::string_view::npos) {
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < max_parts) {
    const size_t at = text.find(separator);
    if (at == std::string_view::npos) break;
    parts.push_back(text.substr(0, at));
    text.remove_prefix(at + 1);
  }
  parts.push_back(text);
  return parts;
}

// Parses all of `text` as a decimal int (an optional '-', then digits).
inline bool ParseInt(std::string_view text, int* out) {
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, *out);
  return ec == std::errc() && ptr == end;
}

}  // namespace rating::rules::internal
