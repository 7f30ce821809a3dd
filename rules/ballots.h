// The 20% quota (R-QUOTA) and ballot counting (RULES.md §7: R-BAL-1..3). Layer: rules (pure).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "rules/policy.h"
#include "rules/types.h"

namespace rating::rules {

// ------------------------------------------------------------------ R-QUOTA

// quota(g): quota_small if g < quota_min_group, else floor(g * quota_pct / 100).
int Quota(int good_or_better, const Policy& policy);
// True if `excellent` HTXSNV among `good_or_better` (>= HTTNV, excellent included) is within
// the quota under policy.quota_base (good_only: k <= quota(g - k)).
bool WithinQuota(int excellent, int good_or_better, const Policy& policy);
// The largest k in 0..g with WithinQuota(k, g): the HTXSNV places among g subjects >= HTTNV.
int MaxExcellent(int good_or_better, const Policy& policy);

// ------------------------------------------------------------------ §7 ballots

struct BallotInput {
  std::string serial;
  // subject -> the marked levels (one level, or the same level repeated = a vote; two or more
  // different levels = a void row).
  std::vector<std::pair<std::string, std::vector<Level>>> marks;
  bool extra_content = false;
};

struct TallyInput {
  std::vector<std::string> subjects;
  std::vector<std::string> issued;
  std::vector<BallotInput> ballots;  // In counting order.
};

struct InvalidBallotResult {
  std::string serial;
  rating::v1::InvalidBallotReason reason = rating::v1::INVALID_BALLOT_REASON_UNSPECIFIED;
  std::string detail;  // The subject named outside the session (UNKNOWN_SUBJECT), else "".
};

struct SubjectTallyResult {
  std::string subject;
  int votes[5] = {0, 0, 0, 0, 0};  // Indexed by Level: votes[4] = HTXSNV ... votes[1] = KHTNV.
  int void_rows = 0;
  Level majority_level = rating::v1::LEVEL_UNSPECIFIED;  // R-BAL-2.
  // After R-BAL-3; unset when tie_at_quota.
  std::optional<Level> level;
  bool tie_at_quota = false;
};

struct TallyResult {
  int issued = 0;
  int returned = 0;
  int valid = 0;
  int invalid = 0;
  int denominator = 0;  // N (R-BAL-2)
  int quota = 0;        // HTXSNV places: MaxExcellent(g) over the session's subjects.
  std::vector<InvalidBallotResult> invalid_ballots;
  std::vector<SubjectTallyResult> subjects;  // In session order.
  // Counted from a team's totals (CountTotals): no serials, the invalid ballots by reason.
  bool from_totals = false;
  std::vector<std::pair<rating::v1::InvalidBallotReason, int>> invalid_totals;
};

// A counting team's totals instead of the papers (BallotSession.totals).
struct SubjectVotesInput {
  std::string subject;
  int votes[5] = {0, 0, 0, 0, 0};  // Indexed by Level, as SubjectTallyResult::votes.
  int void_rows = 0;
};

struct TotalsInput {
  std::vector<std::string> subjects;  // The session's subjects, in session order.
  int issued = 0;
  int returned = 0;
  std::vector<std::pair<rating::v1::InvalidBallotReason, int>> invalid;  // By reason.
  std::vector<SubjectVotesInput> votes;                                  // Any order.
};

// R-BAL-1 checks each ballot in counting order and gives the first reason that applies: serial
// not issued; serial already returned earlier in the session (first copy counts); a mark for a
// subject outside the session (other content); extra_content; no subject marked. A row marking
// the same level twice is one vote for it; a row with two or more different levels is void
// (void_rows) and the ballot stays valid. R-BAL-1..3 and R-QUOTA over the session's subjects.
// INVALID_ARGUMENT for a session with no subjects, duplicate subjects, duplicate issued serials
// or a mark that is not a level.
absl::StatusOr<TallyResult> CountBallots(const TallyInput& input, const Policy& policy);

// R-BAL-2 (the majority cascade over the policy's denominator) and R-BAL-3 with R-QUOTA over
// counted votes: fills denominator, quota and each subject's majority_level, level and
// tie_at_quota. CountBallots and CountTotals end with it.
void DecideTally(TallyResult& result, const Policy& policy);

// The tally from a counting team's totals (ballot_totals.cc). The totals must add up, or
// INVALID_ARGUMENT "totals.<field>: <why> (<rule>)": every count >= 0; each invalid reason known
// and given once, their sum within the returned ballots (valid = returned - invalid; R-BAL-1);
// the ballots counted from issued serials (valid, and invalid for a reason other than NOT_ISSUED
// and DUPLICATE) within the issued ones (R-BAL-1); every session subject given once and no
// other (R-BAL-4); no subject with more votes and void rows than valid ballots (R-BAL-2). The
// levels are then decided as for papers (DecideTally).
absl::StatusOr<TallyResult> CountTotals(const TotalsInput& input, const Policy& policy);

}  // namespace rating::rules
