// Plain fact structs the rules read. Projections gather them from the log, read at the year's
// reference date (R-TIME-1); rules never do I/O. Layer: rules (pure).
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

// A status from a date on. In a list, in `from` order, recording order within one date: the
// last one on or before a date is in force (R-SUBJ-1).
struct StatusSpan {
  MemberStatus status = rating::v1::MEMBER_STATUS_ACTIVE;
  Date from;
};

struct MemberEligibilityFacts {
  int year = 0;
  Date reference_date;
  Date admitted_on;
  std::vector<MembershipSpan> memberships;  // In date order.
  std::vector<StatusSpan> statuses;         // See StatusSpan.
  // The review recorded on this very subject (member/ID or leader/ID).
  bool review_completed = false;
  // The review recorded on member/ID: it serves leader/ID too (R-SUBJ-3).
  bool member_review_completed = false;
  // Comment sources received for the person, on member/ID or leader/ID (R-SUBJ-4).
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
  // The review recorded on this very subject (org/ID or committee/ID: each needs its own).
  bool review_completed = false;
  // The previous superior's comments, received on org/ID or committee/ID.
  bool comments_previous_superior = false;
};

// Who is rated, and whether inputs are missing.
struct Eligibility {
  // NOT_SUBJECT, PENDING (review or comments missing), or RATING_STATUS_UNSPECIFIED: "ready to
  // be rated".
  RatingStatus status = rating::v1::RATING_STATUS_UNSPECIFIED;
  std::string rule_id;  // R-SUBJ-1/2/3/4 behind NOT_SUBJECT or PENDING.
  std::vector<Finding> findings;
  std::vector<std::string> missing_inputs;  // e.g. "comments:temporary_cell".
  std::vector<std::string> notes;           // R-SUBJ-5 flags.
  bool ready() const { return status == rating::v1::RATING_STATUS_UNSPECIFIED; }
};

// ------------------------------------------------------------------ members (§5, §6 leaders)

struct MemberAssessment {
  // Criterion id -> grade (political, tasks, commitment, remediation; leaders add leadership,
  // initiative, example).
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
  std::vector<ConclusionKind> conclusions;     // Concluded for this person and year.
  std::vector<ConfidenceVoteFact> confidence_votes;
  std::vector<DisciplineFact> disciplines;  // Attributed to this person and year.
};

// ------------------------------------------------------------------ orgs (§4)

// A subordinate org or member as its org's R-ORG-4/5 percentages read it.
struct UnitRating {
  std::string subject;  // "org/X" or "member/X"
  // NOT_SUBJECT units are left out of the percentages.
  bool not_subject = false;
  // The decided level as others read it (R-RETRO-3), or a level the same decision gives;
  // unset: not decided yet (the condition fails, named).
  std::optional<Level> level;
};

struct ScoreLine {
  std::string id;
  CentiPoints max = 0;
  CentiPoints points = 0;
  bool key = false;
  Grade grade = rating::v1::GRADE_UNSPECIFIED;  // Unset: computed from points.
  std::string name_vi = "";  // The template's name of the criterion ("" when none).
};

struct ScorecardFacts {
  std::vector<ScoreLine> lines;
  // Unset when the card asserts nothing about them: D2 then does not fire on them.
  std::optional<int> party_building_pct;
  std::optional<bool> production_plan_met;
  bool force_majeure = false;
  bool exemplary = false;
};

// A violation case recorded on O or on an org below it, in the year (D1).
struct IncidentFact {
  bool disciplined = false;
  bool self_remedied = false;
  std::string org = "";  // Where it was recorded.
};

// A discipline of an org anywhere below O (at the reference date), attributed to the year (D1).
struct SubOrgDiscipline {
  std::string org;
  DisciplineFact discipline;
};

// D3's people or orgs. Grassroots cell: `whole` = O's members at the reference date, rated or
// not; `disciplined` = the people with a discipline attributed to O and the year, those who
// have since left included. Grassroots committee: `whole` = O's direct subordinate orgs at the
// reference date; `disciplined` = those with a discipline attributed to the year. Ids only.
struct D3Facts {
  std::vector<std::string> whole;
  std::vector<std::string> disciplined;
};

struct OrgFacts {
  // Read as a grassroots committee (grassroots_committee, sub_committee) or a grassroots cell
  // (grassroots_cell, subordinate_cell). The kind at the reference date.
  OrgKind kind = rating::v1::ORG_KIND_GRASSROOTS_CELL;
  std::optional<ScorecardFacts> scorecard;
  // R-ORG-4/5: direct subordinate orgs (committee kinds) or O's members (cell kinds) at the
  // reference date.
  std::vector<UnitRating> units;
  std::optional<Level> management;                    // Unset: missing input.
  std::map<std::string, Level> mass_orgs;             // name -> level.
  std::vector<DisciplineFact> org_disciplines;        // Against O itself, attributed to Y.
  std::vector<DisciplineFact> committee_disciplines;  // Against O's committee, attributed to Y.
  std::vector<IncidentFact> incidents;                // D1.
  std::vector<SubOrgDiscipline> suborg_disciplines;   // D1.
  D3Facts d3;                                         // D3.
  // D4 and R-ORG-4: disciplines in Y of the members on O's committee at the reference date.
  std::vector<DisciplineFact> committee_member_disciplines;
};

// ------------------------------------------------------------------ committees (§6)

struct CommitteeAssessmentFacts {
  std::map<std::string, Grade> grades;  // democratic_centralism ... remediation
  // Unset when the assessment asserts nothing about the unit's targets.
  std::optional<int> unit_targets_pct;
  bool force_majeure = false;
  bool exemplary = false;
};

struct CommitteeFacts {
  std::optional<CommitteeAssessmentFacts> assessment;
  // Conclusions of the year recorded on committee/X, on org/X (disunity there speaks of X's
  // committee, FORMAT.md), and on the people sitting on the committee at the reference date.
  std::vector<ConclusionKind> committee_conclusions;
  std::vector<ConclusionKind> org_conclusions;
  std::vector<ConclusionKind> member_conclusions;
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
