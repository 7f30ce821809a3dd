#include "services/auth.h"

#include <algorithm>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/crypto.h"
#include "projections/rating_views.h"

namespace rating::services {
namespace {

using projections::RatingState;
using rules::Subject;
using rules::SubjectKind;

bool IsCommitteeRole(v1::Role role) {
  return role == v1::ROLE_CELL_COMMITTEE || role == v1::ROLE_GRASSROOTS_COMMITTEE ||
         role == v1::ROLE_BLOC_COMMITTEE;
}

absl::Status Denied(const v1::Principal& caller, absl::string_view what) {
  return absl::PermissionDeniedError(absl::StrCat("principal ", caller.id(), " (",
                                                  RoleName(caller.role()), " of '", caller.scope(),
                                                  "') may not ", what));
}

// The org a subject string belongs to for a year ("" if unknown).
std::string OrgOfSubject(const RatingState& state, const std::string& subject, int year) {
  auto parsed = rules::ParseSubject(subject);
  if (!parsed.ok()) return "";
  return projections::RatingViews(state).OrgOf(*parsed, year);
}

std::string OrgOfMember(const RatingState& state, const std::string& member) {
  const projections::MemberInfo* info = state.FindMember(member);
  return info == nullptr ? "" : info->spec.org();
}

// A committee whose scope is `org` or one of its ancestors.
bool CommitteeOver(const RatingState& state, const v1::Principal& caller, const std::string& org) {
  if (!IsCommitteeRole(caller.role()) || org.empty()) return false;
  const std::vector<std::string> chain = state.Ancestry(org);
  return std::find(chain.begin(), chain.end(), caller.scope()) != chain.end();
}

absl::Status RequireCommitteeOver(const RatingState& state, const v1::Principal& caller,
                                  const std::string& org, absl::string_view what) {
  if (CommitteeOver(state, caller, org)) return absl::OkStatus();
  return Denied(caller, absl::StrCat(what, " for org ", org.empty() ? "(unknown)" : org));
}

}  // namespace

std::string TokenHash(std::string_view token) { return common::ToHex(common::Sha256(token)); }

absl::string_view RoleName(v1::Role role) {
  switch (role) {
    case v1::ROLE_MEMBER: return "member";
    case v1::ROLE_CELL_COMMITTEE: return "cell_committee";
    case v1::ROLE_GRASSROOTS_COMMITTEE: return "grassroots_committee";
    case v1::ROLE_BLOC_COMMITTEE: return "bloc_committee";
    case v1::ROLE_COUNTING_TEAM: return "counting_team";
    case v1::ROLE_INSPECTOR: return "inspector";
    case v1::ROLE_INTEGRATION: return "integration";
    case v1::ROLE_ADMIN: return "admin";
    default: return "unspecified";
  }
}

absl::StatusOr<v1::Role> ParseRole(absl::string_view name) {
  for (v1::Role role : {v1::ROLE_MEMBER, v1::ROLE_CELL_COMMITTEE, v1::ROLE_GRASSROOTS_COMMITTEE,
                        v1::ROLE_BLOC_COMMITTEE, v1::ROLE_COUNTING_TEAM, v1::ROLE_INSPECTOR,
                        v1::ROLE_INTEGRATION, v1::ROLE_ADMIN}) {
    if (RoleName(role) == name) return role;
  }
  return absl::InvalidArgumentError(absl::StrCat("role: unknown role '", name, "'"));
}

absl::StatusOr<std::string> BearerToken(std::string_view authorization) {
  constexpr std::string_view kPrefix = "Bearer ";
  if (authorization.substr(0, kPrefix.size()) != kPrefix || authorization.size() == kPrefix.size()) {
    return absl::UnauthenticatedError("authorization: expected 'Bearer TOKEN'");
  }
  return std::string(authorization.substr(kPrefix.size()));
}

absl::StatusOr<v1::Principal> Authenticate(const RatingState& state, std::string_view token) {
  if (token.empty()) return absl::UnauthenticatedError("authorization: missing bearer token");
  const projections::PrincipalRecord* record = state.FindPrincipalByTokenHash(TokenHash(token));
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

absl::Status AuthorizeOrgRead(const RatingState& state, const v1::Principal& caller,
                              const std::string& org) {
  if (AuthorizeLogRead(caller).ok()) return absl::OkStatus();
  if (caller.role() == v1::ROLE_COUNTING_TEAM && caller.scope() == org) return absl::OkStatus();
  if (CommitteeOver(state, caller, org)) return absl::OkStatus();
  return Denied(caller, absl::StrCat("read org ", org));
}

absl::Status AuthorizeSubjectRead(const RatingState& state, const v1::Principal& caller,
                                  const std::string& subject, int year) {
  if (AuthorizeLogRead(caller).ok()) return absl::OkStatus();
  if (caller.role() == v1::ROLE_MEMBER) {
    auto parsed = rules::ParseSubject(subject);
    if (parsed.ok() && parsed->id == caller.scope() &&
        (parsed->kind == SubjectKind::kMember || parsed->kind == SubjectKind::kLeader)) {
      return absl::OkStatus();
    }
    return Denied(caller, absl::StrCat("read ", subject));
  }
  const std::string org = OrgOfSubject(state, subject, year);
  if (CommitteeOver(state, caller, org)) return absl::OkStatus();
  if (caller.role() == v1::ROLE_COUNTING_TEAM && caller.scope() == org) return absl::OkStatus();
  return Denied(caller, absl::StrCat("read ", subject));
}

absl::Status AuthorizeCommand(const RatingState& state, const v1::Principal& caller,
                              const v1::Command& command) {
  if (caller.role() == v1::ROLE_ADMIN) return absl::OkStatus();
  if (caller.role() == v1::ROLE_INSPECTOR || caller.role() == v1::ROLE_INTEGRATION) {
    return Denied(caller, "write: the role is read-only");
  }
  const projections::RatingViews views(state);
  switch (command.command_case()) {
    case v1::Command::kOpenPeriod:
      if (caller.role() == v1::ROLE_BLOC_COMMITTEE) return absl::OkStatus();
      return Denied(caller, "open a review period");
    case v1::Command::kRegisterOrg:
      return RequireCommitteeOver(state, caller, command.register_org().parent(), "register orgs");
    case v1::Command::kRestructureOrg: {
      const projections::OrgInfo* org = state.FindOrg(command.restructure_org().id());
      return RequireCommitteeOver(state, caller, org ? org->parent : "", "restructure orgs");
    }
    case v1::Command::kEnrollMember:
      return RequireCommitteeOver(state, caller, command.enroll_member().org(), "enroll members");
    case v1::Command::kTransferMember:
      return RequireCommitteeOver(state, caller, OrgOfMember(state, command.transfer_member().member()),
                                  "transfer members");
    case v1::Command::kSetMemberStatus:
      return RequireCommitteeOver(state, caller,
                                  OrgOfMember(state, command.set_member_status().member()),
                                  "set member statuses");
    case v1::Command::kRecordReviewCompleted: {
      const auto& c = command.record_review_completed();
      return RequireCommitteeOver(state, caller, OrgOfSubject(state, c.subject(), c.year()),
                                  "record reviews");
    }
    case v1::Command::kRecordComments: {
      const auto& c = command.record_comments();
      return RequireCommitteeOver(state, caller, OrgOfSubject(state, c.subject(), c.year()),
                                  "record comments");
    }
    case v1::Command::kSubmitSelfAssessment: {
      const auto& a = command.submit_self_assessment();
      if (caller.role() == v1::ROLE_MEMBER && caller.scope() == a.member()) return absl::OkStatus();
      return RequireCommitteeOver(state, caller, OrgOfMember(state, a.member()),
                                  "submit self-assessments");
    }
    case v1::Command::kSubmitScorecard:
      return RequireCommitteeOver(state, caller, command.submit_scorecard().org(),
                                  "submit scorecards");
    case v1::Command::kSubmitCommitteeAssessment:
      return RequireCommitteeOver(state, caller, command.submit_committee_assessment().org(),
                                  "submit committee assessments");
    case v1::Command::kRecordExternalRating:
      return RequireCommitteeOver(state, caller, command.record_external_rating().org(),
                                  "record external ratings");
    case v1::Command::kRecordUnitIncident:
      return RequireCommitteeOver(state, caller, command.record_unit_incident().org(),
                                  "record unit incidents");
    case v1::Command::kRecordBallots: {
      const std::string& org = command.record_ballots().org();
      if (caller.role() == v1::ROLE_COUNTING_TEAM && caller.scope() == org) return absl::OkStatus();
      return RequireCommitteeOver(state, caller, org, "record ballots");
    }
    case v1::Command::kDecideRatings: {
      if (!IsCommitteeRole(caller.role())) return Denied(caller, "decide ratings (R-DEC-1)");
      for (const v1::SubjectLevel& r : command.decide_ratings().ratings()) {
        auto subject = rules::ParseSubject(r.subject());
        if (!subject.ok()) continue;  // Reported as INVALID_ARGUMENT by the handler.
        const std::string authority = views.AuthorityOf(*subject, command.decide_ratings().year());
        if (authority != caller.scope()) {
          return Denied(caller, absl::StrCat("decide ", r.subject(), ": R-DEC-1 gives it to the ",
                                             "committee of ", authority));
        }
      }
      return absl::OkStatus();
    }
    case v1::Command::kRuleDiscipline:
      // Year 0 has no period: a member's current org, or the org itself.
      return RequireCommitteeOver(state, caller,
                                  OrgOfSubject(state, command.rule_discipline().subject(), 0),
                                  "rule on discipline");
    case v1::Command::kRecordConclusion: {
      const auto& c = command.record_conclusion();
      return RequireCommitteeOver(state, caller, OrgOfSubject(state, c.subject(), c.year()),
                                  "record conclusions");
    }
    case v1::Command::kRecordConfidenceVote:
      return RequireCommitteeOver(state, caller,
                                  OrgOfMember(state, command.record_confidence_vote().member()),
                                  "record confidence votes");
    case v1::Command::kRerate: {
      const auto& r = command.rerate();
      if (!IsCommitteeRole(caller.role())) return Denied(caller, "re-rate (R-RETRO-2)");
      auto subject = rules::ParseSubject(r.subject());
      if (!subject.ok()) return absl::OkStatus();
      const std::string authority = views.RerateAuthorityOf(*subject, r.year());
      if (authority == caller.scope()) return absl::OkStatus();
      return Denied(caller, absl::StrCat("re-rate ", r.subject(), ": R-RETRO-2 gives it to the ",
                                         "committee of ", authority));
    }
    case v1::Command::kGrantReward: {
      const auto& g = command.grant_reward();
      return RequireCommitteeOver(state, caller, OrgOfSubject(state, g.subject(), g.year()),
                                  "grant rewards");
    }
    case v1::Command::kSubmitDossier:
      return RequireCommitteeOver(state, caller, command.submit_dossier().org(),
                                  "submit dossiers");
    case v1::Command::COMMAND_NOT_SET:
      return absl::InvalidArgumentError("command: empty");
  }
  return absl::InvalidArgumentError("command: unknown kind");
}

}  // namespace rating::services
