// `ratingctl verify --data_dir` and `ratingctl salvage`, run as the built binary on stores
// damaged behind their back: exit status, the first bad position, what is lost, a repaired
// copy that works, and the damaged store left exactly as it was.
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/clock.h"
#include "eventstore/rocksdb_event_store.h"
#include "tests/eventstore/raw_db.h"
#include "tests/eventstore/test_util.h"
#include "tests/testing/status_matchers.h"

namespace rating::eventstore {
namespace {

using ::rating::eventstore::testing::Event;
using ::rating::eventstore::testing::FileContaining;
using ::rating::eventstore::testing::FlipBitInFile;
using ::rating::eventstore::testing::NewTestDir;
using ::rating::eventstore::testing::RawDb;
using ::rating::eventstore::testing::ReadFileBytes;
using ::rating::testing::IsOk;
using ::rating::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

struct CommandRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr.
};

CommandRun Ratingctl(const std::vector<std::string>& args) {
  const std::string command =
      absl::StrCat("'", RATINGCTL_PATH, "' ", absl::StrJoin(args, " "), " 2>&1");
  CommandRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) run.output.append(buffer, n);
  const int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

// Every file under `dir` with its bytes: to show a command left the store untouched.
std::map<std::string, std::string> Snapshot(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) files[entry.path().string()] = ReadFileBytes(entry.path());
  }
  return files;
}

std::string PayloadOf(int i) { return absl::StrCat("payload of event ", i, "."); }

class OfflineCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = NewTestDir();
    out_ = NewTestDir();
  }
  void TearDown() override {
    std::filesystem::remove_all(dir_);
    std::filesystem::remove_all(out_);
  }

  // A store at dir_ with events 1..n, one append each; closed.
  void MakeStore(int n) {
    auto store = RocksDbEventStore::Open(dir_, clock_);
    ASSERT_THAT(store, IsOk());
    for (int i = 1; i <= n; ++i) {
      ASSERT_THAT(
          (*store)->Append(absl::StrCat("review-", i % 3), kExpectAny, {Event(PayloadOf(i))}),
          IsOk());
      hashes_.push_back((*store)->HeadHash());
    }
  }

  common::FakeClock clock_;
  std::string dir_;
  std::string out_;
  std::vector<std::string> hashes_;  // hashes_[p - 1]: hash of position p.
};

TEST_F(OfflineCommandsTest, VerifyOfAnIntactStoreIsOk) {
  MakeStore(10);
  const CommandRun run = Ratingctl({"verify", "--data_dir", dir_});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, AllOf(HasSubstr("chain: 10 events verified"),
                                HasSubstr("anchor check: OK"), HasSubstr("OK: nothing lost")));
}

TEST_F(OfflineCommandsTest, VerifyNamesTheFirstBadPositionOfAFlippedEvent) {
  MakeStore(10);
  {
    RawDb raw(dir_);
    ASSERT_TRUE(raw.status().ok()) << raw.status().ToString();
    std::string value = raw.GetEvent(5);
    value[value.find(PayloadOf(5)) + 2] ^= 0x01;
    raw.PutEvent(5, value);
  }
  const CommandRun run = Ratingctl({"verify", "--data_dir", dir_});
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_THAT(run.output, AllOf(HasSubstr("chain: BROKEN at position 5"),
                                HasSubstr("DAMAGED: first bad position 5")));
}

TEST_F(OfflineCommandsTest, VerifyOfADeletedTailNamesTheMissingPositions) {
  MakeStore(10);
  {
    RawDb raw(dir_);
    ASSERT_TRUE(raw.status().ok()) << raw.status().ToString();
    for (uint64_t p = 8; p <= 10; ++p) raw.DeleteEvent(p);
  }
  const CommandRun run = Ratingctl({"verify", "--data_dir", dir_});
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_THAT(run.output, AllOf(HasSubstr("head is position 7, behind its anchor at position 10"),
                                HasSubstr("DAMAGED: first bad position 8")));
}

TEST_F(OfflineCommandsTest, SalvageOfAFlippedWalReportsTheLossAndWritesTheIntactPrefix) {
  MakeStore(43);
  const std::string wal = FileContaining(dir_, ".log", PayloadOf(15));
  ASSERT_FALSE(wal.empty());
  ASSERT_TRUE(FlipBitInFile(wal, PayloadOf(15)));
  ASSERT_THAT(RocksDbEventStore::Open(dir_, clock_), StatusIs(absl::StatusCode::kDataLoss));
  const auto before = Snapshot(dir_);

  const CommandRun verify = Ratingctl({"verify", "--data_dir", dir_});
  EXPECT_EQ(verify.exit_code, 1) << verify.output;
  EXPECT_THAT(verify.output, AllOf(HasSubstr("write-ahead log: DAMAGED"),
                                   HasSubstr("DAMAGED: first bad position 15")));

  const CommandRun report = Ratingctl({"salvage", "--data_dir", dir_});
  EXPECT_EQ(report.exit_code, 1) << report.output;
  EXPECT_THAT(report.output,
              AllOf(HasSubstr("point-in-time recovery keeps positions 1..14"),
                    HasSubstr("anchor: position 43"), HasSubstr("intact prefix: positions 1..14"),
                    HasSubstr("lost from the chain: positions 15..43 (29 events), of which "
                              "15..43 were acknowledged"),
                    HasSubstr("still readable in the write-ahead log past the damage: "
                              "positions 16..43 (28 events; their hashes recompute"),
                    HasSubstr("unreadable anywhere: positions 15 (1 event)"),
                    HasSubstr("first bad position 15"), Not(HasSubstr("repaired copy:"))));
  EXPECT_FALSE(std::filesystem::exists(out_));

  const CommandRun repair = Ratingctl({"salvage", "--data_dir", dir_, "--write_to", out_});
  EXPECT_EQ(repair.exit_code, 1) << repair.output;
  EXPECT_THAT(repair.output, HasSubstr("repaired copy: " + out_ + " holds positions 1..14"));
  // The damaged store is exactly as it was: still refused, evidence intact.
  EXPECT_TRUE(Snapshot(dir_) == before) << "salvage wrote into the damaged store";
  EXPECT_THAT(RocksDbEventStore::Open(dir_, clock_), StatusIs(absl::StatusCode::kDataLoss));

  // The copy is a working store: the same first 14 events, anchored, verified, writable.
  auto copy = RocksDbEventStore::Open(out_, clock_);
  ASSERT_THAT(copy, IsOk());
  EXPECT_EQ((*copy)->HeadPosition(), 14u);
  EXPECT_EQ((*copy)->HeadHash(), hashes_[13]);
  auto verified = (*copy)->Verify(0, 0);
  ASSERT_THAT(verified, IsOk());
  EXPECT_TRUE(verified->ok) << verified->message;
  EXPECT_EQ((*copy)->open_report().anchor->position, 14u);
  EXPECT_THAT((*copy)->StreamVersion("review-1"), ::rating::eventstore::testing::IsOkAndHolds(5u));
  EXPECT_THAT((*copy)->Append("review-1", 5, {Event()}), IsOk());
  copy->reset();
  const CommandRun again = Ratingctl({"verify", "--data_dir", out_});
  EXPECT_EQ(again.exit_code, 0) << again.output;
}

TEST_F(OfflineCommandsTest, SalvageOfAFlippedTableBitCopiesUpToIt) {
  {
    auto store = RocksDbEventStore::Open(dir_, clock_);
    ASSERT_THAT(store, IsOk());
    for (int i = 1; i <= 10; ++i) {
      ASSERT_THAT((*store)->Append("review-1", kExpectAny,
                                   {Event(absl::StrCat(PayloadOf(i), common::RandomHex(3000)))}),
                  IsOk());
    }
  }
  {
    RawDb raw(dir_);
    ASSERT_TRUE(raw.status().ok()) << raw.status().ToString();
    raw.Flush();
  }
  const std::string table = FileContaining(dir_, ".sst", PayloadOf(6));
  ASSERT_FALSE(table.empty());
  ASSERT_TRUE(FlipBitInFile(table, PayloadOf(6)));

  const CommandRun run = Ratingctl({"salvage", "--data_dir", dir_, "--write_to", out_});
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_THAT(
      run.output,
      AllOf(HasSubstr("table files: DAMAGED"), HasSubstr("chain: BROKEN at position 6"),
            HasSubstr("lost from the chain: positions 6..10"), HasSubstr("holds positions 1..5")));
  auto copy = RocksDbEventStore::Open(out_, clock_);
  ASSERT_THAT(copy, IsOk());
  EXPECT_EQ((*copy)->HeadPosition(), 5u);
}

TEST_F(OfflineCommandsTest, SalvageOfAnIntactStoreLosesNothing) {
  MakeStore(5);
  const CommandRun run = Ratingctl({"salvage", "--data_dir", dir_, "--write_to", out_});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, AllOf(HasSubstr("lost: nothing"), HasSubstr("holds positions 1..5")));
}

TEST_F(OfflineCommandsTest, MissingStoreOrFlagIsAnError) {
  const CommandRun missing = Ratingctl({"verify", "--data_dir", dir_});
  EXPECT_EQ(missing.exit_code, 1) << missing.output;
  EXPECT_THAT(missing.output, HasSubstr("NOT_FOUND"));
  const CommandRun no_dir = Ratingctl({"salvage"});
  EXPECT_EQ(no_dir.exit_code, 2) << no_dir.output;
  EXPECT_THAT(no_dir.output, HasSubstr("salvage needs --data_dir DIR"));
}

}  // namespace
}  // namespace rating::eventstore
