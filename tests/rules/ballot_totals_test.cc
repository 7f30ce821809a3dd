// A ballot session's tally from the counting team's totals (R-BAL-1..4 over counts).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "rules/engine.h"
#include "tests/rules/rules_testing.h"
#include "tests/testing/status_matchers.h"

namespace rating::rules::testing {
namespace {

using ::rating::testing::StatusIs;
using ::testing::HasSubstr;
using rating::v1::INVALID_BALLOT_REASON_DUPLICATE;
using rating::v1::INVALID_BALLOT_REASON_NO_MARK;
using rating::v1::INVALID_BALLOT_REASON_NOT_ISSUED;
using rating::v1::INVALID_BALLOT_REASON_UNSPECIFIED;

SubjectVotesInput Votes(std::string subject, int c4, int c3, int c2, int c1, int void_rows = 0) {
  SubjectVotesInput v;
  v.subject = std::move(subject);
  v.votes[kHTXSNV] = c4;
  v.votes[kHTTNV] = c3;
  v.votes[kHTNV] = c2;
  v.votes[kKHTNV] = c1;
  v.void_rows = void_rows;
  return v;
}

// Two subjects, 10 issued, 10 returned, none invalid unless a test says so.
TotalsInput TenBallots() {
  TotalsInput in;
  in.subjects = {"member/m1", "member/m2"};
  in.issued = 10;
  in.returned = 10;
  in.votes = {Votes("member/m1", 6, 4, 0, 0), Votes("member/m2", 1, 8, 1, 0)};
  return in;
}

// R-BAL-2 over counts: a level needs 2c > N; exactly half is not a majority.
TEST(CountTotalsTest, MajorityNeedsMoreThanHalfOfTheValidBallots) {
  TotalsInput in = TenBallots();
  in.votes[0] = Votes("member/m1", 5, 5, 0, 0);  // 2 * 5 = 10 = N: not HTXSNV.
  in.votes[1] = Votes("member/m2", 6, 4, 0, 0);  // 2 * 6 = 12 > 10: HTXSNV.
  absl::StatusOr<TallyResult> r = CountTotals(in, DefaultPolicy());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->from_totals);
  EXPECT_EQ(r->valid, 10);
  EXPECT_EQ(r->denominator, 10);
  EXPECT_EQ(r->subjects[0].majority_level, kHTTNV);
  EXPECT_EQ(r->subjects[1].majority_level, kHTXSNV);
}

// R-BAL-1: invalid ballots leave the denominator; they are kept by reason.
TEST(CountTotalsTest, InvalidBallotsLeaveTheDenominator) {
  TotalsInput in = TenBallots();
  in.invalid = {{INVALID_BALLOT_REASON_NO_MARK, 2}};
  in.votes[0] = Votes("member/m1", 5, 3, 0, 0);  // 2 * 5 = 10 > N = 8.
  in.votes[1] = Votes("member/m2", 0, 4, 4, 0);  // 2 * 4 = 8 = N: not HTTNV.
  absl::StatusOr<TallyResult> r = CountTotals(in, DefaultPolicy());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->valid, 8);
  EXPECT_EQ(r->invalid, 2);
  ASSERT_EQ(r->invalid_totals.size(), 1u);
  EXPECT_EQ(r->invalid_totals[0].first, INVALID_BALLOT_REASON_NO_MARK);
  EXPECT_EQ(r->invalid_totals[0].second, 2);
  EXPECT_EQ(r->subjects[0].majority_level, kHTXSNV);
  EXPECT_EQ(r->subjects[1].majority_level, kHTNV);
}

// Totals that do not add up are refused, naming the field and the rule.
TEST(CountTotalsTest, TotalsThatDoNotAddUpAreRefused) {
  const Policy p = DefaultPolicy();
  struct Case {
    const char* name;
    void (*change)(TotalsInput&);
    const char* says;
  };
  const Case cases[] = {
      {"more invalid than returned",
       [](TotalsInput& in) { in.invalid = {{INVALID_BALLOT_REASON_NO_MARK, 11}}; },
       "totals.invalid: 11 invalid ballots of 10 returned (R-BAL-1)"},
      {"more counted than issued",
       [](TotalsInput& in) { in.issued = 9; },
       "totals.returned: 10 ballots counted on issued serials, only 9 issued"},
      {"a reason twice",
       [](TotalsInput& in) {
         in.invalid = {{INVALID_BALLOT_REASON_NO_MARK, 1}, {INVALID_BALLOT_REASON_NO_MARK, 1}};
       },
       "totals.invalid[1]: reason given twice (R-BAL-1)"},
      {"no reason",
       [](TotalsInput& in) { in.invalid = {{INVALID_BALLOT_REASON_UNSPECIFIED, 1}}; },
       "totals.invalid[0]: no known reason (R-BAL-1)"},
      {"a negative count", [](TotalsInput& in) { in.invalid = {{INVALID_BALLOT_REASON_NO_MARK, -1}}; },
       "count is negative"},
      {"a subject missing", [](TotalsInput& in) { in.votes.pop_back(); },
       "totals.subjects: no counts for member/m2 (R-BAL-4)"},
      {"a subject outside the session",
       [](TotalsInput& in) { in.votes.push_back(Votes("member/m9", 0, 0, 0, 0)); },
       "totals.subjects[2]: member/m9 is not a subject of the session (R-BAL-4)"},
      {"a subject twice", [](TotalsInput& in) { in.votes[1].subject = "member/m1"; },
       "totals.subjects[1]: member/m1 given twice (R-BAL-4)"},
      {"more rows than valid ballots",
       [](TotalsInput& in) { in.votes[0] = Votes("member/m1", 6, 4, 0, 0, 1); },
       "member/m1: 11 votes and void rows, only 10 valid ballots (R-BAL-2)"},
      {"negative votes", [](TotalsInput& in) { in.votes[0] = Votes("member/m1", -1, 4, 0, 0); },
       "a vote count is negative"},
      {"negative returned", [](TotalsInput& in) { in.returned = -1; }, "totals.returned"},
  };
  for (const Case& c : cases) {
    TotalsInput in = TenBallots();
    c.change(in);
    EXPECT_THAT(CountTotals(in, p),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.says)))
        << c.name;
  }
  // At the edges: rows exactly the valid ballots, invalid exactly the returned, and ballots
  // beyond the issued ones when they are invalid as not issued or duplicate.
  TotalsInput full = TenBallots();
  full.votes[0] = Votes("member/m1", 6, 3, 0, 0, 1);
  EXPECT_TRUE(CountTotals(full, p).ok());
  TotalsInput all_invalid = TenBallots();
  all_invalid.invalid = {{INVALID_BALLOT_REASON_NO_MARK, 10}};
  all_invalid.votes = {Votes("member/m1", 0, 0, 0, 0), Votes("member/m2", 0, 0, 0, 0)};
  absl::StatusOr<TallyResult> none = CountTotals(all_invalid, p);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ(none->valid, 0);
  EXPECT_EQ(none->subjects[0].majority_level, kKHTNV);
  TotalsInput extra = TenBallots();
  extra.returned = 12;
  extra.invalid = {{INVALID_BALLOT_REASON_NOT_ISSUED, 1}, {INVALID_BALLOT_REASON_DUPLICATE, 1}};
  EXPECT_TRUE(CountTotals(extra, p).ok());
  TotalsInput no_subjects = TenBallots();
  no_subjects.subjects.clear();
  EXPECT_THAT(CountTotals(no_subjects, p), StatusIs(absl::StatusCode::kInvalidArgument));
}

// R-BAL-3 over counts: subjects tied on c4 across the quota cut are left to the decision-maker.
TEST(CountTotalsTest, TiesAtTheQuotaAreReported) {
  TotalsInput in;
  in.subjects = {"member/a", "member/b", "member/c"};
  in.issued = in.returned = 10;
  in.votes = {Votes("member/a", 7, 3, 0, 0), Votes("member/b", 7, 3, 0, 0),
              Votes("member/c", 0, 10, 0, 0)};
  absl::StatusOr<TallyResult> r = CountTotals(in, DefaultPolicy());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->quota, 1);  // g = 3 < 5: one place.
  EXPECT_TRUE(r->subjects[0].tie_at_quota);
  EXPECT_TRUE(r->subjects[1].tie_at_quota);
  EXPECT_FALSE(r->subjects[0].level.has_value());
  EXPECT_EQ(r->subjects[2].level, kHTTNV);
}

// The totals of counted papers give the tally the papers give: the same counts, majorities,
// quota selections and ties, whatever the papers (seeded).
TEST(CountTotalsTest, ThePapersTotalsGiveThePapersTally) {
  const Policy policy = DefaultPolicy();
  std::mt19937 rng(20261201);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (int round = 0; round < 500; ++round) {
    TallyInput papers;
    const int subjects = pick(1, 7);
    for (int s = 0; s < subjects; ++s) papers.subjects.push_back("member/s" + std::to_string(s));
    const int issued = pick(1, 14);
    for (int b = 1; b <= issued; ++b) papers.issued.push_back(std::to_string(b));
    const int returned = pick(0, issued + 2);
    for (int b = 0; b < returned; ++b) {
      BallotInput ballot;
      ballot.serial = std::to_string(pick(1, issued + 1));
      for (const std::string& s : papers.subjects) {
        const int roll = pick(0, 9);
        if (roll == 0) continue;
        if (roll == 1) {
          ballot.marks.push_back({s, {kHTXSNV, kHTNV}});
        } else {
          ballot.marks.push_back({s, {static_cast<Level>(pick(1, 4))}});
        }
      }
      ballot.extra_content = pick(0, 19) == 0;
      papers.ballots.push_back(ballot);
    }
    absl::StatusOr<TallyResult> counted = CountBallots(papers, policy);
    ASSERT_TRUE(counted.ok()) << counted.status();

    TotalsInput totals;
    totals.subjects = papers.subjects;
    totals.issued = counted->issued;
    totals.returned = counted->returned;
    std::map<rating::v1::InvalidBallotReason, int> by_reason;
    for (const InvalidBallotResult& b : counted->invalid_ballots) ++by_reason[b.reason];
    for (const auto& [reason, n] : by_reason) totals.invalid.emplace_back(reason, n);
    for (auto it = counted->subjects.rbegin(); it != counted->subjects.rend(); ++it) {
      SubjectVotesInput v;  // Given in reverse: the order of the counts does not matter.
      v.subject = it->subject;
      for (int level = 1; level <= 4; ++level) v.votes[level] = it->votes[level];
      v.void_rows = it->void_rows;
      totals.votes.push_back(v);
    }
    absl::StatusOr<TallyResult> from_totals = CountTotals(totals, policy);
    ASSERT_TRUE(from_totals.ok()) << "round " << round << ": " << from_totals.status();
    EXPECT_EQ(from_totals->valid, counted->valid) << "round " << round;
    EXPECT_EQ(from_totals->invalid, counted->invalid);
    EXPECT_EQ(from_totals->quota, counted->quota);
    for (size_t s = 0; s < counted->subjects.size(); ++s) {
      const SubjectTallyResult& a = counted->subjects[s];
      const SubjectTallyResult& b = from_totals->subjects[s];
      ASSERT_EQ(a.subject, b.subject);
      ASSERT_EQ(a.majority_level, b.majority_level) << "round " << round;
      ASSERT_EQ(a.level, b.level) << "round " << round;
      ASSERT_EQ(a.tie_at_quota, b.tie_at_quota) << "round " << round;
      ASSERT_EQ(a.void_rows, b.void_rows);
    }
  }
}

}  // namespace
}  // namespace rating::rules::testing
