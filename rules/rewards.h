// Rewards resting on ratings (R-REW-1) and the dossier deadline (R-DEADLINE). Layer: rules
// (pure).
#pragma once

#include <map>
#include <optional>

#include "absl/status/status.h"
#include "rules/facts.h"
#include "rules/policy.h"

namespace rating::rules {

// One year's rating of the subject as a reward reads it.
struct YearRating {
  std::optional<Level> decided;  // Unset: not decided.
  // The flag on it (RATING_STATUS_UNSPECIFIED: none).
  RatingStatus flag = rating::v1::RATING_STATUS_UNSPECIFIED;
};

// R-REW-1: a yearly reward needs HTXSNV for `year`; the five-year award HTXSNV for `year` and the
// four before it. None of those ratings may be flagged RERATING_REQUIRED or RERATING_REVIEW (a
// REVIEW_SUGGESTED one may). FAILED_PRECONDITION naming R-REW-1 and the year otherwise;
// INVALID_ARGUMENT for an unknown kind. `ratings` maps a year to its rating.
absl::Status CheckReward(rating::v1::RewardKind kind, int year,
                         const std::map<int, YearRating>& ratings);

// True if a reward of `kind` for `year` falls when `changed_year`'s rating is annulled and
// becomes `new_level` (R-REW-1, R-RETRO-2): it rested on that year and the new level is not
// HTXSNV.
bool RewardFalls(rating::v1::RewardKind kind, int year, int changed_year, Level new_level);

// The due date of year Y's dossiers and whether `submitted_on` is late (R-DEADLINE): on the due
// date or later.
Date DossierDue(int year, const Policy& policy);
bool DossierLate(Date submitted_on, int year, const Policy& policy);

}  // namespace rating::rules
