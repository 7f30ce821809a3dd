// The `expect` step parsers of a conformance scenario, one per kind, each filling an
// Expectation; and ParseExpectStep, which picks one by the step's "expect" value.
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/conformance/internal/json_fields.h"
#include "cli/conformance/scenario.h"
#include "cli/names.h"
#include "common/status_macros.h"

namespace rating::cli {
namespace {

using internal::Fields;
using internal::ParseMode;

absl::Status ExpectRating(Fields& f, Expectation& e) {
  RATING_ASSIGN_OR_RETURN(e.subject, f.String("subject"));
  RATING_ASSIGN_OR_RETURN(e.year, f.Year());
  const bool has_level = f.Has("level");
  const bool has_status = f.Has("status");
  if (!has_level && !has_status) return f.Error("level", "missing (give \"level\" or \"status\")");
  if (has_level) {
    RATING_ASSIGN_OR_RETURN(e.level, f.Enum("level", &ParseLevel));
  }
  if (has_status) {
    RATING_ASSIGN_OR_RETURN(e.status, f.Enum("status", &ParseRatingStatus));
  }
  return absl::OkStatus();
}

absl::Status ExpectCeiling(Fields& f, Expectation& e) {
  RATING_ASSIGN_OR_RETURN(e.subject, f.String("subject"));
  RATING_ASSIGN_OR_RETURN(e.year, f.Year());
  RATING_ASSIGN_OR_RETURN(e.level, f.Enum("level", &ParseLevel));
  RATING_ASSIGN_OR_RETURN(e.rules, f.OptStringList("rules"));
  return absl::OkStatus();
}

absl::Status ExpectTally(Fields& f, Expectation& e) {
  RATING_ASSIGN_OR_RETURN(e.session, f.String("session"));
  if (f.Has("subject")) {
    RATING_ASSIGN_OR_RETURN(e.tally_subject, f.String("subject"));
    RATING_ASSIGN_OR_RETURN(std::string level, f.String("level"));
    if (level == "TIE_AT_QUOTA") {
      e.tie_at_quota = true;
    } else {
      RATING_ASSIGN_OR_RETURN(e.level, f.ParseValue("level", level, &ParseLevel));
    }
  } else if (f.Has("level")) {
    return f.Error("subject", "missing (\"level\" needs a \"subject\")");
  }
  if (f.Has("valid")) {
    RATING_ASSIGN_OR_RETURN(e.valid, f.Int("valid"));
  }
  if (f.Has("invalid")) {
    RATING_ASSIGN_OR_RETURN(e.invalid, f.Int("invalid"));
  }
  return absl::OkStatus();
}

absl::Status ExpectError(Fields& f, Expectation& e) {
  RATING_ASSIGN_OR_RETURN(std::string code, f.String("code"));
  RATING_ASSIGN_OR_RETURN(e.code, f.ParseValue("code", code, &ParseStatusCodeName));
  if (e.code == absl::StatusCode::kOk) return f.Error("code", "OK is not an error code");
  RATING_ASSIGN_OR_RETURN(e.rules, f.OptStringList("rules"));
  return absl::OkStatus();
}

absl::Status ExpectReward(Fields& f, Expectation& e) {
  RATING_ASSIGN_OR_RETURN(e.subject, f.String("subject"));
  RATING_ASSIGN_OR_RETURN(e.year, f.Year());
  RATING_ASSIGN_OR_RETURN(e.reward_kind, f.Enum("kind", &ParseRewardKind));
  RATING_ASSIGN_OR_RETURN(e.reward_status, f.String("status"));
  if (e.reward_status != "active" && e.reward_status != "annulled") {
    return f.Error("status", absl::StrCat("unknown value \"", e.reward_status,
                                          "\" (expected one of active, annulled)"));
  }
  return absl::OkStatus();
}

absl::Status ExpectLate(Fields& f, Expectation& e) {
  RATING_ASSIGN_OR_RETURN(e.org, f.String("org"));
  RATING_ASSIGN_OR_RETURN(e.year, f.Year());
  RATING_ASSIGN_OR_RETURN(e.late, f.Bool("value"));
  return absl::OkStatus();
}

absl::Status ExpectOverrides(Fields& f, Expectation& e) {
  RATING_ASSIGN_OR_RETURN(e.count, f.Int("count"));
  return absl::OkStatus();
}

absl::Status ExpectHistory(Fields& f, Expectation& e) {
  RATING_ASSIGN_OR_RETURN(e.subject, f.String("subject"));
  RATING_ASSIGN_OR_RETURN(e.year, f.Year());
  RATING_ASSIGN_OR_RETURN(e.min_events, f.Int("min_events"));
  return absl::OkStatus();
}

absl::Status ExpectVerify(Fields&, Expectation&) { return absl::OkStatus(); }

struct ExpectParser {
  ExpectKind kind;
  absl::Status (*parse)(Fields&, Expectation&);
};

// One row per `expect` kind.
const std::map<std::string, ExpectParser>& ExpectParsers() {
  static const auto* const parsers = new std::map<std::string, ExpectParser>{
      {"rating", {ExpectKind::kRating, &ExpectRating}},
      {"ceiling", {ExpectKind::kCeiling, &ExpectCeiling}},
      {"tally", {ExpectKind::kTally, &ExpectTally}},
      {"error", {ExpectKind::kError, &ExpectError}},
      {"reward", {ExpectKind::kReward, &ExpectReward}},
      {"late", {ExpectKind::kLate, &ExpectLate}},
      {"overrides", {ExpectKind::kOverrides, &ExpectOverrides}},
      {"history", {ExpectKind::kHistory, &ExpectHistory}},
      {"verify", {ExpectKind::kVerify, &ExpectVerify}},
  };
  return *parsers;
}

}  // namespace

absl::StatusOr<Expectation> ParseExpectStep(const nlohmann::ordered_json& step,
                                            std::vector<std::string>* unknown) {
  if (!step.is_object()) return absl::InvalidArgumentError("a step must be an object");
  auto kind_it = step.find("expect");
  if (kind_it == step.end() || !kind_it->is_string()) {
    return absl::InvalidArgumentError("field \"expect\": missing or not a string");
  }
  const std::string kind = kind_it->get<std::string>();
  auto parser = ExpectParsers().find(kind);
  if (parser == ExpectParsers().end()) {
    return absl::InvalidArgumentError(absl::StrCat("unknown step kind \"expect\": \"", kind,
                                                   "\" (expected one of ",
                                                   internal::Keys(ExpectParsers()), ")"));
  }
  ParseMode strict;
  Fields fields(step, "", strict);
  for (const char* common : {"expect", "as", "label"}) fields.Known(common);
  Expectation expectation;
  expectation.kind = parser->second.kind;
  RATING_ASSIGN_OR_RETURN(expectation.as_of, fields.OptString("as_of"));
  RATING_RETURN_IF_ERROR(parser->second.parse(fields, expectation));
  fields.AppendUnused(unknown);
  return expectation;
}

}  // namespace rating::cli
