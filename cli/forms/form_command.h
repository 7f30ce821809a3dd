// `ratingctl form NAME ORG YEAR --format xlsx|csv|pdf [--out FILE] [--as_of POSITION]`: reads
// what the form needs from ratingd as the caller, builds it and writes it (stdout without
// --out). Layer: cli/forms, ratingctl's entry point for forms.
#pragma once

#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace rating::cli::forms {

// The help text, with an example.
extern const char kFormUsage[];

// Runs the command: `flags` holds format, out, as_of (and help); `positional` NAME ORG YEAR.
// Writes the file to `out` (or to the --out file), errors to `err`. Returns the exit status:
// 0 on success, 2 for bad arguments, 1 when the server refuses or a file cannot be written.
int RunForm(const std::map<std::string, std::string>& flags,
            const std::vector<std::string>& positional, const std::string& server,
            const std::string& token, std::ostream& out, std::ostream& err);

}  // namespace rating::cli::forms
