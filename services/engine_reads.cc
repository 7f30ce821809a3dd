// The engine's reads: the live state, and the state as of a past moment (R-RETRO-4) from the
// nearest snapshot or the last state rebuilt, replaying the log from there (engine.h).
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "google/protobuf/arena.h"
#include "services/engine.h"
#include "services/internal/replay.h"

namespace rating::services {
namespace internal {

absl::Status Replay(const eventstore::EventStore& store, projections::RatingState& state,
                    uint64_t to, int64_t until_micros) {
  // Each event is parsed into an arena emptied every kArenaEvents events: its messages are
  // bump-allocated and dropped together (the views copy what they keep).
  constexpr int kArenaEvents = 256;
  google::protobuf::Arena arena;
  int in_arena = 0;
  absl::Status applied = absl::OkStatus();
  RATING_RETURN_IF_ERROR(store.ForEach(state.position() + 1, [&](const v1::Envelope& envelope) {
    if (to != 0 && envelope.position() > to) return false;
    if (until_micros != 0 && envelope.recorded_at_micros() > until_micros) return false;
    if (envelope.position() <= state.position()) return true;  // Replays are no-ops.
    if (++in_arena > kArenaEvents) {
      arena.Reset();
      in_arena = 1;
    }
    v1::Event* event = google::protobuf::Arena::CreateMessage<v1::Event>(&arena);
    if (!event->ParseFromString(envelope.payload())) {
      applied = absl::DataLossError(
          absl::StrCat("event at position ", envelope.position(), ": payload does not parse"));
      return false;
    }
    applied = state.Apply(envelope, *event);
    return applied.ok();
  }));
  return applied;
}

}  // namespace internal

absl::StatusOr<std::unique_ptr<projections::RatingState>> Engine::Rebuild(uint64_t position) const {
  auto state = std::make_unique<projections::RatingState>();
  RATING_RETURN_IF_ERROR(internal::Replay(store_, *state, position, 0));
  return state;
}

absl::Status Engine::Read(
    const v1::AsOf& as_of,
    const std::function<absl::Status(const projections::RatingState&)>& read) const {
  return Read(
      as_of, [](const projections::RatingState&) { return absl::OkStatus(); }, read);
}

absl::Status Engine::Read(
    const v1::AsOf& as_of,
    const std::function<absl::Status(const projections::RatingState& live)>& authorize,
    const std::function<absl::Status(const projections::RatingState&)>& read) const {
  if (as_of.position() == 0 && as_of.recorded_at_micros() == 0) {
    absl::ReaderMutexLock lock(&mu_);
    RATING_RETURN_IF_ERROR(authorize(*state_));
    return read(*state_);
  }
  {
    // Authorization before any costly work: a refused caller never causes a replay.
    absl::ReaderMutexLock lock(&mu_);
    RATING_RETURN_IF_ERROR(authorize(*state_));
  }
  const uint64_t head = store_.HeadPosition();
  if (as_of.position() > head) {
    return absl::OutOfRangeError(
        absl::StrCat("as_of.position: ", as_of.position(), " is past the head ", head));
  }
  if (as_of.recorded_at_micros() < 0) {
    return absl::InvalidArgumentError("as_of.recorded_at_micros: negative");
  }
  // R-RETRO-4: the state exactly as recorded then, rebuilt from the log. The last rebuilt
  // state is kept: reads as of the same moment reuse it, later moments replay on from it.
  std::shared_ptr<const projections::RatingState> base;
  {
    absl::MutexLock lock(&history_mu_);
    base = history_;
  }
  const uint64_t to = as_of.position() == 0 ? head : as_of.position();
  const int64_t until = as_of.recorded_at_micros();
  const bool usable = base != nullptr && base->position() <= to &&
                      (until == 0 || base->recorded_at_micros() <= until);
  std::shared_ptr<const projections::RatingState> state;
  if (usable && base->position() == to) {
    state = base;
  } else {
    // Start from the nearest of: the newest snapshot at or before the moment, the last state
    // rebuilt, the beginning.
    std::shared_ptr<projections::RatingState> rebuilt;
    if (snapshots_.store != nullptr) {
      RATING_ASSIGN_OR_RETURN(std::vector<uint64_t> positions, snapshots_.store->Positions(to));
      if (!positions.empty() && (!usable || positions.front() > base->position())) {
        RATING_ASSIGN_OR_RETURN(std::unique_ptr<projections::RatingState> loaded,
                                LoadSnapshot(to, until, nullptr));
        if (loaded != nullptr && (!usable || loaded->position() > base->position())) {
          rebuilt = std::move(loaded);
        }
      }
    }
    if (rebuilt == nullptr) {
      rebuilt = usable ? std::make_shared<projections::RatingState>(*base)
                       : std::make_shared<projections::RatingState>();
    }
    as_of_rebuilds_.fetch_add(1);
    RATING_RETURN_IF_ERROR(internal::Replay(store_, *rebuilt, to, until));
    state = std::move(rebuilt);
    absl::MutexLock lock(&history_mu_);
    history_ = state;
  }
  return read(*state);
}

}  // namespace rating::services
