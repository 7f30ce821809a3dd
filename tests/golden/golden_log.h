// The golden log: event logs recorded by this version over a rich history (segments, each a
// whole log from position 1), stored with the dump of the state each one replays to. Format:
// every envelope as a varint-length-delimited rating.v1.Envelope; a segment starts at each
// envelope of position 1. Test helper of tests/golden.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "rating/v1/envelope.pb.h"

namespace rating::golden {

// One recorded log.
using Segment = std::vector<v1::Envelope>;

// Reads the segments of a golden log file. DATA_LOSS when an envelope does not parse.
absl::StatusOr<std::vector<Segment>> ReadGoldenLog(const std::string& path);
// Writes `segments` (each starting at position 1) to `path`.
absl::Status WriteGoldenLog(const std::string& path, const std::vector<Segment>& segments);

// The dump of every segment replayed into a fresh state, as stored next to the log:
// "== segment N (H events)\n" then RatingState::Dump(). INTERNAL naming the position when an
// event does not apply.
absl::StatusOr<std::string> ReplayDump(const std::vector<Segment>& segments);

}  // namespace rating::golden
