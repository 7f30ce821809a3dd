// ratingctl's write commands: one row per command, each a scenario `do` kind
// (shared/conformance/FORMAT.md) whose fields are the command's flags. The flags become the
// step's JSON object and go through the scenario parser's one table (ParseDoStep), so a step
// kind, its fields and its command are mapped in one place. Layer: cli/record, no I/O.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"
#include "rating/v1/api.pb.h"

namespace rating::cli {

namespace v1 = ::rating::v1;

// How a flag's text becomes the step field's JSON value. Every kind but kString, kInt and
// kBool also takes JSON text (starting with '[' or '{') or @FILE holding JSON.
enum class FlagType {
  kString,   // as given
  kInt,      // a decimal integer
  kBool,     // "true" / "false"; a bare --flag is true
  kList,     // "a,b,c" -> ["a","b","c"]
  kMap,      // "k=v,k=v" -> {"k":v}; v an integer, true/false, else a string
  kObjects,  // "k=v,k=v;k=v,k=v" -> a list of kMap objects
  kBallots,  // "SERIAL:SUBJ=LEVEL,SUBJ=LEVEL;SERIAL:..." (LEVEL+LEVEL marks two levels)
  kTotals,   // "issued=N;returned=N;invalid=REASON:N,...;SUBJ=XS/TOT/HT/KHT[/VOID];..."
};

// One flag: a field of the step.
struct FieldFlag {
  const char* name;
  FlagType type;
  // "required" or "optional" and what the field means, for --help.
  const char* help;
};

// One write command.
struct RecordCommand {
  // The command word: "decide", "self-assessment".
  const char* verb;
  // The scenario `do` kind it builds: "decide", "self_assessment".
  const char* step_kind;
  // One line for the command list.
  const char* summary;
  std::vector<FieldFlag> fields;
  // A complete command line, shown by --help.
  const char* example;
};

// Every write command, in the order of a period's flow.
const std::vector<RecordCommand>& RecordCommands();

// The row of `verb`, or nullptr.
const RecordCommand* FindRecordCommand(absl::string_view verb);

// The row's flag `name`, or nullptr.
const FieldFlag* FindField(const RecordCommand& command, absl::string_view name);

// The step object {"do": step_kind, field: value...} built from (flag, text) pairs in order.
// INVALID_ARGUMENT naming the flag for an unknown flag, a flag given twice, or a value that
// does not read as its type; NOT_FOUND for an @FILE that cannot be read.
absl::StatusOr<nlohmann::ordered_json> StepFromFlags(
    const RecordCommand& command, const std::vector<std::pair<std::string, std::string>>& flags);

// The command the flags describe: StepFromFlags, then the scenario parser (ParseDoStep), whose
// errors name the field (the flag of the same name). A field the parser does not read is
// INVALID_ARGUMENT.
absl::StatusOr<v1::Command> CommandFromFlags(
    const RecordCommand& command, const std::vector<std::pair<std::string, std::string>>& flags);

// `ratingctl VERB --help`: usage, each flag with its help, and the example.
std::string RecordHelp(const RecordCommand& command);

// The write commands' lines of ratingctl's usage text.
std::string RecordCommandList();

}  // namespace rating::cli
