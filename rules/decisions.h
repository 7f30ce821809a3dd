// The checks of a decision document or a re-rating (RULES.md §8: R-SUBJ-*, R-DEC-2, R-DEC-3,
// R-ORDER, R-QUOTA, R-BAL-5 and the caps). Layer: rules (pure).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rules/facts.h"
#include "rules/policy.h"

namespace rating::rules {

// One subject of a decision batch (or a re-rating) with everything the checks read. The
// caller gathers it with the levels the same decision gives to the other subjects in place
// (R-ORDER: "within one decision the ceilings read the levels that decision gives").
struct DecisionItem {
  std::string subject;  // "member/m1"
  Level level = rating::v1::LEVEL_UNSPECIFIED;
  Eligibility eligibility;       // R-SUBJ-*: NOT_SUBJECT / PENDING refuse.
  bool already_decided = false;  // R-DEC-3 (not for re-ratings).
  // The ceiling of §4–§6 with the caps applied (R-DEC-2 compares with it; when a cap lowered
  // it, its rule_id is R-COM-CAP or R-LEAD-CAP).
  Ceiling ceiling;
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

// Counts of decided ratings in one quota scope, outside this batch (effective levels).
struct QuotaScopeCounts {
  int excellent = 0;       // Decided HTXSNV.
  int good_or_better = 0;  // Decided >= HTTNV.
};

struct Violation {
  std::string rule_id;
  std::string subject;       // "" for batch-wide (quota) violations: then `scope` names it.
  std::string scope;         // The quota scope of an R-QUOTA violation.
  std::string message;       // Lower case, names the ids and rules.
  bool overridable = false;  // R-DEC-2, R-QUOTA, R-BAL-5, R-COM-CAP, R-LEAD-CAP.
};

struct DecisionCheck {
  std::vector<Violation> violations;  // Every broken rule, all at once.
  // Rules the override forced past (when an override reason is given and only overridable
  // rules broke); empty when nothing was forced.
  std::vector<std::string> overridden_rules;
  // True if the batch may be recorded (no violation, or only overridable ones with reason).
  bool accepted = false;
  // "subject: rule message; ..." listing every broken rule id, for the refusal status.
  std::string Summary() const;
};

// True for the rules an override reason forces past (R-DEC-2): R-DEC-2, R-QUOTA, R-BAL-5,
// R-COM-CAP and R-LEAD-CAP; never eligibility, authority or order.
bool IsOverridable(std::string_view rule_id);

// R-SUBJ-*, R-DEC-2, R-DEC-3, R-ORDER, R-QUOTA, R-BAL-5, R-COM-CAP, R-LEAD-CAP for a batch.
// `scopes` gives the counts outside the batch for every quota_scope the items name.
// Violations come per item in batch order (R-SUBJ-* with the eligibility's rule id, R-DEC-3,
// R-ORDER, R-DEC-2 naming the ceiling's rule, then R-COM-CAP / R-LEAD-CAP when a cap set the
// ceiling, R-BAL-5), then one R-QUOTA per scope in scope order; a scope is checked only when
// the batch adds an HTXSNV to it. R-DEC-2 is skipped for an unset ceiling level.
DecisionCheck CheckDecision(const std::vector<DecisionItem>& items,
                            const std::map<std::string, QuotaScopeCounts>& scopes,
                            bool has_override_reason, const Policy& policy);

}  // namespace rating::rules
