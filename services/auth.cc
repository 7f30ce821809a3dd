#include "services/auth.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/crypto.h"
#include "common/names.h"
#include "services/internal/commands.h"
#include "services/internal/input_limits.h"

namespace rating::services {

using internal::CommitteeOver;
using internal::DateOfYear;
using internal::Denied;

std::string TokenHash(std::string_view token) { return common::ToHex(common::Sha256(token)); }

std::string RoleName(v1::Role role) {
  const std::string code = common::Code(role);
  return code.empty() ? "unspecified" : absl::AsciiStrToLower(code);
}

absl::StatusOr<v1::Role> ParseRole(std::string_view name) {
  auto role = common::ParseCode<v1::Role>(name, /*lower=*/true);
  if (!role.ok())
    return absl::InvalidArgumentError(absl::StrCat("role: ", role.status().message()));
  return role;
}

absl::StatusOr<std::string> BearerToken(std::string_view authorization) {
  constexpr std::string_view kPrefix = "Bearer ";
  if (authorization.substr(0, kPrefix.size()) != kPrefix ||
      authorization.size() == kPrefix.size()) {
    return absl::UnauthenticatedError("authorization: expected 'Bearer TOKEN'");
  }
  return std::string(authorization.substr(kPrefix.size()));
}

absl::StatusOr<v1::Principal> Authenticate(const projections::RatingState& state,
                                           std::string_view token) {
  if (token.empty()) return absl::UnauthenticatedError("authorization: missing bearer token");
  const projections::PrincipalRecord* record = state.principals().FindByTokenHash(TokenHash(token));
  if (record == nullptr) return absl::UnauthenticatedError("authorization: unknown token");
  if (record->principal.revoked()) {
    return absl::UnauthenticatedError(
        absl::StrCat("authorization: principal ", record->principal.id(), " is revoked"));
  }
  return record->principal;
}

absl::Status AuthorizeAdmin(const v1::Principal& caller) {
  if (caller.role() == v1::ROLE_ADMIN) return absl::OkStatus();
  return Denied(caller, "manage principals");
}

absl::Status AuthorizeLogRead(const v1::Principal& caller) {
  switch (caller.role()) {
    case v1::ROLE_ADMIN:
    case v1::ROLE_INSPECTOR:
    case v1::ROLE_INTEGRATION:
      return absl::OkStatus();
    default:
      return Denied(caller, "read the whole log");
  }
}

absl::Status AuthorizeOrgRead(const projections::RatingState& state, const v1::Principal& caller,
                              const std::string& org) {
  if (AuthorizeLogRead(caller).ok()) return absl::OkStatus();
  if (caller.role() == v1::ROLE_COUNTING_TEAM && caller.scope() == org) return absl::OkStatus();
  if (CommitteeOver(state, caller, org, projections::kEndOfTime)) return absl::OkStatus();
  return Denied(caller, absl::StrCat("read org ", internal::Echo(org)));
}

absl::Status AuthorizeSubjectRead(const projections::RatingState& state,
                                  const v1::Principal& caller, const std::string& subject,
                                  int year) {
  if (AuthorizeLogRead(caller).ok()) return absl::OkStatus();
  auto parsed = rules::ParseSubject(subject);
  if (caller.role() == v1::ROLE_MEMBER) {
    if (parsed.ok() && parsed->IsPerson() && parsed->id == caller.scope()) return absl::OkStatus();
    return Denied(caller, absl::StrCat("read ", internal::Echo(subject)));
  }
  const std::string org = internal::OrgOfSubject(state, subject, year);
  if (CommitteeOver(state, caller, org, DateOfYear(state, year))) return absl::OkStatus();
  if (caller.role() == v1::ROLE_COUNTING_TEAM && caller.scope() == org) return absl::OkStatus();
  return Denied(caller, absl::StrCat("read ", internal::Echo(subject)));
}

}  // namespace rating::services
