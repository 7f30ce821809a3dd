// ratingctl's rendering of a refusal's details (cli/client.h RefusalDetailsVi): what the server
// sent in grpc-status-details-bin, as a list in Vietnamese.
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "cli/client.h"
#include "common/error_details.h"
#include "common/grpc_status.h"

namespace rating::cli {
namespace {

std::string_view RuleNames(std::string_view rule_id) {
  return rule_id == "R-BAL-5" ? "Ở chi bộ cơ sở, kết quả bỏ phiếu là kết quả xếp loại đảng viên"
                              : "";
}

TEST(RefusalDetailsTest, ARuleRefusalIsListedInVietnamese) {
  const grpc::Status sent = common::ToGrpcStatus(
      common::RuleRefusal(absl::StatusCode::kFailedPrecondition, "member/m1: R-BAL-5 no tally",
                          {{"R-BAL-5", "member/m1", "no tally covers the subject"}}, 2025),
      &RuleNames);
  const std::vector<std::string> lines = RefusalDetailsVi(common::FromGrpcStatus(sent));
  ASSERT_GE(lines.size(), 3u);
  EXPECT_TRUE(absl::StartsWith(lines[0], "Quy định không cho phép")) << lines[0];
  bool named = false;
  bool coded = false;
  for (const std::string& line : lines) {
    named = named || absl::StrContains(line, "R-BAL-5 · member/m1: Ở chi bộ cơ sở");
    coded = coded || absl::StrContains(line, "mã lỗi: R-BAL-5");
  }
  EXPECT_TRUE(named);
  EXPECT_TRUE(coded);
}

TEST(RefusalDetailsTest, AStatusWithoutDetailsHasNoLines) {
  EXPECT_TRUE(RefusalDetailsVi(absl::NotFoundError("x")).empty());
}

}  // namespace
}  // namespace rating::cli
