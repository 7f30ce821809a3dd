// Decision checks (R-SUBJ-*, R-DEC-2, R-DEC-3, R-ORDER, R-QUOTA, R-BAL-5, caps).
#include "rules/decisions.h"

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "rules/ballots.h"
#include "rules/internal/text_util.h"

namespace rating::rules {

using internal::Cat;
using internal::Join;
namespace {

using rating::v1::LEVEL_HTTNV;
using rating::v1::LEVEL_HTXSNV;

Violation MakeViolation(std::string rule_id, std::string subject, std::string message) {
  Violation v;
  v.overridable = IsOverridable(rule_id);
  v.rule_id = std::move(rule_id);
  v.subject = std::move(subject);
  v.message = std::move(message);
  return v;
}

}  // namespace

bool IsOverridable(std::string_view rule_id) {
  // R-DEC-2: an override forces past these only.
  return rule_id == "R-DEC-2" || rule_id == "R-QUOTA" || rule_id == "R-BAL-5" ||
         rule_id == "R-COM-CAP" || rule_id == "R-LEAD-CAP";
}

std::string DecisionCheck::Summary() const {
  std::vector<std::string> parts;
  for (const Violation& v : violations) {
    const std::string& who = v.subject.empty() ? Cat("scope ", v.scope) : v.subject;
    parts.push_back(Cat(who, ": ", v.rule_id, " ", v.message));
  }
  return Join(parts, "; ");
}

DecisionCheck CheckDecision(const std::vector<DecisionItem>& items,
                            const std::map<std::string, QuotaScopeCounts>& scopes,
                            bool has_override_reason, const Policy& policy) {
  DecisionCheck check;
  std::vector<Violation>& out = check.violations;
  for (const DecisionItem& item : items) {
    const std::string level = std::string(LevelCode(item.level));
    // R-SUBJ-*: eligibility (never overridable).
    if (!item.eligibility.ready()) {
      const std::string rule =
          item.eligibility.rule_id.empty() ? std::string("R-SUBJ-3") : item.eligibility.rule_id;
      std::string message = item.eligibility.status == rating::v1::RATING_STATUS_NOT_SUBJECT
                                ? std::string("not rated this year")
                                : std::string("pending: cannot be decided yet");
      if (!item.eligibility.missing_inputs.empty()) {
        message += Cat(" (missing ", Join(item.eligibility.missing_inputs, ", "), ")");
      }
      out.push_back(MakeViolation(rule, item.subject, std::move(message)));
    }
    // R-DEC-3: decided ratings change only through a re-rating.
    if (item.already_decided) {
      out.push_back(MakeViolation("R-DEC-3", item.subject,
                                  "already decided; change it with a re-rating (qđ 01)"));
    }
    // R-ORDER (C.I.3, C.III.3.1).
    if (!item.undecided_prerequisites.empty()) {
      out.push_back(
          MakeViolation("R-ORDER", item.subject,
                        Cat("decided before ", Join(item.undecided_prerequisites, ", "))));
    }
    // R-DEC-2: never above the ceiling of §4–§6, caps included; a cap that set the ceiling
    // is broken too and named on its own.
    if (item.ceiling.level != rating::v1::LEVEL_UNSPECIFIED && item.level > item.ceiling.level) {
      out.push_back(
          MakeViolation("R-DEC-2", item.subject,
                        Cat("level ", level, " is above the ceiling ",
                            LevelCode(item.ceiling.level), " (", item.ceiling.rule_id, ")")));
      if (item.ceiling.rule_id == "R-COM-CAP" || item.ceiling.rule_id == "R-LEAD-CAP") {
        out.push_back(MakeViolation(item.ceiling.rule_id, item.subject,
                                    Cat("level ", level, " is above ", item.ceiling.capped_by,
                                        "'s ", LevelCode(item.ceiling.level))));
      }
    }
    // R-BAL-5 (C.II.3.2 step 2): a grassroots cell's member takes the tally's level.
    if (item.tally_required) {
      if (!item.tally_found) {
        out.push_back(MakeViolation("R-BAL-5", item.subject, "no ballot tally covers the subject"));
      } else if (item.tally_level.has_value()) {
        if (item.level != *item.tally_level) {
          out.push_back(MakeViolation(
              "R-BAL-5", item.subject,
              Cat("level ", level, " differs from the tally's ", LevelCode(*item.tally_level))));
        }
      } else if (item.level != LEVEL_HTXSNV && item.level != LEVEL_HTTNV) {
        // Tied at the quota: the decision-maker settles between HTXSNV and HTTNV.
        out.push_back(MakeViolation("R-BAL-5", item.subject,
                                    Cat("level ", level,
                                        ": the tally tied at the quota, expected HTXSNV or "
                                        "HTTNV")));
      }
    }
  }
  // R-QUOTA per scope: this batch plus the decided ratings outside it.
  std::map<std::string, QuotaScopeCounts> batch;
  std::map<std::string, std::string> scope_rules;
  for (const DecisionItem& item : items) {
    if (item.quota_scope.empty()) continue;
    if (!item.quota_rule.empty()) scope_rules[item.quota_scope] = item.quota_rule;
    QuotaScopeCounts& counts = batch[item.quota_scope];
    if (item.level >= LEVEL_HTTNV) ++counts.good_or_better;
    if (item.level == LEVEL_HTXSNV) ++counts.excellent;
  }
  for (const auto& [scope, in_batch] : batch) {
    if (in_batch.excellent == 0) continue;  // Only a batch adding excellence can break it.
    QuotaScopeCounts total = in_batch;
    auto it = scopes.find(scope);
    if (it != scopes.end()) {
      total.excellent += it->second.excellent;
      total.good_or_better += it->second.good_or_better;
    }
    if (!WithinQuota(total.excellent, total.good_or_better, policy)) {
      Violation v = MakeViolation(
          "R-QUOTA", "",
          Cat(total.excellent, " rated HTXSNV, quota ", MaxExcellent(total.good_or_better, policy),
              " of ", total.good_or_better, " rated HTTNV or better",
              scope_rules.count(scope) > 0 ? Cat(" (scope by ", scope_rules[scope], ")") : ""));
      v.scope = scope;
      out.push_back(std::move(v));
    }
  }

  bool all_overridable = true;
  for (const Violation& v : out) all_overridable = all_overridable && v.overridable;
  check.accepted = out.empty() || (has_override_reason && all_overridable);
  if (check.accepted) {
    std::set<std::string> seen;
    for (const Violation& v : out) {
      if (seen.insert(v.rule_id).second) check.overridden_rules.push_back(v.rule_id);
    }
  }
  return check;
}

}  // namespace rating::rules
