// A full disk: appends are refused with RESOURCE_EXHAUSTED and nothing is half-written, reads
// keep working, writes resume once space returns (without a restart where RocksDB 7.8 allows
// it), and a store opened on a full disk serves reads. Each test runs on its own 8 MiB tmpfs;
// without root or where mounting is not allowed (CI) the tests are skipped.
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/clock.h"
#include "eventstore/info_log.h"
#include "eventstore/rocksdb_event_store.h"
#include "rocksdb/db.h"
#include "rocksdb/listener.h"
#include "tests/eventstore/test_util.h"
#include "tests/testing/status_matchers.h"

namespace rating::eventstore {
namespace {

using ::rating::eventstore::testing::Event;
using ::rating::eventstore::testing::NewTestDir;
using ::rating::testing::IsOk;
using ::rating::testing::StatusIs;
using ::testing::HasSubstr;

class EventStoreDiskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mount_ = NewTestDir();
    std::filesystem::create_directories(mount_);
    if (geteuid() != 0) GTEST_SKIP() << "mounting a tmpfs needs root";
    if (mount("tmpfs", mount_.c_str(), "tmpfs", 0, "size=8m") != 0) {
      GTEST_SKIP() << "cannot mount a tmpfs at " << mount_ << ": " << std::strerror(errno)
                   << " (mounts not allowed here)";
    }
    mounted_ = true;
    dir_ = mount_ + "/store";
  }

  void TearDown() override {
    store_.reset();
    if (mounted_) umount2(mount_.c_str(), MNT_DETACH);
    std::filesystem::remove_all(mount_);
  }

  static RocksDbEventStore::Options SmallOptions(uint64_t min_free_bytes) {
    RocksDbEventStore::Options options;
    options.write_buffer_bytes = 1 << 20;
    options.block_cache_bytes = 1 << 20;
    options.min_free_bytes = min_free_bytes;
    return options;
  }

  void OpenStore(const RocksDbEventStore::Options& options) {
    store_.reset();
    auto store = RocksDbEventStore::Open(dir_, clock_, options);
    ASSERT_THAT(store, IsOk());
    store_ = *std::move(store);
  }

  uint64_t FreeBytes() const {
    struct statvfs st;
    if (statvfs(mount_.c_str(), &st) != 0) return 0;
    return static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
  }

  // Writes filler files until at most `leave` bytes are free (or the disk is full).
  void Fill(uint64_t leave) {
    const std::string chunk(16 << 10, 'f');
    int fd = -1;
    while (FreeBytes() > leave) {
      if (fd < 0) {
        fd = open(absl::StrCat(mount_, "/filler.", fillers_++).c_str(),
                  O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        ASSERT_GE(fd, 0) << std::strerror(errno);
      }
      const uint64_t free_bytes = FreeBytes();
      const size_t n = std::min<uint64_t>(chunk.size(), free_bytes - leave);
      if (write(fd, chunk.data(), std::max<size_t>(n, 1)) <= 0) break;  // ENOSPC: full.
    }
    if (fd >= 0) close(fd);
  }

  void Unfill() {
    for (int i = 0; i < fillers_; ++i) std::filesystem::remove(absl::StrCat(mount_, "/filler.", i));
    fillers_ = 0;
  }

  // Appends one event of ~2 KB; returns its position or the error.
  absl::StatusOr<uint64_t> AppendOne() {
    auto result = store_->Append("review-1", kExpectAny, {Event(std::string(2000, 'p'))});
    if (!result.ok()) return result.status();
    return result->positions.back();
  }

  // Every event 1..head reads back and the chain verifies.
  void ExpectIntact(uint64_t head) {
    EXPECT_EQ(store_->HeadPosition(), head);
    auto all = store_->ReadAll(1, head + 10);
    ASSERT_THAT(all, IsOk());
    ASSERT_EQ(all->size(), head);
    auto verify = store_->Verify(0, 0);
    ASSERT_THAT(verify, IsOk());
    EXPECT_TRUE(verify->ok) << verify->message;
    EXPECT_EQ(verify->checked, head);
  }

  common::FakeClock clock_;
  std::string mount_;
  std::string dir_;
  bool mounted_ = false;
  int fillers_ = 0;
  std::unique_ptr<RocksDbEventStore> store_;
};

TEST_F(EventStoreDiskTest, AppendBelowTheReserveIsResourceExhaustedAndResumesWithoutRestart) {
  OpenStore(SmallOptions(/*min_free_bytes=*/1 << 20));
  for (int i = 0; i < 20; ++i) ASSERT_THAT(AppendOne(), IsOk());
  ASSERT_NO_FATAL_FAILURE(Fill(/*leave=*/512 << 10));

  EXPECT_THAT(AppendOne(), StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("reserve")));
  EXPECT_THAT(store_->RecordVerified(20), StatusIs(absl::StatusCode::kResourceExhausted));
  // Nothing was written, and reads go on.
  ASSERT_NO_FATAL_FAILURE(ExpectIntact(20));
  EXPECT_THAT(store_->ReadStream("review-1", 1, Direction::kForward, 100), IsOk());

  Unfill();
  EXPECT_THAT(AppendOne(), ::rating::eventstore::testing::IsOkAndHolds(21u));
  OpenStore(SmallOptions(1 << 20));
  ASSERT_NO_FATAL_FAILURE(ExpectIntact(21));
}

TEST_F(EventStoreDiskTest, RocksDbOutOfSpaceIsResourceExhaustedNeverAnAbort) {
  // The reserve is off, so RocksDB itself runs into ENOSPC (as when another process takes
  // the last bytes between the check and the write).
  OpenStore(SmallOptions(/*min_free_bytes=*/0));
  ASSERT_NO_FATAL_FAILURE(Fill(/*leave=*/1 << 20));
  uint64_t acked = 0;
  absl::Status failure;
  for (int i = 0; i < 5000 && failure.ok(); ++i) {
    absl::StatusOr<uint64_t> position = AppendOne();
    if (position.ok()) {
      acked = *position;
    } else {
      failure = position.status();
    }
  }
  ASSERT_FALSE(failure.ok()) << "the disk never filled up";
  EXPECT_THAT(failure, StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("No space")));
  // Nothing half-written is visible; reads go on.
  ASSERT_NO_FATAL_FAILURE(ExpectIntact(acked));

  Unfill();
  absl::StatusOr<uint64_t> after = AppendOne();
  if (after.ok()) {
    // Resumed without a restart (DB::Resume()).
    EXPECT_EQ(*after, acked + 1);
    acked = *after;
  } else {
    // RocksDB 7.8 cannot resume from a failed write into a fresh WAL: fenced until restart.
    EXPECT_THAT(after, StatusIs(absl::StatusCode::kUnavailable, HasSubstr("restart")));
  }
  ASSERT_NO_FATAL_FAILURE(ExpectIntact(acked));
  // A restart recovers every acknowledged event and writes again.
  OpenStore(SmallOptions(0));
  ASSERT_NO_FATAL_FAILURE(ExpectIntact(acked));
  EXPECT_THAT(AppendOne(), ::rating::eventstore::testing::IsOkAndHolds(acked + 1));
}

TEST_F(EventStoreDiskTest, FailedWriteIntoAFreshWalFencesAppendsUntilRestart) {
  OpenStore(SmallOptions(0));
  for (int i = 0; i < 5; ++i) ASSERT_THAT(AppendOne(), IsOk());
  store_.reset();
  // Room for the open's own small writes but not for preallocating the new WAL, whose first
  // write then fails with every memtable empty (the WAL was flushed at open).
  ASSERT_NO_FATAL_FAILURE(Fill(/*leave=*/256 << 10));
  OpenStore(SmallOptions(0));
  ASSERT_FALSE(store_->IsReadOnly());
  ASSERT_NO_FATAL_FAILURE(Fill(/*leave=*/0));
  EXPECT_THAT(AppendOne(), StatusIs(absl::StatusCode::kResourceExhausted));

  Unfill();
  EXPECT_THAT(AppendOne(), StatusIs(absl::StatusCode::kUnavailable, HasSubstr("restart")));
  ASSERT_NO_FATAL_FAILURE(ExpectIntact(5));
  OpenStore(SmallOptions(0));
  ASSERT_NO_FATAL_FAILURE(ExpectIntact(5));
  EXPECT_THAT(AppendOne(), ::rating::eventstore::testing::IsOkAndHolds(6u));
}

TEST_F(EventStoreDiskTest, OpenOnAFullDiskServesReads) {
  OpenStore(SmallOptions(1 << 20));
  for (int i = 0; i < 10; ++i) ASSERT_THAT(AppendOne(), IsOk());
  store_.reset();
  ASSERT_NO_FATAL_FAILURE(Fill(/*leave=*/0));

  OpenStore(SmallOptions(1 << 20));
  ASSERT_NO_FATAL_FAILURE(ExpectIntact(10));
  EXPECT_THAT(AppendOne(), StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_TRUE(store_->IsReadOnly()) << "a full disk cannot take RocksDB's open";
  EXPECT_THAT(store_->open_report().read_only_reason, HasSubstr("full"));

  store_.reset();
  Unfill();
  OpenStore(SmallOptions(1 << 20));
  EXPECT_FALSE(store_->IsReadOnly());
  EXPECT_THAT(AppendOne(), ::rating::eventstore::testing::IsOkAndHolds(11u));
}

// Runs `body` in a child process with a private mount namespace holding a fresh 8 MiB tmpfs
// at `dir` (gone with the child), for death tests that show what the packaged RocksDB does on
// a full disk. Skips unless root may mount.
bool CanMountTmpfs(std::string* why) {
  if (geteuid() != 0) {
    *why = "mounting a tmpfs needs root";
    return false;
  }
  const std::string probe = NewTestDir();
  std::filesystem::create_directories(probe);
  const bool ok = mount("tmpfs", probe.c_str(), "tmpfs", 0, "size=1m") == 0;
  if (ok) {
    umount2(probe.c_str(), MNT_DETACH);
  } else {
    *why = absl::StrCat("cannot mount a tmpfs: ", std::strerror(errno));
  }
  std::filesystem::remove_all(probe);
  return ok;
}

// In the death test's child: a private mount namespace and a tmpfs at a fresh directory.
std::string PrivateTmpfs() {
  if (unshare(CLONE_NEWNS) != 0 ||
      mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    std::fprintf(stderr, "private mount namespace: %s\n", std::strerror(errno));
    std::exit(3);
  }
  const std::string dir = absl::StrCat(::testing::TempDir(), "rating_es_death_", getpid());
  std::filesystem::create_directories(dir);
  if (mount("tmpfs", dir.c_str(), "tmpfs", 0, "size=8m") != 0) {
    std::fprintf(stderr, "mount %s: %s\n", dir.c_str(), std::strerror(errno));
    std::exit(3);
  }
  return dir;
}

// Fills the filesystem holding `dir` to the last byte.
void FillUp(const std::string& dir) {
  const int fd = open((dir + "/filler").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const std::string chunk(4096, 'f');
  while (write(fd, chunk.data(), chunk.size()) > 0) {
  }
  while (write(fd, chunk.data(), 1) > 0) {
  }
  close(fd);
}

// Turns off RocksDB's own recovery thread, as the store does, so DB::Resume() runs now.
class NoAutoRecovery final : public rocksdb::EventListener {
 public:
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status,
                            bool* auto_recovery) override {
    *auto_recovery = false;
  }
};

class EventStoreDiskDeathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    if (!CanMountTmpfs(&why)) GTEST_SKIP() << why << " (mounts not allowed here)";
    GTEST_FLAG_SET(death_test_style, "threadsafe");
  }
};

// Why the store brings its own info log: RocksDB 7.8's file logger, as packaged (assertions
// on), aborts on the first line after a failed write, and the info log shares the full disk.
TEST_F(EventStoreDiskDeathTest, PackagedRocksDbLoggerAbortsOnFullDisk) {
  EXPECT_DEATH(
      {
        const std::string dir = PrivateTmpfs();
        rocksdb::Options options;
        options.create_if_missing = true;
        rocksdb::DB* db = nullptr;
        rocksdb::Status opened = rocksdb::DB::Open(options, dir + "/raw", &db);
        if (!opened.ok()) {
          std::fprintf(stderr, "open: %s\n", opened.ToString().c_str());
          std::exit(3);
        }
        FillUp(dir);
        rocksdb::WriteOptions sync;
        sync.sync = true;
        // Every failed write and resume attempt logs; once the logger's buffer spills onto
        // the full disk, its next line asserts.
        for (int i = 0; i < 100000; ++i) {
          db->Put(sync, absl::StrCat("key", i), std::string(2000, 'v')).PermitUncheckedError();
          db->Resume().PermitUncheckedError();
        }
        std::exit(0);  // Not reached: the logger asserts.
      },
      "sync_without_flush_called_");
}

// Why a failed write into a fresh WAL fences appends until a restart (rather than
// DB::Resume()): Resume() flushes only non-empty memtables, so it keeps the failed WAL
// writer, and the next write through it asserts in RocksDB 7.8 as packaged.
TEST_F(EventStoreDiskDeathTest, PackagedRocksDbAssertsWritingAfterResumeFromAFreshWalFailure) {
  EXPECT_DEATH(
      {
        const std::string dir = PrivateTmpfs();
        rocksdb::Options options;
        options.create_if_missing = true;
        // Not RocksDB's logger (see the test above). The default 64 MiB write buffer makes
        // the WAL's preallocation fail on 8 MiB, so its first write meets the full disk.
        options.info_log = std::make_shared<FileInfoLog>("", 0, rocksdb::InfoLogLevel::INFO_LEVEL);
        options.listeners.push_back(std::make_shared<NoAutoRecovery>());
        rocksdb::DB* db = nullptr;
        rocksdb::Status opened = rocksdb::DB::Open(options, dir + "/raw", &db);
        if (!opened.ok()) {
          std::fprintf(stderr, "open: %s\n", opened.ToString().c_str());
          std::exit(3);
        }
        FillUp(dir);
        rocksdb::WriteOptions sync;
        sync.sync = true;
        if (db->Put(sync, "key", std::string(64 << 10, 'v')).ok()) std::exit(4);
        std::filesystem::remove(dir + "/filler");
        if (!db->Resume().ok()) std::exit(5);
        db->Put(sync, "key", "v").PermitUncheckedError();
        std::exit(0);  // Not reached.
      },
      "sync_without_flush_called_");
}

}  // namespace
}  // namespace rating::eventstore
