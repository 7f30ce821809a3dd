// Rewards (R-REW-1, C.III.6) and the dossier deadline (R-DEADLINE, D.1).
#include "rules/rewards.h"

#include "rules/internal/text_util.h"

namespace rating::rules {

using internal::Cat;
using rating::v1::LEVEL_HTXSNV;

absl::Status CheckReward(rating::v1::RewardKind kind, int year,
                         const std::map<int, YearRating>& ratings) {
  int first = year;
  switch (kind) {
    case rating::v1::REWARD_KIND_YEARLY:
      break;
    case rating::v1::REWARD_KIND_FIVE_YEARS:
      first = year - 4;
      break;
    default:
      return absl::InvalidArgumentError(Cat("kind: reward for ", year, " needs a kind"));
  }
  for (int y = first; y <= year; ++y) {
    auto it = ratings.find(y);
    if (it == ratings.end() || !it->second.decided.has_value()) {
      return absl::FailedPreconditionError(
          Cat("R-REW-1: no decided rating for ", y, ", needs HTXSNV"));
    }
    if (*it->second.decided != LEVEL_HTXSNV) {
      return absl::FailedPreconditionError(
          Cat("R-REW-1: rated ", LevelCode(*it->second.decided), " for ", y, ", needs HTXSNV"));
    }
    const RatingStatus flag = it->second.flag;
    if (flag == rating::v1::RATING_STATUS_RERATING_REQUIRED ||
        flag == rating::v1::RATING_STATUS_RERATING_REVIEW) {
      return absl::FailedPreconditionError(Cat("R-REW-1: the rating for ", y, " is flagged ",
                                               flag == rating::v1::RATING_STATUS_RERATING_REQUIRED
                                                   ? "RERATING_REQUIRED"
                                                   : "RERATING_REVIEW",
                                               ", no reward while it awaits re-rating"));
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
