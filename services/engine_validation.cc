// Validation without writing (AIP-163): one command's reply (ValidationReply) and a sequence
// checked over a scratch copy of the state (Engine::ValidateSequence).
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "services/auth.h"
#include "services/command_table.h"
#include "services/engine.h"
#include "services/internal/input_limits.h"
#include "services/internal/validation.h"

namespace rating::services {
namespace {

// Collects into `rules` every rule id `message` names: its string fields "rule" and "rule_id"
// and its repeated string fields "rules" and "overridden_rules", at any depth.
void CollectRules(const google::protobuf::Message& message, std::vector<std::string>& rules,
                  std::set<std::string>& seen) {
  const google::protobuf::Reflection* reflection = message.GetReflection();
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  auto add = [&](std::string rule) {
    if (!rule.empty() && seen.insert(rule).second) rules.push_back(std::move(rule));
  };
  for (const google::protobuf::FieldDescriptor* field : fields) {
    const std::string& name = field->name();
    if (field->type() == google::protobuf::FieldDescriptor::TYPE_STRING) {
      if (!field->is_repeated() && (name == "rule" || name == "rule_id")) {
        add(reflection->GetString(message, field));
      } else if (field->is_repeated() && (name == "rules" || name == "overridden_rules")) {
        for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
          add(reflection->GetRepeatedString(message, field, i));
        }
      }
    } else if (field->type() == google::protobuf::FieldDescriptor::TYPE_MESSAGE) {
      if (field->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
          CollectRules(reflection->GetRepeatedMessage(message, field, i), rules, seen);
        }
      } else {
        CollectRules(reflection->GetMessage(message, field), rules, seen);
      }
    }
  }
}

// The reply of a command validated only (AIP-163): what it would append, and the rules that
// speak in it.
}  // namespace

v1::CommandReply ValidationReply(const std::vector<v1::Event>& events) {
  v1::CommandReply reply;
  reply.set_validate_only(true);
  std::vector<std::string> rules;
  std::set<std::string> seen;
  for (const v1::Event& event : events) {
    *reply.add_planned_events() = event;
    // A re-rating is R-RETRO-2's by definition; its event names no rule field of its own.
    if (event.has_rerated()) {
      if (seen.insert("R-RETRO-2").second) rules.push_back("R-RETRO-2");
    }
    CollectRules(event, rules, seen);
  }
  for (std::string& rule : rules) reply.add_rule_ids(std::move(rule));
  return reply;
}

std::vector<absl::StatusOr<v1::CommandReply>> Engine::ValidateSequence(
    std::string_view token, const std::vector<BatchCommand>& commands) const {
  std::vector<absl::StatusOr<v1::CommandReply>> out;
  out.reserve(commands.size());
  // The scratch state: a copy of the live one, on which each planned command is applied.
  std::unique_ptr<projections::RatingState> scratch;
  {
    absl::ReaderMutexLock lock(&mu_);
    scratch = std::make_unique<projections::RatingState>(*state_);
  }
  absl::StatusOr<v1::Principal> caller = services::Authenticate(*scratch, token);
  if (!caller.ok()) {
    while (out.size() < commands.size()) out.push_back(caller.status());
    return out;
  }
  const int64_t now = absl::ToUnixMicros(absl::Now());
  uint64_t position = scratch->position();
  for (const BatchCommand& batch : commands) {
    v1::Command command = batch.command;
    command.DiscardUnknownFields();
    if (absl::Status limits = internal::CheckCommandLimits(command); !limits.ok()) {
      out.push_back(limits);
      continue;
    }
    Step step;
    PlanCommand(*scratch, *caller, command, batch.request_id, /*validate_only=*/false, step);
    if (!step.status.ok()) {
      out.push_back(step.status);
      continue;
    }
    if (step.reply) {  // A key already used: the first reply, as Execute gives it.
      step.reply->set_validate_only(true);
      out.push_back(*std::move(step.reply));
      continue;
    }
    // Applied to the scratch state as the log would store them, so the next command is
    // planned over what this one would leave.
    absl::Status applied = absl::OkStatus();
    for (const v1::Event& event : step.events) {
      v1::Envelope envelope;
      envelope.set_position(++position);
      envelope.set_stream(step.stream);
      envelope.set_stream_version(scratch->StreamVersion(step.stream) + 1);
      envelope.set_recorded_at_micros(now);
      envelope.set_actor(caller->id());
      applied = scratch->Apply(envelope, event);
      if (!applied.ok()) break;
    }
    if (!applied.ok()) {
      // The scratch state is no longer what the log would say: nothing after this is checked.
      const absl::Status stopped = absl::InternalError(
          absl::StrCat("validation stopped: the projection refused a planned event: ",
                       applied.message()));
      while (out.size() < commands.size()) out.push_back(stopped);
      return out;
    }
    out.push_back(ValidationReply(step.events));
  }
  return out;
}

}  // namespace rating::services
