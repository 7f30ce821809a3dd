#include "cli/conformance/internal/json_fields.h"

#include <limits>

#include "absl/strings/str_cat.h"

namespace rating::cli::internal {
namespace {

// The fallbacks a lenient read hands back: static, so the pointers stay valid.
const Json& NullJson() {
  static const auto* const null = new Json();
  return *null;
}

const Json& EmptyObject() {
  static const auto* const empty = new Json(Json::object());
  return *empty;
}

const Json& EmptyArray() {
  static const auto* const empty = new Json(Json::array());
  return *empty;
}

}  // namespace

// nlohmann's dump() throws on invalid UTF-8 unless told to replace it.
std::string Dump(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Fields::Fields(const Json& object, std::string path, ParseMode& mode)
    : object_(object), path_(std::move(path)), mode_(mode) {}

absl::Status Fields::Soft(absl::Status error) {
  if (!mode_.lenient) return error;
  if (mode_.first_error.ok()) mode_.first_error = std::move(error);
  return absl::OkStatus();
}

void Fields::Known(const std::string& key) { used_.insert(key); }

bool Fields::Has(const std::string& key) {
  used_.insert(key);
  return object_.contains(key);
}

absl::StatusOr<const Json*> Fields::Required(const std::string& key) {
  used_.insert(key);
  auto it = object_.find(key);
  if (it == object_.end()) return Fail(Error(key, "missing"), &NullJson());
  return &*it;
}

absl::StatusOr<std::string> Fields::String(const std::string& key) {
  RATING_ASSIGN_OR_RETURN(const Json* value, Required(key));
  return AsString(key, *value);
}

absl::StatusOr<std::string> Fields::OptString(const std::string& key) {
  if (!Has(key)) return std::string();
  return String(key);
}

absl::StatusOr<int64_t> Fields::Int64(const std::string& key, int64_t min, int64_t max) {
  RATING_ASSIGN_OR_RETURN(const Json* value, Required(key));
  return AsInt(key, *value, min, max);
}

absl::StatusOr<int32_t> Fields::Int(const std::string& key) {
  RATING_ASSIGN_OR_RETURN(int64_t value, Int64(key, std::numeric_limits<int32_t>::min(),
                                               std::numeric_limits<int32_t>::max()));
  return static_cast<int32_t>(value);
}

absl::StatusOr<int32_t> Fields::OptInt(const std::string& key) {
  if (!Has(key)) return 0;
  return Int(key);
}

absl::StatusOr<int32_t> Fields::Year(const std::string& key) {
  RATING_ASSIGN_OR_RETURN(int64_t value, Int64(key, 1, std::numeric_limits<int32_t>::max()));
  return static_cast<int32_t>(value);
}

absl::StatusOr<bool> Fields::Bool(const std::string& key) {
  RATING_ASSIGN_OR_RETURN(const Json* value, Required(key));
  if (!value->is_boolean()) return Fail(TypeError(key, "a boolean", *value), false);
  return value->get<bool>();
}

absl::StatusOr<bool> Fields::OptBool(const std::string& key) {
  if (!Has(key)) return false;
  return Bool(key);
}

absl::StatusOr<std::string> Fields::Decimal(const std::string& key) {
  RATING_ASSIGN_OR_RETURN(const Json* value, Required(key));
  if (value->is_string()) return value->get<std::string>();
  // Dump keeps the number as written in the file, so "18.5" stays "18.5".
  if (value->is_number()) return Dump(*value);
  return Fail<std::string>(TypeError(key, "a decimal string", *value), "");
}

absl::StatusOr<const Json*> Fields::Object(const std::string& key) {
  RATING_ASSIGN_OR_RETURN(const Json* value, Required(key));
  if (!value->is_object()) return Fail(TypeError(key, "an object", *value), &EmptyObject());
  return value;
}

absl::StatusOr<const Json*> Fields::Array(const std::string& key) {
  RATING_ASSIGN_OR_RETURN(const Json* value, Required(key));
  if (!value->is_array()) return Fail(TypeError(key, "a list", *value), &EmptyArray());
  return value;
}

absl::StatusOr<std::vector<std::string>> Fields::StringList(const std::string& key) {
  RATING_ASSIGN_OR_RETURN(const Json* list, Array(key));
  std::vector<std::string> out;
  for (size_t i = 0; i < list->size(); ++i) {
    RATING_ASSIGN_OR_RETURN(std::string item, AsString(absl::StrCat(key, "[", i, "]"), (*list)[i]));
    out.push_back(std::move(item));
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> Fields::OptStringList(const std::string& key) {
  if (!Has(key)) return std::vector<std::string>();
  return StringList(key);
}

absl::StatusOr<std::string> Fields::AsString(const std::string& key, const Json& value) {
  if (!value.is_string()) return Fail<std::string>(TypeError(key, "a string", value), "");
  return value.get<std::string>();
}

absl::StatusOr<int64_t> Fields::AsInt(const std::string& key, const Json& value, int64_t min,
                                      int64_t max) {
  if (!value.is_number_integer()) return Fail<int64_t>(TypeError(key, "an integer", value), 0);
  // An unsigned above int64's range would wrap in get<int64_t>().
  if (value.is_number_unsigned() &&
      value.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return Fail<int64_t>(Error(key, absl::StrCat(Dump(value), " is out of range")), 0);
  }
  const int64_t number = value.get<int64_t>();
  if (number < min || number > max) {
    return Fail<int64_t>(Error(key, absl::StrCat(number, " is out of range ", min, "..", max)), 0);
  }
  return number;
}

absl::Status Fields::Error(const std::string& key, absl::string_view what) const {
  return absl::InvalidArgumentError(absl::StrCat("field \"", path_, key, "\": ", what));
}

absl::Status Fields::TypeError(const std::string& key, absl::string_view expected,
                               const Json& value) const {
  return Error(key, absl::StrCat("expected ", expected, ", got ", value.type_name(), " ",
                                 Dump(value).substr(0, 40)));
}

void Fields::AppendUnused(std::vector<std::string>* out) const {
  if (out == nullptr) return;
  for (const auto& [key, value] : object_.items()) {
    if (used_.count(key) == 0) out->push_back(absl::StrCat(path_, key));
  }
}

}  // namespace rating::cli::internal
