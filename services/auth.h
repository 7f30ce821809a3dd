// Authentication (bearer token -> principal) and read authorization by role and org scope.
// Command authorization is in the command table (command_table.h). Layer: services. Pure over
// the projected state: no I/O.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "projections/rating_state.h"
#include "rating/v1/api.pb.h"

namespace rating::services {

// The principal holding `token` (the value after "Bearer "). UNAUTHENTICATED when missing,
// unknown or revoked.
absl::StatusOr<v1::Principal> Authenticate(const projections::RatingState& state,
                                           std::string_view token);

// Extracts the token from an `authorization` metadata value ("Bearer TOKEN").
// UNAUTHENTICATED when malformed.
absl::StatusOr<std::string> BearerToken(std::string_view authorization);

// May `caller` read data about `subject` (a subject string) in `year` / about `org`? The org
// of a subject is read at the year's reference date (R-TIME-1). PERMISSION_DENIED otherwise.
absl::Status AuthorizeSubjectRead(const projections::RatingState& state,
                                  const v1::Principal& caller, const std::string& subject,
                                  int year);
absl::Status AuthorizeOrgRead(const projections::RatingState& state, const v1::Principal& caller,
                              const std::string& org);
// Reading the raw log or subscribing: admin, inspector and integration only.
absl::Status AuthorizeLogRead(const v1::Principal& caller);
// Managing principals: admin only.
absl::Status AuthorizeAdmin(const v1::Principal& caller);

// Role names as in FORMAT.md ("cell_committee" ...) and back.
std::string RoleName(v1::Role role);
absl::StatusOr<v1::Role> ParseRole(std::string_view name);

// SHA-256 of a token, lower-case hex (how tokens are stored).
std::string TokenHash(std::string_view token);

}  // namespace rating::services
