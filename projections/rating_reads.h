// The read models the API returns, built from the projected state and the rules: a rating with
// its status, ceiling and explanation; an org's ratings; the tally minutes of a ballot session.
// Names come from the one table (common/names.h). Layer: projections. Pure over the state.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "projections/rating_facts.h"
#include "projections/rating_state.h"
#include "rating/v1/api.pb.h"

namespace rating::projections {

// Parses and checks that the subject exists: INVALID_ARGUMENT (malformed text, the bloc),
// NOT_FOUND (unknown member or org).
absl::StatusOr<rules::Subject> ResolveSubject(const RatingState& state, const std::string& text);

// The period of `year`: NOT_FOUND naming the year when none is open.
absl::StatusOr<const PeriodInfo*> OpenPeriod(const RatingState& state, int year);

// A subject's rating for `facts`' year: status, level, ceiling, explanation, missing inputs.
v1::RatingView RatingViewOf(const RatingFacts& facts, const rules::Subject& subject);

// Every rating tied to `org` for the year, at its reference date: the org's and its
// committee's (not for the bloc), its members', the leader ratings of its heads, each direct
// subordinate org's and committee's; only those decided at `level_filter` when it is set.
// NOT_FOUND for an unknown org.
absl::StatusOr<std::vector<v1::RatingView>> RatingsOfOrg(const RatingFacts& facts,
                                                         const std::string& org,
                                                         rules::Level level_filter);

// The tally minutes (biên bản kiểm phiếu) of a session, as counted when it was recorded.
v1::TallyMinutes TallyMinutesOf(const SessionRecord& session);
// A session's line of ListBallotSessions: its subjects in session order and its counts.
v1::BallotSessionView BallotSessionViewOf(const SessionRecord& session);

// One line of Vietnamese: "R-MEM-3: ...; R-MEM-2: ..." (for refusal messages).
std::string ExplainVi(const rules::Ceiling& ceiling);

}  // namespace rating::projections
