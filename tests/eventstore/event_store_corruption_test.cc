// Damage done to stored events behind the store's back is found by Verify and reads.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/clock.h"
#include "common/crypto.h"
#include "eventstore/chain.h"
#include "eventstore/keys.h"
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
using ::rating::testing::IsOk;
using ::rating::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

class EventStoreCorruptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = NewTestDir();
    auto store = RocksDbEventStore::Open(dir_, clock_);
    ASSERT_THAT(store, IsOk());
    for (int i = 1; i <= 10; ++i) {
      ASSERT_THAT((*store)->Append("review-" + std::to_string(i % 3), kExpectAny,
                                   {Event("payload of event " + std::to_string(i))}),
                  IsOk());
    }
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void OpenStore() {
    auto store = RocksDbEventStore::Open(dir_, clock_);
    ASSERT_THAT(store, IsOk());
    store_ = *std::move(store);
  }

  common::FakeClock clock_;
  std::string dir_;
  std::unique_ptr<RocksDbEventStore> store_;
};

TEST_F(EventStoreCorruptionTest, FlippedPayloadByteIsNamedByVerify) {
  {
    RawDb raw(dir_);
    ASSERT_TRUE(raw.status().ok()) << raw.status().ToString();
    std::string value = raw.GetEvent(5);
    const size_t at = value.find("payload of event 5");
    ASSERT_NE(at, std::string::npos);
    value[at + 3] ^= 0x01;
    raw.PutEvent(5, value);
  }
  OpenStore();
  auto result = store_->Verify(0, 0);
  ASSERT_THAT(result, IsOk());
  EXPECT_FALSE(result->ok);
  EXPECT_EQ(result->first_bad_position, 5u);
  EXPECT_EQ(result->checked, 4u);
  EXPECT_THAT(result->message, HasSubstr("position 5"));
  // The events after the damage still link to the stored hash, so a later range verifies.
  auto after = store_->Verify(6, 0);
  ASSERT_THAT(after, IsOk());
  EXPECT_TRUE(after->ok) << after->message;
}

TEST_F(EventStoreCorruptionTest, FlippedHashByteBreaksTheNextLink) {
  {
    RawDb raw(dir_);
    ASSERT_TRUE(raw.status().ok()) << raw.status().ToString();
    rating::v1::Envelope envelope;
    ASSERT_TRUE(envelope.ParseFromString(raw.GetEvent(3)));
    std::string hash = envelope.hash();
    hash[0] ^= 0x80;
    envelope.set_hash(hash);
    raw.PutEvent(3, envelope.SerializeAsString());
  }
  OpenStore();
  auto result = store_->Verify(0, 0);
  ASSERT_THAT(result, IsOk());
  EXPECT_FALSE(result->ok);
  EXPECT_EQ(result->first_bad_position, 3u);
}

TEST_F(EventStoreCorruptionTest, UnparseableEventIsDataLossOnReadAndNamedByVerify) {
  {
    RawDb raw(dir_);
    ASSERT_TRUE(raw.status().ok()) << raw.status().ToString();
    raw.PutEvent(4, std::string("\xff\xff\xff\xff", 4));
  }
  OpenStore();
  EXPECT_THAT(store_->ReadAll(1, 100),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("position 4")));
  EXPECT_THAT(store_->ReadStream("review-1", 0, Direction::kForward, 100),
              StatusIs(absl::StatusCode::kDataLoss));
  auto result = store_->Verify(0, 0);
  ASSERT_THAT(result, IsOk());
  EXPECT_FALSE(result->ok);
  EXPECT_EQ(result->first_bad_position, 4u);
}

TEST_F(EventStoreCorruptionTest, MissingEventIsNamedByVerify) {
  {
    RawDb raw(dir_);
    ASSERT_TRUE(raw.status().ok()) << raw.status().ToString();
    raw.DeleteEvent(7);
  }
  OpenStore();
  auto result = store_->Verify(0, 0);
  ASSERT_THAT(result, IsOk());
  EXPECT_FALSE(result->ok);
  EXPECT_EQ(result->first_bad_position, 7u);
}

TEST_F(EventStoreCorruptionTest, RewrittenEventWithItsOwnValidHashBreaksTheNextLink) {
  {
    RawDb raw(dir_);
    ASSERT_TRUE(raw.status().ok()) << raw.status().ToString();
    rating::v1::Envelope envelope;
    ASSERT_TRUE(envelope.ParseFromString(raw.GetEvent(4)));
    envelope.set_payload("rewritten");
    std::string scratch;
    envelope.set_hash(ComputeHash(envelope, &scratch));
    raw.PutEvent(4, envelope.SerializeAsString());
  }
  OpenStore();
  auto result = store_->Verify(0, 0);
  ASSERT_THAT(result, IsOk());
  EXPECT_FALSE(result->ok);
  // Event 4 is self-consistent; the first link that cannot hold is 5's.
  EXPECT_EQ(result->first_bad_position, 5u);
  EXPECT_THAT(result->message, HasSubstr("prev_hash"));
}

TEST_F(EventStoreCorruptionTest, UnparseableHeadFailsOpenWithDataLoss) {
  {
    RawDb raw(dir_);
    ASSERT_TRUE(raw.status().ok()) << raw.status().ToString();
    raw.PutEvent(10, "\xff");
  }
  EXPECT_THAT(RocksDbEventStore::Open(dir_, clock_), StatusIs(absl::StatusCode::kDataLoss));
}

// A bit flipped in a table file (not the WAL): block checksums catch it on every read path.
TEST(EventStoreTableCorruptionTest, FlippedTableBitIsDataLossNamingThePosition) {
  const std::string dir = NewTestDir();
  common::FakeClock clock;
  {
    auto store = RocksDbEventStore::Open(dir, clock);
    ASSERT_THAT(store, IsOk());
    for (int i = 1; i <= 10; ++i) {
      // Larger than a table block and incompressible: one event per block.
      ASSERT_THAT((*store)->Append(
                      "review-" + std::to_string(i % 3), kExpectAny,
                      {Event(absl::StrCat("payload of event ", i, ".", common::RandomHex(3000)))}),
                  IsOk());
    }
  }
  {
    RawDb raw(dir);
    ASSERT_TRUE(raw.status().ok()) << raw.status().ToString();
    raw.Flush();
  }
  const std::string table = FileContaining(dir, ".sst", "payload of event 5.");
  ASSERT_FALSE(table.empty());
  ASSERT_TRUE(FlipBitInFile(table, "payload of event 5."));

  auto store = RocksDbEventStore::Open(dir, clock);
  ASSERT_THAT(store, IsOk());
  EXPECT_THAT((*store)->ReadAll(1, 100),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr("position 5"), HasSubstr("checksum mismatch"))));
  EXPECT_THAT((*store)->ReadAll(5, 1), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT((*store)->ReadAll(6, 100), IsOk());
  EXPECT_THAT((*store)->ReadStream("review-2", 0, Direction::kForward, 100),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("position 5")));
  auto result = (*store)->Verify(0, 0);
  ASSERT_THAT(result, IsOk());
  EXPECT_FALSE(result->ok);
  EXPECT_EQ(result->first_bad_position, 5u);
  EXPECT_EQ(result->checked, 4u);
  EXPECT_THAT((*store)->VerifyFiles(), StatusIs(absl::StatusCode::kDataLoss));
  store->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace rating::eventstore
