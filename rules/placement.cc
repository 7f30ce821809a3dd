#include "rules/placement.h"

#include "rules/internal/text_util.h"

namespace rating::rules {

using internal::Cat;
namespace {

constexpr char kBloc[] = "bloc";

bool IsGrassrootsKind(OrgKind kind) {
  return kind == rating::v1::ORG_KIND_GRASSROOTS_CELL ||
         kind == rating::v1::ORG_KIND_GRASSROOTS_COMMITTEE;
}

bool IsSubordinateKind(OrgKind kind) {
  return kind == rating::v1::ORG_KIND_SUBORDINATE_CELL ||
         kind == rating::v1::ORG_KIND_SUB_COMMITTEE;
}

// The grassroots org that governs a subordinate org's subject (its superior, else the bloc,
// when none is known).
std::string GrassrootsOrBloc(const Placement& p) {
  if (!p.grassroots.empty()) return p.grassroots;
  return p.parent.empty() ? std::string(kBloc) : p.parent;
}

}  // namespace

std::optional<std::string> OrgAt(const std::vector<MembershipSpan>& memberships, Date date) {
  std::optional<std::string> org;
  for (const MembershipSpan& span : memberships) {
    if (span.from <= date && (!span.to.has_value() || date < *span.to)) org = span.org;
  }
  return org;
}

MemberStatus StatusAt(const std::vector<StatusSpan>& statuses, Date date) {
  MemberStatus status = rating::v1::MEMBER_STATUS_ACTIVE;
  for (const StatusSpan& span : statuses) {  // In date order: the last one in force wins.
    if (span.from <= date) status = span.status;
  }
  return status;
}

std::string GrassrootsOf(const std::vector<OrgAtDate>& ancestry) {
  for (const OrgAtDate& org : ancestry) {
    if (IsGrassrootsKind(org.kind)) return org.id;
  }
  return "";
}

absl::Status CheckSuperior(OrgKind kind, OrgKind parent_kind, std::string_view parent_id) {
  if (IsGrassrootsKind(kind)) {
    if (parent_kind == rating::v1::ORG_KIND_BLOC) return absl::OkStatus();
    return absl::InvalidArgumentError(
        Cat("parent: a grassroots org sits directly under the bloc, not under ", parent_id));
  }
  if (kind == rating::v1::ORG_KIND_SUB_COMMITTEE) {
    if (parent_kind == rating::v1::ORG_KIND_GRASSROOTS_COMMITTEE) return absl::OkStatus();
    return absl::InvalidArgumentError(
        Cat("parent: a sub-committee sits under a grassroots committee, not under ", parent_id));
  }
  if (kind == rating::v1::ORG_KIND_SUBORDINATE_CELL) {
    if (parent_kind == rating::v1::ORG_KIND_GRASSROOTS_COMMITTEE ||
        parent_kind == rating::v1::ORG_KIND_SUB_COMMITTEE) {
      return absl::OkStatus();
    }
    return absl::InvalidArgumentError(Cat("parent: a subordinate cell sits under a grassroots ",
                                          "committee or a sub-committee, not under ", parent_id));
  }
  return absl::InvalidArgumentError(
      "kind: grassroots_committee, grassroots_cell, sub_committee or subordinate_cell");
}

std::string CompetentAuthority(const Placement& p) {
  switch (p.kind) {
    case SubjectKind::kLeader:  // C.III.5: the bloc standing committee.
      return kBloc;
    case SubjectKind::kMember:
      if (IsGrassrootsKind(p.org_kind)) return p.org;  // C.II.3.2: the cell (or org) committee.
      if (IsSubordinateKind(p.org_kind)) return GrassrootsOrBloc(p);
      return kBloc;
    case SubjectKind::kOrg:
    case SubjectKind::kCommittee:
      if (IsSubordinateKind(p.org_kind)) return GrassrootsOrBloc(p);
      return kBloc;  // C.I.3, C.III.3: the bloc standing committee.
  }
  return kBloc;
}

std::string RerateAuthority(const Placement& p) {
  // R-RETRO-2: a member's rating is re-rated by the committee of the grassroots org they
  // belonged to at the reference date; everything else by its R-DEC-1 authority.
  if (p.kind == SubjectKind::kMember && !p.grassroots.empty()) return p.grassroots;
  return CompetentAuthority(p);
}

QuotaScope QuotaScopeOf(const Placement& p) {
  const std::string root = GrassrootsOrBloc(p);
  switch (p.kind) {
    case SubjectKind::kMember:  // C.II.2.1: "trong từng TCCSĐ".
      return {Cat("members:", root), "R-MEM-2", ScopeKind::kMembers, root};
    case SubjectKind::kLeader:  // C.III.5: "của từng cơ quan, đơn vị".
      return {Cat("leaders:", root), "R-LEAD-QUOTA", ScopeKind::kLeaders, root};
    case SubjectKind::kOrg:
      if (IsSubordinateKind(p.org_kind)) {  // §4: their grassroots committee.
        return {Cat("suborgs:", root), "R-ORG-4", ScopeKind::kSubOrgs, root};
      }
      return {"orgs:bloc", "R-ORG-4", ScopeKind::kGrassrootsOrgs, kBloc};  // C.I.2.1.
    case SubjectKind::kCommittee:
      if (IsSubordinateKind(p.org_kind)) {
        return {Cat("subcommittees:", root), "R-COM-3", ScopeKind::kSubCommittees, root};
      }
      return {"committees:bloc", "R-COM-3", ScopeKind::kGrassrootsCommittees, kBloc};  // C.III.3.1.
  }
  return {};
}

bool TallyRequired(const Placement& p) {
  return p.kind == SubjectKind::kMember && p.org_kind == rating::v1::ORG_KIND_GRASSROOTS_CELL;
}

std::vector<std::string> OrderNeeds(const OrderFacts& facts) {
  std::vector<std::string> out;
  switch (facts.subject.kind) {
    case SubjectKind::kOrg:  // C.I.3: after its rated members and subordinate orgs.
      for (const std::string& m : facts.members) {
        out.push_back(Subject{SubjectKind::kMember, m}.ToString());
      }
      for (const std::string& o : facts.child_orgs) {
        out.push_back(Subject{SubjectKind::kOrg, o}.ToString());
      }
      break;
    case SubjectKind::kCommittee:  // C.III.3.1: the committee after its org.
      out.push_back(Subject{SubjectKind::kOrg, facts.subject.id}.ToString());
      break;
    default:
      break;
  }
  return out;
}

std::vector<std::string> UndecidedPrerequisites(const std::vector<PrerequisiteState>& needs) {
  std::vector<std::string> out;
  for (const PrerequisiteState& need : needs) {
    if (!need.not_subject && !need.decided) out.push_back(need.subject);
  }
  return out;
}

std::string AttributedOrg(const Subject& subject, std::string_view at_org,
                          const std::vector<MembershipSpan>& memberships, Date violation_from) {
  if (!at_org.empty()) return std::string(at_org);
  if (!subject.IsPerson()) return subject.id;
  // IV.7: the org where it happened, from the membership history, not the enforcing one.
  if (auto org = OrgAt(memberships, violation_from)) return *org;
  return memberships.empty() ? std::string() : memberships.front().org;
}

std::vector<int> YearsTouched(Date from, Date to) {
  if (to < from) std::swap(from, to);
  std::vector<int> years;
  // [choice] A violation period spanning years touches each of them (IV.7, IV.8).
  for (int64_t y = from.year(); y <= to.year(); ++y) years.push_back(static_cast<int>(y));
  return years;
}

}  // namespace rating::rules
