// What rulings and re-ratings write after the rules speak (R-RETRO-1, R-RETRO-3): the
// RatingFlagged events, with their reasons in Vietnamese. Internal to services/.
#pragma once

#include <string>
#include <vector>

#include "projections/rating_facts.h"
#include "rating/v1/events.pb.h"
#include "rules/retro.h"

namespace rating::services::internal {

// The event setting `flag` on `subject`'s rating of `year`.
v1::Event FlagEvent(const std::string& subject, int year, const rules::Flag& flag,
                    std::string reason);

// R-RETRO-3: for each rating of `reached` that is decided, asks the rules whether its ceiling
// as `facts` reads it now falls below it, and appends a REVIEW_SUGGESTED event for each one
// that does. `cause` says what happened ("Quyết định kỷ luật ...").
void AppendReviewSuggestions(const projections::RatingFacts& facts,
                             const std::vector<std::string>& reached, const std::string& cause,
                             std::vector<v1::Event>& events);

}  // namespace rating::services::internal
