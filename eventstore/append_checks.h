// Input checks shared by every store: what an append may contain, and when a re-sent event
// counts as the same event. Layer: eventstore, internal. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "eventstore/event_store.h"
#include "rating/v1/envelope.pb.h"

namespace rating::eventstore {

// INVALID_ARGUMENT, naming the field, if the append breaks a limit or a format: empty,
// oversized or NUL-containing stream name, unknown expected-version form, empty or too large
// batch, oversized payload or metadata, malformed or duplicate event id.
absl::Status ValidateAppend(std::string_view stream, int64_t expected_version,
                            const std::vector<NewEvent>& events);

// ABORTED if `head` (the stream's current version) does not satisfy `expected_version`.
absl::Status CheckExpectedVersion(std::string_view stream, int64_t expected_version,
                                  uint64_t head);

// True if `stored` is what appending `event` to `stream` would have stored, comparing only
// what the client supplies (not positions, versions, time or hashes).
bool SameContent(std::string_view stream, const NewEvent& event,
                 const rating::v1::Envelope& stored);

}  // namespace rating::eventstore
