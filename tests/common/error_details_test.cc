#include "common/error_details.h"

#include <gtest/gtest.h>

#include "common/grpc_status.h"
#include "common/phrases_vi.h"

namespace rating::common {
namespace {

std::string_view FakeRuleNames(std::string_view rule_id) {
  if (rule_id == "R-DEC-2") return "Không quyết định cao hơn mức tối đa";
  if (rule_id == "R-QUOTA") return "Tỷ lệ xuất sắc";
  return "";
}

TEST(ErrorDetailsTest, RuleRefusalCarriesErrorInfoAndAViolationPerBreach) {
  const absl::Status refused =
      RuleRefusal(absl::StatusCode::kFailedPrecondition, "member/m1: R-DEC-2 above the ceiling",
                  {{"R-DEC-2", "member/m1", "above the ceiling"},
                   {"R-QUOTA", "scope/c1", "too many excellent"}},
                  2025);
  const google::rpc::Status details = DetailsOf(refused, &FakeRuleNames);
  EXPECT_EQ(details.code(), static_cast<int>(absl::StatusCode::kFailedPrecondition));
  const ReadableDetails readable = Unpack(details);
  ASSERT_TRUE(readable.error_info.has_value());
  EXPECT_EQ(readable.error_info->reason(), "R-DEC-2");
  EXPECT_EQ(readable.error_info->domain(), "rating.v1");
  EXPECT_EQ(readable.error_info->metadata().at("subject"), "member/m1");
  EXPECT_EQ(readable.error_info->metadata().at("year"), "2025");
  ASSERT_TRUE(readable.precondition_failure.has_value());
  ASSERT_EQ(readable.precondition_failure->violations_size(), 2);
  EXPECT_EQ(readable.precondition_failure->violations(1).type(), "R-QUOTA");
  EXPECT_EQ(readable.precondition_failure->violations(1).subject(), "scope/c1");
  ASSERT_TRUE(readable.localized_message.has_value());
  EXPECT_EQ(readable.localized_message->locale(), "vi-VN");
  EXPECT_NE(readable.localized_message->message().find("Không quyết định cao hơn mức tối đa"),
            std::string::npos);
  // ErrorInfo comes first.
  EXPECT_TRUE(details.details(0).Is<google::rpc::ErrorInfo>());
}

TEST(ErrorDetailsTest, FieldRefusalCarriesABadRequestFieldViolation) {
  const absl::Status invalid = FieldRefusal("ratings[2].level", "a level is required");
  EXPECT_EQ(invalid.message(), "ratings[2].level: a level is required");
  const ReadableDetails readable = Unpack(DetailsOf(invalid));
  ASSERT_TRUE(readable.bad_request.has_value());
  EXPECT_EQ(readable.bad_request->field_violations(0).field(), "ratings[2].level");
  EXPECT_EQ(readable.error_info->reason(), "INVALID_ARGUMENT");
}

TEST(ErrorDetailsTest, PlainStatusGetsDetailsReadOffItsMessage) {
  const ReadableDetails rule = Unpack(DetailsOf(
      absl::FailedPreconditionError("R-REW-1: no decided rating for member/m7, needs HTXSNV")));
  EXPECT_EQ(rule.error_info->reason(), "R-REW-1");
  EXPECT_EQ(rule.error_info->metadata().at("subject"), "member/m7");
  ASSERT_TRUE(rule.precondition_failure.has_value());
  EXPECT_EQ(rule.precondition_failure->violations(0).type(), "R-REW-1");

  const ReadableDetails field = Unpack(DetailsOf(absl::InvalidArgumentError("year: 1999 is bad")));
  ASSERT_TRUE(field.bad_request.has_value());
  EXPECT_EQ(field.bad_request->field_violations(0).field(), "year");
  EXPECT_EQ(field.bad_request->field_violations(0).description(), "1999 is bad");

  const ReadableDetails none = Unpack(DetailsOf(absl::NotFoundError("stream x-1: not found")));
  EXPECT_EQ(none.error_info->reason(), "NOT_FOUND");
  EXPECT_FALSE(none.bad_request.has_value());
  EXPECT_FALSE(none.precondition_failure.has_value());
}

TEST(ErrorDetailsTest, AnUnknownRuleLikeWordIsNotARuleWhenRulesAreNamed) {
  const ReadableDetails readable =
      Unpack(DetailsOf(absl::FailedPreconditionError("org R-X1: R-DEC-2 broken"), &FakeRuleNames));
  EXPECT_EQ(readable.error_info->reason(), "R-DEC-2");
  EXPECT_EQ(readable.precondition_failure->violations_size(), 1);
}

TEST(ErrorDetailsTest, ManyViolationsAreBoundedAndCounted) {
  std::vector<RuleBreach> breaches;
  for (int i = 0; i < 500; ++i) {
    breaches.push_back({"R-DEC-2", absl::StrCat("member/m", i), std::string(1000, 'x')});
  }
  const google::rpc::Status details = DetailsOf(
      RuleRefusal(absl::StatusCode::kFailedPrecondition, std::string(100000, 'y'), breaches, 0));
  EXPECT_LT(details.ByteSizeLong(), 6000u);
  const ReadableDetails readable = Unpack(details);
  EXPECT_EQ(readable.error_info->metadata().at("violations"), "500");
  EXPECT_EQ(readable.precondition_failure->violations_size(), 8);
}

TEST(ErrorDetailsTest, DetailsCrossTheGrpcEdgeBothWays) {
  const absl::Status refused = FieldRefusal("year", "1999 is not in 2000..2100");
  const grpc::Status sent = ToGrpcStatus(refused);
  EXPECT_EQ(sent.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(sent.error_message(), refused.message());
  google::rpc::Status on_wire;
  ASSERT_TRUE(on_wire.ParseFromString(sent.error_details()));
  EXPECT_EQ(on_wire.code(), 3);
  const absl::Status received = FromGrpcStatus(sent);
  const std::optional<google::rpc::Status> kept = AttachedDetails(received);
  ASSERT_TRUE(kept.has_value());
  EXPECT_EQ(Unpack(*kept).bad_request->field_violations(0).field(), "year");
  EXPECT_FALSE(DescribeVi(*kept).empty());
}

// A field violation keeps its English description for developers and carries its Vietnamese
// in localized_message; the refusal's LocalizedMessage lists the Vietnamese.
TEST(ErrorDetailsTest, FieldViolationsAreAlsoInVietnamese) {
  const google::rpc::Status details =
      DetailsOf(FieldRefusal("admitted_on", "'2015-13-01' is not a date YYYY-MM-DD"));
  const ReadableDetails readable = Unpack(details);
  ASSERT_TRUE(readable.bad_request.has_value());
  const auto& v = readable.bad_request->field_violations(0);
  EXPECT_EQ(v.description(), "'2015-13-01' is not a date YYYY-MM-DD");
  EXPECT_EQ(v.localized_message().locale(), "vi-VN");
  EXPECT_EQ(v.localized_message().message(), "'2015-13-01' không phải ngày dạng YYYY-MM-DD");
  EXPECT_NE(readable.localized_message->message().find(
                "- trường admitted_on: '2015-13-01' không phải ngày dạng YYYY-MM-DD"),
            std::string::npos)
      << readable.localized_message->message();
}

TEST(FieldDescriptionViTest, PhrasesAreTranslatedAndInputKeptAsWritten) {
  struct Case {
    const char* english;
    const char* vietnamese;
  };
  for (const Case& c : {
           Case{"1999 is not in 2000..2100", "1999 không thuộc khoảng 2000..2100"},
           Case{"at most 140 characters", "tối đa 140 ký tự"},
           Case{"longer than 4096 bytes", "dài hơn 4096 byte"},
           Case{"criterion tasks is missing", "tiêu chí tasks còn thiếu"},
           Case{"'at most' is not a valid id (1..64 of A-Z a-z 0-9 . _ -)",
                "'at most' không phải mã hợp lệ (1..64 ký tự A-Z a-z 0-9 . _ -)"},
           Case{"member/m1: 11 votes and void rows, only 10 valid ballots (R-BAL-2)",
                "member/m1: 11 phiếu bầu và dòng bị hủy, trong khi chỉ có 10 phiếu hợp lệ (R-BAL-2)"},
           Case{"yearly or five_years", "yearly hoặc five_years"},
           Case{"requiredness", "requiredness"},  // Not a phrase: part of a longer word.
           Case{"", ""},
       }) {
    EXPECT_EQ(FieldDescriptionVi(c.english), c.vietnamese) << c.english;
  }
}

// A refusal notes its command's year: the ErrorInfo carries it unless it names one already.
TEST(ErrorDetailsTest, WithYearPutsTheYearInTheErrorInfo) {
  const ReadableDetails noted = Unpack(
      DetailsOf(WithYear(absl::NotFoundError("year 2031: no review period is open"), 2031)));
  EXPECT_EQ(noted.error_info->metadata().at("year"), "2031");
  const ReadableDetails field = Unpack(DetailsOf(WithYear(FieldRefusal("level", "unknown level"), 2025)));
  EXPECT_EQ(field.error_info->metadata().at("year"), "2025");
  EXPECT_EQ(field.error_info->metadata().at("field"), "level");
  const ReadableDetails kept = Unpack(DetailsOf(WithYear(
      RuleRefusal(absl::StatusCode::kFailedPrecondition, "R-DEC-2", {{"R-DEC-2", "member/m1", "x"}},
                  2024),
      2025)));
  EXPECT_EQ(kept.error_info->metadata().at("year"), "2024");
  EXPECT_TRUE(WithYear(absl::OkStatus(), 2025).ok());
  const ReadableDetails none = Unpack(DetailsOf(WithYear(absl::NotFoundError("x"), 0)));
  EXPECT_EQ(none.error_info->metadata().count("year"), 0u);
}

}  // namespace
}  // namespace rating::common
