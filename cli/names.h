// Text forms of the API's enums for ratingctl: the codes scenarios and users type (HTXSNV,
// grassroots_cell, PERMISSION_DENIED) and the Vietnamese display names, all read from the one
// table of names (common/names.h, proto options). Layer: cli, no I/O.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "rating/v1/domain.pb.h"

namespace rating::cli {

namespace v1 = ::rating::v1;

// Each Parse* accepts the enum value's name without its prefix, in any case ("HTXSNV",
// "grassroots_cell", "reprimand"); UNSPECIFIED is never accepted. INVALID_ARGUMENT naming the
// text and the accepted values otherwise. Thread-safe.
absl::StatusOr<v1::Level> ParseLevel(absl::string_view text);
absl::StatusOr<v1::Grade> ParseGrade(absl::string_view text);
absl::StatusOr<v1::OrgKind> ParseOrgKind(absl::string_view text);
absl::StatusOr<v1::RestructureChange> ParseRestructureChange(absl::string_view text);
absl::StatusOr<v1::MemberStatus> ParseMemberStatus(absl::string_view text);
absl::StatusOr<v1::CommentSource> ParseCommentSource(absl::string_view text);
absl::StatusOr<v1::IncidentKind> ParseIncidentKind(absl::string_view text);
absl::StatusOr<v1::DisciplineForm> ParseDisciplineForm(absl::string_view text);
absl::StatusOr<v1::ConclusionKind> ParseConclusionKind(absl::string_view text);
absl::StatusOr<v1::RewardKind> ParseRewardKind(absl::string_view text);
absl::StatusOr<v1::Role> ParseRole(absl::string_view text);
absl::StatusOr<v1::RatingStatus> ParseRatingStatus(absl::string_view text);

// A gRPC status code name ("PERMISSION_DENIED", any case; "OK" included). INVALID_ARGUMENT
// for an unknown name.
absl::StatusOr<absl::StatusCode> ParseStatusCodeName(absl::string_view text);

// The code of a value without its prefix ("HTXSNV", "DECIDED", "CELL_COMMITTEE"); "" for
// UNSPECIFIED; the number for a value this build does not know.
std::string LevelCode(v1::Level level);
std::string RatingStatusCode(v1::RatingStatus status);
std::string RoleCode(v1::Role role);
std::string RewardKindCode(v1::RewardKind kind);

// Vietnamese names (the same table the server uses): "Hoàn thành tốt nhiệm vụ". "" for
// UNSPECIFIED.
absl::string_view LevelNameVi(v1::Level level);
absl::string_view RatingStatusNameVi(v1::RatingStatus status);

}  // namespace rating::cli
