// The engine's write fence (integrity failures): once fenced, every write is FAILED_PRECONDITION
// carrying the reason and reads go on; an append that meets DATA_LOSS fences by itself; the
// observers hear of the fence and of every append.
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <vector>

#include "common/check.h"
#include "eventstore/in_memory_event_store.h"
#include "services/engine.h"
#include "tests/testing/status_matchers.h"

namespace rating::services {
namespace {

using ::rating::testing::IsOk;
using ::rating::testing::StatusIs;
using ::testing::HasSubstr;

// An in-memory store whose appends can be made to fail with DATA_LOSS.
class DamagedStore final : public eventstore::EventStore {
 public:
  absl::StatusOr<eventstore::AppendResult> Append(
      std::string_view stream, int64_t expected_version,
      std::vector<eventstore::NewEvent> events) override {
    if (damaged) return absl::DataLossError("position 7: stored event does not parse");
    return inner_.Append(stream, expected_version, std::move(events));
  }
  absl::StatusOr<std::vector<v1::Envelope>> ReadStream(std::string_view stream,
                                                       uint64_t from_version,
                                                       eventstore::Direction direction,
                                                       size_t max_count) const override {
    return inner_.ReadStream(stream, from_version, direction, max_count);
  }
  absl::StatusOr<std::vector<v1::Envelope>> ReadAll(uint64_t from_position,
                                                    size_t max_count) const override {
    return inner_.ReadAll(from_position, max_count);
  }
  absl::StatusOr<uint64_t> StreamVersion(std::string_view stream) const override {
    return inner_.StreamVersion(stream);
  }
  uint64_t HeadPosition() const override { return inner_.HeadPosition(); }
  absl::StatusOr<std::optional<uint64_t>> FindEvent(std::string_view event_id) const override {
    return inner_.FindEvent(event_id);
  }
  uint64_t WaitForHeadPast(uint64_t position, absl::Duration timeout) const override {
    return inner_.WaitForHeadPast(position, timeout);
  }
  absl::StatusOr<eventstore::VerifyResult> Verify(uint64_t from, uint64_t to) const override {
    return inner_.Verify(from, to);
  }
  absl::Status RecordVerified(uint64_t position) override {
    return inner_.RecordVerified(position);
  }
  absl::StatusOr<std::optional<std::pair<uint64_t, std::string>>> LastVerified() const override {
    return inner_.LastVerified();
  }
  void Shutdown() override { inner_.Shutdown(); }

  std::atomic<bool> damaged{false};

 private:
  eventstore::InMemoryEventStore inner_;
};

v1::Command Cmd(const std::string& text) {
  v1::Command command;
  RATING_CHECK(google::protobuf::TextFormat::ParseFromString(text, &command));
  return command;
}

class EngineFenceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto engine = Engine::Open(store_);
    ASSERT_THAT(engine, IsOk());
    engine_ = *std::move(engine);
    admin_.set_id("root");
    admin_.set_role(v1::ROLE_ADMIN);
    ASSERT_THAT(engine_->SeedPrincipal(admin_, "root-token-0123456789"), IsOk());
    engine_->set_fence_observer([this](const absl::Status& fence) { fences_.push_back(fence); });
    engine_->set_append_observer([this](absl::Duration latency, const absl::Status& status) {
      EXPECT_GE(latency, absl::ZeroDuration());
      appends_.push_back(status);
    });
  }

  v1::CreatePrincipalRequest NewInspector() {
    v1::CreatePrincipalRequest request;
    request.mutable_principal()->set_id("insp");
    request.mutable_principal()->set_role(v1::ROLE_INSPECTOR);
    return request;
  }

  DamagedStore store_;
  std::unique_ptr<Engine> engine_;
  v1::Principal admin_;
  std::vector<absl::Status> fences_;
  std::vector<absl::Status> appends_;
};

TEST_F(EngineFenceTest, FencedEngineRefusesEveryWriteNamingTheReasonAndKeepsReading) {
  ASSERT_THAT(engine_->Execute(admin_, Cmd("open_period { year: 2025 }"), ""), IsOk());
  const uint64_t head = store_.HeadPosition();
  EXPECT_THAT(engine_->write_fence(), IsOk());
  engine_->FenceWrites(absl::DataLossError("the chain breaks at position 4"));
  engine_->FenceWrites(absl::DataLossError("a later reason"));  // The first one stands.
  ASSERT_EQ(fences_.size(), 1u);
  EXPECT_THAT(fences_[0], StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("position 4")));

  EXPECT_THAT(engine_->Execute(admin_, Cmd("open_period { year: 2026 }"), ""),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("position 4")));
  EXPECT_THAT(
      engine_->ExecuteWithToken("root-token-0123456789", Cmd("open_period { year: 2026 }"), ""),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("position 4")));
  EXPECT_THAT(engine_->CreatePrincipal(admin_, NewInspector()),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("position 4")));
  EXPECT_THAT(engine_->RevokePrincipal(admin_, "root"),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("position 4")));
  EXPECT_THAT(engine_->ApplyAuthConfig({{admin_, "another-token-0123456789"}}).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(store_.HeadPosition(), head);
  // Reads and authentication go on.
  EXPECT_THAT(engine_->Authenticate("root-token-0123456789"), IsOk());
  EXPECT_THAT(engine_->Read({}, [](const projections::RatingState&) { return absl::OkStatus(); }),
              IsOk());
  EXPECT_EQ(engine_->applied_position(), head);
}

TEST_F(EngineFenceTest, AnAppendMeetingDataLossFencesLaterWrites) {
  store_.damaged = true;
  EXPECT_THAT(engine_->Execute(admin_, Cmd("open_period { year: 2025 }"), ""),
              StatusIs(absl::StatusCode::kDataLoss));
  ASSERT_EQ(fences_.size(), 1u);
  EXPECT_THAT(fences_[0], StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("position 7")));
  store_.damaged = false;  // Even if the store would take it now: refused until a restart.
  EXPECT_THAT(engine_->Execute(admin_, Cmd("open_period { year: 2025 }"), ""),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("position 7")));
  ASSERT_EQ(appends_.size(), 1u);  // The refused command never reached the store.
  EXPECT_THAT(appends_[0], StatusIs(absl::StatusCode::kDataLoss));
}

TEST_F(EngineFenceTest, TheAppendObserverHearsOfEveryAppend) {
  ASSERT_THAT(engine_->Execute(admin_, Cmd("open_period { year: 2025 }"), ""), IsOk());
  ASSERT_THAT(engine_->CreatePrincipal(admin_, NewInspector()), IsOk());
  ASSERT_EQ(appends_.size(), 2u);
  EXPECT_THAT(appends_[0], IsOk());
  EXPECT_THAT(appends_[1], IsOk());
  EXPECT_EQ(engine_->applied_position(), store_.HeadPosition());
}

}  // namespace
}  // namespace rating::services
