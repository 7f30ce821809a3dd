// Authentication (bearer token -> principal) and authorization by role and org scope.
// Layer: services. Pure over the projected state: no I/O.
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

// May `caller` run `command`? PERMISSION_DENIED naming the role, the scope and (for
// decisions) R-DEC-1. Commands naming unknown subjects or orgs pass here and fail later.
absl::Status AuthorizeCommand(const projections::RatingState& state, const v1::Principal& caller,
                              const v1::Command& command);

// May `caller` read data about `subject` (a subject string) / about `org`?
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
absl::string_view RoleName(v1::Role role);
absl::StatusOr<v1::Role> ParseRole(absl::string_view name);

// SHA-256 of a token, lower-case hex (how tokens are stored).
std::string TokenHash(std::string_view token);

}  // namespace rating::services
