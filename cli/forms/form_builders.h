// Builds each of the guideline's forms for an org and a year from what the server returns
// (FormReader), with the guideline's Vietnamese headers. Layer: cli/forms.
//   bth02          Mẫu BTH 02: members' ratings per unit, counts and percentages per level,
//                  not rated and why, disciplined; then the list of members
//   bth03          Mẫu BTH 03: orgs and their committees, with the same summary per level
//   tally          the biên bản kiểm phiếu of each ballot session of the org and year
//   qd01           Biểu mẫu QĐ 01: the re-ratings (IV.9, R-RETRO-2) with their legal grounds
//   overrides      decisions and QĐ 01 forced past a rule with a reason (R-DEC-2)
//   late-dossiers  dossiers received on or after the due date (R-DEADLINE)
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cli/forms/form.h"
#include "cli/forms/form_reader.h"

namespace rating::cli::forms {

// The forms' names, in the order above.
const std::vector<std::string>& FormNames();

// Builds form `name` for `org` (and the orgs below it where the form says so) and `year`.
// INVALID_ARGUMENT for an unknown name; otherwise the server's errors (NOT_FOUND for an
// unknown org or a year without a period, PERMISSION_DENIED outside the caller's scope).
absl::StatusOr<Form> BuildForm(FormReader& reader, const std::string& name, const std::string& org,
                               int year);

}  // namespace rating::cli::forms
