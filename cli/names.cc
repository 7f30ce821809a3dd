#include "cli/names.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/names.h"

namespace rating::cli {
namespace {

// Parses a code of E through the one table of names (common/names.h).
template <typename E>
absl::StatusOr<E> Parse(absl::string_view text, bool lower) {
  return common::ParseCode<E>(std::string_view(text.data(), text.size()), lower);
}

}  // namespace

absl::StatusOr<v1::Level> ParseLevel(absl::string_view text) {
  return Parse<v1::Level>(text, /*lower=*/false);
}
absl::StatusOr<v1::Grade> ParseGrade(absl::string_view text) {
  return Parse<v1::Grade>(text, /*lower=*/false);
}
absl::StatusOr<v1::OrgKind> ParseOrgKind(absl::string_view text) {
  return Parse<v1::OrgKind>(text, /*lower=*/true);
}
absl::StatusOr<v1::RestructureChange> ParseRestructureChange(absl::string_view text) {
  return Parse<v1::RestructureChange>(text, true);
}
absl::StatusOr<v1::MemberStatus> ParseMemberStatus(absl::string_view text) {
  return Parse<v1::MemberStatus>(text, true);
}
absl::StatusOr<v1::CommentSource> ParseCommentSource(absl::string_view text) {
  return Parse<v1::CommentSource>(text, true);
}
absl::StatusOr<v1::IncidentKind> ParseIncidentKind(absl::string_view text) {
  return Parse<v1::IncidentKind>(text, true);
}
absl::StatusOr<v1::DisciplineForm> ParseDisciplineForm(absl::string_view text) {
  return Parse<v1::DisciplineForm>(text, true);
}
absl::StatusOr<v1::ConclusionKind> ParseConclusionKind(absl::string_view text) {
  return Parse<v1::ConclusionKind>(text, true);
}
absl::StatusOr<v1::RewardKind> ParseRewardKind(absl::string_view text) {
  return Parse<v1::RewardKind>(text, true);
}
absl::StatusOr<v1::Role> ParseRole(absl::string_view text) { return Parse<v1::Role>(text, true); }
absl::StatusOr<v1::RatingStatus> ParseRatingStatus(absl::string_view text) {
  return Parse<v1::RatingStatus>(text, /*lower=*/false);
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

std::string LevelCode(v1::Level level) { return common::Code(level); }
std::string RatingStatusCode(v1::RatingStatus status) { return common::Code(status); }
std::string RoleCode(v1::Role role) { return common::Code(role); }
std::string RewardKindCode(v1::RewardKind kind) { return common::Code(kind); }

absl::string_view LevelNameVi(v1::Level level) {
  return level == v1::LEVEL_UNSPECIFIED ? "" : absl::string_view(common::NameVi(level));
}
absl::string_view RatingStatusNameVi(v1::RatingStatus status) {
  return status == v1::RATING_STATUS_UNSPECIFIED ? "" : absl::string_view(common::NameVi(status));
}

}  // namespace rating::cli
