// The input checks and authorization helpers the command functions share.
#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/error_details.h"
#include "common/names.h"
#include "common/status_macros.h"
#include "projections/rating_reads.h"
#include "services/internal/commands.h"
#include "services/internal/input_limits.h"

namespace rating::services::internal {
namespace {

bool IsCommitteeRole(v1::Role role) {
  return role == v1::ROLE_CELL_COMMITTEE || role == v1::ROLE_GRASSROOTS_COMMITTEE ||
         role == v1::ROLE_BLOC_COMMITTEE;
}

}  // namespace

absl::Status Invalid(absl::string_view field, absl::string_view reason) {
  return common::FieldRefusal(field, reason);
}

absl::Status CheckId(absl::string_view field, const std::string& id) {
  if (!rules::IsValidId(id)) {
    return Invalid(field,
                   absl::StrCat("'", Echo(id), "' is not a valid id (1..64 of A-Z a-z 0-9 . _ -)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<rules::Date> CheckDate(absl::string_view field, const std::string& text) {
  auto date = rules::ParseDate(text);
  if (!date.ok())
    return Invalid(field, absl::StrCat("'", Echo(text), "' is not a date YYYY-MM-DD"));
  return *date;
}

absl::Status CheckLevel(absl::string_view field, v1::Level level) {
  if (level == v1::LEVEL_UNSPECIFIED || !v1::Level_IsValid(level)) {
    return Invalid(field, "a level HTXSNV, HTTNV, HTNV or KHTNV is required");
  }
  return absl::OkStatus();
}

absl::Status CheckText(absl::string_view field, const std::string& text, size_t max_bytes) {
  if (text.size() > max_bytes)
    return Invalid(field, absl::StrCat("longer than ", max_bytes, " bytes"));
  return absl::OkStatus();
}

absl::StatusOr<const projections::PeriodInfo*> CheckPeriod(const RatingState& state, int year) {
  if (year < 2000 || year > 2100)
    return Invalid("year", absl::StrCat(year, " is not in 2000..2100"));
  return projections::OpenPeriod(state, year);
}

absl::StatusOr<const projections::OrgRecord*> CheckOrg(const RatingState& state,
                                                       absl::string_view field,
                                                       const std::string& id, bool allow_bloc) {
  RATING_RETURN_IF_ERROR(CheckId(field, id));
  const projections::OrgRecord* org = state.registry().FindOrg(id);
  if (org == nullptr) return absl::NotFoundError(absl::StrCat(field, ": no org ", id));
  if (!allow_bloc && id == "bloc") return Invalid(field, "the bloc itself is not rated here");
  return org;
}

absl::StatusOr<const projections::MemberRecord*> CheckMember(const RatingState& state,
                                                             absl::string_view field,
                                                             const std::string& id) {
  RATING_RETURN_IF_ERROR(CheckId(field, id));
  const projections::MemberRecord* member = state.registry().FindMember(id);
  if (member == nullptr) return absl::NotFoundError(absl::StrCat(field, ": no member ", id));
  return member;
}

absl::StatusOr<rules::Subject> ParseSubjectText(absl::string_view field, const std::string& text) {
  auto subject = rules::ParseSubject(text);
  if (!subject.ok()) {
    return Invalid(field, absl::StrCat("'", Echo(text),
                                       "' is not member/ID, org/ID, committee/ORGID or "
                                       "leader/MEMBERID"));
  }
  return subject;
}

absl::StatusOr<rules::Subject> CheckSubject(const RatingState& state, absl::string_view field,
                                            const std::string& text) {
  // Parsed first: only a well-formed subject (at most 74 bytes) is quoted by ResolveSubject.
  RATING_RETURN_IF_ERROR(ParseSubjectText(field, text).status());
  auto subject = projections::ResolveSubject(state, text);
  if (!subject.ok()) {
    return absl::Status(subject.status().code(),
                        absl::StrCat(field, ": ", subject.status().message()));
  }
  return subject;
}

absl::Status CheckOrgList(const RatingState& state, absl::string_view field,
                          const google::protobuf::RepeatedPtrField<std::string>& orgs) {
  if (orgs.size() > 64) return Invalid(field, "at most 64 orgs");
  std::set<std::string> seen;
  for (int i = 0; i < orgs.size(); ++i) {
    const std::string item = absl::StrCat(field, "[", i, "]");
    RATING_RETURN_IF_ERROR(CheckOrg(state, item, orgs[i], false).status());
    if (!seen.insert(orgs[i]).second) return Invalid(item, absl::StrCat(orgs[i], " listed twice"));
  }
  return absl::OkStatus();
}

absl::Status Denied(const v1::Principal& caller, absl::string_view what) {
  return absl::PermissionDeniedError(absl::StrCat(
      "principal ", caller.id(), " (", absl::AsciiStrToLower(common::Code(caller.role())), " of '",
      caller.scope(), "') may not ", what));
}

bool OrgWithin(const RatingState& state, const std::string& org, const std::string& scope,
               rules::Date date) {
  if (org.empty() || scope.empty()) return false;
  const projections::RegistryView& registry = state.registry();
  std::vector<rules::OrgAtDate> chain = registry.AncestryAt(org, date);
  if (chain.size() <= 1 && org != "bloc") chain = registry.AncestryAt(org, projections::kEndOfTime);
  return std::any_of(chain.begin(), chain.end(),
                     [&](const rules::OrgAtDate& o) { return o.id == scope; });
}

bool CommitteeOver(const RatingState& state, const v1::Principal& caller, const std::string& org,
                   rules::Date date) {
  return IsCommitteeRole(caller.role()) && OrgWithin(state, org, caller.scope(), date);
}

absl::Status RequireCommitteeOver(const AuthContext& auth, const std::string& org, rules::Date date,
                                  absl::string_view what) {
  if (CommitteeOver(auth.state, auth.caller, org, date)) return absl::OkStatus();
  return Denied(auth.caller, absl::StrCat(what, " for org ", org.empty() ? "(unknown)" : org));
}

rules::Date DateOfYear(const RatingState& state, int year) {
  const projections::PeriodInfo* period = state.FindPeriod(year);
  return period == nullptr ? projections::kEndOfTime : period->reference_date;
}

std::string OrgOfSubject(const RatingState& state, const std::string& subject, int year) {
  auto parsed = rules::ParseSubject(subject);
  if (!parsed.ok()) return "";
  if (!parsed->IsPerson()) return parsed->id;
  return state.registry().OrgOfMemberAt(parsed->id, DateOfYear(state, year));
}

}  // namespace rating::services::internal
