// The names users read, from one place: the Vietnamese and English display names of the API's
// enum values and event kinds live as options in proto/rating/v1/names.proto; this reads them
// through the descriptors, with the codes users type ("HTXSNV", "grassroots_cell"). Layer:
// common. Thread-safe; every name returned lives as long as the program.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/generated_enum_reflection.h"
#include "rating/v1/events.pb.h"

namespace rating::common {

// The Vietnamese / English display name of value `number` of `descriptor` (the (vi) / (en)
// option); "" for a number the descriptor does not know.
const std::string& EnumNameVi(const google::protobuf::EnumDescriptor& descriptor, int number);
const std::string& EnumNameEn(const google::protobuf::EnumDescriptor& descriptor, int number);

// The code of a value: its name without the enum's prefix ("HTXSNV", "NOT_SUBJECT",
// "GRASSROOTS_CELL"); "" for the UNSPECIFIED value (0); the number in decimal for a value this
// build does not know.
std::string EnumCode(const google::protobuf::EnumDescriptor& descriptor, int number);

// Parses a code in any case ("HTXSNV", "grassroots_cell"); UNSPECIFIED is never accepted.
// INVALID_ARGUMENT naming the text and every accepted code otherwise (`lower`: listed in
// lower case, as scenario files write them).
absl::StatusOr<int> ParseEnumCode(const google::protobuf::EnumDescriptor& descriptor,
                                  std::string_view text, bool lower = false);

template <typename E>
const std::string& NameVi(E value) {
  return EnumNameVi(*google::protobuf::GetEnumDescriptor<E>(), static_cast<int>(value));
}
template <typename E>
const std::string& NameEn(E value) {
  return EnumNameEn(*google::protobuf::GetEnumDescriptor<E>(), static_cast<int>(value));
}
template <typename E>
std::string Code(E value) {
  return EnumCode(*google::protobuf::GetEnumDescriptor<E>(), static_cast<int>(value));
}
template <typename E>
absl::StatusOr<E> ParseCode(std::string_view text, bool lower = false) {
  absl::StatusOr<int> number =
      ParseEnumCode(*google::protobuf::GetEnumDescriptor<E>(), text, lower);
  if (!number.ok()) return number.status();
  return static_cast<E>(*number);
}

// The kind of an event: its oneof case name ("ratings_decided"), and its Vietnamese / English
// names (the (kind_vi) / (kind_en) options). "unknown" / "" when no case is set.
std::string EventKind(const v1::Event& event);
const std::string& EventKindVi(const v1::Event& event);
const std::string& EventKindEn(const v1::Event& event);

}  // namespace rating::common
