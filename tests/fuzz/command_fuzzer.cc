// libFuzzer target (b): each command's authorization and planning (services/command_table.h)
// over a small fixed projected state, with a rating.v1.Command decoded from the input. Beyond
// "no crash": a plan's events must be accepted by the projections (the engine otherwise
// answers INTERNAL with the events already durable), must replay from their stored bytes to the
// same state (a restart must rebuild what the live server had), and every read the query
// service makes over the new state must work.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "common/check.h"
#include "projections/rating_state.h"
#include "services/command_table.h"
#include "tests/fuzz/fuzz_state.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using rating::projections::RatingState;
  const RatingState& base = rating::fuzz::FixedState();
  rating::v1::Command command;
  if (!command.ParseFromArray(data, static_cast<int>(size))) return 0;
  for (const rating::v1::Principal& caller : rating::fuzz::FixedCallers()) {
    // Any status is an answer; the point is that every role's check runs on any command.
    rating::services::AuthorizeCommand(base, caller, command).IgnoreError();
  }
  absl::StatusOr<rating::services::Plan> plan = rating::services::PlanCommand(base, command);
  if (!plan.ok()) return 0;
  RATING_CHECK(!plan->events.empty());
  RatingState live(base);
  std::vector<rating::v1::Envelope> stored;
  for (const rating::v1::Event& event : plan->events) {
    stored.push_back(rating::fuzz::NextEnvelope(live, plan->stream, event));
    const absl::Status applied = live.Apply(stored.back(), event);
    if (!applied.ok()) {
      std::fprintf(stderr, "planned event refused by the projections: %s\n%s\n",
                   std::string(applied.message()).c_str(), event.DebugString().c_str());
      RATING_CHECK(applied.ok());
    }
  }
  RatingState replayed(base);
  for (const rating::v1::Envelope& envelope : stored) {
    const absl::Status applied = replayed.Apply(envelope);
    if (!applied.ok()) {
      std::fprintf(stderr, "planned event does not replay from its stored bytes: %s\n",
                   std::string(applied.message()).c_str());
      RATING_CHECK(applied.ok());
    }
  }
  RATING_CHECK(replayed.Dump() == live.Dump());
  rating::fuzz::ReadEverything(live);
  return 0;
}
