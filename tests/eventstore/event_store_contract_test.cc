// The contract every EventStore keeps: one typed suite, run over each implementation.
#include <atomic>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/crypto.h"
#include "eventstore/chain.h"
#include "eventstore/event_store.h"
#include "eventstore/in_memory_event_store.h"
#include "eventstore/rocksdb_event_store.h"
#include "tests/eventstore/test_util.h"
#include "tests/testing/status_matchers.h"

namespace rating::eventstore {
namespace {

using ::rating::eventstore::testing::Event;
using ::rating::eventstore::testing::IsOkAndHolds;
using ::rating::eventstore::testing::NewTestDir;
using ::rating::testing::IsOk;
using ::rating::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

template <typename T>
struct Factory;

template <>
struct Factory<InMemoryEventStore> {
  static std::unique_ptr<InMemoryEventStore> Open(const std::string&, const common::Clock& clock) {
    return std::make_unique<InMemoryEventStore>(clock);
  }
};

template <>
struct Factory<RocksDbEventStore> {
  static std::unique_ptr<RocksDbEventStore> Open(const std::string& dir,
                                                 const common::Clock& clock) {
    auto store = RocksDbEventStore::Open(dir, clock);
    EXPECT_THAT(store, IsOk());
    return store.ok() ? *std::move(store) : nullptr;
  }
};

template <typename T>
class EventStoreContractTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = NewTestDir();
    store_ = Factory<T>::Open(dir_, clock_);
    ASSERT_NE(store_, nullptr);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  EventStore& store() { return *store_; }

  // Appends `n` single events to `stream` with kExpectAny.
  void AppendN(const std::string& stream, int n) {
    for (int i = 0; i < n; ++i) {
      ASSERT_THAT(store().Append(stream, kExpectAny, {Event(std::to_string(i))}), IsOk());
    }
  }

  common::FakeClock clock_;
  std::string dir_;
  std::unique_ptr<T> store_;
};

class StoreNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    if (std::is_same_v<T, InMemoryEventStore>) return "InMemory";
    return "RocksDb";
  }
};

using StoreTypes = ::testing::Types<InMemoryEventStore, RocksDbEventStore>;
TYPED_TEST_SUITE(EventStoreContractTest, StoreTypes, StoreNames);

std::vector<uint64_t> Positions(const std::vector<rating::v1::Envelope>& events) {
  std::vector<uint64_t> out;
  for (const auto& e : events) out.push_back(e.position());
  return out;
}

std::vector<uint64_t> Versions(const std::vector<rating::v1::Envelope>& events) {
  std::vector<uint64_t> out;
  for (const auto& e : events) out.push_back(e.stream_version());
  return out;
}

TYPED_TEST(EventStoreContractTest, EmptyStoreHasNoHeadAndVerifies) {
  EXPECT_EQ(this->store().HeadPosition(), 0u);
  EXPECT_THAT(this->store().StreamVersion("review-1"), IsOkAndHolds(0u));
  auto all = this->store().ReadAll(1, 10);
  ASSERT_THAT(all, IsOk());
  EXPECT_TRUE(all->empty());
  auto verify = this->store().Verify(0, 0);
  ASSERT_THAT(verify, IsOk());
  EXPECT_TRUE(verify->ok);
  EXPECT_EQ(verify->checked, 0u);
}

TYPED_TEST(EventStoreContractTest, AppendAssignsConsecutivePositionsAndVersions) {
  auto first = this->store().Append("review-1", kExpectNoStream, {Event("a"), Event("b")});
  ASSERT_THAT(first, IsOk());
  EXPECT_THAT(first->positions, ElementsAre(1, 2));
  EXPECT_EQ(first->stream_version, 2u);
  EXPECT_FALSE(first->replayed);
  auto other = this->store().Append("review-2", kExpectNoStream, {Event("c")});
  ASSERT_THAT(other, IsOk());
  EXPECT_THAT(other->positions, ElementsAre(3));
  EXPECT_EQ(other->stream_version, 1u);
  auto again = this->store().Append("review-1", 2, {Event("d")});
  ASSERT_THAT(again, IsOk());
  EXPECT_THAT(again->positions, ElementsAre(4));
  EXPECT_EQ(again->stream_version, 3u);

  EXPECT_EQ(this->store().HeadPosition(), 4u);
  EXPECT_THAT(this->store().StreamVersion("review-1"), IsOkAndHolds(3u));
  EXPECT_THAT(this->store().StreamVersion("review-2"), IsOkAndHolds(1u));
}

// AppendMany: each request atomic with its own result, in order; a refused one writes nothing
// and does not stop the others; versions check against the requests before it.
TYPED_TEST(EventStoreContractTest, AppendManyGivesEachRequestItsOwnResult) {
  std::vector<AppendRequest> requests(4);
  requests[0] = {"review-1", kExpectNoStream, {Event("a"), Event("b")}};
  requests[1] = {"review-2", 5, {Event("c")}};                // Stale: ABORTED.
  requests[2] = {"review-1", 2, {Event("d")}};                // Sees request 0.
  requests[3] = {"", kExpectAny, {Event("e")}};               // No stream: INVALID_ARGUMENT.
  std::vector<absl::StatusOr<AppendResult>> results =
      this->store().AppendMany(std::move(requests));
  ASSERT_EQ(results.size(), 4u);
  ASSERT_THAT(results[0], IsOk());
  EXPECT_THAT(results[0]->positions, ElementsAre(1, 2));
  EXPECT_EQ(results[1].status().code(), absl::StatusCode::kAborted);
  ASSERT_THAT(results[2], IsOk());
  EXPECT_THAT(results[2]->positions, ElementsAre(3));
  EXPECT_EQ(results[2]->stream_version, 3u);
  EXPECT_EQ(results[3].status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(this->store().HeadPosition(), 3u);
  EXPECT_THAT(this->store().StreamVersion("review-2"), IsOkAndHolds(0u));
  auto verify = this->store().Verify(0, 0);
  ASSERT_THAT(verify, IsOk());
  EXPECT_TRUE(verify->ok);
}

TYPED_TEST(EventStoreContractTest, StoredEnvelopeCarriesWhatWasAppended) {
  NewEvent e = Event("the payload", "rating.v1.Event");
  e.schema_version = 3;
  e.actor = "member-9";
  e.correlation_id = "corr-1";
  e.causation_id = "cause-1";
  const std::string id = e.event_id;
  ASSERT_THAT(this->store().Append("review-1", kExpectAny, {e}), IsOk());
  auto events = this->store().ReadAll(1, 10);
  ASSERT_THAT(events, IsOk());
  ASSERT_EQ(events->size(), 1u);
  const rating::v1::Envelope& got = (*events)[0];
  EXPECT_EQ(got.event_id(), id);
  EXPECT_EQ(got.stream(), "review-1");
  EXPECT_EQ(got.stream_version(), 1u);
  EXPECT_EQ(got.position(), 1u);
  EXPECT_EQ(got.type(), "rating.v1.Event");
  EXPECT_EQ(got.schema_version(), 3u);
  EXPECT_EQ(got.payload(), "the payload");
  EXPECT_EQ(got.actor(), "member-9");
  EXPECT_EQ(got.correlation_id(), "corr-1");
  EXPECT_EQ(got.causation_id(), "cause-1");
  EXPECT_EQ(got.recorded_at_micros(), absl::ToUnixMicros(this->clock_.Now()));
  EXPECT_EQ(got.prev_hash(), ZeroHash());
  EXPECT_EQ(got.hash().size(), kHashBytes);
}

TYPED_TEST(EventStoreContractTest, AnAppendHandsBackItsEnvelopesAsStoredAndAReplayNone) {
  std::vector<AppendRequest> requests(3);
  requests[0] = {"review-1", kExpectAny, {Event("a"), Event("b")}};
  requests[1] = {"review-2", 7, {Event("c")}};  // Stale: refused, no envelopes.
  requests[2] = {"review-3", kExpectAny, {Event("d")}};
  const std::vector<NewEvent> retry = requests[0].events;
  std::vector<absl::StatusOr<AppendResult>> results =
      this->store().AppendMany(std::move(requests));
  ASSERT_EQ(results.size(), 3u);
  ASSERT_THAT(results[0], IsOk());
  ASSERT_THAT(results[2], IsOk());
  auto stored = this->store().ReadAll(1, 10);
  ASSERT_THAT(stored, IsOk());
  ASSERT_EQ(stored->size(), 3u);
  ASSERT_EQ(results[0]->envelopes.size(), 2u);
  ASSERT_EQ(results[2]->envelopes.size(), 1u);
  EXPECT_EQ(results[0]->envelopes[0].SerializeAsString(), (*stored)[0].SerializeAsString());
  EXPECT_EQ(results[0]->envelopes[1].SerializeAsString(), (*stored)[1].SerializeAsString());
  EXPECT_EQ(results[2]->envelopes[0].SerializeAsString(), (*stored)[2].SerializeAsString());
  auto replayed = this->store().Append("review-1", kExpectAny, retry);
  ASSERT_THAT(replayed, IsOk());
  EXPECT_TRUE(replayed->replayed);
  EXPECT_TRUE(replayed->envelopes.empty());
}

TYPED_TEST(EventStoreContractTest, GeneratedIdsAreUuidsAndFindable) {
  NewEvent e = Event();
  e.event_id.clear();
  auto result = this->store().Append("review-1", kExpectAny, {e, e});
  ASSERT_THAT(result, IsOk());
  ASSERT_EQ(result->event_ids.size(), 2u);
  EXPECT_TRUE(common::IsUuid(result->event_ids[0]));
  EXPECT_NE(result->event_ids[0], result->event_ids[1]);
  EXPECT_THAT(this->store().FindEvent(result->event_ids[1]), IsOkAndHolds(::testing::Optional(2u)));
  auto missing = this->store().FindEvent(common::NewUuid());
  ASSERT_THAT(missing, IsOk());
  EXPECT_FALSE(missing->has_value());
}

TYPED_TEST(EventStoreContractTest, StaleExpectedVersionIsAborted) {
  ASSERT_THAT(this->store().Append("review-7", /*expected_version=*/0, {Event()}), IsOk());
  EXPECT_THAT(
      this->store().Append("review-7", /*expected_version=*/0, {Event()}),
      StatusIs(absl::StatusCode::kAborted, "stream review-7: expected version 0, head is 1"));
  EXPECT_THAT(this->store().Append("review-7", /*expected_version=*/5, {Event()}),
              StatusIs(absl::StatusCode::kAborted, HasSubstr("expected version 5, head is 1")));
  EXPECT_EQ(this->store().HeadPosition(), 1u);
}

TYPED_TEST(EventStoreContractTest, ExpectNoStreamFailsOnceTheStreamExists) {
  ASSERT_THAT(this->store().Append("review-1", kExpectNoStream, {Event()}), IsOk());
  EXPECT_THAT(this->store().Append("review-1", kExpectNoStream, {Event()}),
              StatusIs(absl::StatusCode::kAborted, HasSubstr("stream review-1")));
}

TYPED_TEST(EventStoreContractTest, ExpectAnyAlwaysAppends) {
  this->AppendN("review-1", 3);
  EXPECT_THAT(this->store().StreamVersion("review-1"), IsOkAndHolds(3u));
}

TYPED_TEST(EventStoreContractTest, RetryWithSameIdsReturnsOriginalPositions) {
  std::vector<NewEvent> batch = {Event("a"), Event("b")};
  auto first = this->store().Append("review-1", kExpectNoStream, batch);
  ASSERT_THAT(first, IsOk());
  this->AppendN("review-1", 1);
  // The retry carries the now-stale expected version: the replay wins over the conflict.
  auto retry = this->store().Append("review-1", kExpectNoStream, batch);
  ASSERT_THAT(retry, IsOk());
  EXPECT_TRUE(retry->replayed);
  EXPECT_EQ(retry->positions, first->positions);
  EXPECT_EQ(retry->event_ids, first->event_ids);
  EXPECT_EQ(retry->stream_version, 2u);
  EXPECT_EQ(this->store().HeadPosition(), 3u);
}

TYPED_TEST(EventStoreContractTest, SameIdWithDifferentContentIsAlreadyExists) {
  NewEvent e = Event("a");
  ASSERT_THAT(this->store().Append("review-1", kExpectAny, {e}), IsOk());
  NewEvent changed = e;
  changed.payload = "b";
  EXPECT_THAT(this->store().Append("review-1", kExpectAny, {changed}),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr(e.event_id)));
  EXPECT_THAT(this->store().Append("review-2", kExpectAny, {e}),
              StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_EQ(this->store().HeadPosition(), 1u);
}

TYPED_TEST(EventStoreContractTest, PartlyStoredBatchIsAlreadyExists) {
  NewEvent stored = Event("a");
  ASSERT_THAT(this->store().Append("review-1", kExpectAny, {stored}), IsOk());
  EXPECT_THAT(this->store().Append("review-1", kExpectAny, {stored, Event("b")}),
              StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_EQ(this->store().HeadPosition(), 1u);
}

TYPED_TEST(EventStoreContractTest, BadBatchesAreInvalidAndWriteNothing) {
  NewEvent e = Event();
  EXPECT_THAT(this->store().Append("review-1", kExpectAny, {e, e}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("event_id")));
  EXPECT_THAT(this->store().Append("review-1", kExpectAny, {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("events")));
  NewEvent bad_id = Event();
  bad_id.event_id = "not-a-uuid";
  EXPECT_THAT(this->store().Append("review-1", kExpectAny, {bad_id}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("event_id")));
  EXPECT_THAT(this->store().Append("", kExpectAny, {Event()}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("stream")));
  EXPECT_THAT(this->store().Append("review-1", -3, {Event()}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("expected_version")));
  EXPECT_EQ(this->store().HeadPosition(), 0u);
}

TYPED_TEST(EventStoreContractTest, ReadStreamForwardFromAVersion) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_THAT(this->store().Append("review-1", kExpectAny, {Event()}), IsOk());
    ASSERT_THAT(this->store().Append("review-2", kExpectAny, {Event()}), IsOk());
  }
  auto events = this->store().ReadStream("review-1", 2, Direction::kForward, 3);
  ASSERT_THAT(events, IsOk());
  EXPECT_THAT(Versions(*events), ElementsAre(2, 3, 4));
  EXPECT_THAT(Positions(*events), ElementsAre(3, 5, 7));
  auto from_zero = this->store().ReadStream("review-2", 0, Direction::kForward, 100);
  ASSERT_THAT(from_zero, IsOk());
  EXPECT_THAT(Versions(*from_zero), ElementsAre(1, 2, 3, 4, 5));
  auto past_head = this->store().ReadStream("review-2", 6, Direction::kForward, 100);
  ASSERT_THAT(past_head, IsOk());
  EXPECT_TRUE(past_head->empty());
}

TYPED_TEST(EventStoreContractTest, ReadStreamBackward) {
  this->AppendN("review-1", 5);
  this->AppendN("review-10", 2);  // A name sharing the prefix must not leak in.
  auto from_head = this->store().ReadStream("review-1", 0, Direction::kBackward, 3);
  ASSERT_THAT(from_head, IsOk());
  EXPECT_THAT(Versions(*from_head), ElementsAre(5, 4, 3));
  auto from_two = this->store().ReadStream("review-1", 2, Direction::kBackward, 10);
  ASSERT_THAT(from_two, IsOk());
  EXPECT_THAT(Versions(*from_two), ElementsAre(2, 1));
  auto beyond = this->store().ReadStream("review-1", 99, Direction::kBackward, 1);
  ASSERT_THAT(beyond, IsOk());
  EXPECT_THAT(Versions(*beyond), ElementsAre(5));
}

TYPED_TEST(EventStoreContractTest, UnknownStreamReadsAsEmpty) {
  this->AppendN("review-1", 2);
  for (Direction d : {Direction::kForward, Direction::kBackward}) {
    auto events = this->store().ReadStream("review-", 0, d, 10);
    ASSERT_THAT(events, IsOk());
    EXPECT_TRUE(events->empty());
  }
}

TYPED_TEST(EventStoreContractTest, ReadAllPagesThroughTheLog) {
  for (int i = 0; i < 10; ++i) {
    ASSERT_THAT(this->store().Append(i % 2 ? "a" : "b", kExpectAny, {Event()}), IsOk());
  }
  auto page = this->store().ReadAll(4, 3);
  ASSERT_THAT(page, IsOk());
  EXPECT_THAT(Positions(*page), ElementsAre(4, 5, 6));
  auto tail = this->store().ReadAll(9, 100);
  ASSERT_THAT(tail, IsOk());
  EXPECT_THAT(Positions(*tail), ElementsAre(9, 10));
  auto past = this->store().ReadAll(11, 100);
  ASSERT_THAT(past, IsOk());
  EXPECT_TRUE(past->empty());
}

TYPED_TEST(EventStoreContractTest, ForEachVisitsTheLogInOrderUntilToldToStop) {
  for (int i = 0; i < 600; i += 100) {
    std::vector<NewEvent> batch(100, Event());
    for (NewEvent& e : batch) e.event_id.clear();
    ASSERT_THAT(this->store().Append("s", kExpectAny, batch), IsOk());
  }
  std::vector<uint64_t> seen;
  ASSERT_THAT(this->store().ForEach(5,
                                    [&](const rating::v1::Envelope& e) {
                                      seen.push_back(e.position());
                                      return true;
                                    }),
              IsOk());
  ASSERT_EQ(seen.size(), 596u);
  for (size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], i + 5);
  seen.clear();
  ASSERT_THAT(this->store().ForEach(0,
                                    [&](const rating::v1::Envelope& e) {
                                      seen.push_back(e.position());
                                      return e.position() < 3;
                                    }),
              IsOk());
  EXPECT_THAT(seen, ElementsAre(1, 2, 3));
  seen.clear();
  ASSERT_THAT(this->store().ForEach(601,
                                    [&](const rating::v1::Envelope& e) {
                                      seen.push_back(e.position());
                                      return true;
                                    }),
              IsOk());
  EXPECT_TRUE(seen.empty());
}

TYPED_TEST(EventStoreContractTest, RecordedAtNeverGoesBackwards) {
  ASSERT_THAT(this->store().Append("s", kExpectAny, {Event()}), IsOk());
  const absl::Time first = this->clock_.Now();
  this->clock_.Set(first - absl::Hours(1));
  ASSERT_THAT(this->store().Append("s", kExpectAny, {Event()}), IsOk());
  this->clock_.Set(first + absl::Seconds(1));
  ASSERT_THAT(this->store().Append("s", kExpectAny, {Event()}), IsOk());
  auto events = this->store().ReadAll(1, 10);
  ASSERT_THAT(events, IsOk());
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[0].recorded_at_micros(), absl::ToUnixMicros(first));
  EXPECT_EQ((*events)[1].recorded_at_micros(), absl::ToUnixMicros(first));
  EXPECT_EQ((*events)[2].recorded_at_micros(), absl::ToUnixMicros(first + absl::Seconds(1)));
}

TYPED_TEST(EventStoreContractTest, HashChainLinksEveryEventAndVerifies) {
  for (int i = 0; i < 4; ++i) {
    ASSERT_THAT(this->store().Append("s", kExpectAny, {Event(), Event()}), IsOk());
  }
  auto events = this->store().ReadAll(1, 100);
  ASSERT_THAT(events, IsOk());
  std::string prev = ZeroHash();
  std::string scratch;
  for (const auto& e : *events) {
    EXPECT_EQ(e.prev_hash(), prev);
    EXPECT_EQ(ComputeHash(e, &scratch), e.hash());
    prev = e.hash();
  }
  auto all = this->store().Verify(0, 0);
  ASSERT_THAT(all, IsOk());
  EXPECT_TRUE(all->ok) << all->message;
  EXPECT_EQ(all->checked, 8u);
  auto middle = this->store().Verify(3, 6);
  ASSERT_THAT(middle, IsOk());
  EXPECT_TRUE(middle->ok) << middle->message;
  EXPECT_EQ(middle->checked, 4u);
  // A range starting past the head is empty and verifies (regression: the in-memory store
  // read past the end of its log).
  auto past = this->store().Verify(20, 0);
  ASSERT_THAT(past, IsOk());
  EXPECT_TRUE(past->ok);
  EXPECT_EQ(past->checked, 0u);
}

TYPED_TEST(EventStoreContractTest, LastVerifiedIsWhatRecordVerifiedStored) {
  EXPECT_THAT(this->store().LastVerified(), IsOkAndHolds(std::nullopt));
  this->AppendN("review-1", 4);
  EXPECT_THAT(this->store().RecordVerified(0), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(this->store().RecordVerified(5), StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_THAT(this->store().LastVerified(), IsOkAndHolds(std::nullopt));
  ASSERT_THAT(this->store().RecordVerified(3), IsOk());
  auto third = this->store().ReadAll(3, 1);
  ASSERT_THAT(third, IsOk());
  ASSERT_EQ(third->size(), 1u);
  EXPECT_THAT(this->store().LastVerified(),
              IsOkAndHolds(::testing::Optional(::testing::Pair(3u, (*third)[0].hash()))));
  // A later mark replaces it.
  ASSERT_THAT(this->store().RecordVerified(4), IsOk());
  auto mark = this->store().LastVerified();
  ASSERT_THAT(mark, IsOk());
  ASSERT_TRUE(mark->has_value());
  EXPECT_EQ((*mark)->first, 4u);
}

TYPED_TEST(EventStoreContractTest, VerifyTailChecksWhatFollowsTheMarkAndMovesIt) {
  auto empty = VerifyTail(this->store());
  ASSERT_THAT(empty, IsOk());
  EXPECT_TRUE(empty->ok);
  EXPECT_THAT(this->store().LastVerified(), IsOkAndHolds(std::nullopt));
  this->AppendN("review-1", 5);
  auto first = VerifyTail(this->store());
  ASSERT_THAT(first, IsOk());
  EXPECT_TRUE(first->ok) << first->message;
  EXPECT_EQ(first->checked, 5u);
  this->AppendN("review-2", 2);
  auto second = VerifyTail(this->store());
  ASSERT_THAT(second, IsOk());
  EXPECT_TRUE(second->ok) << second->message;
  EXPECT_EQ(second->checked, 2u);
  auto mark = this->store().LastVerified();
  ASSERT_THAT(mark, IsOk());
  ASSERT_TRUE(mark->has_value());
  EXPECT_EQ((*mark)->first, 7u);
}

TYPED_TEST(EventStoreContractTest, WaitForHeadPastReturnsOnceAnAppendLands) {
  EXPECT_EQ(this->store().WaitForHeadPast(0, absl::Milliseconds(1)), 0u);
  absl::Notification waiting_done;
  uint64_t seen = 0;
  std::thread waiter([&] {
    seen = this->store().WaitForHeadPast(0, absl::Seconds(30));
    waiting_done.Notify();
  });
  ASSERT_THAT(this->store().Append("s", kExpectAny, {Event()}), IsOk());
  ASSERT_TRUE(waiting_done.WaitForNotificationWithTimeout(absl::Seconds(30)));
  waiter.join();
  EXPECT_EQ(seen, 1u);
}

TYPED_TEST(EventStoreContractTest, ShutdownWakesWaitersAndCancelsSubscriptions) {
  auto subscription = this->store().Subscribe(0);
  absl::Notification started, finished;
  absl::StatusOr<std::optional<rating::v1::Envelope>> result;
  std::thread consumer([&] {
    started.Notify();
    result = subscription->Next(absl::Seconds(60));
    finished.Notify();
  });
  started.WaitForNotification();
  this->store().Shutdown();
  ASSERT_TRUE(finished.WaitForNotificationWithTimeout(absl::Seconds(30)));
  consumer.join();
  // Either the wait saw the shutdown, or Next() started after it.
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kCancelled));
  EXPECT_THAT(subscription->Next(absl::Seconds(1)), StatusIs(absl::StatusCode::kCancelled));
  EXPECT_EQ(this->store().WaitForHeadPast(0, absl::Seconds(60)), 0u);
  // Appends still work after a shutdown.
  EXPECT_THAT(this->store().Append("s", kExpectAny, {Event()}), IsOk());
}

TYPED_TEST(EventStoreContractTest, SubscriptionTimesOutWithNothingNew) {
  this->AppendN("s", 2);
  auto subscription = this->store().Subscribe(0);
  for (uint64_t p = 1; p <= 2; ++p) {
    auto next = subscription->Next(absl::Seconds(10));
    ASSERT_THAT(next, IsOk());
    ASSERT_TRUE(next->has_value());
    EXPECT_EQ((*next)->position(), p);
  }
  auto none = subscription->Next(absl::Milliseconds(1));
  ASSERT_THAT(none, IsOk());
  EXPECT_FALSE(none->has_value());
  EXPECT_EQ(subscription->position(), 2u);
}

TYPED_TEST(EventStoreContractTest, SubscriptionSeesEveryPositionOnceWhileAppendsRace) {
  // Enough history that catch-up spans several pages, then live appends from many threads.
  constexpr int kHistory = 2 * static_cast<int>(Subscription::kPageSize) + 17;
  constexpr int kThreads = 4;
  constexpr int kAppendsPerThread = 60;
  for (int i = 0; i < kHistory; i += 10) {
    std::vector<NewEvent> batch;
    for (int j = i; j < std::min(i + 10, kHistory); ++j) batch.push_back(Event());
    ASSERT_THAT(this->store().Append("history", kExpectAny, batch), IsOk());
  }
  const uint64_t total = kHistory + kThreads * kAppendsPerThread * 2;

  auto subscription = this->store().Subscribe(0);
  absl::Notification go;
  std::vector<std::thread> writers;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      go.WaitForNotification();
      const std::string stream = "writer-" + std::to_string(t);
      for (int i = 0; i < kAppendsPerThread; ++i) {
        absl::Status status = this->store().Append(stream, 2 * i, {Event(), Event()}).status();
        if (!status.ok()) {
          ADD_FAILURE() << status;
          ++failures;
        }
      }
    });
  }
  go.Notify();
  uint64_t expected = 1;
  while (expected <= total) {
    auto next = subscription->Next(absl::Seconds(30));
    if (!next.ok() || !next->has_value() || (*next)->position() != expected) {
      ADD_FAILURE() << "at position " << expected << ": "
                    << (next.ok() ? (next->has_value()
                                         ? "got position " + std::to_string((*next)->position())
                                         : std::string("timed out"))
                                  : next.status().ToString());
      break;
    }
    ++expected;
  }
  for (auto& w : writers) w.join();
  EXPECT_EQ(failures.load(), 0);
  ASSERT_EQ(expected, total + 1);
  auto none = subscription->Next(absl::Milliseconds(1));
  ASSERT_THAT(none, IsOk());
  EXPECT_FALSE(none->has_value());
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_THAT(this->store().StreamVersion("writer-" + std::to_string(t)),
                IsOkAndHolds(2u * kAppendsPerThread));
  }
}

TYPED_TEST(EventStoreContractTest, ConcurrentAppendsAtOneVersionHaveOneWinner) {
  constexpr int kThreads = 8;
  absl::Notification go;
  std::atomic<int> ok{0}, aborted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      go.WaitForNotification();
      auto result = this->store().Append("contested", 0, {Event()});
      if (result.ok()) ++ok;
      if (absl::IsAborted(result.status())) ++aborted;
    });
  }
  go.Notify();
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(aborted.load(), kThreads - 1);
  EXPECT_EQ(this->store().HeadPosition(), 1u);
}

TYPED_TEST(EventStoreContractTest, ConcurrentRetriesOfOneBatchStoreItOnce) {
  constexpr int kThreads = 8;
  const std::vector<NewEvent> batch = {Event("a"), Event("b"), Event("c")};
  absl::Notification go;
  std::vector<absl::StatusOr<AppendResult>> results(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      go.WaitForNotification();
      results[t] = this->store().Append("retried", kExpectAny, batch);
    });
  }
  go.Notify();
  for (auto& t : threads) t.join();
  int written = 0;
  for (const auto& r : results) {
    ASSERT_THAT(r, IsOk());
    EXPECT_THAT(r->positions, ElementsAre(1, 2, 3));
    if (!r->replayed) ++written;
  }
  EXPECT_EQ(written, 1);
  EXPECT_EQ(this->store().HeadPosition(), 3u);
}

}  // namespace
}  // namespace rating::eventstore
