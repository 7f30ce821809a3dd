// Reads the fields of one scenario JSON object without throwing, naming each field by its path
// in errors ("field \"criteria[2].points\": ..."). Layer: cli/conformance, internal: only the
// scenario parsers of this folder include it.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "common/status_macros.h"
#include "nlohmann/json.hpp"

namespace rating::cli::internal {

using Json = nlohmann::ordered_json;

// `value` as compact JSON text. Never throws: invalid UTF-8 is replaced, not reported.
std::string Dump(const Json& value);

// The keys of `map`, in its order, joined by ", " (for "expected one of ..." messages).
template <typename Map>
std::string Keys(const Map& map) {
  std::vector<std::string> keys;
  for (const auto& [key, value] : map) keys.push_back(key);
  return absl::StrJoin(keys, ", ");
}

// How a parse treats a field it cannot read. Strict: the error ends the parse. Lenient: the
// field is left at its default, the first error is kept, and the parse goes on, so that a
// malformed step can still be sent for the server to refuse (see Step::sendable).
struct ParseMode {
  bool lenient = false;
  // Lenient only: the first error met, OK if none.
  absl::Status first_error;
};

// Reads the fields of one JSON object and remembers which were read (or marked known), so the
// rest can be reported by AppendUnused. Every error is INVALID_ARGUMENT and names the field with
// the reader's path prefix: `field "<path><key>": <what>`. In a lenient ParseMode a failed read
// returns its fallback (0, "", false, an empty object or list) and keeps the error instead.
// Not thread-safe; one reader per object, used for the duration of one parse.
class Fields {
 public:
  // Reads `object`; `path` ("" at the top, "criteria[2]." below) prefixes every field name.
  // `object` and `mode` must outlive the reader.
  Fields(const Json& object, std::string path, ParseMode& mode);

  // A field that cannot be read: strict, `error`; lenient, `fallback` (the error is kept).
  template <typename T>
  absl::StatusOr<T> Fail(absl::Status error, T fallback) {
    RATING_RETURN_IF_ERROR(Soft(std::move(error)));
    return fallback;
  }

  // Strict: `error`; lenient: OK (the error is kept if it is the first).
  absl::Status Soft(absl::Status error);

  // The mode this reader reports to; nested readers share it.
  ParseMode& mode() { return mode_; }

  // Marks `key` as known without reading it.
  void Known(const std::string& key);

  // True if the object has `key`; marks it known either way.
  bool Has(const std::string& key);

  // The value at `key`; "missing" if absent. The pointer is valid as long as the object.
  absl::StatusOr<const Json*> Required(const std::string& key);

  // A required string.
  absl::StatusOr<std::string> String(const std::string& key);
  // A string, "" when absent.
  absl::StatusOr<std::string> OptString(const std::string& key);

  // A required integer within min..max.
  absl::StatusOr<int64_t> Int64(const std::string& key, int64_t min, int64_t max);
  // A required int32.
  absl::StatusOr<int32_t> Int(const std::string& key);
  // An int32, 0 when absent.
  absl::StatusOr<int32_t> OptInt(const std::string& key);

  // A year: a positive int32 (whether it is in 2000..2100 is the server's business).
  absl::StatusOr<int32_t> Year(const std::string& key = "year");

  // A required boolean.
  absl::StatusOr<bool> Bool(const std::string& key);
  // A boolean, false when absent.
  absl::StatusOr<bool> OptBool(const std::string& key);

  // Points: a decimal string, or a JSON number printed as written ("18.5").
  absl::StatusOr<std::string> Decimal(const std::string& key);

  // A required object or list. The pointer is valid as long as the object read.
  absl::StatusOr<const Json*> Object(const std::string& key);
  absl::StatusOr<const Json*> Array(const std::string& key);

  // A required list of strings; items are named "key[i]" in errors.
  absl::StatusOr<std::vector<std::string>> StringList(const std::string& key);
  // A list of strings, empty when absent.
  absl::StatusOr<std::vector<std::string>> OptStringList(const std::string& key);

  // A required string parsed with `parse` (a names.h parser); its error names the field.
  template <typename E>
  absl::StatusOr<E> Enum(const std::string& key,
                         absl::StatusOr<E> (*parse)(absl::string_view text)) {
    RATING_ASSIGN_OR_RETURN(std::string text, String(key));
    return ParseValue(key, text, parse);
  }

  // Like Enum; the zero value (UNSPECIFIED) when absent.
  template <typename E>
  absl::StatusOr<E> OptEnum(const std::string& key,
                            absl::StatusOr<E> (*parse)(absl::string_view text)) {
    if (!Has(key)) return static_cast<E>(0);
    return Enum(key, parse);
  }

  // Parses `text` found under `key` (or a sub-path of it) with `parse`.
  template <typename E>
  absl::StatusOr<E> ParseValue(const std::string& key, absl::string_view text,
                               absl::StatusOr<E> (*parse)(absl::string_view text)) {
    absl::StatusOr<E> value = parse(text);
    if (!value.ok()) return Fail(Error(key, value.status().message()), static_cast<E>(0));
    return value;
  }

  // `value`, found under `key`, as a string or an integer within min..max.
  absl::StatusOr<std::string> AsString(const std::string& key, const Json& value);
  absl::StatusOr<int64_t> AsInt(const std::string& key, const Json& value, int64_t min,
                                int64_t max);

  // INVALID_ARGUMENT `field "<path><key>": <what>`. Returned, not recorded: pass it to Soft or
  // Fail to honour a lenient mode.
  absl::Status Error(const std::string& key, absl::string_view what) const;
  // Error saying `value` is not `expected` ("expected a string, got number 3").
  absl::Status TypeError(const std::string& key, absl::string_view expected,
                         const Json& value) const;

  // Appends, with their paths, the fields never read nor marked known. No-op if `out` is null.
  void AppendUnused(std::vector<std::string>* out) const;

  // The prefix given at construction.
  const std::string& path() const { return path_; }

 private:
  const Json& object_;
  const std::string path_;
  ParseMode& mode_;
  std::set<std::string> used_;
};

}  // namespace rating::cli::internal
