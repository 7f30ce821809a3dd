// Where a subject sits in year Y, read at Y's reference date (R-TIME-1), and the decisions
// that follow from it: who decides (R-DEC-1), who re-rates (R-RETRO-2), the quota scope
// (R-QUOTA, R-LEAD-QUOTA), whether a tally must back the decision (R-BAL-5), what R-ORDER
// needs first, and where a ruling counts (R-ATTR-1). Layer: rules (pure).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "rules/facts.h"
#include "rules/subject.h"

namespace rating::rules {

// ------------------------------------------------------------------ valid time (R-TIME-1)

// A value that holds from a date on.
template <typename T>
struct Dated {
  Date from;
  T value;
};

// The value in force at `date`: the last entry with from <= date, where `history` is in
// `from` order with recording order within one date (so a later record for the same date
// wins); nullptr before the first entry. Valid until `history` changes.
template <typename T>
const T* ValueAt(const std::vector<Dated<T>>& history, Date date) {
  const T* value = nullptr;
  for (const Dated<T>& entry : history) {
    if (entry.from > date) break;
    value = &entry.value;
  }
  return value;
}

// The member's org at `date` from the membership history, or nullopt (R-ATTR-1, R-RETRO-2).
std::optional<std::string> OrgAt(const std::vector<MembershipSpan>& memberships, Date date);
// The status in force at `date` (R-SUBJ-1): the last change on or before it; ACTIVE if none.
MemberStatus StatusAt(const std::vector<StatusSpan>& statuses, Date date);

// One org of a chain read at a date.
struct OrgAtDate {
  std::string id;
  OrgKind kind = rating::v1::ORG_KIND_UNSPECIFIED;
};
// The grassroots org of `ancestry` (an org first, then each superior up to the bloc, all at
// one date): the first of kind grassroots_cell or grassroots_committee; "" if none.
std::string GrassrootsOf(const std::vector<OrgAtDate>& ancestry);

// Whether an org of `kind` may sit under a superior of `parent_kind`: grassroots orgs under the
// bloc; a sub-committee under a grassroots committee; a subordinate cell under a grassroots
// committee or a sub-committee. INVALID_ARGUMENT (field "parent") naming both otherwise.
absl::Status CheckSuperior(OrgKind kind, OrgKind parent_kind, std::string_view parent_id);

// ------------------------------------------------------------------ placement

// Where a subject sits at the year's reference date.
struct Placement {
  SubjectKind kind = SubjectKind::kMember;
  // Members and leaders: their org at the reference date (their first org if the date is
  // before their admission). Orgs and committees: the org itself.
  std::string org;
  OrgKind org_kind = rating::v1::ORG_KIND_UNSPECIFIED;  // Kind of `org` at the reference date.
  std::string parent;                                   // Superior of `org` at the date.
  std::string grassroots;  // The grassroots org `org` belongs to at the date ("" if none).
};

// R-DEC-1: the org whose committee decides the rating. Member of a grassroots cell: that
// cell; of a subordinate cell (or sub-committee): its grassroots committee; a grassroots org,
// its committee, a leader: "bloc"; a subordinate org or its committee: its grassroots
// committee.
std::string CompetentAuthority(const Placement& placement);
// R-RETRO-2: the direct superior committee that re-rates with a QĐ 01. Member: the committee of
// the grassroots org they belonged to at the reference date; otherwise as R-DEC-1.
std::string RerateAuthority(const Placement& placement);

// Who forms one quota scope, for the counts of R-QUOTA.
enum class ScopeKind {
  kMembers,               // member/ of every org under `root` (a grassroots org) and root itself
  kLeaders,               // leader/ of those members
  kGrassrootsOrgs,        // org/ of every grassroots org of the bloc
  kGrassrootsCommittees,  // committee/ of every grassroots org of the bloc
  kSubOrgs,               // org/ of every subordinate org under `root` (a grassroots committee)
  kSubCommittees,         // committee/ of those
};
struct QuotaScope {
  std::string id;    // e.g. "members:g1", "orgs:bloc"
  std::string rule;  // The rule that sets the scope: R-MEM-2, R-LEAD-QUOTA, R-ORG-4, R-COM-3
  ScopeKind kind = ScopeKind::kMembers;
  std::string root;  // The grassroots org ("bloc" for the bloc-wide scopes).
};
// R-QUOTA's scope of a subject: members within each grassroots org (C.II.2.1); leaders of one
// grassroots org (R-LEAD-QUOTA); grassroots orgs and their committees across the bloc (R-ORG-4,
// R-COM-3); subordinate orgs (and their committees) within their grassroots committee (§4).
QuotaScope QuotaScopeOf(const Placement& placement);

// R-BAL-5: a member of a grassroots cell is decided on the tally that covers them.
bool TallyRequired(const Placement& placement);

// ------------------------------------------------------------------ R-ORDER

// What R-ORDER reads of a subject's surroundings at the reference date.
struct OrderFacts {
  Subject subject;
  std::vector<std::string> members;     // The org's members (org subjects).
  std::vector<std::string> child_orgs;  // The org's direct subordinate orgs (org subjects).
};
// The ratings that must be decided before (or with) the subject: an org's members and direct
// subordinate orgs (C.I.3); a committee's org (C.III.3.1). Subject strings, in that order.
std::vector<std::string> OrderNeeds(const OrderFacts& facts);

// A rating R-ORDER waits for, as it stands.
struct PrerequisiteState {
  std::string subject;
  bool not_subject = false;  // Not rated this year: nothing to wait for.
  bool decided = false;      // Decided earlier, or in the same decision.
};
// The prerequisites still undecided (PENDING ones block, NOT_SUBJECT ones do not).
std::vector<std::string> UndecidedPrerequisites(const std::vector<PrerequisiteState>& needs);

// ------------------------------------------------------------------ R-ATTR-1

// The org where a violation happened: `at_org` if given; for a person, their org at
// `violation_from` (else their first org); for an org or committee, the org itself.
std::string AttributedOrg(const Subject& subject, std::string_view at_org,
                          const std::vector<MembershipSpan>& memberships, Date violation_from);
// Every year the violation period [from, to] touches.
std::vector<int> YearsTouched(Date from, Date to);

}  // namespace rating::rules
