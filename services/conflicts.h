// What a planned command read and wrote, coarsely, so that commands planned against the same
// state can share one durable write when neither depends on the other (issue 8's pipelined
// writer). A plan made without an earlier command's events is still valid when the earlier one
// wrote nothing the later one read: then appending both gives the log the same commands in
// sequence would have written. Layer: services (concurrency control; no guideline decision).
//
// The keys follow how the rules read (RULES.md): a rating of year Y is decided on facts of its
// own grassroots org in Y (its members, sub-orgs, committee, inputs and tallies) and on the
// quota scope it counts in, so
//   - an input for one rating writes that rating ("s|subject|Y") inside its grassroots org
//     ("g|org|Y") blindly: its plan reads no rating, so two inputs never conflict (the later
//     in the log supersedes, as it would in sequence);
//   - a ballot session writes the session inside its grassroots org;
//   - a decision reads whole grassroots orgs and quota scopes ("q|scope|Y") and writes its
//     ratings inside them;
//   - anything that changes placements, periods, principals, rulings, re-ratings, rewards or
//     dossiers is global: it runs alone.
#pragma once

#include <string>
#include <vector>

#include "projections/rating_state.h"
#include "rating/v1/api.pb.h"

namespace rating::services {

struct Footprint {
  bool global = false;
  // The plan read none of the fine keys it writes (inputs): blind writes to one key commute.
  bool blind = false;
  std::vector<std::string> writes;        // Fine keys written ("s|...", "b|...").
  std::vector<std::string> write_scopes;  // The coarse keys those writes fall in.
  std::vector<std::string> reads;         // Coarse keys read whole.
  std::string request_id;                 // The idempotency key ("" = none).
  // Sorted and deduplicated (Conflicts relies on it).
  void Normalize();
};

// The footprint of `command` as planned against `state` (the same state, under the same lock;
// placements are read at the year's reference date). A command the table does not classify is
// global. `request_id` ("" = none) is written, so retries of one request never overlap.
Footprint FootprintOf(const projections::RatingState& state, const v1::Command& command,
                      std::string_view request_id);

// Adds `f` to `into`: the footprint of a run of commands appended together (blind only if
// every one is).
void Merge(Footprint& into, const Footprint& f);

// A global footprint (principal management, anything outside the command table).
Footprint GlobalFootprint();

// True when `later`, planned without `earlier`'s events, may depend on them: either is global,
// both carry one request id, `later` read a key `earlier` wrote (it writes it and is not
// blind), or `later` reads a scope `earlier` wrote into.
bool Conflicts(const Footprint& earlier, const Footprint& later);

}  // namespace rating::services
