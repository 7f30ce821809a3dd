// The 20% quota (R-QUOTA) and ballot counting (RULES.md §7: R-BAL-1..3).
#include "rules/ballots.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "rules/internal/text_util.h"

namespace rating::rules {

using internal::Cat;
namespace {

using rating::v1::LEVEL_HTNV;
using rating::v1::LEVEL_HTTNV;
using rating::v1::LEVEL_HTXSNV;
using rating::v1::LEVEL_KHTNV;

InvalidBallotResult Invalid(const std::string& serial, rating::v1::InvalidBallotReason reason,
                            std::string detail = "") {
  return InvalidBallotResult{serial, reason, std::move(detail)};
}

bool IsLevel(Level level) { return level >= LEVEL_KHTNV && level <= LEVEL_HTXSNV; }

}  // namespace

int Quota(int good_or_better, const Policy& policy) {
  // C.I.2.1, C.II.2.1, IV.10: 20% of g; under 5, one.
  if (good_or_better < policy.quota_min_group) return policy.quota_small;
  return static_cast<int>(static_cast<int64_t>(good_or_better) * policy.quota_pct / 100);
}

bool WithinQuota(int excellent, int good_or_better, const Policy& policy) {
  if (excellent <= 0) return true;
  switch (policy.quota_base) {
    case QuotaBase::kGoodOnly:
      // The literal reading on final counts: k <= quota(g - k).
      return excellent <= Quota(good_or_better - excellent, policy);
    case QuotaBase::kGoodOrBetter:
    default:
      return excellent <= Quota(good_or_better, policy);
  }
}

int MaxExcellent(int good_or_better, const Policy& policy) {
  int best = 0;
  for (int k = 1; k <= good_or_better; ++k) {
    if (WithinQuota(k, good_or_better, policy)) best = k;
  }
  return best;
}

absl::StatusOr<TallyResult> CountBallots(const TallyInput& input, const Policy& policy) {
  if (input.subjects.empty()) {
    return absl::InvalidArgumentError("ballot session lists no subjects");
  }
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < input.subjects.size(); ++i) {
    if (!index.emplace(input.subjects[i], i).second) {
      return absl::InvalidArgumentError(
          Cat("ballot session lists subject ", input.subjects[i], " twice"));
    }
  }
  std::set<std::string> issued;
  for (const std::string& serial : input.issued) {
    if (!issued.insert(serial).second) {
      return absl::InvalidArgumentError(Cat("serial ", serial, " issued twice"));
    }
  }
  for (const BallotInput& ballot : input.ballots) {
    for (const auto& [subject, levels] : ballot.marks) {
      for (Level level : levels) {
        if (!IsLevel(level)) {
          return absl::InvalidArgumentError(
              Cat("ballot ", ballot.serial, ": subject ", subject, " marked with no valid level"));
        }
      }
    }
  }

  TallyResult result;
  result.issued = static_cast<int>(input.issued.size());
  result.returned = static_cast<int>(input.ballots.size());
  result.subjects.resize(input.subjects.size());
  for (size_t i = 0; i < input.subjects.size(); ++i) {
    result.subjects[i].subject = input.subjects[i];
  }

  // R-BAL-1 (IV.11): validity, in counting order.
  std::set<std::string> seen;
  for (const BallotInput& ballot : input.ballots) {
    const bool first_copy = seen.insert(ballot.serial).second;
    if (issued.count(ballot.serial) == 0) {
      result.invalid_ballots.push_back(
          Invalid(ballot.serial, rating::v1::INVALID_BALLOT_REASON_NOT_ISSUED));
      continue;
    }
    if (!first_copy) {
      // [choice] The first copy of a serial counts; later copies are invalid.
      result.invalid_ballots.push_back(
          Invalid(ballot.serial, rating::v1::INVALID_BALLOT_REASON_DUPLICATE));
      continue;
    }
    std::string unknown;
    bool marks_any = false;
    for (const auto& [subject, levels] : ballot.marks) {
      if (index.count(subject) == 0 && unknown.empty()) unknown = subject;
      marks_any = marks_any || !levels.empty();
    }
    if (!unknown.empty()) {
      // Naming someone who is not in the session is content other than the marks.
      result.invalid_ballots.push_back(
          Invalid(ballot.serial, rating::v1::INVALID_BALLOT_REASON_UNKNOWN_SUBJECT, unknown));
      continue;
    }
    if (ballot.extra_content) {
      result.invalid_ballots.push_back(
          Invalid(ballot.serial, rating::v1::INVALID_BALLOT_REASON_EXTRA_CONTENT));
      continue;
    }
    if (!marks_any) {
      result.invalid_ballots.push_back(
          Invalid(ballot.serial, rating::v1::INVALID_BALLOT_REASON_NO_MARK));
      continue;
    }
    ++result.valid;
    // Rows: one level (or the same level marked again) is a vote; two or more different levels
    // for a subject make the row void ([choice]: no vote for that subject; the ballot stands).
    std::map<size_t, std::vector<Level>> rows;
    for (const auto& [subject, levels] : ballot.marks) {
      std::vector<Level>& row = rows[index[subject]];
      row.insert(row.end(), levels.begin(), levels.end());
    }
    for (const auto& [i, levels] : rows) {
      if (levels.empty()) continue;
      const std::set<Level> distinct(levels.begin(), levels.end());
      if (distinct.size() == 1) {
        ++result.subjects[i].votes[levels[0]];
      } else {
        ++result.subjects[i].void_rows;
      }
    }
  }
  result.invalid = static_cast<int>(result.invalid_ballots.size());
  DecideTally(result, policy);
  return result;
}

void DecideTally(TallyResult& result, const Policy& policy) {
  // R-BAL-2: majority over N, votes for a level missing the majority flow down.
  switch (policy.ballot_denominator) {
    case BallotDenominator::kReturnedBallots:
      result.denominator = result.returned;
      break;
    case BallotDenominator::kIssuedBallots:
      result.denominator = result.issued;
      break;
    case BallotDenominator::kValidBallots:
    default:
      result.denominator = result.valid;
      break;
  }
  const int n = result.denominator;
  int good_or_better = 0;
  for (SubjectTallyResult& s : result.subjects) {
    const int c4 = s.votes[LEVEL_HTXSNV];
    const int c3 = s.votes[LEVEL_HTTNV];
    const int c2 = s.votes[LEVEL_HTNV];
    if (2 * c4 > n) {
      s.majority_level = LEVEL_HTXSNV;
    } else if (2 * (c4 + c3) > n) {
      s.majority_level = LEVEL_HTTNV;
    } else if (2 * (c4 + c3 + c2) > n) {
      s.majority_level = LEVEL_HTNV;
    } else {
      s.majority_level = LEVEL_KHTNV;
    }
    s.level = s.majority_level;
    if (s.majority_level >= LEVEL_HTTNV) ++good_or_better;
  }

  // R-BAL-3 with R-QUOTA over the session's subjects.
  result.quota = MaxExcellent(good_or_better, policy);
  std::vector<size_t> candidates;
  for (size_t i = 0; i < result.subjects.size(); ++i) {
    if (result.subjects[i].majority_level == LEVEL_HTXSNV) candidates.push_back(i);
  }
  std::stable_sort(candidates.begin(), candidates.end(), [&](size_t a, size_t b) {
    return result.subjects[a].votes[LEVEL_HTXSNV] > result.subjects[b].votes[LEVEL_HTXSNV];
  });
  const size_t quota = static_cast<size_t>(result.quota);
  if (candidates.size() > quota) {
    // The first subject left out; a tie with the last one taken straddles the cut.
    const int cut = result.subjects[candidates[quota]].votes[LEVEL_HTXSNV];
    const bool straddles =
        quota > 0 && result.subjects[candidates[quota - 1]].votes[LEVEL_HTXSNV] == cut;
    for (size_t i : candidates) {
      SubjectTallyResult& s = result.subjects[i];
      const int c4 = s.votes[LEVEL_HTXSNV];
      if (c4 > cut) continue;  // Selected: stays HTXSNV.
      if (straddles && c4 == cut) {
        s.level.reset();
        s.tie_at_quota = true;
      } else {
        s.level = LEVEL_HTTNV;
      }
    }
  }
}

}  // namespace rating::rules
