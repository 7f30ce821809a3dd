// ratingctl's read commands, each with --json (the reply as JSON) and, where the rpc reads a
// past moment, --as_of POSITION: rating, history, tally, export-csv, overrides, dossiers,
// rewards, impact, head. Layer: cli.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "cli/client.h"

namespace rating::cli {

struct QueryOptions {
  // Print the reply as JSON (ToJson) instead of the text report.
  bool json = false;
  // Read the state as recorded at this log position (0 = now).
  uint64_t as_of = 0;
  // dossiers: only the late ones.
  bool late_only = false;
};

// True if `command` is one of the read commands below.
bool IsQueryCommand(const std::string& command);

// INVALID_ARGUMENT when `args` or `options` do not fit `command` (a usage error: wrong
// argument count, --as_of on a read of now only, --late_only elsewhere than dossiers).
absl::Status CheckQueryArgs(const std::string& command, const std::vector<std::string>& args,
                            const QueryOptions& options);

// Runs read command `command` with its positional `args` through `client` as `token`, writing
// the report to `out`:
//   rating SUBJECT YEAR, history SUBJECT YEAR (every page), tally SESSION, export-csv ORG YEAR,
//   overrides [YEAR], dossiers [YEAR] [--late_only], rewards [SUBJECT [YEAR]],
//   impact POSITION (no --as_of: it reads now), head (no --as_of: "POSITION HASH").
// INVALID_ARGUMENT for wrong arguments (naming them) or --as_of on a command that reads only
// now; the server's error otherwise.
absl::Status RunQuery(Client& client, const std::string& token, const std::string& command,
                      const std::vector<std::string>& args, const QueryOptions& options,
                      std::ostream& out);

// The read commands' lines of ratingctl's usage text.
std::string QueryCommandList();

}  // namespace rating::cli
