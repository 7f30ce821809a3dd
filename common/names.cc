#include "common/names.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "rating/v1/names.pb.h"

namespace rating::common {
namespace {

using google::protobuf::EnumDescriptor;
using google::protobuf::EnumValueDescriptor;

// The proto enums are named PREFIX_VALUE (Google proto style); the UNSPECIFIED value (number 0)
// carries the prefix: "ORG_KIND_UNSPECIFIED" -> "ORG_KIND_".
std::string Prefix(const EnumDescriptor& descriptor) {
  const EnumValueDescriptor* zero = descriptor.FindValueByNumber(0);
  if (zero == nullptr) return "";
  const std::string& name = zero->name();
  constexpr std::string_view kUnspecified = "UNSPECIFIED";
  if (name.size() < kUnspecified.size()) return "";
  return name.substr(0, name.size() - kUnspecified.size());
}

const std::string& Empty() {
  static const auto* const empty = new std::string();
  return *empty;
}

const google::protobuf::FieldDescriptor* EventField(const v1::Event& event) {
  return v1::Event::descriptor()->FindFieldByNumber(event.payload_case());
}

}  // namespace

const std::string& EnumNameVi(const EnumDescriptor& descriptor, int number) {
  const EnumValueDescriptor* value = descriptor.FindValueByNumber(number);
  if (value == nullptr) return Empty();
  return value->options().GetExtension(v1::vi);
}

const std::string& EnumNameEn(const EnumDescriptor& descriptor, int number) {
  const EnumValueDescriptor* value = descriptor.FindValueByNumber(number);
  if (value == nullptr) return Empty();
  return value->options().GetExtension(v1::en);
}

std::string EnumCode(const EnumDescriptor& descriptor, int number) {
  if (number == 0) return "";
  const EnumValueDescriptor* value = descriptor.FindValueByNumber(number);
  if (value == nullptr) return absl::StrCat(number);
  return value->name().substr(Prefix(descriptor).size());
}

absl::StatusOr<int> ParseEnumCode(const EnumDescriptor& descriptor, std::string_view text,
                                  bool lower) {
  const std::string prefix = Prefix(descriptor);
  const std::string wanted =
      absl::StrCat(prefix, absl::AsciiStrToUpper(absl::string_view(text.data(), text.size())));
  std::vector<std::string> accepted;
  for (int i = 0; i < descriptor.value_count(); ++i) {
    const EnumValueDescriptor& value = *descriptor.value(i);
    if (value.number() == 0) continue;
    if (value.name() == wanted) return value.number();
    std::string code = value.name().substr(prefix.size());
    accepted.push_back(lower ? absl::AsciiStrToLower(code) : code);
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown value \"", std::string(text),
                                                 "\" (expected one of ",
                                                 absl::StrJoin(accepted, ", "), ")"));
}

std::string EventKind(const v1::Event& event) {
  const auto* field = EventField(event);
  return field == nullptr ? "unknown" : field->name();
}

const std::string& EventKindVi(const v1::Event& event) {
  const auto* field = EventField(event);
  return field == nullptr ? Empty() : field->options().GetExtension(v1::kind_vi);
}

const std::string& EventKindEn(const v1::Event& event) {
  const auto* field = EventField(event);
  return field == nullptr ? Empty() : field->options().GetExtension(v1::kind_en);
}

}  // namespace rating::common
