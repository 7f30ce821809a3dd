#include "cli/record/apply.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/output.h"
#include "google/protobuf/descriptor.h"
#include "nlohmann/json.hpp"

namespace rating::cli {
namespace {

using Json = nlohmann::ordered_json;

// What PlayScenario does with one step.
enum class Plan { kExpectation, kDeliberateMistake, kInvalid, kSend };

Plan PlanStep(const Scenario& scenario, size_t index, absl::Status& problem) {
  const Step& step = scenario.steps[index];
  if (!step.is_do && step.kind.empty() && !step.error.ok()) {
    problem = step.error;
    return Plan::kInvalid;
  }
  if (!step.is_do) return Plan::kExpectation;
  if (index + 1 < scenario.steps.size()) {
    const Step& next = scenario.steps[index + 1];
    if (!next.is_do && next.kind == "error") return Plan::kDeliberateMistake;
  }
  if (!step.error.ok()) {
    problem = step.error;
    return Plan::kInvalid;
  }
  const google::protobuf::FieldDescriptor* field =
      v1::Command::descriptor()->FindFieldByNumber(step.command.command_case());
  if (field == nullptr) {
    problem = absl::InvalidArgumentError("the step builds no command");
    return Plan::kInvalid;
  }
  absl::StatusOr<std::string> method = CommandMethod(field->message_type());
  if (!method.ok()) {
    problem = method.status();
    return Plan::kInvalid;
  }
  return Plan::kSend;
}

std::string StepName(const Step& step) {
  return absl::StrCat("step ", step.number, " ", step.is_do ? "" : "expect ",
                      step.kind.empty() ? "?" : step.kind);
}

void Line(const PlayOptions& options, std::ostream& out, const Step& step,
          const std::string& result, const std::string& text, Json extra = Json::object()) {
  if (options.json) {
    Json line{{"step", step.number}, {"kind", step.kind}, {"do", step.is_do}, {"result", result}};
    for (auto& [key, value] : extra.items()) line[key] = value;
    out << line.dump(-1, ' ', false, Json::error_handler_t::replace) << "\n";
  } else {
    out << StepName(step) << ": " << text << "\n";
  }
}

void SkippedLine(const PlayOptions& options, std::ostream& out, const Step& step, Plan plan) {
  Line(options, out, step, "skipped",
       plan == Plan::kExpectation ? "skipped (an expectation)"
                                  : "skipped (the scenario expects it to fail)");
}

int CheckOnServer(const Scenario& scenario, const std::vector<Plan>& plans, Client& client,
                  const std::string& token, const PlayOptions& options, std::ostream& out,
                  std::ostream& err) {
  std::vector<v1::Command> commands;
  for (size_t i = 0; i < scenario.steps.size(); ++i) {
    if (plans[i] == Plan::kSend) commands.push_back(scenario.steps[i].command);
  }
  absl::StatusOr<std::vector<absl::StatusOr<v1::CommandReply>>> checked =
      client.ValidateSequence(commands, token);
  if (!checked.ok()) {
    PrintRefusal("ratingctl apply --dry-run", checked.status(), options.json, out, err);
    return 1;
  }
  int refused = 0;
  size_t next = 0;
  for (size_t i = 0; i < scenario.steps.size(); ++i) {
    const Step& step = scenario.steps[i];
    if (plans[i] != Plan::kSend) {
      SkippedLine(options, out, step, plans[i]);
      continue;
    }
    const absl::StatusOr<v1::CommandReply>& reply = (*checked)[next++];
    if (!reply.ok()) {
      ++refused;
      if (options.json) {
        Line(options, out, step, "refused", "", Json{{"error", RefusalJson(reply.status())}});
      } else {
        PrintRefusal(StepName(step), reply.status(), false, out, out);
      }
      continue;
    }
    Line(options, out, step, "valid",
         absl::StrCat("valid: would append ", reply->planned_events_size(), " event(s)",
                      reply->rule_ids().empty() ? "" : "; rules: ",
                      absl::StrJoin(reply->rule_ids(), ", ")),
         Json{{"reply", Json::parse(ToJson(*reply), nullptr, false)}});
  }
  if (refused > 0) {
    err << "ratingctl: " << refused << " step(s) the server would refuse; nothing was written\n";
    return 1;
  }
  return 0;
}

}  // namespace

int PlayScenario(const Scenario& scenario, Client* client, const std::string& token,
                 const PlayOptions& options, std::ostream& out, std::ostream& err) {
  std::vector<Plan> plans;
  std::vector<absl::Status> problems(scenario.steps.size());
  int invalid = 0;
  for (size_t i = 0; i < scenario.steps.size(); ++i) {
    plans.push_back(PlanStep(scenario, i, problems[i]));
    if (plans.back() == Plan::kInvalid) ++invalid;
  }
  // --dry-run with a server: the steps are sent as one sequence checked whole, nothing written
  // (Client::ValidateSequence); each step reports what the server says of it.
  if (options.dry_run && invalid == 0 && client != nullptr) {
    return CheckOnServer(scenario, plans, *client, token, options, out, err);
  }
  // A file with a malformed step is refused whole: half a scenario is worse than none.
  if (options.dry_run || invalid > 0) {
    for (size_t i = 0; i < scenario.steps.size(); ++i) {
      const Step& step = scenario.steps[i];
      switch (plans[i]) {
        case Plan::kExpectation:
          Line(options, out, step, "skipped", "skipped (an expectation)");
          break;
        case Plan::kDeliberateMistake:
          Line(options, out, step, "skipped", "skipped (the scenario expects it to fail)");
          break;
        case Plan::kInvalid:
          Line(options, out, step, "invalid",
               absl::StrCat("invalid: ", absl::StatusCodeToString(problems[i].code()), ": ",
                            problems[i].message()),
               Json{{"error", RefusalJson(problems[i])}});
          break;
        case Plan::kSend:
          Line(options, out, step, "valid", "valid");
          break;
      }
    }
    if (invalid > 0) {
      err << "ratingctl: " << invalid << " invalid step(s); nothing was sent\n";
      return 1;
    }
    return 0;
  }
  if (client == nullptr) {
    err << "ratingctl: no server to send to\n";
    return 1;
  }
  for (size_t i = 0; i < scenario.steps.size(); ++i) {
    const Step& step = scenario.steps[i];
    if (plans[i] == Plan::kExpectation) {
      Line(options, out, step, "skipped", "skipped (an expectation)");
      continue;
    }
    if (plans[i] == Plan::kDeliberateMistake) {
      Line(options, out, step, "skipped", "skipped (the scenario expects it to fail)");
      continue;
    }
    absl::StatusOr<v1::CommandReply> reply = client->Execute(step.command, token);
    if (!reply.ok()) {
      if (options.json) {
        Line(options, out, step, "refused", "", Json{{"error", RefusalJson(reply.status())}});
      } else {
        PrintRefusal(StepName(step), reply.status(), false, out, out);
      }
      err << "ratingctl: stopped at step " << step.number << "; the later steps were not sent\n";
      return 1;
    }
    Line(options, out, step, "accepted", FormatReply(*reply),
         Json{{"reply", Json::parse(ToJson(*reply), nullptr, false)}});
  }
  return 0;
}

int RunApply(const std::string& path, Client* client, const std::string& token,
             const PlayOptions& options, std::ostream& out, std::ostream& err) {
  absl::StatusOr<Scenario> scenario = LoadScenario(path);
  if (!scenario.ok()) {
    PrintRefusal(absl::StrCat("ratingctl apply ", path), scenario.status(), options.json, out, err);
    return 2;
  }
  return PlayScenario(*scenario, client, token, options, out, err);
}

int RunDemo(Client* client, const std::string& token, const PlayOptions& options, std::ostream& out,
            std::ostream& err) {
  absl::StatusOr<Scenario> scenario = ParseScenario(DemoScenarioJson());
  // The demo is ours: a parse failure is a bug in DemoScenarioJson, reported, not hidden.
  if (!scenario.ok()) {
    PrintRefusal("ratingctl demo", scenario.status(), options.json, out, err);
    return 1;
  }
  return PlayScenario(*scenario, client, token, options, out, err);
}

}  // namespace rating::cli
