// `ratingctl apply FILE.json` and `ratingctl demo`: a scenario's `do` steps played against a
// live ratingd as the caller, or only checked (--dry-run). Layer: cli/record (gRPC through
// Client).
#pragma once

#include <ostream>
#include <string>

#include "cli/client.h"
#include "cli/conformance/scenario.h"

namespace rating::cli {

struct PlayOptions {
  // Check every step (parse, the rpc that takes it) and write nothing: with a client, the
  // server checks the steps as one sequence (Client::ValidateSequence: authorization and rules,
  // each step over what the ones before it would leave); without one, the client-side checks
  // only.
  bool dry_run = false;
  // One JSON object per step line instead of text.
  bool json = false;
};

// Plays the `do` steps of `scenario` in order through `client` as `token` (each step's `as` is
// ignored). A `do` step followed by an `error` expectation is skipped: it is the scenario's
// deliberate mistake. Expectations are not checked (that is `ratingctl conformance`). Every
// step is checked before the first is sent: a malformed step sends nothing. Playing stops at
// the first refusal. Writes one line per step to `out` (refusals through PrintRefusal).
// Returns the exit status: 0 when every step played (or, dry, checked) is fine, else 1.
int PlayScenario(const Scenario& scenario, Client* client, const std::string& token,
                 const PlayOptions& options, std::ostream& out, std::ostream& err);

// `ratingctl apply FILE`: LoadScenario, then PlayScenario (exit status 2 if the file does
// not load). `client` may be null with `dry_run`.
int RunApply(const std::string& path, Client* client, const std::string& token,
             const PlayOptions& options, std::ostream& out, std::ostream& err);

// The demo bloc as a scenario file's JSON text: one grassroots committee (đảng bộ cơ sở) with
// two subordinate cells and one grassroots cell (chi bộ cơ sở), 20 members; their reviews,
// self-assessments, ballots, scorecards, external ratings and decisions for 2025, two
// dossiers (one late), a reward, and in 2026 a late discipline for a 2025 violation with its
// QĐ 01 re-rating. Every step is accepted by the rules on an empty server.
std::string DemoScenarioJson();

// `ratingctl demo`: PlayScenario(DemoScenarioJson()).
int RunDemo(Client* client, const std::string& token, const PlayOptions& options, std::ostream& out,
            std::ostream& err);

}  // namespace rating::cli
