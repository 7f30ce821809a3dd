// The head anchor and strict WAL recovery: a store never comes back silently shorter than it
// was. A flipped WAL bit, a deleted tail, a rewritten suffix or a deleted anchor make Open
// refuse with DATA_LOSS naming the positions; a torn write past the anchor (never
// acknowledged) is dropped and reported; a store ahead of its anchor moves the anchor.
#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/clock.h"
#include "eventstore/anchor.h"
#include "eventstore/chain.h"
#include "eventstore/rocksdb_event_store.h"
#include "tests/eventstore/raw_db.h"
#include "tests/eventstore/test_util.h"
#include "tests/testing/status_matchers.h"

namespace rating::eventstore {
namespace {

using ::rating::eventstore::testing::Event;
using ::rating::eventstore::testing::FileContaining;
using ::rating::eventstore::testing::FilesEndingIn;
using ::rating::eventstore::testing::FlipBitInFile;
using ::rating::eventstore::testing::IsOkAndHolds;
using ::rating::eventstore::testing::NewTestDir;
using ::rating::eventstore::testing::RawDb;
using ::rating::eventstore::testing::ReadFileBytes;
using ::rating::eventstore::testing::WriteFileBytes;
using ::rating::testing::IsOk;
using ::rating::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string PayloadOf(int i) { return absl::StrCat("payload of event ", i, "."); }

class EventStoreAnchorTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = NewTestDir(); }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
    for (const std::string& d : extra_dirs_) std::filesystem::remove_all(d);
  }

  absl::StatusOr<std::unique_ptr<RocksDbEventStore>> Open() {
    store_.reset();
    return RocksDbEventStore::Open(dir_, clock_);
  }

  void OpenStore() {
    auto store = Open();
    ASSERT_THAT(store, IsOk());
    store_ = *std::move(store);
  }

  // Appends events `from`..`to` one append (one WAL record, one anchor write) each.
  void AppendEvents(int from, int to) {
    for (int i = from; i <= to; ++i) {
      ASSERT_THAT(store_->Append(absl::StrCat("review-", i % 3), kExpectAny, {Event(PayloadOf(i))}),
                  IsOk());
    }
  }

  std::string AnchorPath() const { return dir_ + "/" + AnchorFile::kFileName; }

  std::string ExtraDir() {
    extra_dirs_.push_back(NewTestDir());
    return extra_dirs_.back();
  }

  common::FakeClock clock_;
  std::string dir_;
  std::vector<std::string> extra_dirs_;
  std::unique_ptr<RocksDbEventStore> store_;
};

TEST_F(EventStoreAnchorTest, EveryAcknowledgedAppendIsAnchored) {
  OpenStore();
  AppendEvents(1, 7);
  auto anchor = AnchorFile::Read(dir_);
  ASSERT_THAT(anchor, IsOk());
  ASSERT_TRUE(anchor->has_value());
  EXPECT_EQ((*anchor)->position, 7u);
  EXPECT_EQ((*anchor)->hash, store_->HeadHash());
  EXPECT_EQ(store_->open_report().anchor_marker, (*anchor)->anchor_id);
  store_.reset();
  OpenStore();
  EXPECT_THAT(store_->open_report().notes, IsEmpty());
  EXPECT_EQ(store_->HeadPosition(), 7u);
}

// Concurrent appends share group commits: once an append returns, however its group was
// formed, the anchor and the visible head are at or past it.
TEST_F(EventStoreAnchorTest, ConcurrentAppendsAreAnchoredAndVisibleWhenAcknowledged) {
  OpenStore();
  constexpr int kThreads = 8;
  constexpr int kPerThread = 40;
  std::atomic<int> behind{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto appended = store_->Append(absl::StrCat("review-", t), kExpectAny,
                                       {Event(PayloadOf(t * kPerThread + i))});
        if (!appended.ok()) {
          failed.fetch_add(1);
          continue;
        }
        const uint64_t mine = appended->positions.back();
        auto anchor = AnchorFile::Read(dir_);
        if (!anchor.ok() || !anchor->has_value() || (*anchor)->position < mine ||
            store_->HeadPosition() < mine) {
          behind.fetch_add(1);
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(behind.load(), 0) << "appends acknowledged before their group was anchored";
  auto anchor = AnchorFile::Read(dir_);
  ASSERT_THAT(anchor, IsOk());
  ASSERT_TRUE(anchor->has_value());
  EXPECT_EQ(store_->HeadPosition(), static_cast<uint64_t>(kThreads * kPerThread));
  EXPECT_EQ((*anchor)->position, store_->HeadPosition());
  EXPECT_EQ((*anchor)->hash, store_->HeadHash());
  store_.reset();
  OpenStore();
  EXPECT_THAT(store_->open_report().notes, IsEmpty());
  EXPECT_EQ(store_->HeadPosition(), static_cast<uint64_t>(kThreads * kPerThread));
}

// The auditor's fault: one flipped WAL bit made the store come back at 14 instead of 43, and
// the next appends reused positions 15 and up.
TEST_F(EventStoreAnchorTest, FlippedWalBitRefusesOpenNamingWhatWouldBeLost) {
  OpenStore();
  AppendEvents(1, 43);
  store_.reset();
  const std::string wal = FileContaining(dir_, ".log", PayloadOf(15));
  ASSERT_FALSE(wal.empty());
  ASSERT_TRUE(FlipBitInFile(wal, PayloadOf(15)));

  const auto refused =
      AllOf(HasSubstr("write-ahead log is damaged"),
            HasSubstr("dropping"),  // RocksDB's word, naming the WAL file.
            HasSubstr("recovery would keep positions 1..14"),
            HasSubstr("WAL still holds intact events up to position 43"),
            HasSubstr("anchor is at position 43"), HasSubstr("events 15..43 would be lost"));
  EXPECT_THAT(Open(), StatusIs(absl::StatusCode::kDataLoss, refused));
  // Refusing changed nothing: the evidence is still there, and the answer stays the same.
  EXPECT_TRUE(FilesEndingIn(dir_, ".log").size() >= 1);
  EXPECT_THAT(Open(), StatusIs(absl::StatusCode::kDataLoss, refused));

  // A read-only look (what salvage does) sees what point-in-time recovery would keep.
  RocksDbEventStore::Options look;
  look.read_only = true;
  look.wal_recovery = WalRecovery::kPointInTime;
  look.enforce_anchor = false;
  auto kept = RocksDbEventStore::Open(dir_, clock_, look);
  ASSERT_THAT(kept, IsOk());
  EXPECT_EQ((*kept)->HeadPosition(), 14u);
  EXPECT_THAT((*kept)->open_report().anchor_problem,
              HasSubstr("head is position 14, behind its anchor at position 43"));
}

TEST_F(EventStoreAnchorTest, TornWalTailPastTheAnchorIsDroppedAndReported) {
  OpenStore();
  AppendEvents(1, 10);
  const std::string anchor_at_10 = ReadFileBytes(AnchorPath());
  ASSERT_THAT(store_->Append("review-1", kExpectAny, {Event(std::string(100000, 't'))}), IsOk());
  store_.reset();
  // A crash tore the last WAL record before it was synced, so it was never acknowledged nor
  // anchored: cut the record and put back the anchor of that moment.
  const std::vector<std::string> wals = FilesEndingIn(dir_, ".log");
  ASSERT_FALSE(wals.empty());
  std::filesystem::resize_file(wals.back(), std::filesystem::file_size(wals.back()) - 5000);
  WriteFileBytes(AnchorPath(), anchor_at_10);

  OpenStore();
  EXPECT_EQ(store_->HeadPosition(), 10u);
  ASSERT_THAT(store_->open_report().notes,
              ElementsAre(AllOf(HasSubstr("damaged past the anchored position 10"),
                                HasSubstr("recovered to position 10"), HasSubstr("kept in"))));
  bool kept = false;
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    if (entry.path().filename().string().rfind("wal-damaged-", 0) == 0) {
      kept = !FilesEndingIn(entry.path().string(), ".log").empty();
    }
  }
  EXPECT_TRUE(kept) << "the damaged WAL was not kept";
  // The store goes on from 10, and reopens strictly.
  EXPECT_THAT(store_->Append("review-1", kExpectAny, {Event()}), IsOk());
  EXPECT_EQ(store_->HeadPosition(), 11u);
  store_.reset();
  OpenStore();
  EXPECT_EQ(store_->HeadPosition(), 11u);
  auto verify = store_->Verify(0, 0);
  ASSERT_THAT(verify, IsOk());
  EXPECT_TRUE(verify->ok) << verify->message;
}

TEST_F(EventStoreAnchorTest, TruncatedWalBeforeTheAnchorIsDataLoss) {
  OpenStore();
  AppendEvents(1, 10);
  store_.reset();
  const std::string wal = FileContaining(dir_, ".log", PayloadOf(10));
  ASSERT_FALSE(wal.empty());
  // Cut into the last (acknowledged, anchored) record.
  std::filesystem::resize_file(wal, std::filesystem::file_size(wal) - 20);
  EXPECT_THAT(Open(), StatusIs(absl::StatusCode::kDataLoss,
                               AllOf(HasSubstr("1..9"), HasSubstr("anchor is at position 10"))));
}

TEST_F(EventStoreAnchorTest, StoreAheadOfItsAnchorMovesTheAnchor) {
  OpenStore();
  AppendEvents(1, 10);
  const std::string anchor_at_10 = ReadFileBytes(AnchorPath());
  AppendEvents(11, 15);
  store_.reset();
  // A crash between the WAL sync and the anchor write.
  WriteFileBytes(AnchorPath(), anchor_at_10);

  OpenStore();
  EXPECT_EQ(store_->HeadPosition(), 15u);
  EXPECT_THAT(store_->open_report().notes,
              ElementsAre(HasSubstr("ahead of its anchor (position 15, anchored 10)")));
  auto anchor = AnchorFile::Read(dir_);
  ASSERT_THAT(anchor, IsOk());
  EXPECT_EQ((*anchor)->position, 15u);
  EXPECT_EQ((*anchor)->hash, store_->HeadHash());
}

TEST_F(EventStoreAnchorTest, DeletedTailIsRefusedNamingBothPositions) {
  OpenStore();
  AppendEvents(1, 10);
  store_.reset();
  {
    RawDb raw(dir_);
    ASSERT_TRUE(raw.status().ok()) << raw.status().ToString();
    for (uint64_t p = 8; p <= 10; ++p) raw.DeleteEvent(p);
  }
  EXPECT_THAT(Open(), StatusIs(absl::StatusCode::kDataLoss,
                               AllOf(HasSubstr("head is position 7"),
                                     HasSubstr("behind its anchor at position 10"),
                                     HasSubstr("events 8..10 are missing"))));
}

TEST_F(EventStoreAnchorTest, RewrittenSuffixWithValidHashesIsCaughtByTheAnchor) {
  OpenStore();
  AppendEvents(1, 10);
  store_.reset();
  {
    // Rewrite 6..10 with other payloads and recompute every hash: the chain verifies.
    RawDb raw(dir_);
    ASSERT_TRUE(raw.status().ok()) << raw.status().ToString();
    rating::v1::Envelope prev;
    ASSERT_TRUE(prev.ParseFromString(raw.GetEvent(5)));
    std::string scratch;
    for (uint64_t p = 6; p <= 10; ++p) {
      rating::v1::Envelope e;
      ASSERT_TRUE(e.ParseFromString(raw.GetEvent(p)));
      e.set_payload("forged");
      e.set_prev_hash(prev.hash());
      e.set_hash(ComputeHash(e, &scratch));
      raw.PutEvent(p, e.SerializeAsString());
      prev = e;
    }
  }
  EXPECT_THAT(Open(),
              StatusIs(absl::StatusCode::kDataLoss, AllOf(HasSubstr("anchored position 10"),
                                                          HasSubstr("the log was rewritten"))));
  // The chain alone cannot tell (what the anchor is for).
  RocksDbEventStore::Options look;
  look.read_only = true;
  look.enforce_anchor = false;
  auto forged = RocksDbEventStore::Open(dir_, clock_, look);
  ASSERT_THAT(forged, IsOk());
  auto verify = (*forged)->Verify(0, 0);
  ASSERT_THAT(verify, IsOk());
  EXPECT_TRUE(verify->ok);
}

TEST_F(EventStoreAnchorTest, DeletedAnchorIsRefused) {
  OpenStore();
  AppendEvents(1, 10);
  store_.reset();
  std::filesystem::remove(AnchorPath());
  EXPECT_THAT(Open(),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr("ANCHOR is missing"), HasSubstr("the store was anchored"),
                             HasSubstr("head is position 10"))));
}

TEST_F(EventStoreAnchorTest, StoreThatWasNeverAnchoredIsAnchoredAtOpen) {
  OpenStore();
  AppendEvents(1, 10);
  store_.reset();
  // A store from before anchors: no ANCHOR file and no anchor id inside.
  std::filesystem::remove(AnchorPath());
  {
    RawDb raw(dir_);
    ASSERT_TRUE(raw.status().ok()) << raw.status().ToString();
    raw.DeleteMetadata("anchor_id");
  }
  OpenStore();
  EXPECT_THAT(store_->open_report().notes,
              ElementsAre(HasSubstr("never been anchored; anchored at position 10")));
  auto anchor = AnchorFile::Read(dir_);
  ASSERT_THAT(anchor, IsOk());
  ASSERT_TRUE(anchor->has_value());
  EXPECT_EQ((*anchor)->position, 10u);
  // From now on a deleted anchor is caught.
  store_.reset();
  std::filesystem::remove(AnchorPath());
  EXPECT_THAT(Open(), StatusIs(absl::StatusCode::kDataLoss, HasSubstr("ANCHOR is missing")));
}

TEST_F(EventStoreAnchorTest, AnchorOfAnotherStoreIsRefused) {
  OpenStore();
  AppendEvents(1, 3);
  store_.reset();
  const std::string other = ExtraDir();
  {
    auto store = RocksDbEventStore::Open(other, clock_);
    ASSERT_THAT(store, IsOk());
    ASSERT_THAT((*store)->Append("s", kExpectAny, {Event(), Event(), Event(), Event()}), IsOk());
  }
  std::filesystem::copy_file(other + "/ANCHOR", AnchorPath(),
                             std::filesystem::copy_options::overwrite_existing);
  EXPECT_THAT(Open(), StatusIs(absl::StatusCode::kDataLoss,
                               HasSubstr("the anchor belongs to another store")));
}

TEST_F(EventStoreAnchorTest, TornAnchorWriteFallsBackToTheOlderSlot) {
  OpenStore();
  AppendEvents(1, 4);
  store_.reset();
  auto before = AnchorFile::Read(dir_);
  ASSERT_THAT(before, IsOk());
  ASSERT_EQ((*before)->position, 4u);
  // Tear the newest slot (generation 5 holds position 4; slots alternate by generation).
  std::string bytes = ReadFileBytes(AnchorPath());
  const size_t slot = ((*before)->generation % 2) * 4096;
  bytes[slot + 40] ^= 0x01;
  WriteFileBytes(AnchorPath(), bytes);
  auto after = AnchorFile::Read(dir_);
  ASSERT_THAT(after, IsOk());
  EXPECT_EQ((*after)->position, 3u);
  EXPECT_EQ((*after)->generation, (*before)->generation - 1);
  // The store is one append ahead of that: fine, and the anchor catches up.
  OpenStore();
  EXPECT_EQ(store_->HeadPosition(), 4u);
  EXPECT_EQ((*AnchorFile::Read(dir_))->position, 4u);
}

TEST_F(EventStoreAnchorTest, LastVerifiedSurvivesReopenAndVerifyTailChecksOnlyTheRest) {
  OpenStore();
  AppendEvents(1, 6);
  auto first = VerifyTail(*store_);
  ASSERT_THAT(first, IsOk());
  EXPECT_TRUE(first->ok);
  EXPECT_EQ(first->checked, 6u);
  AppendEvents(7, 9);
  store_.reset();
  OpenStore();
  auto mark = store_->LastVerified();
  ASSERT_THAT(mark, IsOk());
  ASSERT_TRUE(mark->has_value());
  EXPECT_EQ((*mark)->first, 6u);
  auto tail = VerifyTail(*store_);
  ASSERT_THAT(tail, IsOk());
  EXPECT_TRUE(tail->ok) << tail->message;
  EXPECT_EQ(tail->checked, 3u);  // 7..9 only.
  EXPECT_THAT(store_->LastVerified(),
              IsOkAndHolds(::testing::Optional(::testing::Pair(9u, store_->HeadHash()))));
}

TEST_F(EventStoreAnchorTest, VerifyTailNamesAVerifiedEventThatWasRewritten) {
  OpenStore();
  AppendEvents(1, 9);
  ASSERT_THAT(store_->RecordVerified(5), IsOk());
  store_.reset();
  {
    // Rewrite the verified event 5 with a hash of its own: the mark names 5 itself.
    RawDb raw(dir_);
    ASSERT_TRUE(raw.status().ok()) << raw.status().ToString();
    rating::v1::Envelope e;
    ASSERT_TRUE(e.ParseFromString(raw.GetEvent(5)));
    std::string scratch;
    e.set_payload("forged");
    e.set_hash(ComputeHash(e, &scratch));
    raw.PutEvent(5, e.SerializeAsString());
  }
  OpenStore();
  auto tail = VerifyTail(*store_);
  ASSERT_THAT(tail, IsOk());
  EXPECT_FALSE(tail->ok);
  EXPECT_EQ(tail->first_bad_position, 5u);
  EXPECT_THAT(tail->message, HasSubstr("differs from the hash verified earlier"));
  // A failure is not recorded as verified.
  auto mark = store_->LastVerified();
  ASSERT_THAT(mark, IsOk());
  ASSERT_TRUE(mark->has_value());
  EXPECT_EQ((*mark)->first, 5u);
}

}  // namespace
}  // namespace rating::eventstore
