// ServerProcess starts a child, reads its ready line, and stops it; a child that dies or stays
// silent is reported. The child is /bin/sh playing ratingd's part.
#include "cli/conformance/server_process.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace rating::cli {
namespace {

using ::testing::HasSubstr;

absl::StatusOr<std::unique_ptr<ServerProcess>> StartShell(const std::string& script,
                                                          absl::Duration timeout) {
  return ServerProcess::Start("/bin/sh", {"-c", script}, timeout);
}

TEST(ServerProcessTest, ReadyLineGivesTheAddress) {
  auto server = StartShell(
      "echo starting; echo 'ratingd listening on 127.0.0.1:43210'; echo after; exec sleep 60",
      absl::Seconds(20));
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_EQ((*server)->address(), "127.0.0.1:43210");
  EXPECT_TRUE((*server)->Running());
  EXPECT_TRUE((*server)->Stop().ok());  // sleep dies of SIGTERM: a clean stop.
  EXPECT_FALSE((*server)->Running());
}

TEST(ServerProcessTest, ChildExitingBeforeReadyIsUnavailable) {
  auto server = StartShell("echo oops; exit 3", absl::Seconds(20));
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(server.status().message()), HasSubstr("exited with code 3"));
}

TEST(ServerProcessTest, SilentChildTimesOut) {
  auto server = StartShell("exec sleep 60", absl::Milliseconds(200));
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), absl::StatusCode::kDeadlineExceeded);
}

TEST(ServerProcessTest, MissingBinaryIsNotFound) {
  auto server = ServerProcess::Start("/nonexistent/ratingd", {}, absl::Seconds(1));
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), absl::StatusCode::kNotFound);
}

TEST(ServerProcessTest, NonZeroExitOnStopIsReported) {
  auto server = StartShell(
      "trap 'exit 4' TERM; echo 'ratingd listening on 127.0.0.1:1'; while :; do sleep 0.05; done",
      absl::Seconds(20));
  ASSERT_TRUE(server.ok()) << server.status();
  absl::Status stopped = (*server)->Stop();
  EXPECT_EQ(stopped.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(stopped.message()), HasSubstr("exited with code 4"));
}

}  // namespace
}  // namespace rating::cli
