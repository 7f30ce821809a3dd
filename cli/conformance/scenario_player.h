// Plays a parsed conformance scenario against a running ratingd through its gRPC API and
// checks its expectations, reporting each failure in words. Layer: cli/conformance.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "cli/client.h"
#include "cli/conformance/scenario.h"

namespace rating::cli {

// Expectation counts of one scenario.
struct PlayResult {
  int passed = 0;
  int failed = 0;
};

// Not thread-safe; one player per scenario run.
class ScenarioPlayer {
 public:
  // `client` and `out` must outlive the player. `admin_token` authorizes steps without `as`
  // and the setup; `file` names the scenario in the report. `server_alive` (may be empty) is
  // asked after an UNAVAILABLE or DEADLINE_EXCEEDED reply: false aborts the scenario.
  ScenarioPlayer(Client& client, std::string admin_token, std::string file, std::ostream& out,
                 std::function<bool()> server_alive = nullptr, bool verbose = false);

  // Creates every scenario principal with a fresh random token (AdminService.CreatePrincipal
  // as the administrator). The server's error, prefixed with the principal id, otherwise.
  absl::Status CreatePrincipals(const Scenario& scenario);

  // Plays every step in order and counts the expectations (an unexpected failure of a `do`
  // step and a malformed step each count as one failed expectation). A malformed `do` step
  // followed by an `error` expectation is sent with its unreadable fields unset (if its kind
  // is known), so the expectation checks the server's refusal. Failures are written to `out`.
  // UNAVAILABLE when the server died mid-way (the steps after it are not counted).
  absl::Status Play(const Scenario& scenario, PlayResult& result);

 private:
  // What the most recent `do` step did.
  struct DoOutcome {
    int step = 0;
    // False when the step was malformed and never sent.
    bool sent = false;
    absl::Status status;
  };

  // The outcome of one expectation check.
  struct Check {
    bool ok = false;
    // What was found, one line.
    std::string got;
    // Further lines: explanation findings, the error message, the rows read.
    std::vector<std::string> details;
  };

  const std::string& TokenFor(const std::string& as) const;
  Check Evaluate(const Step& step);
  // The rating view an expectation reads (its subject and year, as `token`, as of `as_of`).
  absl::StatusOr<v1::RatingView> GetRating(const Expectation& e, const std::string& token,
                                           const v1::AsOf& as_of);
  Check CheckRating(const Expectation& e, const std::string& token, const v1::AsOf& as_of);
  Check CheckCeiling(const Expectation& e, const std::string& token, const v1::AsOf& as_of);
  Check CheckTally(const Expectation& e, const std::string& token, const v1::AsOf& as_of);
  Check CheckError(const Expectation& e);
  Check CheckReward(const Expectation& e, const std::string& token, const v1::AsOf& as_of);
  Check CheckLate(const Expectation& e, const std::string& token, const v1::AsOf& as_of);
  Check CheckOverrides(const Expectation& e, const std::string& token, const v1::AsOf& as_of);
  Check CheckHistory(const Expectation& e, const std::string& token, const v1::AsOf& as_of);
  Check CheckVerify(const std::string& token, const v1::AsOf& as_of);
  // A failed read: records the status for the server-death check.
  Check ReadFailed(const absl::Status& status);

  void ReportFailure(const Step& step, absl::string_view what, const Check& check);
  void RememberLabel(const Step& step);
  // True when the last call's status suggests the server is gone and it is.
  bool ServerDied(const absl::Status& status);

  Client& client_;
  const std::string admin_token_;
  const std::string file_;
  std::ostream& out_;
  std::function<bool()> server_alive_;
  const bool verbose_;
  std::map<std::string, std::string> tokens_;
  std::map<std::string, uint64_t> labels_;
  std::optional<DoOutcome> last_do_;
  bool server_died_ = false;
};

// Lines describing a RatingView for a report: status, level, ceiling and every finding.
std::vector<std::string> DescribeRatingView(const v1::RatingView& view);

// True if `text` names `rule_id` as a whole id ("R-MEM-1" is not named by "R-MEM-12").
bool NamesRule(absl::string_view text, absl::string_view rule_id);

}  // namespace rating::cli
