// Crash recovery: a child process appends batches and is SIGKILLed at a random moment
// (after a random number of acknowledgements); after reopening, every acknowledged event is
// present and intact, no batch is visible in part, and the hash chain verifies.
// RATING_CRASH_ROUNDS sets the number of kills (default 5).
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "common/clock.h"
#include "eventstore/rocksdb_event_store.h"
#include "tests/eventstore/test_util.h"
#include "tests/testing/status_matchers.h"

namespace rating::eventstore {
namespace {

using ::rating::eventstore::testing::NewTestDir;
using ::rating::testing::IsOk;

int Rounds() {
  const char* env = std::getenv("RATING_CRASH_ROUNDS");
  int rounds = 0;
  if (env != nullptr && absl::SimpleAtoi(env, &rounds) && rounds > 0) return rounds;
  return 5;
}

// Runs the child on `dir`, kills it after `acks_before_kill` acknowledgements and returns
// the highest acknowledged position (including acks already in the pipe when it died).
uint64_t RunAndKill(const std::string& dir, int acks_before_kill) {
  int fds[2];
  if (pipe(fds) != 0) {
    ADD_FAILURE() << "pipe failed";
    return 0;
  }
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    execl(RATING_CRASH_CHILD, RATING_CRASH_CHILD, dir.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  uint64_t max_acked = 0;
  int acks = 0;
  bool killed = false;
  std::string pending;
  char buf[4096];
  while (true) {
    const ssize_t n = read(fds[0], buf, sizeof(buf));
    if (n <= 0) break;  // EOF: the child is gone and the pipe is drained.
    pending.append(buf, static_cast<size_t>(n));
    size_t newline;
    while ((newline = pending.find('\n')) != std::string::npos) {
      uint64_t position = 0;
      EXPECT_TRUE(absl::SimpleAtoi(pending.substr(0, newline), &position));
      max_acked = std::max(max_acked, position);
      pending.erase(0, newline + 1);
      ++acks;
    }
    if (!killed && acks >= acks_before_kill) {
      kill(pid, SIGKILL);
      killed = true;
    }
  }
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(killed) << "child exited on its own, status " << status;
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "status " << status;
  return max_acked;
}

// Checks the store at `dir` against what was acknowledged.
void CheckRecovered(const std::string& dir, uint64_t max_acked) {
  common::FakeClock clock;
  auto store = RocksDbEventStore::Open(dir, clock);
  ASSERT_THAT(store, IsOk());
  const uint64_t head = (*store)->HeadPosition();
  ASSERT_GE(head, max_acked) << "acknowledged events are missing";

  struct Batch {
    size_t size = 0;
    std::vector<uint64_t> positions;
    std::vector<size_t> indexes;
  };
  std::map<std::string, Batch> batches;
  uint64_t next = 1;
  while (next <= head) {
    auto page = (*store)->ReadAll(next, 1000);
    ASSERT_THAT(page, IsOk());
    ASSERT_FALSE(page->empty());
    for (const auto& e : *page) {
      ASSERT_EQ(e.position(), next);
      ++next;
      std::vector<std::string> words = absl::StrSplit(e.payload(), ' ');
      ASSERT_GE(words.size(), 6u) << e.payload();
      Batch& batch = batches[words[1]];
      ASSERT_TRUE(absl::SimpleAtoi(words[3], &batch.size));
      size_t index = 0;
      ASSERT_TRUE(absl::SimpleAtoi(words[5], &index));
      batch.positions.push_back(e.position());
      batch.indexes.push_back(index);
    }
  }
  for (const auto& [id, batch] : batches) {
    ASSERT_EQ(batch.positions.size(), batch.size) << "batch " << id << " is not whole";
    for (size_t j = 0; j < batch.size; ++j) {
      EXPECT_EQ(batch.indexes[j], j) << "batch " << id;
      EXPECT_EQ(batch.positions[j], batch.positions[0] + j) << "batch " << id;
    }
  }
  auto verify = (*store)->Verify(0, 0);
  ASSERT_THAT(verify, IsOk());
  EXPECT_TRUE(verify->ok) << verify->message;
  EXPECT_EQ(verify->checked, head);
}

TEST(EventStoreCrashTest, AcknowledgedBatchesSurviveSigkillWholeAndChained) {
  const std::string dir = NewTestDir();
  const unsigned seed = std::random_device()();
  SCOPED_TRACE(::testing::Message() << "seed " << seed);
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> acks(1, 60);
  uint64_t max_acked = 0;
  const int rounds = Rounds();
  for (int round = 0; round < rounds; ++round) {
    SCOPED_TRACE(::testing::Message() << "round " << round);
    max_acked = std::max(max_acked, RunAndKill(dir, acks(rng)));
    ASSERT_NO_FATAL_FAILURE(CheckRecovered(dir, max_acked));
    if (::testing::Test::HasFailure()) break;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace rating::eventstore
