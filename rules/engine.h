// The guideline as pure functions: facts in, levels, refusals and explanations out.
// Layer: rules (no I/O, no clock, no gRPC). Thread-safe: every function is pure.
// Every result names the RULES.md ids that decided it; texts are Vietnamese and English.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rules/facts.h"
#include "rules/policy.h"
#include "rules/types.h"

namespace rating::rules {

// ------------------------------------------------------------------ subjects

enum class SubjectKind { kMember, kOrg, kCommittee, kLeader };

struct Subject {
  SubjectKind kind = SubjectKind::kMember;
  std::string id;
  std::string ToString() const;  // "member/m1"
  friend auto operator<=>(const Subject&, const Subject&) = default;
};

// Parses "member/ID", "org/ID", "committee/ORGID", "leader/MEMBERID". INVALID_ARGUMENT
// naming the text otherwise (ids: 1..64 of [A-Za-z0-9._-]).
absl::StatusOr<Subject> ParseSubject(std::string_view text);
// True for ids of 1..64 characters of [A-Za-z0-9._-].
bool IsValidId(std::string_view id);

// ------------------------------------------------------------------ §3 eligibility

// R-SUBJ-1, R-SUBJ-3, R-SUBJ-4 (temporary activity, transfer in), R-SUBJ-5 (notes).
// NOT_SUBJECT (R-SUBJ-1) beats PENDING and then names no missing input. Admission: rated iff
// AddMonths(admitted_on, member_admission_months) <= reference_date. Statuses are read at the
// reference date. Transfer in: comments:previous_org is needed when a membership span at
// another org than the one at the reference date covers transfer_comment_months or more of
// [Jan 1 of Y, reference_date]. Notes: "R-SUBJ-5: sick_leave" / "R-SUBJ-5: maternity" when
// such a status is in force at any time in [Jan 1 of Y, reference_date].
Eligibility MemberEligibility(const MemberEligibilityFacts& facts, const Policy& policy);
// R-SUBJ-2, R-SUBJ-3, R-SUBJ-4 (transferred org). R-SUBJ-2: founded, split or merged on a date d
// <= reference_date with AddMonths(d, org_age_months) > reference_date (founded after the
// reference date: also NOT_SUBJECT). R-SUBJ-4: a transfer dated in year Y.
Eligibility OrgEligibility(const OrgEligibilityFacts& facts, const Policy& policy);
// The member's org at `date` from the membership history, or nullopt (R-ATTR-1, R-RETRO-2).
std::optional<std::string> OrgAt(const std::vector<MembershipSpan>& memberships, Date date);

// ------------------------------------------------------------------ ceilings §4–§6

// Criterion names (RULES.md §5, §6), in their documented order. Members: political, tasks,
// commitment, remediation; leaders add leadership, initiative, example. Task criteria: tasks
// and, for leaders, leadership. Committees: democratic_centralism ... remediation; key:
// programs, results.
std::vector<std::string> MemberCriteria(bool leader);
std::vector<std::string> MemberTaskCriteria(bool leader);
std::vector<std::string> CommitteeCriteria();
std::vector<std::string> CommitteeKeyCriteria();

// Every ceiling below: `findings` starts with the deciding rule (holds=true; a rule with
// several reasons lists each), then one failed finding (holds=false) per failed condition of
// every level above the result, then (leaders) an R-LEAD-1 note. A missing input fails every
// condition that needs it and is named in missing_inputs; with no assessment/scorecard the
// ceiling is KHTNV. When nothing above KHTNV is reached without a KHTNV trigger, the deciding
// rule is the KHTNV rule (R-MEM-1, R-ORG-2, R-COM-1) with a "does not reach" text.

// R-MEM-1..4 (and leaders' criteria, R-LEAD-1). Caps (R-LEAD-CAP) are applied on top.
Ceiling MemberCeiling(const MemberFacts& facts, const Policy& policy,
                      const std::vector<Cap>& caps = {});
// R-ORG-1..6 with D1..D4.
Ceiling OrgCeiling(const OrgFacts& facts, const Policy& policy);
// R-COM-1..5, then R-COM-CAP via `caps`.
Ceiling CommitteeCeiling(const CommitteeFacts& facts, const Policy& policy,
                         const std::vector<Cap>& caps);
// Lowers `ceiling` to each cap, naming the cap's rule when it decides (pure helper): the cap's
// finding goes first, the earlier deciding rule stays in the findings. A cap whose level is
// unknown does not lower the level: it adds a failed finding and names "<source> rating" as a
// missing input.
Ceiling ApplyCaps(Ceiling ceiling, const std::vector<Cap>& caps);

// ------------------------------------------------------------------ R-QUOTA

// quota(g): quota_small if g < quota_min_group, else floor(g * quota_pct / 100).
int Quota(int good_or_better, const Policy& policy);
// True if `excellent` HTXSNV among `good_or_better` (>= HTTNV, excellent included) is within
// the quota under policy.quota_base (good_only: k <= quota(g - k)).
bool WithinQuota(int excellent, int good_or_better, const Policy& policy);
// The largest k in 0..g with WithinQuota(k, g): the HTXSNV places among g subjects >= HTTNV.
int MaxExcellent(int good_or_better, const Policy& policy);

// ------------------------------------------------------------------ §7 ballots

struct BallotInput {
  std::string serial;
  // subject -> the marked levels (one = a vote; two or more = a void row).
  std::vector<std::pair<std::string, std::vector<Level>>> marks;
  bool extra_content = false;
};

struct TallyInput {
  std::vector<std::string> subjects;
  std::vector<std::string> issued;
  std::vector<BallotInput> ballots;  // In counting order.
};

struct InvalidBallotResult {
  std::string serial;
  std::string rule_id;  // "R-BAL-1"
  std::string reason_vi;
  std::string reason_en;
};

struct SubjectTallyResult {
  std::string subject;
  int votes[5] = {0, 0, 0, 0, 0};  // Indexed by Level: votes[4] = HTXSNV ... votes[1] = KHTNV.
  int void_rows = 0;
  Level majority_level = rating::v1::LEVEL_UNSPECIFIED;  // R-BAL-2.
  // After R-BAL-3; unset when tie_at_quota.
  std::optional<Level> level;
  bool tie_at_quota = false;
};

struct TallyResult {
  int issued = 0;
  int returned = 0;
  int valid = 0;
  int invalid = 0;
  int denominator = 0;  // N (R-BAL-2)
  int quota = 0;        // HTXSNV places: MaxExcellent(g) over the session's subjects.
  std::vector<InvalidBallotResult> invalid_ballots;
  std::vector<SubjectTallyResult> subjects;  // In session order.
};

// R-BAL-1 checks each ballot in counting order and gives the first reason that applies: serial
// not issued; serial already returned earlier in the session (first copy counts); a mark for a
// subject outside the session (other content); extra_content; no subject marked. A subject's
// row with two or more levels is void (void_rows), the ballot stays valid.
// R-BAL-1..3 and R-QUOTA over the session's subjects. INVALID_ARGUMENT for a session with no
// subjects, duplicate subjects or duplicate issued serials.
absl::StatusOr<TallyResult> CountBallots(const TallyInput& input, const Policy& policy);

// ------------------------------------------------------------------ §8 decisions

// One subject of a decision batch (or a re-rating) with everything the checks read.
struct DecisionItem {
  std::string subject;  // "member/m1"
  Level level = rating::v1::LEVEL_UNSPECIFIED;
  Eligibility eligibility;                           // R-SUBJ-*: NOT_SUBJECT / PENDING refuse.
  bool already_decided = false;                      // R-DEC-3 (not for re-ratings).
  Ceiling ceiling;                                   // §4–§6 ceiling WITHOUT caps (R-DEC-2).
  std::vector<Cap> caps;                             // R-COM-CAP, R-LEAD-CAP.
  std::vector<std::string> undecided_prerequisites;  // R-ORDER: units / org not yet decided.
  // R-BAL-5: set when the subject is a member of a grassroots cell.
  bool tally_required = false;
  bool tally_found = false;          // A tally covers the subject.
  std::optional<Level> tally_level;  // Unset when tied at the quota.
  std::string quota_scope;           // R-QUOTA scope id ("" = no quota applies).
  // The rule that sets the scope (R-MEM-2, R-ORG-4, R-COM-3, R-LEAD-QUOTA); a quota refusal
  // names it next to R-QUOTA.
  std::string quota_rule;
};

// Counts of decided ratings in one quota scope, outside this batch.
struct QuotaScopeCounts {
  int excellent = 0;       // Decided HTXSNV.
  int good_or_better = 0;  // Decided >= HTTNV.
};

struct Violation {
  std::string rule_id;
  std::string subject;       // "" for batch-wide (quota) violations: then `scope` names it.
  std::string scope;         // The quota scope of an R-QUOTA violation.
  std::string message;       // Lower case, names the ids.
  bool overridable = false;  // R-DEC-2, R-QUOTA, R-BAL-5, R-COM-CAP, R-LEAD-CAP.
};

struct DecisionCheck {
  std::vector<Violation> violations;  // Every broken rule, all at once.
  // Rules the override forced past (when an override reason is given and only overridable
  // rules broke).
  std::vector<std::string> overridden_rules;
  // True if the batch may be recorded (no violation, or only overridable ones with reason).
  bool accepted = false;
  // "subject: rule message; ..." listing every broken rule id, for the refusal status.
  std::string Summary() const;
};

// R-SUBJ-*, R-DEC-2, R-DEC-3, R-ORDER, R-QUOTA, R-BAL-5, R-COM-CAP, R-LEAD-CAP for a batch.
// `scopes` gives the counts outside the batch for every quota_scope the items name.
// Violations come per item in batch order (R-SUBJ-* with the eligibility's rule id, R-DEC-3,
// R-ORDER, R-DEC-2, R-BAL-5, caps), then one R-QUOTA per scope in scope order; a scope is
// checked only when the batch adds an HTXSNV to it. R-DEC-2 is skipped for an unset ceiling
// level, a cap for an unknown cap level.
DecisionCheck CheckDecision(const std::vector<DecisionItem>& items,
                            const std::map<std::string, QuotaScopeCounts>& scopes,
                            bool has_override_reason, const Policy& policy);

// R-DEC-1: the org whose committee decides `subject`. `member_org` is the member's org (for
// members), `org_kind`/`org_parent` describe the subject's org (for org/committee subjects)
// or the member's org (for members). Leaders, grassroots orgs and their committees: "bloc".
struct AuthorityFacts {
  SubjectKind kind = SubjectKind::kMember;
  std::string org;  // The member's org, or the subject org.
  OrgKind org_kind = rating::v1::ORG_KIND_UNSPECIFIED;
  std::string org_parent;      // Parent of `org`.
  std::string grassroots_org;  // The grassroots org `org` belongs to (itself if grassroots).
};
std::string CompetentAuthority(const AuthorityFacts& facts);

// ------------------------------------------------------------------ R-ATTR-1

// Every year the violation period [from, to] touches.
std::vector<int> YearsTouched(Date from, Date to);

// ------------------------------------------------------------------ R-RETRO

// R-RETRO-1: the flag a new ruling sets on a rating decided at `decided`: nullopt when the
// decided level is KHTNV (nothing to re-rate); RERATING_REQUIRED proposing KHTNV; or, when
// the ruling is self-remedied, RERATING_REVIEW proposing `recomputed_ceiling`.
struct Flag {
  RatingStatus status = rating::v1::RATING_STATUS_UNSPECIFIED;
  Level proposed = rating::v1::LEVEL_UNSPECIFIED;
  std::vector<std::string> rules;
};
std::optional<Flag> RulingFlag(Level decided, bool self_remedied, Level recomputed_ceiling);

// R-RETRO-3: REVIEW_SUGGESTED with the ceiling when it fell below the decided level.
std::optional<Flag> ReviewSuggestion(Level decided, const Ceiling& recomputed_ceiling);

// R-RETRO-3: how a flagged rating counts for percentages and caps that read it.
Level EffectiveLevel(RatingStatus status, Level decided, Level recomputed_ceiling);

// ------------------------------------------------------------------ R-REW-1, R-DEADLINE

// Checks a reward against the levels of the subject's years (year -> effective decided
// level). FAILED_PRECONDITION naming R-REW-1 when not supported.
absl::Status CheckReward(rating::v1::RewardKind kind, int year,
                         const std::map<int, Level>& decided_levels);
// True if a reward of `kind` for `year` falls when `changed_year`'s rating becomes
// `new_level` (R-REW-1, R-RETRO-2).
bool RewardFalls(rating::v1::RewardKind kind, int year, int changed_year, Level new_level);

// The due date of year Y's dossiers and whether `submitted_on` is late (R-DEADLINE).
Date DossierDue(int year, const Policy& policy);
bool DossierLate(Date submitted_on, int year, const Policy& policy);

}  // namespace rating::rules
