// Engine::ValidateSequence (AIP-163 for a sequence): each command checked over what the ones
// before it would leave, nothing written, and the events it reports are the events a real run
// appends.
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/check.h"
#include "common/clock.h"
#include "eventstore/in_memory_event_store.h"
#include "services/engine.h"
#include "tests/testing/status_matchers.h"

namespace rating::services {
namespace {

using ::rating::testing::IsOk;
using ::rating::testing::StatusIs;

constexpr char kToken[] = "root-token-0123456789";

Engine::BatchCommand Cmd(const std::string& text, const std::string& request_id = "") {
  Engine::BatchCommand command;
  RATING_CHECK(google::protobuf::TextFormat::ParseFromString(text, &command.command));
  command.request_id = request_id;
  command.validate_only = true;
  return command;
}

std::string SelfAssessment(const std::string& member) {
  return "submit_self_assessment { member: '" + member + R"(' year: 2025
      grades { criterion: 'political' grade: GRADE_TOT } grades { criterion: 'tasks' grade: GRADE_TOT }
      grades { criterion: 'commitment' grade: GRADE_TOT } grades { criterion: 'remediation' grade: GRADE_TOT }
      targets { assigned: 3 completed: 3 on_time: 3 } level: LEVEL_HTTNV })";
}

class ValidateSequenceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto engine = Engine::Open(store_);
    ASSERT_THAT(engine, IsOk());
    engine_ = *std::move(engine);
    v1::Principal admin;
    admin.set_id("root");
    admin.set_role(v1::ROLE_ADMIN);
    ASSERT_THAT(engine_->SeedPrincipal(admin, kToken), IsOk());
    admin_ = admin;
  }

  // A period, a cell, two members with their self-assessments and a ballot counted from the
  // team's totals, then the decision the tally allows: each command needs the ones before it.
  static std::vector<Engine::BatchCommand> CellFlow() {
    return {
        Cmd("open_period { year: 2025 }"),
        Cmd("register_org { id: 'c1' kind: ORG_KIND_GRASSROOTS_CELL parent: 'bloc' "
            "founded_on: '2010-01-01' }"),
        Cmd("enroll_member { id: 'm1' org: 'c1' admitted_on: '2015-03-01' }"),
        Cmd("enroll_member { id: 'm2' org: 'c1' admitted_on: '2015-03-01' }"),
        Cmd("record_review_completed { subject: 'member/m1' year: 2025 }"),
        Cmd("record_review_completed { subject: 'member/m2' year: 2025 }"),
        Cmd(SelfAssessment("m1")),
        Cmd(SelfAssessment("m2")),
        Cmd(R"(record_ballots { session: 'c1-2025' org: 'c1' year: 2025
            subjects: 'member/m1' subjects: 'member/m2'
            totals { issued: 3 returned: 3
              subjects { subject: 'member/m1' httnv: 3 } subjects { subject: 'member/m2' htnv: 3 } } })"),
        Cmd(R"(decide_ratings { year: 2025 ratings { subject: 'member/m1' level: LEVEL_HTTNV }
            ratings { subject: 'member/m2' level: LEVEL_HTNV } })"),
    };
  }

  eventstore::InMemoryEventStore store_{common::SystemClock::Get()};
  std::unique_ptr<Engine> engine_;
  v1::Principal admin_;
};

TEST_F(ValidateSequenceTest, EachCommandSeesTheOnesBeforeItAndNothingIsWritten) {
  const uint64_t head = store_.HeadPosition();
  const std::vector<Engine::BatchCommand> flow = CellFlow();
  std::vector<absl::StatusOr<v1::CommandReply>> checked = engine_->ValidateSequence(kToken, flow);
  ASSERT_EQ(checked.size(), flow.size());
  for (size_t i = 0; i < checked.size(); ++i) {
    ASSERT_THAT(checked[i], IsOk()) << "command " << i;
    EXPECT_TRUE(checked[i]->validate_only());
    EXPECT_GT(checked[i]->planned_events_size(), 0) << "command " << i;
  }
  EXPECT_EQ(store_.HeadPosition(), head);

  // Run for real, the same commands append exactly the events the check reported.
  for (size_t i = 0; i < flow.size(); ++i) {
    absl::StatusOr<v1::CommandReply> ran = engine_->Execute(admin_, flow[i].command, "");
    ASSERT_THAT(ran, IsOk()) << "command " << i;
    absl::StatusOr<std::vector<v1::Envelope>> stored =
        store_.ReadAll(ran->first_position(), ran->last_position() - ran->first_position() + 1);
    ASSERT_THAT(stored, IsOk());
    ASSERT_EQ(static_cast<int>(stored->size()), checked[i]->planned_events_size());
    for (size_t k = 0; k < stored->size(); ++k) {
      v1::Event event;
      ASSERT_TRUE(event.ParseFromString((*stored)[k].payload()));
      EXPECT_EQ(event.SerializeAsString(), checked[i]->planned_events(k).SerializeAsString())
          << "command " << i << " event " << k;
    }
  }
}

TEST_F(ValidateSequenceTest, ARefusedCommandLeavesNothingForTheOnesAfterIt) {
  std::vector<Engine::BatchCommand> flow = CellFlow();
  // The cell is misnamed: its enrollments find no org, their reviews no member; the period
  // before it stands.
  flow[1] = Cmd("register_org { id: 'c1' kind: ORG_KIND_GRASSROOTS_CELL parent: 'nowhere' }");
  std::vector<absl::StatusOr<v1::CommandReply>> checked = engine_->ValidateSequence(kToken, flow);
  ASSERT_EQ(checked.size(), flow.size());
  EXPECT_THAT(checked[0], IsOk());
  EXPECT_FALSE(checked[1].ok());
  EXPECT_THAT(checked[2], StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(checked[4], StatusIs(absl::StatusCode::kNotFound));
  // The same commands one by one against the live state: only the first can pass.
  std::vector<absl::StatusOr<v1::CommandReply>> alone =
      engine_->ValidateSequence(kToken, {CellFlow()[2]});
  EXPECT_THAT(alone[0], StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(ValidateSequenceTest, AnUnknownTokenChecksNothing) {
  std::vector<absl::StatusOr<v1::CommandReply>> checked =
      engine_->ValidateSequence("not-a-token-0123456789", CellFlow());
  ASSERT_EQ(checked.size(), CellFlow().size());
  for (const auto& result : checked) {
    EXPECT_THAT(result, StatusIs(absl::StatusCode::kUnauthenticated));
  }
}

}  // namespace
}  // namespace rating::services
