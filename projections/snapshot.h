// Projection snapshots: the whole read model as a sequence of chunks (rating/v1/snapshot.proto),
// so that a restart or an as-of read loads a state instead of replaying the log from the start.
// Writing is deterministic: equal states give byte-identical chunks (records in key order).
// Loading rebuilds every index the views keep, and a loaded state applies the following events
// exactly as the state that was written would. Layer: projections.
//
// kProjectionVersion names the shape and meaning of the read model. Bump it whenever a view
// changes what it keeps or how a handler derives it (the same change that would alter a
// replay's dump): a snapshot written under another version is never loaded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "projections/rating_state.h"
#include "rating/v1/snapshot.pb.h"

namespace rating::projections {

inline constexpr uint32_t kProjectionVersion = 1;

// Writes `state` to `sink` as chunks of about `chunk_bytes` each (at least one chunk). Stops at
// the first error of `sink` and returns it.
absl::Status WriteSnapshot(const RatingState& state, size_t chunk_bytes,
                           const std::function<absl::Status(const v1::SnapshotChunk&)>& sink);

// Rebuilds a state from the chunks of one snapshot, fed in order.
class SnapshotLoader {
 public:
  SnapshotLoader();
  ~SnapshotLoader();
  SnapshotLoader(const SnapshotLoader&) = delete;
  SnapshotLoader& operator=(const SnapshotLoader&) = delete;

  // DATA_LOSS when the chunk is inconsistent with the ones before (a subject id out of range).
  absl::Status Add(const v1::SnapshotChunk& chunk);
  // The state, at `position` recorded at `recorded_at_micros` (the header's). The loader is
  // spent afterwards.
  std::unique_ptr<RatingState> Finish(uint64_t position, int64_t recorded_at_micros);

 private:
  std::unique_ptr<RatingState> state_;
};

}  // namespace rating::projections
