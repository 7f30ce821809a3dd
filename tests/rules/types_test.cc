// Points, dates, codes and rule names (RULES.md §1, §2).
#include "rules/types.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "tests/testing/status_matchers.h"

namespace rating::rules {
namespace {

using ::rating::testing::IsOk;
using ::rating::testing::StatusIs;

TEST(PointsTest, ParsesIntegersAndUpToTwoDecimals) {
  struct Case {
    const char* text;
    CentiPoints want;
  };
  for (const Case& c : {Case{"18", 1800}, Case{"18.5", 1850}, Case{"18.50", 1850}, Case{"0", 0},
                        Case{"84.99", 8499}, Case{"85.00", 8500}, Case{"0.01", 1}, Case{"007", 700},
                        Case{"1000000000", 100000000000}}) {
    absl::StatusOr<CentiPoints> got = ParsePoints(c.text);
    ASSERT_THAT(got, IsOk()) << c.text;
    EXPECT_EQ(*got, c.want) << c.text;
  }
}

TEST(PointsTest, RejectsMalformedText) {
  for (const char* text : {"", "18.", ".5", "18.505", "-1", "+1", "1e3", "1,5", "18 ", "a", "1.2.3",
                           "1000000000.01", "99999999999"}) {
    EXPECT_THAT(ParsePoints(text), StatusIs(absl::StatusCode::kInvalidArgument)) << text;
  }
}

TEST(PointsTest, FormatsWithoutTrailingZeros) {
  EXPECT_EQ(FormatPoints(1850), "18.5");
  EXPECT_EQ(FormatPoints(1800), "18");
  EXPECT_EQ(FormatPoints(8499), "84.99");
  EXPECT_EQ(FormatPoints(1), "0.01");
  EXPECT_EQ(FormatPoints(0), "0");
  EXPECT_EQ(FormatPoints(-150), "-1.5");
}

TEST(DateTest, ParsesRealCalendarDatesOnly) {
  ASSERT_THAT(ParseDate("2024-02-29"), IsOk());
  EXPECT_EQ(*ParseDate("2025-12-15"), Date(2025, 12, 15));
  for (const char* text : {"2025-02-29", "2025-13-01", "2025-00-10", "2025-1-01", "25-01-01",
                           "2025/01/01", "", "2025-01-32", "2025-04-31"}) {
    EXPECT_THAT(ParseDate(text), StatusIs(absl::StatusCode::kInvalidArgument)) << text;
  }
  EXPECT_EQ(FormatDate(Date(2025, 6, 1)), "2025-06-01");
}

TEST(DateTest, AddMonthsClampsToTheMonthsEnd) {
  EXPECT_EQ(AddMonths(Date(2025, 6, 15), 6), Date(2025, 12, 15));
  EXPECT_EQ(AddMonths(Date(2025, 8, 31), 6), Date(2026, 2, 28));
  EXPECT_EQ(AddMonths(Date(2023, 8, 31), 6), Date(2024, 2, 29));
  EXPECT_EQ(AddMonths(Date(2025, 1, 31), 1), Date(2025, 2, 28));
  EXPECT_EQ(AddMonths(Date(2025, 3, 31), -1), Date(2025, 2, 28));
  EXPECT_EQ(AddMonths(Date(2025, 12, 15), 0), Date(2025, 12, 15));
}

TEST(CodesTest, LevelsAndGradesRoundTrip) {
  for (Level level : {rating::v1::LEVEL_KHTNV, rating::v1::LEVEL_HTNV, rating::v1::LEVEL_HTTNV,
                      rating::v1::LEVEL_HTXSNV}) {
    EXPECT_EQ(ParseLevelCode(LevelCode(level)), level);
    EXPECT_FALSE(LevelNameVi(level).empty());
    EXPECT_FALSE(LevelNameEn(level).empty());
  }
  for (Grade grade :
       {rating::v1::GRADE_KEM, rating::v1::GRADE_TB, rating::v1::GRADE_TOT, rating::v1::GRADE_XS}) {
    EXPECT_EQ(ParseGradeCode(GradeCode(grade)), grade);
    EXPECT_FALSE(GradeNameVi(grade).empty());
  }
  EXPECT_EQ(LevelCode(rating::v1::LEVEL_HTXSNV), "HTXSNV");
  EXPECT_EQ(LevelNameVi(rating::v1::LEVEL_HTXSNV), "Hoàn thành xuất sắc nhiệm vụ");
  EXPECT_EQ(LevelNameEn(rating::v1::LEVEL_HTXSNV), "excellent");
  EXPECT_EQ(GradeNameVi(rating::v1::GRADE_TOT), "Tốt");
  EXPECT_EQ(ParseLevelCode("htxsnv"), std::nullopt);
  EXPECT_EQ(ParseGradeCode("GOOD"), std::nullopt);
  EXPECT_EQ(StatusNameVi(rating::v1::RATING_STATUS_PENDING), "Chưa xếp loại");
}

TEST(RuleTextsTest, EveryRuleOfRulesMdHasBothNames) {
  // The ids of RULES.md, as listed there.
  const std::set<std::string> want = {
      "R-QUOTA",  "R-SUBJ-1",  "R-SUBJ-2",  "R-SUBJ-3",   "R-SUBJ-4",     "R-TIME-1", "R-SUBJ-5",
      "R-ORG-1",  "R-ORG-2",   "R-ORG-3",   "R-ORG-4",    "R-ORG-5",      "R-ORG-6",  "R-MEM-1",
      "R-MEM-2",  "R-MEM-3",   "R-MEM-4",   "R-COM-1",    "R-COM-2",      "R-COM-3",  "R-COM-4",
      "R-COM-5",  "R-COM-CAP", "R-LEAD-1",  "R-LEAD-CAP", "R-LEAD-QUOTA", "R-BAL-1",  "R-BAL-2",
      "R-BAL-3",  "R-BAL-4",   "R-BAL-5",   "R-DEC-1",    "R-DEC-2",      "R-DEC-3",  "R-ORDER",
      "R-ATTR-1", "R-RETRO-1", "R-RETRO-2", "R-RETRO-3",  "R-RETRO-4",    "R-REW-1",  "R-DEADLINE"};
  const std::set<std::string> got(AllRuleIds().begin(), AllRuleIds().end());
  EXPECT_EQ(got, want);
  EXPECT_EQ(AllRuleIds().size(), want.size());  // No duplicates.
  for (const std::string& id : AllRuleIds()) {
    EXPECT_FALSE(RuleNameVi(id).empty()) << id;
    EXPECT_FALSE(RuleNameEn(id).empty()) << id;
  }
  EXPECT_EQ(RuleNameVi("R-NOPE"), "");
  EXPECT_EQ(RuleNameEn("R-NOPE"), "");
}

TEST(CeilingTest, MentionsLooksAtTheDecidingRuleAndEveryFinding) {
  Ceiling ceiling;
  ceiling.rule_id = "R-COM-CAP";
  ceiling.findings = {{"R-COM-CAP", true, "vi", "en"},
                      {"R-COM-3", true, "vi", "en"},
                      {"R-COM-4", false, "vi", "en"}};
  EXPECT_TRUE(Mentions(ceiling, "R-COM-CAP"));
  EXPECT_TRUE(Mentions(ceiling, "R-COM-3"));
  EXPECT_TRUE(Mentions(ceiling, "R-COM-4"));
  EXPECT_FALSE(Mentions(ceiling, "R-COM-5"));
}

}  // namespace
}  // namespace rating::rules
