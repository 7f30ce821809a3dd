#include "cli/names.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/descriptor.h"

namespace rating::cli {
namespace {

using google::protobuf::EnumDescriptor;

// The proto enums are named PREFIX_VALUE (Google proto style); scenarios use VALUE alone.
std::string Prefix(const EnumDescriptor& descriptor) {
  // The UNSPECIFIED value (number 0) carries the prefix: "ORG_KIND_UNSPECIFIED".
  const std::string& zero = descriptor.FindValueByNumber(0)->name();
  return zero.substr(0, zero.size() - absl::string_view("UNSPECIFIED").size());
}

// Parses `text` as a value of `descriptor`, rejecting UNSPECIFIED. `lower` only chooses how
// the accepted values are listed in the error.
absl::StatusOr<int> ParseEnum(const EnumDescriptor& descriptor, absl::string_view text,
                              bool lower) {
  const std::string prefix = Prefix(descriptor);
  const std::string wanted = absl::StrCat(prefix, absl::AsciiStrToUpper(text));
  std::vector<std::string> accepted;
  for (int i = 0; i < descriptor.value_count(); ++i) {
    const auto& value = *descriptor.value(i);
    if (value.number() == 0) continue;
    if (value.name() == wanted) return value.number();
    std::string code = value.name().substr(prefix.size());
    accepted.push_back(lower ? absl::AsciiStrToLower(code) : code);
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown value \"", text, "\" (expected one of ",
                                                 absl::StrJoin(accepted, ", "), ")"));
}

std::string EnumCode(const EnumDescriptor& descriptor, int number) {
  if (number == 0) return "";
  const auto* value = descriptor.FindValueByNumber(number);
  if (value == nullptr) return absl::StrCat(number);
  return value->name().substr(Prefix(descriptor).size());
}

template <typename E>
absl::StatusOr<E> Parse(const EnumDescriptor* descriptor, absl::string_view text, bool lower) {
  absl::StatusOr<int> number = ParseEnum(*descriptor, text, lower);
  if (!number.ok()) return number.status();
  return static_cast<E>(*number);
}

}  // namespace

absl::StatusOr<v1::Level> ParseLevel(absl::string_view text) {
  return Parse<v1::Level>(v1::Level_descriptor(), text, /*lower=*/false);
}
absl::StatusOr<v1::Grade> ParseGrade(absl::string_view text) {
  return Parse<v1::Grade>(v1::Grade_descriptor(), text, /*lower=*/false);
}
absl::StatusOr<v1::OrgKind> ParseOrgKind(absl::string_view text) {
  return Parse<v1::OrgKind>(v1::OrgKind_descriptor(), text, /*lower=*/true);
}
absl::StatusOr<v1::RestructureChange> ParseRestructureChange(absl::string_view text) {
  return Parse<v1::RestructureChange>(v1::RestructureChange_descriptor(), text, true);
}
absl::StatusOr<v1::MemberStatus> ParseMemberStatus(absl::string_view text) {
  return Parse<v1::MemberStatus>(v1::MemberStatus_descriptor(), text, true);
}
absl::StatusOr<v1::CommentSource> ParseCommentSource(absl::string_view text) {
  return Parse<v1::CommentSource>(v1::CommentSource_descriptor(), text, true);
}
absl::StatusOr<v1::IncidentKind> ParseIncidentKind(absl::string_view text) {
  return Parse<v1::IncidentKind>(v1::IncidentKind_descriptor(), text, true);
}
absl::StatusOr<v1::DisciplineForm> ParseDisciplineForm(absl::string_view text) {
  return Parse<v1::DisciplineForm>(v1::DisciplineForm_descriptor(), text, true);
}
absl::StatusOr<v1::ConclusionKind> ParseConclusionKind(absl::string_view text) {
  return Parse<v1::ConclusionKind>(v1::ConclusionKind_descriptor(), text, true);
}
absl::StatusOr<v1::RewardKind> ParseRewardKind(absl::string_view text) {
  return Parse<v1::RewardKind>(v1::RewardKind_descriptor(), text, true);
}
absl::StatusOr<v1::Role> ParseRole(absl::string_view text) {
  return Parse<v1::Role>(v1::Role_descriptor(), text, true);
}
absl::StatusOr<v1::RatingStatus> ParseRatingStatus(absl::string_view text) {
  return Parse<v1::RatingStatus>(v1::RatingStatus_descriptor(), text, /*lower=*/false);
}

absl::StatusOr<absl::StatusCode> ParseStatusCodeName(absl::string_view text) {
  const std::string wanted = absl::AsciiStrToUpper(text);
  std::vector<std::string> accepted;
  // absl::StatusCode numbers 0..16 are the canonical codes, equal to gRPC's.
  for (int i = 0; i <= 16; ++i) {
    auto code = static_cast<absl::StatusCode>(i);
    std::string name = absl::StatusCodeToString(code);
    if (name == wanted) return code;
    accepted.push_back(std::move(name));
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown gRPC status code \"", text,
                                                 "\" (expected one of ",
                                                 absl::StrJoin(accepted, ", "), ")"));
}

std::string LevelCode(v1::Level level) { return EnumCode(*v1::Level_descriptor(), level); }
std::string RatingStatusCode(v1::RatingStatus status) {
  return EnumCode(*v1::RatingStatus_descriptor(), status);
}
std::string RoleCode(v1::Role role) { return EnumCode(*v1::Role_descriptor(), role); }
std::string RewardKindCode(v1::RewardKind kind) {
  return EnumCode(*v1::RewardKind_descriptor(), kind);
}

absl::string_view LevelNameVi(v1::Level level) {
  switch (level) {
    case v1::LEVEL_HTXSNV:
      return "Hoàn thành xuất sắc nhiệm vụ";
    case v1::LEVEL_HTTNV:
      return "Hoàn thành tốt nhiệm vụ";
    case v1::LEVEL_HTNV:
      return "Hoàn thành nhiệm vụ";
    case v1::LEVEL_KHTNV:
      return "Không hoàn thành nhiệm vụ";
    default:
      return "";
  }
}

absl::string_view RatingStatusNameVi(v1::RatingStatus status) {
  switch (status) {
    case v1::RATING_STATUS_NOT_SUBJECT:
      return "Không thuộc diện đánh giá";
    case v1::RATING_STATUS_PENDING:
      return "Chưa quyết định";
    case v1::RATING_STATUS_DECIDED:
      return "Đã quyết định";
    case v1::RATING_STATUS_RERATING_REQUIRED:
      return "Phải đánh giá lại";
    case v1::RATING_STATUS_RERATING_REVIEW:
      return "Cần xem xét đánh giá lại";
    case v1::RATING_STATUS_REVIEW_SUGGESTED:
      return "Đề nghị xem xét lại";
    default:
      return "";
  }
}

}  // namespace rating::cli
