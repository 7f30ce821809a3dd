// Commands of the registry: periods, orgs and members as dated histories (R-TIME-1).
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "rules/placement.h"
#include "rules/policy.h"
#include "services/internal/commands.h"
#include "services/internal/input_limits.h"

namespace rating::services::internal {
namespace {

using projections::kEndOfTime;

// The member's org now (the latest membership).
std::string CurrentOrg(const projections::MemberRecord& member) {
  return member.memberships.empty() ? "" : member.memberships.back().org;
}

}  // namespace

// ------------------------------------------------------------------ periods

absl::Status AuthorizeOpenPeriod(const AuthContext& auth, const v1::PeriodSpec&) {
  if (auth.caller.role() == v1::ROLE_BLOC_COMMITTEE) return absl::OkStatus();
  return Denied(auth.caller, "open a review period");
}

absl::StatusOr<Plan> PlanOpenPeriod(const RatingState& state, const v1::PeriodSpec& p) {
  if (p.year() < 2000 || p.year() > 2100) {
    return Invalid("year", absl::StrCat(p.year(), " is not in 2000..2100"));
  }
  if (state.FindPeriod(p.year()) != nullptr) {
    return absl::AlreadyExistsError(
        absl::StrCat("year ", p.year(), ": the period is already open"));
  }
  if (!p.reference_date().empty()) {
    RATING_ASSIGN_OR_RETURN(rules::Date ref, CheckDate("reference_date", p.reference_date()));
    if (ref.year() != p.year() && ref.year() != p.year() + 1) {
      return Invalid("reference_date", "must fall in the period's year or early the next");
    }
  }
  if (p.policy_overrides_size() > 64) return Invalid("policy_overrides", "at most 64 overrides");
  std::vector<std::pair<std::string, std::string>> overrides;
  for (int i = 0; i < p.policy_overrides_size(); ++i) {
    const v1::PolicyOverride& o = p.policy_overrides(i);
    // Only a scorecard template is longer than a number or a choice; the rules quote values.
    if (!absl::StartsWith(o.key(), "scorecard.") && o.value().size() > kMaxIdBytes) {
      return Invalid(absl::StrCat("policy_overrides[", i, "].value"),
                     absl::StrCat("longer than ", kMaxIdBytes, " bytes"));
    }
    overrides.emplace_back(o.key(), o.value());
  }
  auto policy = rules::LoadPolicy(p.policy_version(), overrides);
  if (!policy.ok()) {
    // A template's own lines may be quoted: the message is cut (at a character boundary).
    return Invalid("policy", CutToBytes(std::string(policy.status().message()), 512));
  }
  v1::PeriodSpec stored = p;
  stored.set_policy_version(policy->version);  // Pinned: replays load the same version.
  return OneEvent(StreamForYear(p.year()), &v1::Event::mutable_period_opened, stored);
}

// ------------------------------------------------------------------ orgs

absl::Status AuthorizeRegisterOrg(const AuthContext& auth, const v1::OrgSpec& o) {
  return RequireCommitteeOver(auth, o.parent(), kEndOfTime, "register orgs");
}

absl::StatusOr<Plan> PlanRegisterOrg(const RatingState& state, const v1::OrgSpec& o) {
  RATING_RETURN_IF_ERROR(CheckId("id", o.id()));
  if (state.registry().FindOrg(o.id()) != nullptr) {
    return absl::AlreadyExistsError(absl::StrCat("org ", o.id(), ": already registered"));
  }
  if (o.kind() == v1::ORG_KIND_UNSPECIFIED || o.kind() == v1::ORG_KIND_BLOC ||
      !v1::OrgKind_IsValid(o.kind())) {
    return Invalid("kind",
                   "grassroots_committee, grassroots_cell, sub_committee or subordinate_cell");
  }
  RATING_RETURN_IF_ERROR(CheckOrg(state, "parent", o.parent(), true).status());
  rules::Date from = projections::kBeginning;
  if (!o.founded_on().empty()) {
    RATING_ASSIGN_OR_RETURN(from, CheckDate("founded_on", o.founded_on()));
  }
  RATING_RETURN_IF_ERROR(
      rules::CheckSuperior(o.kind(), state.registry().KindAt(o.parent(), from), o.parent()));
  RATING_RETURN_IF_ERROR(CheckText("name", o.name(), 512));
  return OneEvent(kRegistryStream, &v1::Event::mutable_org_registered, o);
}

absl::Status AuthorizeRestructureOrg(const AuthContext& auth, const v1::OrgRestructuring& r) {
  const projections::RegistryView& registry = auth.state.registry();
  RATING_RETURN_IF_ERROR(RequireCommitteeOver(auth, registry.ParentAt(r.id(), kEndOfTime),
                                              kEndOfTime, "restructure orgs"));
  if (r.new_parent().empty()) return absl::OkStatus();
  return RequireCommitteeOver(auth, r.new_parent(), kEndOfTime, "move orgs");
}

absl::StatusOr<Plan> PlanRestructureOrg(const RatingState& state, const v1::OrgRestructuring& r) {
  const projections::RegistryView& registry = state.registry();
  RATING_ASSIGN_OR_RETURN(const projections::OrgRecord* org, CheckOrg(state, "id", r.id(), false));
  RATING_ASSIGN_OR_RETURN(rules::Date on, CheckDate("on", r.on()));
  if (r.change() == v1::RESTRUCTURE_CHANGE_UNSPECIFIED ||
      !v1::RestructureChange_IsValid(r.change())) {
    return Invalid("change", "split, merged or transferred");
  }
  if (r.new_kind() != v1::ORG_KIND_UNSPECIFIED &&
      (!v1::OrgKind_IsValid(r.new_kind()) || r.new_kind() == v1::ORG_KIND_BLOC)) {
    return Invalid("new_kind",
                   "grassroots_committee, grassroots_cell, sub_committee or subordinate_cell");
  }
  if (!org->parents.empty() && on < org->parents.front().from) {
    return Invalid("on", "before the org was founded");
  }
  std::string parent = registry.ParentAt(r.id(), on);
  if (r.change() == v1::RESTRUCTURE_CHANGE_TRANSFERRED) {
    if (r.new_parent().empty()) return Invalid("new_parent", "a transfer needs the new superior");
    RATING_RETURN_IF_ERROR(CheckOrg(state, "new_parent", r.new_parent(), true).status());
    if (r.new_parent() == r.id()) return Invalid("new_parent", "an org cannot be its own superior");
    if (!org->parents.empty() && on < org->parents.back().from) {
      return Invalid("on", absl::StrCat("before the org's last change of superior on ",
                                        rules::FormatDate(org->parents.back().from)));
    }
    for (rules::Date when : {on, kEndOfTime}) {
      for (const rules::OrgAtDate& a : registry.AncestryAt(r.new_parent(), when)) {
        if (a.id == r.id()) return Invalid("new_parent", "would make a cycle");
      }
    }
    parent = r.new_parent();
  } else if (!r.new_parent().empty()) {
    return Invalid("new_parent", "only a transfer names a new superior");
  }
  const v1::OrgKind kind =
      r.new_kind() != v1::ORG_KIND_UNSPECIFIED ? r.new_kind() : registry.KindAt(r.id(), on);
  RATING_RETURN_IF_ERROR(rules::CheckSuperior(kind, registry.KindAt(parent, on), parent));
  return OneEvent(kRegistryStream, &v1::Event::mutable_org_restructured, r);
}

// ------------------------------------------------------------------ members

absl::Status AuthorizeEnrollMember(const AuthContext& auth, const v1::MemberSpec& m) {
  RATING_RETURN_IF_ERROR(RequireCommitteeOver(auth, m.org(), kEndOfTime, "enroll members"));
  for (const auto* orgs : {&m.committee_of(), &m.heads()}) {
    for (const std::string& org : *orgs) {
      RATING_RETURN_IF_ERROR(RequireCommitteeOver(auth, org, kEndOfTime, "assign posts"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Plan> PlanEnrollMember(const RatingState& state, const v1::MemberSpec& m) {
  RATING_RETURN_IF_ERROR(CheckId("id", m.id()));
  if (state.registry().FindMember(m.id()) != nullptr) {
    return absl::AlreadyExistsError(absl::StrCat("member ", m.id(), ": already enrolled"));
  }
  RATING_RETURN_IF_ERROR(CheckOrg(state, "org", m.org(), false).status());
  RATING_RETURN_IF_ERROR(CheckDate("admitted_on", m.admitted_on()).status());
  RATING_RETURN_IF_ERROR(CheckOrgList(state, "committee_of", m.committee_of()));
  RATING_RETURN_IF_ERROR(CheckOrgList(state, "heads", m.heads()));
  RATING_RETURN_IF_ERROR(CheckText("name", m.name(), 512));
  return OneEvent(kRegistryStream, &v1::Event::mutable_member_enrolled, m);
}

absl::Status AuthorizeTransferMember(const AuthContext& auth, const v1::MemberTransfer& t) {
  const projections::MemberRecord* member = auth.state.registry().FindMember(t.member());
  const std::string from = member == nullptr ? "" : CurrentOrg(*member);
  RATING_RETURN_IF_ERROR(RequireCommitteeOver(auth, from, kEndOfTime, "transfer members"));
  // A committee moves members only into orgs it governs too.
  return RequireCommitteeOver(auth, t.to(), kEndOfTime, "transfer members in");
}

absl::StatusOr<Plan> PlanTransferMember(const RatingState& state, const v1::MemberTransfer& t) {
  RATING_ASSIGN_OR_RETURN(const projections::MemberRecord* member,
                          CheckMember(state, "member", t.member()));
  RATING_RETURN_IF_ERROR(CheckOrg(state, "to", t.to(), false).status());
  RATING_ASSIGN_OR_RETURN(rules::Date on, CheckDate("on", t.on()));
  if (!member->memberships.empty() && on < member->memberships.back().from) {
    return Invalid("on", absl::StrCat("before the member's current membership began on ",
                                      rules::FormatDate(member->memberships.back().from)));
  }
  if (CurrentOrg(*member) == t.to()) {
    return Invalid("to", absl::StrCat("member is already in ", t.to()));
  }
  return OneEvent(kRegistryStream, &v1::Event::mutable_member_transferred, t);
}

absl::Status AuthorizeSetMemberStatus(const AuthContext& auth, const v1::MemberStatusChange& s) {
  const projections::MemberRecord* member = auth.state.registry().FindMember(s.member());
  return RequireCommitteeOver(auth, member == nullptr ? "" : CurrentOrg(*member), kEndOfTime,
                              "set member statuses");
}

absl::StatusOr<Plan> PlanSetMemberStatus(const RatingState& state,
                                         const v1::MemberStatusChange& s) {
  RATING_RETURN_IF_ERROR(CheckMember(state, "member", s.member()).status());
  if (s.status() == v1::MEMBER_STATUS_UNSPECIFIED || !v1::MemberStatus_IsValid(s.status())) {
    return Invalid("status",
                   "active, exempt, suspended, temporary_elsewhere, sick_leave or maternity");
  }
  RATING_RETURN_IF_ERROR(CheckDate("from", s.from()).status());
  return OneEvent(kRegistryStream, &v1::Event::mutable_member_status_changed, s);
}

absl::Status AuthorizeChangeMemberPosts(const AuthContext& auth, const v1::MemberPosts& p) {
  const projections::MemberRecord* member = auth.state.registry().FindMember(p.member());
  RATING_RETURN_IF_ERROR(RequireCommitteeOver(auth, member == nullptr ? "" : CurrentOrg(*member),
                                              kEndOfTime, "change member posts"));
  for (const auto* orgs : {&p.committee_of(), &p.heads()}) {
    for (const std::string& org : *orgs) {
      RATING_RETURN_IF_ERROR(RequireCommitteeOver(auth, org, kEndOfTime, "assign posts"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Plan> PlanChangeMemberPosts(const RatingState& state, const v1::MemberPosts& p) {
  RATING_ASSIGN_OR_RETURN(const projections::MemberRecord* member,
                          CheckMember(state, "member", p.member()));
  RATING_ASSIGN_OR_RETURN(rules::Date on, CheckDate("on", p.on()));
  if (on < member->admitted_on) return Invalid("on", "before the member's admission");
  RATING_RETURN_IF_ERROR(CheckOrgList(state, "committee_of", p.committee_of()));
  RATING_RETURN_IF_ERROR(CheckOrgList(state, "heads", p.heads()));
  return OneEvent(kRegistryStream, &v1::Event::mutable_member_posts_changed, p);
}

}  // namespace rating::services::internal
