// One table of commands: for each kind of rating.v1.Command, the row that authorizes it and
// plans it (the rules decide; the plan is the events to append). The gRPC services find the
// row from the request's message type, so adding a command touches one row and its two
// functions. Layer: services. Pure over the projected state: no I/O. Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/descriptor.h"
#include "projections/rating_state.h"
#include "rating/v1/api.pb.h"
#include "rating/v1/events.pb.h"

namespace rating::services {

// The events a command produces, and the stream they go to (its version at planning time is
// the append's expected version).
struct Plan {
  std::string stream;
  std::vector<v1::Event> events;
};

// Who asks, over what state.
struct AuthContext {
  const projections::RatingState& state;
  const v1::Principal& caller;
};

struct CommandSpec {
  v1::Command::CommandCase kind;
  // The oneof field of the command (its message type is the gRPC method's request type).
  const google::protobuf::FieldDescriptor* field;
  // PERMISSION_DENIED naming the role, the scope and (decisions, re-ratings) the rule, for a
  // caller other than an administrator. Unknown subjects and orgs pass here and fail in `plan`.
  absl::Status (*authorize)(const AuthContext& auth, const v1::Command& command);
  // The events to append, or the refusal: INVALID_ARGUMENT (a malformed field, named),
  // NOT_FOUND (unknown period, org, member, session), ALREADY_EXISTS (id taken),
  // FAILED_PRECONDITION (a rule refuses: the message names every broken rule id).
  absl::StatusOr<Plan> (*plan)(const projections::RatingState& state, const v1::Command& command);
};

// The row of a command kind, or nullptr (COMMAND_NOT_SET, an unknown case).
const CommandSpec* FindCommand(v1::Command::CommandCase kind);
// The row whose payload is a `type` message (a gRPC method's request type), or nullptr.
const CommandSpec* FindCommandByPayload(const google::protobuf::Descriptor* type);
// Every row, in Command field order.
const std::vector<CommandSpec>& CommandTable();

// The command carrying `payload` (a command payload message: PeriodSpec, Decision, ...).
// INVALID_ARGUMENT when no command carries that message type.
absl::StatusOr<v1::Command> CommandOf(const google::protobuf::Message& payload);

// May the caller run `command`? Administrators may run everything; inspectors and integrations
// nothing (read-only roles); everyone else as the command's row says. INVALID_ARGUMENT for an
// empty command.
absl::Status AuthorizeCommand(const projections::RatingState& state, const v1::Principal& caller,
                              const v1::Command& command);

// Plans `command` against `state` by its row. INVALID_ARGUMENT for an empty command.
absl::StatusOr<Plan> PlanCommand(const projections::RatingState& state, const v1::Command& command);

// The year a command is about: its payload's `year` field (0 for a command without one: an
// org, a member, a ruling). Refusals note it for their ErrorInfo (common::WithYear).
int CommandYear(const v1::Command& command);

// The stream names used by the commands.
std::string StreamForYear(int year);
inline constexpr char kRegistryStream[] = "registry";
inline constexpr char kPrincipalsStream[] = "principals";
inline constexpr char kDisciplineStream[] = "discipline";

}  // namespace rating::services
