// The 20% quota (R-QUOTA) and ballot counting (RULES.md §7: R-BAL-1..4).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rules/engine.h"
#include "tests/rules/rules_testing.h"
#include "tests/testing/status_matchers.h"

namespace rating::rules::testing {
namespace {

using ::rating::testing::IsOk;
using ::rating::testing::StatusIs;

// ------------------------------------------------------------------ R-QUOTA

TEST(QuotaTest, UnderFiveOneElseTwentyPercentFloored) {
  const Policy p = DefaultPolicy();
  struct Case {
    int g;
    int want;
  };
  for (const Case& c : {Case{0, 1}, Case{1, 1}, Case{4, 1}, Case{5, 1}, Case{9, 1}, Case{10, 2},
                        Case{14, 2}, Case{15, 3}, Case{100, 20}}) {
    EXPECT_EQ(Quota(c.g, p), c.want) << "g=" << c.g;
  }
}

TEST(QuotaTest, GoodOrBetterReadingCountsTheExcellentInG) {
  const Policy p = DefaultPolicy();
  struct Case {
    int k;
    int g;
    bool want;
  };
  for (const Case& c : {Case{0, 0, true}, Case{1, 1, true}, Case{1, 4, true}, Case{2, 4, false},
                        Case{1, 5, true}, Case{2, 5, false}, Case{1, 9, true}, Case{2, 9, false},
                        Case{2, 10, true}, Case{3, 10, false}}) {
    EXPECT_EQ(WithinQuota(c.k, c.g, p), c.want) << "k=" << c.k << " g=" << c.g;
  }
  EXPECT_EQ(MaxExcellent(0, p), 0);
  EXPECT_EQ(MaxExcellent(4, p), 1);
  EXPECT_EQ(MaxExcellent(5, p), 1);
  EXPECT_EQ(MaxExcellent(9, p), 1);
  EXPECT_EQ(MaxExcellent(10, p), 2);
}

TEST(QuotaTest, GoodOnlyReadingCountsTheGoodLeftAfterExcellence) {
  const Policy p = PolicyWith("quota_base", "good_only");
  struct Case {
    int k;
    int g;
    bool want;
  };
  // k <= quota(g - k).
  for (const Case& c : {Case{0, 0, true}, Case{1, 1, true}, Case{1, 4, true}, Case{2, 4, false},
                        Case{1, 5, true}, Case{1, 9, true}, Case{2, 10, false}, Case{2, 11, false},
                        Case{2, 12, true}, Case{3, 12, false}}) {
    EXPECT_EQ(WithinQuota(c.k, c.g, p), c.want) << "k=" << c.k << " g=" << c.g;
  }
  EXPECT_EQ(MaxExcellent(10, p), 1);
  EXPECT_EQ(MaxExcellent(12, p), 2);
}

// ------------------------------------------------------------------ ballots

// A session of `subjects` with serials "1".."issued".
TallyInput Session(std::vector<std::string> subjects, int issued) {
  TallyInput in;
  in.subjects = std::move(subjects);
  for (int i = 1; i <= issued; ++i) in.issued.push_back(std::to_string(i));
  return in;
}

BallotInput Ballot(std::string serial, std::vector<std::pair<std::string, Level>> marks,
                   bool extra = false) {
  BallotInput b;
  b.serial = std::move(serial);
  for (auto& [subject, level] : marks) b.marks.push_back({subject, {level}});
  b.extra_content = extra;
  return b;
}

const SubjectTallyResult& Of(const TallyResult& r, const std::string& subject) {
  for (const SubjectTallyResult& s : r.subjects) {
    if (s.subject == subject) return s;
  }
  RATING_CHECK(false);
  return r.subjects.front();
}

// Conformance case 01: 12 ballots returned, 4 invalid; m2 reaches HTXSNV but g = 3 < 5.
TEST(CountBallotsTest, ConformanceCase01) {
  TallyInput in;
  in.subjects = {"member/m1", "member/m2", "member/m3", "member/m4", "member/m5", "member/m6"};
  in.issued = {"01", "02", "03", "04", "05", "06", "07", "08", "09", "10"};
  const std::vector<std::vector<Level>> rows = {{kHTXSNV, kHTXSNV, kHTXSNV, kHTXSNV, kHTTNV, kHTNV},
                                                {kHTXSNV, kHTXSNV, kHTXSNV, kHTTNV, kHTTNV, kHTNV},
                                                {kHTXSNV, kHTXSNV, kHTXSNV, kHTTNV, kHTNV, kHTNV},
                                                {kHTXSNV, kHTXSNV, kHTXSNV, kHTTNV, kHTNV, kKHTNV},
                                                {kHTXSNV, kHTXSNV, kHTTNV, kHTNV, kHTNV, kKHTNV},
                                                {kHTXSNV, kHTTNV, kHTTNV, kHTNV, kHTNV, kKHTNV},
                                                {kHTTNV, kHTTNV, kHTTNV, kHTNV, kHTNV, kKHTNV},
                                                {kHTTNV, kHTTNV, kHTNV, kHTNV, kKHTNV, kKHTNV}};
  for (size_t b = 0; b < rows.size(); ++b) {
    std::vector<std::pair<std::string, Level>> marks;
    for (size_t s = 0; s < rows[b].size(); ++s) marks.push_back({in.subjects[s], rows[b][s]});
    in.ballots.push_back(Ballot("0" + std::to_string(b + 1), marks));
  }
  in.ballots.push_back(Ballot("09", {}));                              // Marks no subject.
  in.ballots.push_back(Ballot("10", {{"member/m1", kHTXSNV}}, true));  // Other content.
  in.ballots.push_back(Ballot("99", {{"member/m1", kHTXSNV}}));        // Not issued.
  in.ballots.push_back(Ballot("01", {{"member/m1", kKHTNV}}));         // Already counted.

  absl::StatusOr<TallyResult> r = CountBallots(in, DefaultPolicy());
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->issued, 10);
  EXPECT_EQ(r->returned, 12);
  EXPECT_EQ(r->valid, 8);
  EXPECT_EQ(r->invalid, 4);
  EXPECT_EQ(r->denominator, 8);
  EXPECT_EQ(r->quota, 1);
  ASSERT_EQ(r->invalid_ballots.size(), 4u);
  EXPECT_EQ(r->invalid_ballots[0].serial, "09");
  EXPECT_EQ(r->invalid_ballots[0].reason, rating::v1::INVALID_BALLOT_REASON_NO_MARK);
  EXPECT_EQ(r->invalid_ballots[1].serial, "10");
  EXPECT_EQ(r->invalid_ballots[1].reason, rating::v1::INVALID_BALLOT_REASON_EXTRA_CONTENT);
  EXPECT_EQ(r->invalid_ballots[2].serial, "99");
  EXPECT_EQ(r->invalid_ballots[2].reason, rating::v1::INVALID_BALLOT_REASON_NOT_ISSUED);
  EXPECT_EQ(r->invalid_ballots[3].serial, "01");
  EXPECT_EQ(r->invalid_ballots[3].reason, rating::v1::INVALID_BALLOT_REASON_DUPLICATE);
  EXPECT_EQ(Of(*r, "member/m1").votes[kHTXSNV], 6);
  EXPECT_EQ(Of(*r, "member/m1").level, kHTXSNV);
  EXPECT_EQ(Of(*r, "member/m2").votes[kHTXSNV], 5);
  EXPECT_EQ(Of(*r, "member/m2").majority_level, kHTXSNV);
  EXPECT_EQ(Of(*r, "member/m2").level, kHTTNV);      // Beyond the quota of 1 (R-BAL-3).
  EXPECT_EQ(Of(*r, "member/m3").votes[kHTXSNV], 4);  // 2*4 = 8 is not > 8.
  EXPECT_EQ(Of(*r, "member/m3").level, kHTTNV);
  EXPECT_EQ(Of(*r, "member/m4").level, kHTNV);
  EXPECT_EQ(Of(*r, "member/m5").level, kHTNV);
  EXPECT_EQ(Of(*r, "member/m6").level, kKHTNV);  // 2*4 HTNV votes = 8 is not > 8.
  for (const SubjectTallyResult& s : r->subjects) EXPECT_FALSE(s.tie_at_quota);
}

// R-BAL-2: a level needs 2c > N.
TEST(CountBallotsTest, MajorityNeedsMoreThanHalf) {
  struct Case {
    int valid;
    int excellent_votes;
    Level want;
  };
  for (const Case& c : {Case{6, 3, kHTTNV},   // 2c = N: falls to the next level.
                        Case{5, 3, kHTXSNV},  // 2c = N + 1.
                        Case{4, 2, kHTTNV}, Case{3, 2, kHTXSNV}}) {
    TallyInput in = Session({"member/a"}, c.valid);
    for (int i = 1; i <= c.valid; ++i) {
      in.ballots.push_back(
          Ballot(std::to_string(i), {{"member/a", i <= c.excellent_votes ? kHTXSNV : kHTTNV}}));
    }
    absl::StatusOr<TallyResult> r = CountBallots(in, DefaultPolicy());
    ASSERT_THAT(r, IsOk());
    EXPECT_EQ(Of(*r, "member/a").level, c.want) << c.excellent_votes << " of " << c.valid;
  }
}

// R-BAL-2: votes for a level that misses the majority flow down to the next level.
TEST(CountBallotsTest, VotesFlowDownToTheNextLevel) {
  // N = 5: c4 = 1, c3 = 2, c2 = 0, c1 = 2: 2*(1+2) = 6 > 5 -> HTTNV.
  TallyInput in = Session({"member/a", "member/b"}, 5);
  const Level a[] = {kHTXSNV, kHTTNV, kHTTNV, kKHTNV, kKHTNV};
  // b: c2 = 2, c1 = 3: 2*2 = 4 is not > 5 -> KHTNV.
  const Level b[] = {kHTNV, kHTNV, kKHTNV, kKHTNV, kKHTNV};
  for (int i = 0; i < 5; ++i) {
    in.ballots.push_back(Ballot(std::to_string(i + 1), {{"member/a", a[i]}, {"member/b", b[i]}}));
  }
  absl::StatusOr<TallyResult> r = CountBallots(in, DefaultPolicy());
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(Of(*r, "member/a").level, kHTTNV);
  EXPECT_EQ(Of(*r, "member/b").level, kKHTNV);
  EXPECT_EQ(Of(*r, "member/b").votes[kHTNV], 2);
  EXPECT_EQ(Of(*r, "member/b").votes[kKHTNV], 3);
}

TEST(CountBallotsTest, ARowWithTwoLevelsIsVoidAndTheBallotStands) {
  TallyInput in = Session({"member/a", "member/b"}, 3);
  BallotInput twice;
  twice.serial = "1";
  twice.marks = {{"member/a", {kHTXSNV, kHTTNV}}, {"member/b", {kHTXSNV}}};
  in.ballots = {twice, Ballot("2", {{"member/a", kHTXSNV}, {"member/b", kHTXSNV}}),
                Ballot("3", {{"member/a", kHTXSNV}, {"member/b", kHTNV}})};
  absl::StatusOr<TallyResult> r = CountBallots(in, DefaultPolicy());
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->valid, 3);
  EXPECT_EQ(r->invalid, 0);
  EXPECT_EQ(Of(*r, "member/a").void_rows, 1);
  EXPECT_EQ(Of(*r, "member/a").votes[kHTXSNV], 2);  // 2*2 = 4 > 3.
  EXPECT_EQ(Of(*r, "member/b").votes[kHTXSNV], 2);
  // Both reach HTXSNV with 2 votes and g = 2 < 5: quota 1, tied at the cut.
  EXPECT_TRUE(Of(*r, "member/a").tie_at_quota);
  EXPECT_TRUE(Of(*r, "member/b").tie_at_quota);
  EXPECT_EQ(Of(*r, "member/a").level, std::nullopt);
}

// R-BAL-1 clarified (corner 04): a row marking the same level twice is one vote for it.
TEST(CountBallotsTest, TheSameLevelMarkedTwiceIsOneVote) {
  TallyInput in = Session({"member/a"}, 3);
  BallotInput twice;
  twice.serial = "1";
  twice.marks = {{"member/a", {kHTTNV, kHTTNV}}};
  BallotInput thrice;
  thrice.serial = "2";
  thrice.marks = {{"member/a", {kHTTNV, kHTTNV, kHTTNV}}};
  in.ballots = {twice, thrice, Ballot("3", {{"member/a", kHTTNV}})};
  absl::StatusOr<TallyResult> r = CountBallots(in, DefaultPolicy());
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->valid, 3);
  EXPECT_EQ(Of(*r, "member/a").void_rows, 0);
  EXPECT_EQ(Of(*r, "member/a").votes[kHTTNV], 3);
  EXPECT_EQ(Of(*r, "member/a").level, kHTTNV);
}

TEST(CountBallotsTest, NamingSomeoneOutsideTheSessionIsOtherContent) {
  TallyInput in = Session({"member/a"}, 2);
  in.ballots = {Ballot("1", {{"member/a", kHTTNV}, {"member/zz", kHTXSNV}}),
                Ballot("2", {{"member/a", kHTTNV}})};
  absl::StatusOr<TallyResult> r = CountBallots(in, DefaultPolicy());
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->valid, 1);
  ASSERT_EQ(r->invalid_ballots.size(), 1u);
  EXPECT_EQ(r->invalid_ballots[0].detail, "member/zz");
  EXPECT_EQ(r->invalid_ballots[0].reason, rating::v1::INVALID_BALLOT_REASON_UNKNOWN_SUBJECT);
}

// R-BAL-2's N per policy.ballot_denominator.
TEST(CountBallotsTest, DenominatorFollowsThePolicy) {
  // 6 issued, 4 returned (one invalid): a has 2 HTXSNV and 1 HTTNV votes.
  TallyInput in = Session({"member/a"}, 6);
  in.ballots = {Ballot("1", {{"member/a", kHTXSNV}}), Ballot("2", {{"member/a", kHTXSNV}}),
                Ballot("3", {{"member/a", kHTTNV}}), Ballot("4", {{"member/a", kHTXSNV}}, true)};
  struct Case {
    std::string denominator;
    int n;
    Level want;
  };
  for (const Case& c :
       {Case{"valid", 3, kHTXSNV}, Case{"returned", 4, kHTTNV}, Case{"issued", 6, kKHTNV}}) {
    absl::StatusOr<TallyResult> r =
        CountBallots(in, PolicyWith("ballot_denominator", c.denominator));
    ASSERT_THAT(r, IsOk());
    EXPECT_EQ(r->denominator, c.n) << c.denominator;
    EXPECT_EQ(Of(*r, "member/a").level, c.want) << c.denominator;
  }
}

// `c4` HTXSNV votes out of 10 valid ballots for each subject; the rest HTTNV.
TallyResult TallyWithExcellentVotes(const std::vector<int>& c4, const Policy& policy) {
  std::vector<std::string> subjects;
  for (size_t i = 0; i < c4.size(); ++i) subjects.push_back("member/s" + std::to_string(i + 1));
  TallyInput in = Session(subjects, 10);
  for (int b = 0; b < 10; ++b) {
    std::vector<std::pair<std::string, Level>> marks;
    for (size_t i = 0; i < c4.size(); ++i) {
      marks.push_back({subjects[i], b < c4[i] ? kHTXSNV : kHTTNV});
    }
    in.ballots.push_back(Ballot(std::to_string(b + 1), marks));
  }
  absl::StatusOr<TallyResult> r = CountBallots(in, policy);
  RATING_CHECK(r.ok());
  return *r;
}

std::vector<std::optional<Level>> Levels(const TallyResult& r) {
  std::vector<std::optional<Level>> out;
  for (const SubjectTallyResult& s : r.subjects) out.push_back(s.level);
  return out;
}

std::vector<bool> Ties(const TallyResult& r) {
  std::vector<bool> out;
  for (const SubjectTallyResult& s : r.subjects) out.push_back(s.tie_at_quota);
  return out;
}

TEST(QuotaSelectionTest, HighestVotesFirstUpToTheQuota) {
  const Policy p = DefaultPolicy();
  const std::optional<Level> X = kHTXSNV, G = kHTTNV;
  // g = 4 (< 5): one place.
  TallyResult r = TallyWithExcellentVotes({7, 9, 6, 8}, p);
  EXPECT_EQ(r.quota, 1);
  EXPECT_EQ(Levels(r), (std::vector{G, X, G, G}));
  // g = 5: still one place.
  r = TallyWithExcellentVotes({7, 9, 6, 8, 6}, p);
  EXPECT_EQ(r.quota, 1);
  EXPECT_EQ(Levels(r), (std::vector{G, X, G, G, G}));
  // g = 9: one place.
  r = TallyWithExcellentVotes({6, 6, 6, 6, 6, 6, 6, 6, 9}, p);
  EXPECT_EQ(r.quota, 1);
  EXPECT_EQ(Levels(r), (std::vector{G, G, G, G, G, G, G, G, X}));
  // g = 10: two places.
  r = TallyWithExcellentVotes({6, 6, 6, 6, 6, 6, 6, 8, 9, 7}, p);
  EXPECT_EQ(r.quota, 2);
  EXPECT_EQ(Levels(r), (std::vector{G, G, G, G, G, G, G, X, X, G}));
  // Subjects below the majority never count towards selection (c4 = 5 of 10 is not > half).
  r = TallyWithExcellentVotes({5, 5, 5, 5}, p);
  EXPECT_EQ(Levels(r), (std::vector{G, G, G, G}));
  // g = 0: nobody good, quota(0) = 1 but no place can be taken.
  TallyInput none = Session({"member/a"}, 1);
  none.ballots = {Ballot("1", {{"member/a", kHTNV}})};
  absl::StatusOr<TallyResult> empty = CountBallots(none, p);
  ASSERT_THAT(empty, IsOk());
  EXPECT_EQ(empty->quota, 0);
  EXPECT_EQ(Of(*empty, "member/a").level, kHTNV);
}

TEST(QuotaSelectionTest, TiesStraddlingTheCutSelectNoneOfTheTied) {
  const Policy p = DefaultPolicy();
  const std::optional<Level> X = kHTXSNV, G = kHTTNV, T = std::nullopt;
  // One place, two tied on top.
  TallyResult r = TallyWithExcellentVotes({8, 8, 6}, p);
  EXPECT_EQ(Levels(r), (std::vector{T, T, G}));
  EXPECT_EQ(Ties(r), (std::vector{true, true, false}));
  // Two places (g = 10): 9 is taken, 8 and 8 straddle the second place.
  r = TallyWithExcellentVotes({9, 8, 8, 6, 6, 6, 6, 6, 6, 6}, p);
  EXPECT_EQ(Levels(r), (std::vector{X, T, T, G, G, G, G, G, G, G}));
  EXPECT_EQ(Ties(r),
            (std::vector{false, true, true, false, false, false, false, false, false, false}));
  // A tie inside the quota is no tie at the cut.
  r = TallyWithExcellentVotes({8, 8, 7, 6, 6, 6, 6, 6, 6, 6}, p);
  EXPECT_EQ(Levels(r), (std::vector{X, X, G, G, G, G, G, G, G, G}));
  // A tie below the cut is no tie at the cut either.
  r = TallyWithExcellentVotes({9, 8, 7, 7, 6, 6, 6, 6, 6, 6}, p);
  EXPECT_EQ(Levels(r), (std::vector{X, X, G, G, G, G, G, G, G, G}));
  for (const SubjectTallyResult& s : r.subjects) EXPECT_FALSE(s.tie_at_quota);
}

TEST(QuotaSelectionTest, GoodOnlyReadingLeavesFewerPlaces) {
  const std::optional<Level> X = kHTXSNV, G = kHTTNV;
  // g = 10: good_or_better gives 2 places, good_only 1 (2 > quota(8) = 1).
  const std::vector<int> votes = {6, 6, 6, 6, 6, 6, 6, 8, 9, 7};
  EXPECT_EQ(TallyWithExcellentVotes(votes, DefaultPolicy()).quota, 2);
  TallyResult r = TallyWithExcellentVotes(votes, PolicyWith("quota_base", "good_only"));
  EXPECT_EQ(r.quota, 1);
  EXPECT_EQ(Levels(r), (std::vector{G, G, G, G, G, G, G, G, X, G}));
}

TEST(CountBallotsTest, RejectsMalformedSessions) {
  const Policy p = DefaultPolicy();
  EXPECT_THAT(CountBallots(Session({}, 3), p), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(CountBallots(Session({"member/a", "member/a"}, 3), p),
              StatusIs(absl::StatusCode::kInvalidArgument));
  TallyInput dup = Session({"member/a"}, 2);
  dup.issued.push_back("1");
  EXPECT_THAT(CountBallots(dup, p), StatusIs(absl::StatusCode::kInvalidArgument));
  TallyInput bad = Session({"member/a"}, 1);
  bad.ballots = {Ballot("1", {{"member/a", rating::v1::LEVEL_UNSPECIFIED}})};
  EXPECT_THAT(CountBallots(bad, p), StatusIs(absl::StatusCode::kInvalidArgument));
}

// R-BAL-4: a ballot carries a serial and marks, never a voter; the minutes list the counts.
TEST(CountBallotsTest, MinutesListEveryCountWithoutVoters) {
  TallyInput in = Session({"member/a"}, 4);
  in.ballots = {Ballot("1", {{"member/a", kHTTNV}}), Ballot("2", {{"member/a", kHTTNV}}),
                Ballot("7", {{"member/a", kHTTNV}})};
  absl::StatusOr<TallyResult> r = CountBallots(in, DefaultPolicy());
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->issued, 4);
  EXPECT_EQ(r->returned, 3);
  EXPECT_EQ(r->valid, 2);
  EXPECT_EQ(r->invalid, 1);
  EXPECT_EQ(r->invalid_ballots.size(), 1u);
  EXPECT_EQ(Of(*r, "member/a").votes[kHTTNV], 2);
  // The same ballots in the same order always give the same minutes.
  absl::StatusOr<TallyResult> again = CountBallots(in, DefaultPolicy());
  EXPECT_EQ(again->subjects[0].level, r->subjects[0].level);
}

}  // namespace
}  // namespace rating::rules::testing
