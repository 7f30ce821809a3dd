// Plain fact structs the rules read. Projections gather them from the log; rules never do
// I/O. Layer: rules (pure).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rules/types.h"

namespace rating::rules {

using rating::v1::ConclusionKind;
using rating::v1::DisciplineForm;
using rating::v1::MemberStatus;
using rating::v1::OrgKind;
using rating::v1::RatingStatus;

// A discipline ruling as it bears on one subject and year (already attributed, R-ATTR-1).
struct DisciplineFact {
  DisciplineForm form = rating::v1::DISCIPLINE_FORM_UNSPECIFIED;
  bool self_remedied = false;
  bool increases = false;
  // Identifies the violation (so that one violation counts once, C.III.3.4).
  std::string violation_key;
};

// ------------------------------------------------------------------ eligibility (§3)

// A span of membership in one org: [from, to), `to` unset = still there.
struct MembershipSpan {
  std::string org;
  Date from;
  std::optional<Date> to;
};

// A status from a date on (the last one at or before a date applies).
struct StatusSpan {
  MemberStatus status = rating::v1::MEMBER_STATUS_ACTIVE;
  Date from;
};

struct MemberEligibilityFacts {
  int year = 0;
  Date reference_date;
  Date admitted_on;
  std::vector<MembershipSpan> memberships;  // In date order.
  std::vector<StatusSpan> statuses;         // In date order.
  bool review_completed = false;
  // Comment sources received for this subject-year.
  bool comments_temporary_cell = false;
  bool comments_previous_org = false;
};

struct OrgEligibilityFacts {
  int year = 0;
  Date reference_date;
  std::optional<Date> founded_on;
  // Dates of splits and mergers of the org.
  std::vector<Date> split_or_merged_on;
  // Dates the org was transferred to a new superior.
  std::vector<Date> transferred_on;
  bool review_completed = false;
  bool comments_previous_superior = false;
};

// Who is rated, and whether inputs are missing.
struct Eligibility {
  // NOT_SUBJECT, PENDING (review or comments missing), or DECIDED-able: RATING_STATUS_UNSPECIFIED
  // means "ready to be rated".
  RatingStatus status = rating::v1::RATING_STATUS_UNSPECIFIED;
  std::string rule_id;  // R-SUBJ-1/2/3/4 behind NOT_SUBJECT or PENDING.
  std::vector<Finding> findings;
  std::vector<std::string> missing_inputs;  // e.g. "comments:temporary_cell".
  std::vector<std::string> notes;           // R-SUBJ-5 flags.
  bool ready() const { return status == rating::v1::RATING_STATUS_UNSPECIFIED; }
};

// ------------------------------------------------------------------ members (§5, §6 leaders)

struct MemberAssessment {
  // Criterion name -> grade (political, tasks, commitment, remediation; leaders add
  // leadership, initiative, example).
  std::map<std::string, Grade> grades;
  int targets_assigned = 0;
  int targets_completed = 0;
  int targets_on_time = 0;
  int targets_exceeded = 0;
  int not_ensured = 0;
  bool exemplary = false;
};

struct ConfidenceVoteFact {
  int low = 0;
  int total = 0;
};

struct MemberFacts {
  bool leader = false;                         // Rated with the leader criteria (leader/ID).
  std::optional<MemberAssessment> assessment;  // Missing -> named in missing_inputs.
  std::vector<ConclusionKind> conclusions;     // Concluded for this member and year.
  std::vector<ConfidenceVoteFact> confidence_votes;
  std::vector<DisciplineFact> disciplines;  // Attributed to this member and year.
};

// ------------------------------------------------------------------ orgs (§4)

// A subordinate org or rated member as its org's rules read it.
struct UnitRating {
  std::string subject;  // "org/X" or "member/X"
  // NOT_SUBJECT (left out), PENDING/undecided (level unset: the condition fails, named), or
  // a decided level already made effective under R-RETRO-3 by the caller.
  bool not_subject = false;
  std::optional<Level> level;
  // Disciplined in Y (any ruling attributed to Y, self-remedied or not) — D3.
  bool disciplined = false;
  // Disciplined in Y and not self-remedied — D1 (for subordinate orgs).
  bool disciplined_not_remedied = false;
};

struct ScoreLine {
  std::string id;
  CentiPoints max = 0;
  CentiPoints points = 0;
  bool key = false;
  Grade grade = rating::v1::GRADE_UNSPECIFIED;  // Unset: computed from points.
};

struct ScorecardFacts {
  std::vector<ScoreLine> lines;
  int party_building_pct = 100;
  bool production_plan_met = true;
  bool force_majeure = false;
  bool exemplary = false;
};

struct IncidentFact {
  bool disciplined = false;
  bool self_remedied = false;
};

struct OrgFacts {
  // Read as a grassroots committee (grassroots_committee, sub_committee) or a grassroots cell
  // (grassroots_cell, subordinate_cell).
  OrgKind kind = rating::v1::ORG_KIND_GRASSROOTS_CELL;
  std::optional<ScorecardFacts> scorecard;
  // Direct subordinate orgs (committee kinds) or the org's members (cell kinds).
  std::vector<UnitRating> units;
  std::optional<Level> management;                    // Unset: missing input.
  std::map<std::string, Level> mass_orgs;             // name -> level.
  std::vector<DisciplineFact> org_disciplines;        // Against O itself, attributed to Y.
  std::vector<DisciplineFact> committee_disciplines;  // Against O's committee, attributed to Y.
  std::vector<IncidentFact> incidents;                // Recorded unit incidents in Y (D1).
  // Disciplines in Y of members of O's committee (D4, R-ORG-4).
  std::vector<DisciplineFact> committee_member_disciplines;
};

// ------------------------------------------------------------------ committees (§6)

struct CommitteeAssessmentFacts {
  std::map<std::string, Grade> grades;  // democratic_centralism ... remediation
  int unit_targets_pct = 100;
  bool force_majeure = false;
  bool exemplary = false;
};

struct CommitteeFacts {
  std::optional<CommitteeAssessmentFacts> assessment;
  // Disunity concluded for the committee, or degradation concluded for a committee member.
  bool disunity_concluded = false;
  bool member_degradation_concluded = false;
  std::vector<DisciplineFact> committee_disciplines;         // The committee itself.
  std::vector<DisciplineFact> committee_member_disciplines;  // Its members (C.III.3.4).
};

// A cap on a subject's level from another rating (R-COM-CAP, R-LEAD-CAP).
struct Cap {
  std::string rule_id;  // "R-COM-CAP" or "R-LEAD-CAP"
  std::string source;   // The capping subject, e.g. "org/c1".
  // The capping rating's decided (effective) level, or its current ceiling when undecided;
  // unset when neither is known (the cap then names a missing input).
  std::optional<Level> level;
};

}  // namespace rating::rules
