// Policy versions and overrides, scorecard templates, criterion grades (RULES.md §2, §9).
#include "rules/policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "tests/rules/rules_testing.h"
#include "tests/testing/status_matchers.h"

namespace rating::rules {
namespace {

using ::rating::rules::testing::DefaultPolicy;
using ::rating::testing::IsOk;
using ::rating::testing::StatusIs;
using ::testing::HasSubstr;

using Overrides = std::vector<std::pair<std::string, std::string>>;

TEST(PolicyTest, DefaultHoldsTheGuidelinesNumbers) {
  const Policy p = DefaultPolicy();
  EXPECT_EQ(p.version, "hd19-2024");
  EXPECT_EQ(p.score_excellent, 8500);
  EXPECT_EQ(p.score_good, 7000);
  EXPECT_EQ(p.score_pass, 5000);
  EXPECT_EQ(p.band_xs_pct, 85);
  EXPECT_EQ(p.band_tot_pct, 70);
  EXPECT_EQ(p.band_tb_pct, 50);
  EXPECT_EQ(p.quota_pct, 20);
  EXPECT_EQ(p.quota_min_group, 5);
  EXPECT_EQ(p.quota_small, 1);
  EXPECT_EQ(p.quota_base, QuotaBase::kGoodOrBetter);
  EXPECT_EQ(p.ballot_denominator, BallotDenominator::kValidBallots);
  EXPECT_EQ(p.member_admission_months, 6);
  EXPECT_EQ(p.reference_month, 12);
  EXPECT_EQ(p.reference_day, 15);
  ASSERT_THAT(LoadPolicy("hd19-2024", {}), IsOk());
  EXPECT_EQ(LoadPolicy("hd19-2024", {})->version, "hd19-2024");
}

TEST(PolicyTest, ShipsTheSampleScorecardForEveryRatedOrgKind) {
  const Policy p = DefaultPolicy();
  for (auto kind : {rating::v1::ORG_KIND_GRASSROOTS_COMMITTEE, rating::v1::ORG_KIND_GRASSROOTS_CELL,
                    rating::v1::ORG_KIND_SUB_COMMITTEE, rating::v1::ORG_KIND_SUBORDINATE_CELL}) {
    ASSERT_EQ(p.scorecards.count(kind), 1u) << kind;
    const ScorecardTemplate& card = p.scorecards.at(kind);
    EXPECT_TRUE(card.sample);
    CentiPoints total = 0;
    for (const TemplateCriterion& c : card.criteria) total += c.max;
    EXPECT_EQ(total, 10000);
    ASSERT_EQ(card.criteria.size(), 5u);
    EXPECT_EQ(card.criteria[0].id, "political_ideology");
    EXPECT_EQ(card.criteria[0].max, 1500);
    EXPECT_EQ(card.criteria[1].id, "organization_cadres");
    EXPECT_EQ(card.criteria[2].id, "party_programs");
    EXPECT_TRUE(card.criteria[2].key);
    EXPECT_EQ(card.criteria[3].id, "production_business");
    EXPECT_TRUE(card.criteria[3].key);
    EXPECT_TRUE(card.criteria[3].quantitative);
    EXPECT_EQ(card.criteria[3].max, 3000);
    EXPECT_EQ(card.criteria[4].id, "remediation");
    EXPECT_FALSE(card.criteria[4].key);
  }
}

TEST(PolicyTest, OverridesSetEveryFieldByName) {
  absl::StatusOr<Policy> p =
      LoadPolicy("", Overrides{{"quota_base", "good_only"},   {"ballot_denominator", "returned"},
                               {"score_excellent", "90"},     {"score_good", "72.5"},
                               {"score_pass", "50"},          {"band_xs_pct", "90"},
                               {"quota_pct", "25"},           {"quota_min_group", "4"},
                               {"quota_small", "2"},          {"excellent_good_share_pct", "75"},
                               {"good_good_share_pct", "40"}, {"defect_disciplined_pct", "10"},
                               {"min_targets_pct", "60"},     {"member_failed_targets_pct", "40"},
                               {"low_confidence_pct", "30"},  {"exceeded_targets_pct", "60"},
                               {"not_ensured_pct", "25"},     {"member_admission_months", "12"},
                               {"org_age_months", "3"},       {"transfer_comment_months", "4"},
                               {"reference_month", "11"},     {"reference_day", "30"},
                               {"dossier_due_month", "12"},   {"dossier_due_day", "10"},
                               {"band_tot_pct", "70"},        {"band_tb_pct", "50"}});
  ASSERT_THAT(p, IsOk());
  EXPECT_EQ(p->quota_base, QuotaBase::kGoodOnly);
  EXPECT_EQ(p->ballot_denominator, BallotDenominator::kReturnedBallots);
  EXPECT_EQ(p->score_excellent, 9000);
  EXPECT_EQ(p->score_good, 7250);
  EXPECT_EQ(p->band_xs_pct, 90);
  EXPECT_EQ(p->quota_pct, 25);
  EXPECT_EQ(p->quota_min_group, 4);
  EXPECT_EQ(p->quota_small, 2);
  EXPECT_EQ(p->excellent_good_share_pct, 75);
  EXPECT_EQ(p->good_good_share_pct, 40);
  EXPECT_EQ(p->defect_disciplined_pct, 10);
  EXPECT_EQ(p->min_targets_pct, 60);
  EXPECT_EQ(p->member_failed_targets_pct, 40);
  EXPECT_EQ(p->low_confidence_pct, 30);
  EXPECT_EQ(p->exceeded_targets_pct, 60);
  EXPECT_EQ(p->not_ensured_pct, 25);
  EXPECT_EQ(p->member_admission_months, 12);
  EXPECT_EQ(p->org_age_months, 3);
  EXPECT_EQ(p->transfer_comment_months, 4);
  EXPECT_EQ(p->reference_month, 11);
  EXPECT_EQ(p->reference_day, 30);
  EXPECT_EQ(p->dossier_due_day, 10);
  EXPECT_EQ(LoadPolicy("", Overrides{{"ballot_denominator", "issued"}})->ballot_denominator,
            BallotDenominator::kIssuedBallots);
  EXPECT_EQ(
      LoadPolicy("", Overrides{{"ballot_denominator", "returned_ballots"}})->ballot_denominator,
      BallotDenominator::kReturnedBallots);
  EXPECT_FALSE(LoadPolicy("", Overrides{{"ballot_denominator", "_ballots"}}).ok());
  EXPECT_EQ(LoadPolicy("", Overrides{{"quota_base", "good_or_better"}})->quota_base,
            QuotaBase::kGoodOrBetter);
  // Every key PolicyOverrideKeys lists is accepted by LoadPolicy (with a sane value).
  for (const std::string& key : PolicyOverrideKeys()) {
    std::string value = "1";
    if (key == "quota_base") value = "good_only";
    if (key == "ballot_denominator") value = "valid";
    if (key.rfind("scorecard.", 0) == 0) value = "a|100|true|false|A";
    if (key.rfind("score_", 0) == 0 || key.rfind("band_", 0) == 0) continue;  // Ordered.
    EXPECT_THAT(LoadPolicy("", Overrides{{key, value}}), IsOk()) << key;
  }
}

TEST(PolicyTest, RejectsUnknownVersionsKeysAndValuesNamingThem) {
  EXPECT_THAT(LoadPolicy("hd25-2019", {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("hd25-2019")));
  EXPECT_THAT(LoadPolicy("", Overrides{{"quota_basis", "good_only"}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("quota_basis")));
  EXPECT_THAT(LoadPolicy("", Overrides{{"quota_base", "excellent"}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("excellent")));
  EXPECT_THAT(LoadPolicy("", Overrides{{"ballot_denominator", "cast"}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("cast")));
  EXPECT_THAT(LoadPolicy("", Overrides{{"score_excellent", "85.001"}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("score_excellent")));
  EXPECT_THAT(LoadPolicy("", Overrides{{"quota_pct", "101"}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("quota_pct")));
  EXPECT_THAT(LoadPolicy("", Overrides{{"quota_pct", "twenty"}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("twenty")));
  EXPECT_THAT(LoadPolicy("", Overrides{{"score_good", "90"}}),  // Above score_excellent.
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(LoadPolicy("", Overrides{{"reference_month", "2"}, {"reference_day", "30"}}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(LoadPolicy("", Overrides{{"quota_pct", "20"}, {"quota_pct", "25"}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("twice")));
}

TEST(ScorecardTemplateTest, ARealBieuDiemLoadsFromText) {
  absl::StatusOr<ScorecardTemplate> card = ParseScorecardTemplate("bieu-diem-01", R"(
# BIỂU ĐIỂM SỐ 01 (excerpt)
chinh_tri|10|false|false|Công tác chính trị tư tưởng
to_chuc|12.5|no|no|Công tác tổ chức | cán bộ
chuong_trinh|25|true|false|Kết quả chương trình, kế hoạch
sxkd|30|yes|yes|Sản xuất kinh doanh
khac_phuc|22.5|0|0
)");
  ASSERT_THAT(card, IsOk());
  EXPECT_EQ(card->id, "bieu-diem-01");
  EXPECT_FALSE(card->sample);
  ASSERT_EQ(card->criteria.size(), 5u);
  EXPECT_EQ(card->criteria[1].max, 1250);
  EXPECT_EQ(card->criteria[1].name_vi, "Công tác tổ chức | cán bộ");
  EXPECT_TRUE(card->criteria[3].key);
  EXPECT_TRUE(card->criteria[3].quantitative);
  EXPECT_EQ(card->criteria[4].name_vi, "");
  // Loaded under a policy override, without code changes.
  absl::StatusOr<Policy> p = LoadPolicy(
      "", Overrides{{"scorecard.grassroots_committee", "a|60|true|true|A\nb|40|false|false|B"}});
  ASSERT_THAT(p, IsOk());
  EXPECT_EQ(p->scorecards.at(rating::v1::ORG_KIND_GRASSROOTS_COMMITTEE).criteria.size(), 2u);
  EXPECT_TRUE(p->scorecards.at(rating::v1::ORG_KIND_GRASSROOTS_CELL).sample);
}

TEST(ScorecardTemplateTest, RejectsBadLinesNamingThem) {
  for (const char* text :
       {"", "# only a comment", "a|10|true", "a|ten|true|false|A", "a|0|true|false|A",
        "a|10|maybe|false|A", "a b|10|true|false|A", "a|10|true|false|A\na|5|false|false|B"}) {
    EXPECT_THAT(ParseScorecardTemplate("t", text), StatusIs(absl::StatusCode::kInvalidArgument))
        << text;
  }
  EXPECT_THAT(ParseScorecardTemplate("t", "a|10|true|false|A\nb|x|true|false|B"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("line 2")));
}

TEST(ScorecardTemplateTest, ChecksSubmittedLinesAgainstTheTemplate) {
  const ScorecardTemplate card =
      DefaultPolicy().scorecards.at(rating::v1::ORG_KIND_GRASSROOTS_CELL);
  std::vector<TemplateCriterion> lines = card.criteria;
  EXPECT_THAT(CheckAgainstTemplate(card, lines), IsOk());
  std::vector<TemplateCriterion> missing(lines.begin(), lines.end() - 1);
  EXPECT_THAT(CheckAgainstTemplate(card, missing),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("remediation")));
  std::vector<TemplateCriterion> other_max = lines;
  other_max[0].max = 2000;
  EXPECT_THAT(CheckAgainstTemplate(card, other_max),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("political_ideology")));
  std::vector<TemplateCriterion> unknown = lines;
  unknown.push_back({"bonus", "", 500, false, false});
  EXPECT_THAT(CheckAgainstTemplate(card, unknown),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("bonus")));
}

// C.I.1.4: XS from 85%, TOT from 70%, TB from 50% of the standard points, and one centi-point
// below each band.
TEST(GradeOfPointsTest, BandBoundariesOnBothSides) {
  const Policy p = DefaultPolicy();
  struct Case {
    CentiPoints points;
    CentiPoints max;
    Grade want;
  };
  for (const Case& c : {
           Case{1700, 2000, rating::v1::GRADE_XS},   // exactly 85% of 20
           Case{1699, 2000, rating::v1::GRADE_TOT},  // 84.95%
           Case{1400, 2000, rating::v1::GRADE_TOT},  // exactly 70%
           Case{1399, 2000, rating::v1::GRADE_TB},
           Case{1000, 2000, rating::v1::GRADE_TB},  // exactly 50%
           Case{999, 2000, rating::v1::GRADE_KEM}, Case{0, 2000, rating::v1::GRADE_KEM},
           Case{2000, 2000, rating::v1::GRADE_XS},
           Case{1275, 1500, rating::v1::GRADE_XS},  // exactly 85% of 15
           Case{1274, 1500, rating::v1::GRADE_TOT},
           Case{1050, 1500, rating::v1::GRADE_TOT},  // exactly 70% of 15
           Case{1049, 1500, rating::v1::GRADE_TB},
           Case{750, 1500, rating::v1::GRADE_TB},  // exactly 50% of 15
           Case{749, 1500, rating::v1::GRADE_KEM}, Case{1200, 1500, rating::v1::GRADE_TOT},  // 80%
       }) {
    EXPECT_EQ(GradeOfPoints(c.points, c.max, p), c.want) << c.points << "/" << c.max;
  }
}

TEST(GradeOfPointsTest, PointsMustLieInTheAssessorsGradeBand) {
  const Policy p = DefaultPolicy();
  EXPECT_TRUE(PointsInBand(1275, 1500, rating::v1::GRADE_XS, p));
  EXPECT_FALSE(PointsInBand(1000, 1500, rating::v1::GRADE_XS, p));  // Case 02: 10/15 as XS.
  EXPECT_TRUE(PointsInBand(1000, 1500, rating::v1::GRADE_TB, p));
  EXPECT_FALSE(PointsInBand(1600, 1500, rating::v1::GRADE_XS, p));  // Above max.
  EXPECT_FALSE(PointsInBand(-1, 1500, rating::v1::GRADE_KEM, p));
  EXPECT_TRUE(PointsInBand(0, 1500, rating::v1::GRADE_KEM, p));
  EXPECT_FALSE(PointsInBand(100, 1500, rating::v1::GRADE_UNSPECIFIED, p));
}

TEST(QuantitativePointsTest, FloorsAndNeverOverCredits) {
  EXPECT_EQ(*QuantitativePoints(3000, 120, 100), 3000);  // Exceeding the plan earns max.
  EXPECT_EQ(*QuantitativePoints(3000, 100, 100), 3000);
  EXPECT_EQ(*QuantitativePoints(3000, 85, 100), 2550);
  EXPECT_EQ(*QuantitativePoints(2000, 1, 3), 666);  // floor(2000/3)
  EXPECT_EQ(*QuantitativePoints(2000, 2, 3), 1333);
  EXPECT_EQ(*QuantitativePoints(3000, 0, 100), 0);
  EXPECT_EQ(*QuantitativePoints(100000000000, 999999999999, 1000000000000), 99999999999);
  EXPECT_THAT(QuantitativePoints(3000, 10, 0), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(QuantitativePoints(3000, -1, 100), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace rating::rules
