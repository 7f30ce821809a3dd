// Attribution (R-ATTR-1), re-rating flags (R-RETRO-1, R-RETRO-3), rewards (R-REW-1) and the
// dossier deadline (R-DEADLINE).
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "rules/engine.h"
#include "rules/text_util.h"

namespace rating::rules {

using internal::Cat;

using rating::v1::LEVEL_HTXSNV;
using rating::v1::LEVEL_KHTNV;

std::vector<int> YearsTouched(Date from, Date to) {
  if (to < from) std::swap(from, to);
  std::vector<int> years;
  // [choice] A violation period spanning years touches each of them (IV.7, IV.8).
  for (int64_t y = from.year(); y <= to.year(); ++y) years.push_back(static_cast<int>(y));
  return years;
}

std::optional<Flag> RulingFlag(Level decided, bool self_remedied, Level recomputed_ceiling) {
  if (decided <= LEVEL_KHTNV) return std::nullopt;  // Nothing below KHTNV to fall to.
  Flag flag;
  flag.rules = {"R-RETRO-1"};
  if (self_remedied) {
    // IV.9: self-remedied cases are weighed again by the superior.
    flag.status = rating::v1::RATING_STATUS_RERATING_REVIEW;
    flag.proposed = recomputed_ceiling;
  } else {
    flag.status = rating::v1::RATING_STATUS_RERATING_REQUIRED;
    flag.proposed = LEVEL_KHTNV;
  }
  return flag;
}

std::optional<Flag> ReviewSuggestion(Level decided, const Ceiling& recomputed_ceiling) {
  if (recomputed_ceiling.level == rating::v1::LEVEL_UNSPECIFIED ||
      recomputed_ceiling.level >= decided) {
    return std::nullopt;
  }
  Flag flag;
  flag.status = rating::v1::RATING_STATUS_REVIEW_SUGGESTED;
  flag.proposed = recomputed_ceiling.level;
  flag.rules = {"R-RETRO-3"};
  if (!recomputed_ceiling.rule_id.empty()) flag.rules.push_back(recomputed_ceiling.rule_id);
  return flag;
}

Level EffectiveLevel(RatingStatus status, Level decided, Level recomputed_ceiling) {
  switch (status) {
    case rating::v1::RATING_STATUS_RERATING_REQUIRED:
      return LEVEL_KHTNV;
    case rating::v1::RATING_STATUS_RERATING_REVIEW:
      if (recomputed_ceiling == rating::v1::LEVEL_UNSPECIFIED) return decided;
      return recomputed_ceiling < decided ? recomputed_ceiling : decided;
    default:
      return decided;
  }
}

absl::Status CheckReward(rating::v1::RewardKind kind, int year,
                         const std::map<int, Level>& decided_levels) {
  int first = year;
  switch (kind) {
    case rating::v1::REWARD_KIND_YEARLY:
      break;
    case rating::v1::REWARD_KIND_FIVE_YEARS:
      first = year - 4;
      break;
    default:
      return absl::InvalidArgumentError(Cat("reward for ", year, ": no reward kind"));
  }
  for (int y = first; y <= year; ++y) {
    auto it = decided_levels.find(y);
    if (it == decided_levels.end()) {
      return absl::FailedPreconditionError(
          Cat("R-REW-1: no decided rating for ", y, ", needs HTXSNV"));
    }
    if (it->second != LEVEL_HTXSNV) {
      return absl::FailedPreconditionError(
          Cat("R-REW-1: rated ", LevelCode(it->second), " for ", y, ", needs HTXSNV"));
    }
  }
  return absl::OkStatus();
}

bool RewardFalls(rating::v1::RewardKind kind, int year, int changed_year, Level new_level) {
  if (new_level == LEVEL_HTXSNV) return false;  // IV.9: still excellent, the reward stands.
  switch (kind) {
    case rating::v1::REWARD_KIND_YEARLY:
      return changed_year == year;
    case rating::v1::REWARD_KIND_FIVE_YEARS:
      return changed_year >= year - 4 && changed_year <= year;
    default:
      return false;
  }
}

Date DossierDue(int year, const Policy& policy) {
  return Date(year, policy.dossier_due_month, policy.dossier_due_day);
}

bool DossierLate(Date submitted_on, int year, const Policy& policy) {
  // D.1: due "trước ngày 15/12": one recorded on the due day or later is late.
  return submitted_on >= DossierDue(year, policy);
}

}  // namespace rating::rules
