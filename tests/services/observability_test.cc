// The access log's line format (escaping, fields) and the metrics server's address checks.
#include "services/observability.h"

#include <gtest/gtest.h>

#include "tests/testing/status_matchers.h"

namespace rating::services {
namespace {

using ::rating::testing::StatusIs;

TEST(AccessLogTest, ALineIsOneJsonObjectWithEveryFieldAndEscapedText) {
  RpcRecord record;
  record.method = "/rating.v1.AuditService/GetHead";
  record.principal = "a\"b\\c\nd\x01";
  record.code = grpc::StatusCode::PERMISSION_DENIED;
  record.latency = absl::Microseconds(1500);
  record.peer = "ipv4:127.0.0.1:5000";
  const std::string line = AccessLog::Line(record, absl::FromUnixSeconds(0));
  EXPECT_EQ(line,
            "{\"ts\":\"1970-01-01T00:00:00.000000Z\",\"method\":\"/rating.v1.AuditService/"
            "GetHead\",\"principal\":\"a\\\"b\\\\c\\nd\\u0001\",\"code\":\"PERMISSION_DENIED\","
            "\"latency_ms\":1.500,\"peer\":\"ipv4:127.0.0.1:5000\"}");
}

TEST(AccessLogTest, LongValuesAreCutAndNonAsciiBytesEscaped) {
  RpcRecord record;
  record.method = std::string(1000, 'x');
  record.principal = "\xc3\xa9";
  const std::string line = AccessLog::Line(record, absl::FromUnixSeconds(0));
  EXPECT_NE(line.find(std::string(256, 'x') + "\""), std::string::npos);
  EXPECT_EQ(line.find(std::string(257, 'x')), std::string::npos);
  EXPECT_NE(line.find("\"principal\":\"\\u00c3\\u00a9\""), std::string::npos) << line;
}

TEST(MetricsTest, AMalformedAddressIsRefused) {
  auto figures = [] { return ServerFigures(); };
  EXPECT_THAT(Metrics::Start("no-port", figures).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Metrics::Start("127.0.0.1:99999", figures).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace rating::services
