// A ballot session's tally from the counting team's totals (RULES.md §7: R-BAL-1..4).
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "rules/ballots.h"
#include "rules/internal/text_util.h"

namespace rating::rules {

using internal::Cat;
namespace {

using rating::v1::InvalidBallotReason;
using rating::v1::LEVEL_HTNV;
using rating::v1::LEVEL_HTTNV;
using rating::v1::LEVEL_HTXSNV;
using rating::v1::LEVEL_KHTNV;

absl::Status Refuse(std::string_view field, std::string_view why, std::string_view rule) {
  return absl::InvalidArgumentError(Cat("totals.", field, ": ", why, " (", rule, ")"));
}

bool IsReason(InvalidBallotReason reason) {
  return reason != rating::v1::INVALID_BALLOT_REASON_UNSPECIFIED &&
         rating::v1::InvalidBallotReason_IsValid(reason);
}

// Ballots invalid for these reasons were not counted against an issued serial.
bool OutsideTheIssued(InvalidBallotReason reason) {
  return reason == rating::v1::INVALID_BALLOT_REASON_NOT_ISSUED ||
         reason == rating::v1::INVALID_BALLOT_REASON_DUPLICATE;
}

}  // namespace

absl::StatusOr<TallyResult> CountTotals(const TotalsInput& input, const Policy& policy) {
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
  if (input.issued < 0) return Refuse("issued", "is negative", "R-BAL-4");
  if (input.returned < 0) return Refuse("returned", "is negative", "R-BAL-4");

  // R-BAL-1: the invalid ballots by reason, within the returned ones.
  TallyResult result;
  result.from_totals = true;
  result.issued = input.issued;
  result.returned = input.returned;
  std::set<InvalidBallotReason> reasons;
  int64_t invalid = 0;
  int64_t outside_issued = 0;
  for (size_t i = 0; i < input.invalid.size(); ++i) {
    const auto& [reason, count] = input.invalid[i];
    const std::string field = Cat("invalid[", i, "]");
    if (!IsReason(reason)) return Refuse(field, "no known reason", "R-BAL-1");
    if (!reasons.insert(reason).second) return Refuse(field, "reason given twice", "R-BAL-1");
    if (count < 0) return Refuse(field, "count is negative", "R-BAL-1");
    invalid += count;
    if (OutsideTheIssued(reason)) outside_issued += count;
    if (count > 0) result.invalid_totals.emplace_back(reason, count);
  }
  if (invalid > input.returned) {
    return Refuse("invalid", Cat(invalid, " invalid ballots of ", input.returned, " returned"),
                  "R-BAL-1");
  }
  result.invalid = static_cast<int>(invalid);
  result.valid = input.returned - result.invalid;
  const int64_t from_issued = input.returned - outside_issued;
  if (from_issued > input.issued) {
    return Refuse("returned",
                  Cat(from_issued, " ballots counted on issued serials, only ", input.issued,
                      " issued (the rest must be invalid as not issued or duplicate)"),
                  "R-BAL-1");
  }

  // R-BAL-4: every subject's counts, once; R-BAL-2: a row per valid ballot at most.
  result.subjects.resize(input.subjects.size());
  std::vector<bool> given(input.subjects.size(), false);
  for (size_t i = 0; i < input.subjects.size(); ++i) {
    result.subjects[i].subject = input.subjects[i];
  }
  for (size_t i = 0; i < input.votes.size(); ++i) {
    const SubjectVotesInput& votes = input.votes[i];
    const std::string field = Cat("subjects[", i, "]");
    auto it = index.find(votes.subject);
    if (it == index.end()) {
      return Refuse(field, Cat(votes.subject, " is not a subject of the session"), "R-BAL-4");
    }
    if (given[it->second]) return Refuse(field, Cat(votes.subject, " given twice"), "R-BAL-4");
    given[it->second] = true;
    SubjectTallyResult& s = result.subjects[it->second];
    int64_t rows = votes.void_rows;
    if (votes.void_rows < 0) return Refuse(field, "void_rows is negative", "R-BAL-2");
    for (Level level : {LEVEL_HTXSNV, LEVEL_HTTNV, LEVEL_HTNV, LEVEL_KHTNV}) {
      if (votes.votes[level] < 0) return Refuse(field, "a vote count is negative", "R-BAL-2");
      s.votes[level] = votes.votes[level];
      rows += votes.votes[level];
    }
    s.void_rows = votes.void_rows;
    if (rows > result.valid) {
      return Refuse(field,
                    Cat(votes.subject, ": ", rows, " votes and void rows, only ", result.valid,
                        " valid ballots"),
                    "R-BAL-2");
    }
  }
  for (size_t i = 0; i < given.size(); ++i) {
    if (!given[i]) {
      return Refuse("subjects", Cat("no counts for ", input.subjects[i]), "R-BAL-4");
    }
  }
  DecideTally(result, policy);
  return result;
}

}  // namespace rating::rules
