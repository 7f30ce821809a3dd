// A conformance scenario (shared/conformance/FORMAT.md) parsed into API messages: each `do` step
// becomes a rating.v1.Command, each `expect` step an Expectation. Layer: cli/conformance; no I/O
// beyond LoadScenario's file read, no gRPC. The functions keep no state: call them from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"
#include "rating/v1/api.pb.h"

namespace rating::cli {

namespace v1 = ::rating::v1;

// The kinds of `expect` steps.
enum class ExpectKind {
  kRating,
  kCeiling,
  kTally,
  kError,
  kReward,
  kLate,
  kOverrides,
  kHistory,
  kVerify,
};

// One `expect` step. Only the fields of its kind are set.
struct Expectation {
  ExpectKind kind = ExpectKind::kVerify;
  // rating, ceiling, reward, history.
  std::string subject;
  // rating, ceiling, reward, late, history.
  int32_t year = 0;
  // rating (decided level), ceiling, tally (with `subject`); unset otherwise.
  v1::Level level = v1::LEVEL_UNSPECIFIED;
  // rating: the expected status, when `status` was given instead of `level`.
  std::optional<v1::RatingStatus> status;
  // ceiling, error: rule ids that must be named.
  std::vector<std::string> rules;
  // tally.
  std::string session;
  std::string tally_subject;
  bool tie_at_quota = false;
  std::optional<int> valid;
  std::optional<int> invalid;
  // error.
  absl::StatusCode code = absl::StatusCode::kOk;
  // reward.
  v1::RewardKind reward_kind = v1::REWARD_KIND_UNSPECIFIED;
  std::string reward_status;
  // late.
  std::string org;
  bool late = false;
  // overrides.
  int count = 0;
  // history.
  int min_events = 0;
  // Any kind: read the state as of this label ("" = now).
  std::string as_of;
};

// One step of a scenario.
struct Step {
  // 1-based index in the file's "steps" array.
  int number = 0;
  // True for a `do` step, false for an `expect` step.
  bool is_do = false;
  // The `do` or `expect` value, e.g. "decide", "ceiling".
  std::string kind;
  // The principal to act or read as ("" = the administrator).
  std::string as;
  // Names the moment right after the step ("" = none).
  std::string label;
  // Not OK when the step itself is malformed (unknown kind, missing or mistyped field); the
  // message names the field. The step is then reported as failed, and the others still play.
  absl::Status error;
  // For a `do` step: its command. When the step is malformed but `sendable`, the fields that
  // could not be read are left unset, so the server can be asked to refuse it.
  v1::Command command;
  // A `do` step of a known kind (and a known `as`), even if some field is malformed.
  bool sendable = false;
  // For a well-formed `expect` step.
  Expectation expectation;
  // Fields the step carries that its kind does not use (reported as warnings).
  std::vector<std::string> unknown_fields;
};

// A principal the scenario acts as, created before the first step.
struct ScenarioPrincipal {
  std::string id;
  v1::Role role = v1::ROLE_UNSPECIFIED;
  std::string scope;
};

// A parsed scenario file.
struct Scenario {
  // "name" ("" when absent).
  std::string name;
  // The rule ids the scenario covers ("rules", informative).
  std::vector<std::string> rules;
  // In file order.
  std::vector<ScenarioPrincipal> principals;
  std::vector<Step> steps;
};

// Parses a scenario. INVALID_ARGUMENT for a file-level fault (not JSON, no "steps" array,
// a malformed "principals" entry), naming where; a malformed step does not fail the parse
// but sets that step's `error`.
absl::StatusOr<Scenario> ParseScenario(absl::string_view json_text);

// Reads and parses the file at `path`. NOT_FOUND / DATA_LOSS / INVALID_ARGUMENT; the messages
// do not repeat the path.
absl::StatusOr<Scenario> LoadScenario(const std::string& path);

// Maps one `do` step object to its command. INVALID_ARGUMENT naming the field for an
// unknown kind or a missing or mistyped field. Appends unused field names to `unknown`
// when it is not null.
absl::StatusOr<v1::Command> ParseDoStep(const nlohmann::ordered_json& step,
                                        std::vector<std::string>* unknown = nullptr);

// Maps one `expect` step object. INVALID_ARGUMENT like ParseDoStep (also for an `error`
// expectation whose code is OK).
absl::StatusOr<Expectation> ParseExpectStep(const nlohmann::ordered_json& step,
                                            std::vector<std::string>* unknown = nullptr);

// "rating member/m1 2025 level HTTNV": a one-line description of an expectation, ending in
// ` as of "LABEL"` when it reads a past moment.
std::string DescribeExpectation(const Expectation& expectation);

}  // namespace rating::cli
