// Attribution (R-ATTR-1), re-rating (R-RETRO-1..4), rewards (R-REW-1), deadline (R-DEADLINE).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <vector>

#include "rules/engine.h"
#include "tests/rules/rules_testing.h"
#include "tests/testing/status_matchers.h"

namespace rating::rules::testing {
namespace {

using ::rating::testing::IsOk;
using ::rating::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr auto kYearly = rating::v1::REWARD_KIND_YEARLY;
constexpr auto kFiveYears = rating::v1::REWARD_KIND_FIVE_YEARS;

// R-ATTR-1: a violation counts for every year its period touches.
TEST(YearsTouchedTest, EveryYearThePeriodTouches) {
  EXPECT_THAT(YearsTouched(Date(2025, 6, 1), Date(2025, 6, 30)), ElementsAre(2025));
  EXPECT_THAT(YearsTouched(Date(2024, 11, 1), Date(2025, 2, 1)), ElementsAre(2024, 2025));
  EXPECT_THAT(YearsTouched(Date(2022, 12, 31), Date(2025, 1, 1)),
              ElementsAre(2022, 2023, 2024, 2025));
  EXPECT_THAT(YearsTouched(Date(2025, 1, 1), Date(2025, 1, 1)), ElementsAre(2025));
  EXPECT_THAT(YearsTouched(Date(2025, 3, 1), Date(2024, 3, 1)), ElementsAre(2024, 2025));
}

Flag MakeFlag(rating::v1::RatingStatus status, Level proposed) {
  Flag f;
  f.status = status;
  f.proposed = proposed;
  return f;
}
constexpr auto kRequired = rating::v1::RATING_STATUS_RERATING_REQUIRED;
constexpr auto kReview = rating::v1::RATING_STATUS_RERATING_REVIEW;
constexpr auto kSuggested = rating::v1::RATING_STATUS_REVIEW_SUGGESTED;

// R-RETRO-1 (conformance case 03: a 2026 warning for a June 2025 violation).
TEST(FlagForRulingTest, ALateRulingRequiresReRatingOrAReview) {
  std::optional<Flag> flag = FlagForRuling(kHTXSNV, std::nullopt, /*self_remedied=*/false, kKHTNV);
  ASSERT_TRUE(flag.has_value());
  EXPECT_EQ(flag->status, kRequired);
  EXPECT_EQ(flag->proposed, kKHTNV);
  EXPECT_THAT(flag->rules, ElementsAre("R-RETRO-1"));

  flag = FlagForRuling(kHTTNV, std::nullopt, /*self_remedied=*/true, kHTNV);
  ASSERT_TRUE(flag.has_value());
  EXPECT_EQ(flag->status, kReview);
  EXPECT_EQ(flag->proposed, kHTNV);

  flag = FlagForRuling(kHTNV, std::nullopt, false, kKHTNV);
  ASSERT_TRUE(flag.has_value());
  EXPECT_EQ(flag->status, kRequired);

  // Nothing to re-rate below KHTNV.
  EXPECT_EQ(FlagForRuling(kKHTNV, std::nullopt, false, kKHTNV), std::nullopt);
  EXPECT_EQ(FlagForRuling(kKHTNV, std::nullopt, true, kKHTNV), std::nullopt);
}

// R-RETRO-1 clarified (corner 03): flags never soften.
TEST(FlagForRulingTest, FlagsNeverSoften) {
  // A self-remedied ruling after an unremedied one leaves RERATING_REQUIRED as it is.
  EXPECT_EQ(FlagForRuling(kHTTNV, MakeFlag(kRequired, kKHTNV), true, kHTTNV), std::nullopt);
  EXPECT_EQ(FlagForRuling(kHTTNV, MakeFlag(kRequired, kKHTNV), false, kKHTNV), std::nullopt);
  // An unremedied ruling turns RERATING_REVIEW into RERATING_REQUIRED.
  std::optional<Flag> flag = FlagForRuling(kHTTNV, MakeFlag(kReview, kHTTNV), false, kKHTNV);
  ASSERT_TRUE(flag.has_value());
  EXPECT_EQ(flag->status, kRequired);
  // Another self-remedied one renews the review only when its proposal moves.
  EXPECT_EQ(FlagForRuling(kHTTNV, MakeFlag(kReview, kHTTNV), true, kHTTNV), std::nullopt);
  flag = FlagForRuling(kHTTNV, MakeFlag(kReview, kHTTNV), true, kHTNV);
  ASSERT_TRUE(flag.has_value());
  EXPECT_EQ(flag->status, kReview);
  EXPECT_EQ(flag->proposed, kHTNV);
  // REVIEW_SUGGESTED gives way to a ruling's flag.
  flag = FlagForRuling(kHTTNV, MakeFlag(kSuggested, kHTNV), true, kHTNV);
  ASSERT_TRUE(flag.has_value());
  EXPECT_EQ(flag->status, kReview);
}

// R-RETRO-3: a decided rating whose recomputed ceiling fell below it.
TEST(ReviewSuggestionTest, OnlyWhenTheCeilingFellBelowTheDecidedLevel) {
  Ceiling ceiling;
  ceiling.level = kHTNV;
  ceiling.rule_id = "R-ORG-3";
  std::optional<Flag> flag = ReviewSuggestion(kHTXSNV, std::nullopt, ceiling);
  ASSERT_TRUE(flag.has_value());
  EXPECT_EQ(flag->status, kSuggested);
  EXPECT_EQ(flag->proposed, kHTNV);
  EXPECT_THAT(flag->rules, ElementsAre("R-RETRO-3", "R-ORG-3"));
  EXPECT_EQ(ReviewSuggestion(kHTNV, std::nullopt, ceiling), std::nullopt);
  EXPECT_EQ(ReviewSuggestion(kKHTNV, std::nullopt, ceiling), std::nullopt);
  EXPECT_EQ(ReviewSuggestion(kHTXSNV, std::nullopt, Ceiling{}), std::nullopt);
  // A rating flagged RERATING_* is left as it is; one suggested at that level is not again.
  EXPECT_EQ(ReviewSuggestion(kHTXSNV, MakeFlag(kRequired, kKHTNV), ceiling), std::nullopt);
  EXPECT_EQ(ReviewSuggestion(kHTXSNV, MakeFlag(kReview, kHTTNV), ceiling), std::nullopt);
  EXPECT_EQ(ReviewSuggestion(kHTXSNV, MakeFlag(kSuggested, kHTNV), ceiling), std::nullopt);
  EXPECT_TRUE(ReviewSuggestion(kHTXSNV, MakeFlag(kSuggested, kHTTNV), ceiling).has_value());
}

// R-RETRO-3 (clarified): what a ruling reaches.
TEST(RulingReachTest, ARulingOnAMemberReachesWhereItHappenedTheirOrgAndTheirCommittees) {
  RulingReachFacts facts;
  facts.subject = {SubjectKind::kMember, "m1"};
  facts.attributed_org = "c1";  // Violated at c1 ...
  facts.member_org = "c2";      // ... then moved to c2.
  facts.committee_seats = {"g1"};
  const Reach reach = RulingReach(facts);
  EXPECT_THAT(reach.ruled, ElementsAre("member/m1", "leader/m1"));
  EXPECT_THAT(reach.reviewed, ElementsAre("org/c1", "org/c2", "org/g1", "committee/g1"));
}

TEST(RulingReachTest, ARulingOnAnOrgReachesItsCommitteeHeadsAndEveryOrgAbove) {
  RulingReachFacts facts;
  facts.subject = {SubjectKind::kOrg, "s1"};
  facts.attributed_org = "s1";
  facts.heads = {"h1"};
  facts.ancestors = {"sc", "g1"};
  const Reach reach = RulingReach(facts);
  EXPECT_THAT(reach.ruled, ElementsAre("org/s1"));
  EXPECT_THAT(reach.reviewed, ElementsAre("committee/s1", "leader/h1", "org/sc", "org/g1"));
}

TEST(RulingReachTest, AnAnnulmentReachesWhatReadsTheRating) {
  RulingReachFacts member;
  member.subject = {SubjectKind::kMember, "m1"};
  member.member_org = "c1";
  EXPECT_THAT(AnnulmentReach(member), ElementsAre("org/c1"));
  RulingReachFacts org;
  org.subject = {SubjectKind::kOrg, "s1"};
  org.heads = {"h1"};
  org.ancestors = {"g1"};
  EXPECT_THAT(AnnulmentReach(org), ElementsAre("committee/s1", "leader/h1", "org/g1"));
  RulingReachFacts leader;
  leader.subject = {SubjectKind::kLeader, "h1"};
  EXPECT_THAT(AnnulmentReach(leader), ::testing::IsEmpty());
}

TEST(EffectiveLevelTest, HowFlaggedRatingsCountForOthers) {
  EXPECT_EQ(EffectiveLevel(rating::v1::RATING_STATUS_RERATING_REQUIRED, kHTXSNV, kHTXSNV), kKHTNV);
  EXPECT_EQ(EffectiveLevel(rating::v1::RATING_STATUS_RERATING_REVIEW, kHTXSNV, kHTNV), kHTNV);
  EXPECT_EQ(EffectiveLevel(rating::v1::RATING_STATUS_RERATING_REVIEW, kHTNV, kHTXSNV), kHTNV);
  EXPECT_EQ(EffectiveLevel(rating::v1::RATING_STATUS_RERATING_REVIEW, kHTTNV,
                           rating::v1::LEVEL_UNSPECIFIED),
            kHTTNV);
  EXPECT_EQ(EffectiveLevel(rating::v1::RATING_STATUS_REVIEW_SUGGESTED, kHTXSNV, kHTNV), kHTXSNV);
  EXPECT_EQ(EffectiveLevel(rating::v1::RATING_STATUS_DECIDED, kHTTNV, kKHTNV), kHTTNV);
}

// R-REW-1.
std::map<int, YearRating> Years(const std::map<int, Level>& levels) {
  std::map<int, YearRating> out;
  for (const auto& [year, level] : levels) out[year] = YearRating{level};
  return out;
}

TEST(RewardTest, YearlyNeedsHtxsnvThatYear) {
  EXPECT_THAT(CheckReward(kYearly, 2025, Years({{2025, kHTXSNV}})), IsOk());
  EXPECT_THAT(CheckReward(kYearly, 2025, Years({{2025, kHTTNV}})),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("R-REW-1")));
  EXPECT_THAT(CheckReward(kYearly, 2025, Years({{2024, kHTXSNV}})),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("2025")));
  EXPECT_THAT(CheckReward(rating::v1::REWARD_KIND_UNSPECIFIED, 2025, Years({{2025, kHTXSNV}})),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

// R-REW-1 clarified (corner 12): no reward while the rating awaits re-rating.
TEST(RewardTest, NoRewardWhileTheRatingIsFlaggedForReRating) {
  std::map<int, YearRating> years = Years({{2025, kHTXSNV}});
  years[2025].flag = kReview;
  EXPECT_THAT(CheckReward(kYearly, 2025, years),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("RERATING_REVIEW")));
  years[2025].flag = kRequired;
  EXPECT_THAT(CheckReward(kYearly, 2025, years),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("R-REW-1")));
  years[2025].flag = kSuggested;  // A suggestion does not stop it.
  EXPECT_THAT(CheckReward(kYearly, 2025, years), IsOk());
}

TEST(RewardTest, FiveYearsNeedsFiveConsecutiveHtxsnvYearsEndingAtY) {
  std::map<int, Level> levels = {
      {2021, kHTXSNV}, {2022, kHTXSNV}, {2023, kHTXSNV}, {2024, kHTXSNV}, {2025, kHTXSNV}};
  EXPECT_THAT(CheckReward(kFiveYears, 2025, Years(levels)), IsOk());
  EXPECT_THAT(CheckReward(kFiveYears, 2026, Years(levels)),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("2026")));
  levels[2023] = kHTTNV;
  EXPECT_THAT(CheckReward(kFiveYears, 2025, Years(levels)),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("2023")));
  levels.erase(2023);
  EXPECT_THAT(CheckReward(kFiveYears, 2025, Years(levels)),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("2023")));
}

// R-REW-1 with R-RETRO-2: annulling a rating annuls the rewards resting on it.
TEST(RewardTest, RewardsFallWithTheirRatingsUnlessStillHtxsnv) {
  EXPECT_TRUE(RewardFalls(kYearly, 2025, 2025, kKHTNV));
  EXPECT_FALSE(RewardFalls(kYearly, 2025, 2025, kHTXSNV));
  EXPECT_FALSE(RewardFalls(kYearly, 2025, 2024, kKHTNV));
  EXPECT_TRUE(RewardFalls(kFiveYears, 2025, 2021, kHTTNV));
  EXPECT_TRUE(RewardFalls(kFiveYears, 2025, 2025, kHTTNV));
  EXPECT_FALSE(RewardFalls(kFiveYears, 2025, 2020, kHTTNV));
  EXPECT_FALSE(RewardFalls(kFiveYears, 2025, 2026, kHTTNV));
  EXPECT_FALSE(RewardFalls(kFiveYears, 2025, 2023, kHTXSNV));
}

// R-DEADLINE: due before 15 December; the due day itself is late.
TEST(DeadlineTest, DueBeforeTheFifteenthOfDecember) {
  const Policy p = DefaultPolicy();
  EXPECT_EQ(DossierDue(2025, p), Date(2025, 12, 15));
  EXPECT_FALSE(DossierLate(Date(2025, 12, 14), 2025, p));
  EXPECT_TRUE(DossierLate(Date(2025, 12, 15), 2025, p));
  EXPECT_TRUE(DossierLate(Date(2026, 1, 3), 2025, p));
  EXPECT_FALSE(DossierLate(Date(2025, 3, 1), 2025, p));
  absl::StatusOr<Policy> other =
      LoadPolicy("", {{"dossier_due_month", "12"}, {"dossier_due_day", "10"}});
  ASSERT_THAT(other, IsOk());
  EXPECT_TRUE(DossierLate(Date(2025, 12, 12), 2025, *other));
  // The period's reference date does not move the due date.
  absl::StatusOr<Policy> ref = LoadPolicy("", {{"reference_day", "31"}});
  ASSERT_THAT(ref, IsOk());
  EXPECT_EQ(DossierDue(2025, *ref), Date(2025, 12, 15));
}

}  // namespace
}  // namespace rating::rules::testing
