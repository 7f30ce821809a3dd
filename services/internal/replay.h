// Replaying the log into a state (engine_reads.cc). Layer: services (internal).
#pragma once

#include <cstdint>

#include "absl/status/status.h"
#include "eventstore/event_store.h"
#include "projections/rating_state.h"

namespace rating::services::internal {

// Applies the store's events after `state`'s position up to `to` (0 = the head) to `state`,
// stopping before the first event recorded after `until_micros` (0 = no bound). The first
// projection refusal or read failure is returned; the state then holds what was applied.
absl::Status Replay(const eventstore::EventStore& store, projections::RatingState& state,
                    uint64_t to, int64_t until_micros);

}  // namespace rating::services::internal
