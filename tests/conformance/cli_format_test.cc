// ratingctl's text forms: enum codes, Vietnamese names, CSV quoting, rule-id matching.
#include <string>

#include "cli/commands.h"
#include "cli/conformance/scenario_player.h"
#include "cli/csv.h"
#include "cli/names.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace rating::cli {
namespace {

using ::testing::HasSubstr;

TEST(NamesTest, CodesParseInAnyCaseButNeverUnspecified) {
  EXPECT_EQ(*ParseLevel("HTXSNV"), v1::LEVEL_HTXSNV);
  EXPECT_EQ(*ParseLevel("khtnv"), v1::LEVEL_KHTNV);
  EXPECT_FALSE(ParseLevel("UNSPECIFIED").ok());
  EXPECT_FALSE(ParseLevel("LEVEL_HTNV").ok());
  EXPECT_EQ(*ParseGrade("TOT"), v1::GRADE_TOT);
  EXPECT_EQ(*ParseRole("grassroots_committee"), v1::ROLE_GRASSROOTS_COMMITTEE);
  EXPECT_EQ(*ParseRatingStatus("REVIEW_SUGGESTED"), v1::RATING_STATUS_REVIEW_SUGGESTED);
  EXPECT_EQ(*ParseStatusCodeName("permission_denied"), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(ParseMemberStatus("retired").status().message()),
              HasSubstr("sick_leave"));
}

TEST(NamesTest, CodesAndVietnameseNames) {
  EXPECT_EQ(LevelCode(v1::LEVEL_HTTNV), "HTTNV");
  EXPECT_EQ(LevelCode(v1::LEVEL_UNSPECIFIED), "");
  EXPECT_EQ(RatingStatusCode(v1::RATING_STATUS_NOT_SUBJECT), "NOT_SUBJECT");
  EXPECT_EQ(LevelNameVi(v1::LEVEL_HTXSNV), "Hoàn thành xuất sắc nhiệm vụ");
  EXPECT_EQ(LevelNameVi(v1::LEVEL_KHTNV), "Không hoàn thành nhiệm vụ");
}

TEST(CsvTest, QuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(CsvField("member/m1"), "member/m1");
  EXPECT_EQ(CsvField("Hoàn thành tốt nhiệm vụ"), "Hoàn thành tốt nhiệm vụ");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvField(" padded"), "\" padded\"");
  EXPECT_EQ(CsvField(""), "");
  EXPECT_EQ(CsvRecord({"a", "b,c", ""}), "a,\"b,c\",\r\n");
}

TEST(CsvTest, RatingsExportHasHeaderAndVietnameseNames) {
  v1::ListRatingsResponse response;
  v1::RatingView* decided = response.add_ratings();
  decided->set_subject("member/m1");
  decided->set_year(2025);
  decided->set_status(v1::RATING_STATUS_DECIDED);
  decided->set_level(v1::LEVEL_HTTNV);
  decided->set_ceiling(v1::LEVEL_HTXSNV);
  v1::RatingView* pending = response.add_ratings();
  pending->set_subject("org/c1,x");
  pending->set_year(2025);
  pending->set_status(v1::RATING_STATUS_PENDING);
  EXPECT_EQ(RatingsCsv(response),
            "subject,year,status,level,level_name,ceiling\r\n"
            "member/m1,2025,DECIDED,HTTNV,Hoàn thành tốt nhiệm vụ,HTXSNV\r\n"
            "\"org/c1,x\",2025,PENDING,,,\r\n");
}

TEST(FormatTest, RatingReportIsVietnameseWithRuleIds) {
  v1::RatingView view;
  view.set_subject("member/m1");
  view.set_year(2025);
  view.set_status(v1::RATING_STATUS_DECIDED);
  view.set_level(v1::LEVEL_HTNV);
  view.set_ceiling(v1::LEVEL_HTNV);
  view.set_ceiling_rule("R-MEM-4");
  v1::Finding* finding = view.add_explanation();
  finding->set_rule_id("R-MEM-3");
  finding->set_text_vi("tiêu chí nhiệm vụ chỉ đạt Trung bình");
  const std::string report = FormatRatingView(view);
  EXPECT_THAT(report, HasSubstr("Trạng thái: Đã xếp loại (DECIDED)"));
  EXPECT_THAT(report, HasSubstr("Mức xếp loại: Hoàn thành nhiệm vụ (HTNV)"));
  EXPECT_THAT(report, HasSubstr("theo R-MEM-4"));
  EXPECT_THAT(report, HasSubstr("[R-MEM-3] chưa đạt: tiêu chí nhiệm vụ chỉ đạt Trung bình"));
}

TEST(NamesRuleTest, MatchesWholeRuleIdsOnly) {
  EXPECT_TRUE(NamesRule("refused: R-MEM-1 (KEM)", "R-MEM-1"));
  EXPECT_TRUE(NamesRule("R-QUOTA", "R-QUOTA"));
  EXPECT_TRUE(NamesRule("rules [R-BAL-5,R-QUOTA]", "R-BAL-5"));
  EXPECT_FALSE(NamesRule("refused: R-MEM-12", "R-MEM-1"));
  EXPECT_FALSE(NamesRule("refused: R-COM-CAP", "R-COM"));
  EXPECT_FALSE(NamesRule("XR-MEM-1", "R-MEM-1"));
  EXPECT_FALSE(NamesRule("anything", ""));
}

}  // namespace
}  // namespace rating::cli
