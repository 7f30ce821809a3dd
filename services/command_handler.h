// Command handling: validates a command against the projected state, asks the rules, and
// returns the events to append (or the refusal). Layer: services. No I/O: the engine appends.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "projections/rating_state.h"
#include "rating/v1/api.pb.h"
#include "rating/v1/events.pb.h"

namespace rating::services {

// The events a command produces, and the stream they go to.
struct PlannedEvents {
  std::string stream;
  std::vector<v1::Event> events;
};

// Plans `command` against `state`. Errors: INVALID_ARGUMENT (a malformed field, named),
// NOT_FOUND (unknown period, org, member, session), ALREADY_EXISTS (id taken),
// FAILED_PRECONDITION (a rule refuses: the message lists every broken rule id).
// Authorization is checked before, by AuthorizeCommand.
absl::StatusOr<PlannedEvents> PlanCommand(const projections::RatingState& state,
                                          const v1::Command& command);

// The stream names used for each kind of command.
std::string StreamForYear(int year);
inline constexpr char kRegistryStream[] = "registry";
inline constexpr char kPrincipalsStream[] = "principals";
inline constexpr char kDisciplineStream[] = "discipline";

}  // namespace rating::services
