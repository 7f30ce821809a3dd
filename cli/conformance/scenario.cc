// The scenario file as a whole: its header, its principals, and each step's common fields; the
// `do` and `expect` kinds are parsed in step_parsers.cc and expect_parsers.cc.
#include "cli/conformance/scenario.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/conformance/internal/json_fields.h"
#include "cli/conformance/internal/step_parsers.h"
#include "cli/names.h"
#include "common/status_macros.h"

namespace rating::cli {
namespace {

using internal::Fields;
using internal::Json;
using internal::ParseMode;

// Reads the fields every step may carry.
absl::Status ReadCommonFields(Fields& f, Step& step) {
  RATING_ASSIGN_OR_RETURN(step.as, f.OptString("as"));
  RATING_ASSIGN_OR_RETURN(step.label, f.OptString("label"));
  return absl::OkStatus();
}

// Step `number`: a malformed step keeps its error instead of failing the whole scenario, and a
// `do` step is read leniently so that it can still be sent (Step::sendable).
Step ParseStep(const Json& json, int number, const std::set<std::string>& principals) {
  Step step;
  step.number = number;
  if (!json.is_object()) {
    step.error =
        absl::InvalidArgumentError(absl::StrCat("expected an object, got ", json.type_name()));
    return step;
  }
  const bool is_do = json.contains("do");
  const bool is_expect = json.contains("expect");
  if (is_do == is_expect) {
    step.error = absl::InvalidArgumentError(is_do ? "has both \"do\" and \"expect\""
                                                  : "needs a \"do\" or an \"expect\" field");
    return step;
  }
  step.is_do = is_do;
  const Json& kind = json.at(is_do ? "do" : "expect");
  if (!kind.is_string()) {
    step.error = absl::InvalidArgumentError(absl::StrCat(
        "field \"", is_do ? "do" : "expect", "\": expected a string, got ", kind.type_name()));
    return step;
  }
  step.kind = kind.get<std::string>();

  ParseMode strict;
  Fields fields(json, "", strict);
  fields.Known(is_do ? "do" : "expect");
  step.error = ReadCommonFields(fields, step);
  if (!step.error.ok()) return step;
  if (!step.as.empty() && principals.count(step.as) == 0) {
    step.error = absl::InvalidArgumentError(
        absl::StrCat("field \"as\": unknown principal \"", step.as, "\" (not in \"principals\")"));
    return step;
  }
  if (is_do) {
    ParseMode lenient;
    lenient.lenient = true;
    absl::StatusOr<v1::Command> command = internal::ParseDo(json, &step.unknown_fields, lenient);
    if (command.ok()) {
      step.command = *std::move(command);
      step.error = lenient.first_error;
      step.sendable = true;
    } else {
      step.error = command.status();
    }
  } else {
    absl::StatusOr<Expectation> expectation = ParseExpectStep(json, &step.unknown_fields);
    if (expectation.ok()) {
      step.expectation = *std::move(expectation);
    } else {
      step.error = expectation.status();
    }
  }
  return step;
}

absl::Status ParsePrincipals(const Json& json, Scenario& scenario) {
  if (!json.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"principals\": expected an object, got ", json.type_name()));
  }
  for (const auto& [id, value] : json.items()) {
    const std::string path = absl::StrCat("principals.", id, ".");
    if (!value.is_object()) {
      return absl::InvalidArgumentError(
          absl::StrCat("\"", path, "\": expected an object, got ", value.type_name()));
    }
    ParseMode strict;
    Fields f(value, path, strict);
    ScenarioPrincipal principal;
    principal.id = id;
    RATING_ASSIGN_OR_RETURN(principal.role, f.Enum("role", &ParseRole));
    RATING_ASSIGN_OR_RETURN(principal.scope, f.OptString("scope"));
    std::vector<std::string> unknown;
    f.AppendUnused(&unknown);
    if (!unknown.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("\"principals\": unknown field \"", unknown.front(), "\""));
    }
    scenario.principals.push_back(std::move(principal));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Scenario> ParseScenario(absl::string_view json_text) {
  Json json;
  // nlohmann::json reports syntax errors only by throwing: this is the parse boundary.
  try {
    json = Json::parse(json_text);
  } catch (const Json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("not valid JSON: ", e.what()));
  }
  if (!json.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected a JSON object at the top, got ", json.type_name()));
  }
  Scenario scenario;
  if (auto it = json.find("name"); it != json.end()) {
    if (!it->is_string()) return absl::InvalidArgumentError("\"name\": expected a string");
    scenario.name = it->get<std::string>();
  }
  if (auto it = json.find("rules"); it != json.end()) {
    if (!it->is_array()) return absl::InvalidArgumentError("\"rules\": expected a list");
    for (const Json& rule : *it) {
      if (!rule.is_string()) {
        return absl::InvalidArgumentError("\"rules\": expected a list of strings");
      }
      scenario.rules.push_back(rule.get<std::string>());
    }
  }
  if (auto it = json.find("principals"); it != json.end()) {
    RATING_RETURN_IF_ERROR(ParsePrincipals(*it, scenario));
  }
  auto steps = json.find("steps");
  if (steps == json.end()) return absl::InvalidArgumentError("\"steps\": missing");
  if (!steps->is_array()) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"steps\": expected a list, got ", steps->type_name()));
  }
  std::set<std::string> principal_ids;
  for (const auto& principal : scenario.principals) principal_ids.insert(principal.id);
  int number = 0;
  for (const Json& step : *steps) {
    scenario.steps.push_back(ParseStep(step, ++number, principal_ids));
  }
  return scenario;
}

absl::StatusOr<Scenario> LoadScenario(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open: ", std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return absl::DataLossError("read error");
  return ParseScenario(text.str());
}

std::string DescribeExpectation(const Expectation& e) {
  std::string out;
  switch (e.kind) {
    case ExpectKind::kRating:
      out = absl::StrCat("rating ", e.subject, " ", e.year);
      if (e.level != v1::LEVEL_UNSPECIFIED) absl::StrAppend(&out, " level ", LevelCode(e.level));
      if (e.status) absl::StrAppend(&out, " status ", RatingStatusCode(*e.status));
      break;
    case ExpectKind::kCeiling:
      out = absl::StrCat("ceiling ", e.subject, " ", e.year, " ", LevelCode(e.level));
      if (!e.rules.empty()) absl::StrAppend(&out, " by [", absl::StrJoin(e.rules, ", "), "]");
      break;
    case ExpectKind::kTally:
      out = absl::StrCat("tally ", e.session);
      if (!e.tally_subject.empty()) {
        absl::StrAppend(&out, " ", e.tally_subject, " ",
                        e.tie_at_quota ? "TIE_AT_QUOTA" : LevelCode(e.level));
      }
      if (e.valid) absl::StrAppend(&out, " valid ", *e.valid);
      if (e.invalid) absl::StrAppend(&out, " invalid ", *e.invalid);
      break;
    case ExpectKind::kError:
      out = absl::StrCat("error ", absl::StatusCodeToString(e.code));
      if (!e.rules.empty()) absl::StrAppend(&out, " naming [", absl::StrJoin(e.rules, ", "), "]");
      break;
    case ExpectKind::kReward:
      out = absl::StrCat("reward ", e.subject, " ", e.year, " ", RewardKindCode(e.reward_kind), " ",
                         e.reward_status);
      break;
    case ExpectKind::kLate:
      out = absl::StrCat("late ", e.org, " ", e.year, " ", e.late ? "true" : "false");
      break;
    case ExpectKind::kOverrides:
      out = absl::StrCat("overrides count ", e.count);
      break;
    case ExpectKind::kHistory:
      out = absl::StrCat("history ", e.subject, " ", e.year, " at least ", e.min_events, " events");
      break;
    case ExpectKind::kVerify:
      out = "verify";
      break;
  }
  if (!e.as_of.empty()) absl::StrAppend(&out, " as of \"", e.as_of, "\"");
  return out;
}

}  // namespace rating::cli
