// A scorecard as the rules read it (C.I.1): the points of quantitative lines computed
// (floor(max * min(achieved, plan) / plan)), the grades given kept, the names from the policy's
// templates (by criterion id). Layer: projections (the command handlers use it to check a card
// before accepting).
#pragma once

#include "absl/status/statusor.h"
#include "rating/v1/domain.pb.h"
#include "rules/facts.h"
#include "rules/policy.h"

namespace rating::projections {

// INVALID_ARGUMENT naming the field, the criterion and the reason: no criteria, an empty or
// repeated id, bad decimal text, max <= 0, points above max or outside the given grade's band
// (C.I.1.4), plan <= 0, achieved < 0, neither points nor quantity, a percent outside 0..100.
absl::StatusOr<rules::ScorecardFacts> ScorecardToFacts(const v1::Scorecard& scorecard,
                                                       const rules::Policy& policy);

}  // namespace rating::projections
