// The RocksDB store beyond the shared contract: restarts, checkpoints, input checks.
#include "eventstore/rocksdb_event_store.h"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/clock.h"
#include "eventstore/event_store.h"
#include "tests/eventstore/test_util.h"
#include "tests/testing/status_matchers.h"

namespace rating::eventstore {
namespace {

using ::rating::eventstore::testing::Event;
using ::rating::eventstore::testing::IsOkAndHolds;
using ::rating::eventstore::testing::NewTestDir;
using ::rating::testing::IsOk;
using ::rating::testing::StatusIs;
using ::testing::HasSubstr;

class RocksDbEventStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = NewTestDir();
    Reopen();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
    for (const std::string& d : extra_dirs_) std::filesystem::remove_all(d);
  }

  void Reopen() {
    store_.reset();
    auto store = RocksDbEventStore::Open(dir_, clock_);
    ASSERT_THAT(store, IsOk());
    store_ = *std::move(store);
  }

  // A second fresh directory owned by this test.
  std::string ExtraDir() {
    extra_dirs_.push_back(NewTestDir());
    return extra_dirs_.back();
  }

  // Checks that the store holds nothing, also after a restart.
  void ExpectNothingWritten() {
    EXPECT_EQ(store_->HeadPosition(), 0u);
    Reopen();
    EXPECT_EQ(store_->HeadPosition(), 0u);
    auto all = store_->ReadAll(1, 10);
    ASSERT_THAT(all, IsOk());
    EXPECT_TRUE(all->empty());
  }

  common::FakeClock clock_;
  std::string dir_;
  std::vector<std::string> extra_dirs_;
  std::unique_ptr<RocksDbEventStore> store_;
};

TEST_F(RocksDbEventStoreTest, RetryAfterReopenReturnsOriginalPositions) {
  std::vector<NewEvent> batch = {Event("a"), Event("b"), Event("c")};
  ASSERT_THAT(store_->Append("other", kExpectAny, {Event()}), IsOk());
  auto first = store_->Append("review-1", kExpectNoStream, batch);
  ASSERT_THAT(first, IsOk());
  Reopen();
  auto retry = store_->Append("review-1", kExpectNoStream, batch);
  ASSERT_THAT(retry, IsOk());
  EXPECT_TRUE(retry->replayed);
  EXPECT_EQ(retry->positions, first->positions);
  EXPECT_EQ(retry->stream_version, 3u);
  EXPECT_EQ(store_->HeadPosition(), 4u);
  NewEvent changed = batch[1];
  changed.actor = "someone-else";
  EXPECT_THAT(store_->Append("review-1", kExpectAny, {changed}),
              StatusIs(absl::StatusCode::kAlreadyExists));
}

TEST_F(RocksDbEventStoreTest, ReopenRecoversHeadHashAndStreams) {
  ASSERT_THAT(store_->Append("review-1", kExpectNoStream, {Event(), Event()}), IsOk());
  ASSERT_THAT(store_->Append("review-2", kExpectNoStream, {Event()}), IsOk());
  ASSERT_THAT(store_->Append("review-1", 2, {Event()}), IsOk());
  const std::string hash = store_->HeadHash();
  clock_.Advance(absl::Seconds(5));
  Reopen();
  EXPECT_EQ(store_->HeadPosition(), 4u);
  EXPECT_EQ(store_->HeadHash(), hash);
  EXPECT_THAT(store_->StreamVersion("review-1"), IsOkAndHolds(3u));
  EXPECT_THAT(store_->StreamVersion("review-2"), IsOkAndHolds(1u));
  // Versions are enforced against the recovered heads, and the chain continues.
  EXPECT_THAT(store_->Append("review-1", 2, {Event()}), StatusIs(absl::StatusCode::kAborted));
  auto next = store_->Append("review-1", 3, {Event()});
  ASSERT_THAT(next, IsOk());
  EXPECT_EQ(next->positions[0], 5u);
  EXPECT_EQ(next->stream_version, 4u);
  auto events = store_->ReadAll(5, 1);
  ASSERT_THAT(events, IsOk());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].prev_hash(), hash);
  auto verify = store_->Verify(0, 0);
  ASSERT_THAT(verify, IsOk());
  EXPECT_TRUE(verify->ok) << verify->message;
  EXPECT_EQ(verify->checked, 5u);
}

TEST_F(RocksDbEventStoreTest, RecordedAtStaysMonotonicAcrossReopen) {
  ASSERT_THAT(store_->Append("s", kExpectAny, {Event()}), IsOk());
  const int64_t first = absl::ToUnixMicros(clock_.Now());
  clock_.Advance(-absl::Minutes(10));
  Reopen();
  ASSERT_THAT(store_->Append("s", kExpectAny, {Event()}), IsOk());
  auto events = store_->ReadAll(1, 10);
  ASSERT_THAT(events, IsOk());
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[1].recorded_at_micros(), first);
}

TEST_F(RocksDbEventStoreTest, CheckpointOpensWithSameHeadAndHashAndVerifies) {
  for (int i = 0; i < 20; ++i) {
    ASSERT_THAT(store_->Append("review-" + std::to_string(i % 3), kExpectAny, {Event(), Event()}),
                IsOk());
  }
  const std::string backup = ExtraDir();
  ASSERT_THAT(store_->Checkpoint(backup), IsOk());
  const uint64_t head = store_->HeadPosition();
  const std::string hash = store_->HeadHash();
  // Appends after the checkpoint do not reach it.
  ASSERT_THAT(store_->Append("review-0", kExpectAny, {Event()}), IsOk());

  auto copy = RocksDbEventStore::Open(backup, clock_);
  ASSERT_THAT(copy, IsOk());
  EXPECT_EQ((*copy)->HeadPosition(), head);
  EXPECT_EQ((*copy)->HeadHash(), hash);
  auto verify = (*copy)->Verify(0, 0);
  ASSERT_THAT(verify, IsOk());
  EXPECT_TRUE(verify->ok) << verify->message;
  EXPECT_EQ(verify->checked, head);
  EXPECT_THAT((*copy)->StreamVersion("review-0"), IsOkAndHolds(14u));
  // The copy is a working store.
  EXPECT_THAT((*copy)->Append("review-0", 14, {Event()}), IsOk());
}

TEST_F(RocksDbEventStoreTest, CheckpointIntoAnExistingDirectoryIsInvalid) {
  const std::string backup = ExtraDir();
  std::filesystem::create_directories(backup);
  EXPECT_THAT(store_->Checkpoint(backup), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(RocksDbEventStoreTest, EmptyStreamNameIsInvalidAndWritesNothing) {
  EXPECT_THAT(store_->Append("", kExpectAny, {Event()}),
              StatusIs(absl::StatusCode::kInvalidArgument, "stream: name is empty"));
  ExpectNothingWritten();
}

TEST_F(RocksDbEventStoreTest, OversizedOrNulStreamNameIsInvalidAndWritesNothing) {
  EXPECT_THAT(store_->Append(std::string(kMaxStreamNameBytes + 1, 's'), kExpectAny, {Event()}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("stream: name is 257 bytes")));
  EXPECT_THAT(store_->Append(std::string("a\0b", 3), kExpectAny, {Event()}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("NUL")));
  ExpectNothingWritten();
}

TEST_F(RocksDbEventStoreTest, OversizedPayloadIsInvalidAndWritesNothing) {
  EXPECT_THAT(store_->Append("s", kExpectAny,
                             {Event(), Event(std::string(kMaxPayloadBytes + 1, 'x'))}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("events[1].payload")));
  ExpectNothingWritten();
}

TEST_F(RocksDbEventStoreTest, UnknownExpectedVersionFormIsInvalidAndWritesNothing) {
  EXPECT_THAT(store_->Append("s", -7, {Event()}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("expected_version: unknown form -7")));
  ExpectNothingWritten();
}

TEST_F(RocksDbEventStoreTest, TooManyEventsOrLongMetadataIsInvalidAndWritesNothing) {
  std::vector<NewEvent> many(kMaxEventsPerAppend + 1);
  EXPECT_THAT(store_->Append("s", kExpectAny, many),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("events: 10001")));
  NewEvent long_type = Event();
  long_type.type = std::string(kMaxMetadataBytes + 1, 't');
  EXPECT_THAT(store_->Append("s", kExpectAny, {long_type}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("events[0].type")));
  ExpectNothingWritten();
}

TEST_F(RocksDbEventStoreTest, SecondOpenOfTheSameDirectoryIsUnavailable) {
  EXPECT_THAT(RocksDbEventStore::Open(dir_, clock_), StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(RocksDbEventStoreTest, NonDurableStoreKeepsTheSameFormat) {
  store_.reset();
  RocksDbEventStore::Options options;
  options.sync = false;
  auto fast = RocksDbEventStore::Open(dir_, clock_, options);
  ASSERT_THAT(fast, IsOk());
  ASSERT_THAT((*fast)->Append("s", kExpectAny, {Event(), Event()}), IsOk());
  fast->reset();
  Reopen();
  EXPECT_EQ(store_->HeadPosition(), 2u);
}

}  // namespace
}  // namespace rating::eventstore
