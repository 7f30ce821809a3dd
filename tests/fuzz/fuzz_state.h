// The small fixed projected state the command and envelope fuzzers start from (a period, a cell,
// a grassroots committee with a subordinate cell, members with reviews and self-assessments, a
// counted ballot, decisions, a ruling), built from stored events like
// tests/projections/state_builder.h; principals of every role; and the reads the query service
// makes over a state. Layer: tests/fuzz (shared by the fuzz targets and the regression test).
#pragma once

#include <string>
#include <vector>

#include "projections/rating_state.h"
#include "rating/v1/api.pb.h"

namespace rating::fuzz {

// The text-format rating.v1.Event lines the fixed state is built from, in log order.
const std::vector<std::string>& FixedEvents();

// The state after FixedEvents(), each applied at the next position. Built once; aborts if an
// event does not parse or is refused. Thread-compatible (the fuzzers are single-threaded).
const projections::RatingState& FixedState();

// A principal of every role, scoped to the fixed state's orgs and members (admin first).
const std::vector<v1::Principal>& FixedCallers();

// The envelope an engine would store for `event` as the next event of `state` on `stream`.
v1::Envelope NextEnvelope(const projections::RatingState& state, const std::string& stream,
                          const v1::Event& event);

// What the query service answers over `state`: every open year's rating of every org,
// committee, member and leader, every org's ratings, every ballot session's minutes, and the
// canonical dump. Returns the number of answers (so the work is not optimized away).
size_t ReadEverything(const projections::RatingState& state);

}  // namespace rating::fuzz
