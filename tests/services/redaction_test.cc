// Redaction: what each reader sees of an event in a history or the log. A member never sees
// another member's level or a ballot's marks; token hashes are never readable.
#include "services/internal/redaction.h"

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <string>

#include "common/check.h"
#include "common/clock.h"
#include "eventstore/in_memory_event_store.h"
#include "services/engine.h"
#include "tests/testing/status_matchers.h"

namespace rating::services::internal {
namespace {

using ::rating::testing::IsOk;

v1::Principal P(const std::string& id, v1::Role role, const std::string& scope = "") {
  v1::Principal p;
  p.set_id(id);
  p.set_role(role);
  p.set_scope(scope);
  return p;
}

class RedactionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto engine = Engine::Open(store_);
    ASSERT_THAT(engine, IsOk());
    engine_ = *std::move(engine);
    admin_ = P("root", v1::ROLE_ADMIN);
    ASSERT_THAT(engine_->SeedPrincipal(admin_, "root-token-0123456789"), IsOk());
    for (const char* text : {
             "open_period { year: 2025 }",
             "register_org { id: 'c1' kind: ORG_KIND_GRASSROOTS_CELL parent: 'bloc' }",
             "register_org { id: 'c2' kind: ORG_KIND_GRASSROOTS_CELL parent: 'bloc' }",
             "enroll_member { id: 'm1' org: 'c1' admitted_on: '2015-03-01' }",
             "enroll_member { id: 'm2' org: 'c1' admitted_on: '2015-03-01' }",
         }) {
      ASSERT_THAT(engine_->Execute(admin_, Command(text), ""), IsOk()) << text;
    }
  }

  static v1::Command Command(const std::string& text) {
    v1::Command command;
    RATING_CHECK(google::protobuf::TextFormat::ParseFromString(text, &command));
    return command;
  }

  // `event` as `reader` may read it in the history of a 2025 rating.
  v1::Event As(const v1::Principal& reader, v1::Event event) {
    EXPECT_THAT(engine_->Read({},
                              [&](const projections::RatingState& state) {
                                RedactForReader(state, reader, 2025, event);
                                return absl::OkStatus();
                              }),
                IsOk());
    return event;
  }

  static v1::Event Event(const std::string& text) {
    v1::Event event;
    RATING_CHECK(google::protobuf::TextFormat::ParseFromString(text, &event));
    return event;
  }

  eventstore::InMemoryEventStore store_{common::SystemClock::Get()};
  std::unique_ptr<Engine> engine_;
  v1::Principal admin_;
};

constexpr char kDecision[] = R"(ratings_decided { decision { year: 2025
    ratings { subject: 'member/m1' level: LEVEL_HTTNV } ratings { subject: 'member/m2' level: LEVEL_KHTNV }
    override_reason: 'r' }
    forced { rule_id: 'R-DEC-2' subject: 'member/m2' message: 'm2 above its ceiling' }
    forced { rule_id: 'R-QUOTA' scope: 'c1' message: '2 rated HTXSNV, quota 1' } })";

constexpr char kBallots[] = R"(ballots_recorded {
    session { session: 's' org: 'c1' year: 2025 subjects: 'member/m1' subjects: 'member/m2'
      issued: '1' issued: '2'
      ballots { serial: '1' marks { subject: 'member/m1' levels: LEVEL_HTTNV } marks { subject: 'member/m2' levels: LEVEL_KHTNV } }
      ballots { serial: '9' marks { subject: 'member/m2' levels: LEVEL_KHTNV } } }
    tally { issued: 2 returned: 2 valid: 1 invalid: 1
      invalid_ballots { serial: '9' reason: INVALID_BALLOT_REASON_NOT_ISSUED }
      subjects { subject: 'member/m1' httnv: 1 level: LEVEL_HTTNV }
      subjects { subject: 'member/m2' khtnv: 1 level: LEVEL_KHTNV } } })";

TEST_F(RedactionTest, AMemberSeesOnlyItsOwnRowOfADecision) {
  const v1::Event seen = As(P("self", v1::ROLE_MEMBER, "m1"), Event(kDecision));
  const v1::Decision& d = seen.ratings_decided().decision();
  ASSERT_EQ(d.ratings_size(), 1);
  EXPECT_EQ(d.ratings(0).subject(), "member/m1");
  // The breach naming m2 goes; the quota's counts stay (as ListOverrides shows them).
  ASSERT_EQ(seen.ratings_decided().forced_size(), 1);
  EXPECT_EQ(seen.ratings_decided().forced(0).rule_id(), "R-QUOTA");
}

TEST_F(RedactionTest, AMemberSeesTheCountsOfItsOwnRowAndNoBallot) {
  const v1::Event seen = As(P("self", v1::ROLE_MEMBER, "m1"), Event(kBallots));
  const v1::BallotsRecorded& b = seen.ballots_recorded();
  EXPECT_EQ(b.session().ballots_size(), 0);
  EXPECT_EQ(b.session().issued_size(), 0);
  ASSERT_EQ(b.session().subjects_size(), 1);
  EXPECT_EQ(b.session().subjects(0), "member/m1");
  EXPECT_EQ(b.tally().invalid_ballots_size(), 0);
  ASSERT_EQ(b.tally().subjects_size(), 1);
  EXPECT_EQ(b.tally().subjects(0).subject(), "member/m1");
  EXPECT_EQ(b.tally().valid(), 1);  // The session's counts are no one's secret.
}

constexpr char kTotals[] = R"(ballots_recorded {
    session { session: 's' org: 'c1' year: 2025 subjects: 'member/m1' subjects: 'member/m2'
      totals { issued: 3 returned: 3 invalid { reason: INVALID_BALLOT_REASON_NO_MARK count: 1 }
        subjects { subject: 'member/m1' httnv: 2 } subjects { subject: 'member/m2' khtnv: 2 } } }
    tally { issued: 3 returned: 3 valid: 2 invalid: 1 from_totals: true
      invalid_totals { reason: INVALID_BALLOT_REASON_NO_MARK count: 1 }
      subjects { subject: 'member/m1' httnv: 2 level: LEVEL_HTTNV }
      subjects { subject: 'member/m2' khtnv: 2 level: LEVEL_KHTNV } } })";

TEST_F(RedactionTest, AMemberSeesItsOwnRowOfATeamsTotals) {
  const v1::Event seen = As(P("self", v1::ROLE_MEMBER, "m1"), Event(kTotals));
  const v1::BallotsRecorded& b = seen.ballots_recorded();
  ASSERT_EQ(b.session().totals().subjects_size(), 1);
  EXPECT_EQ(b.session().totals().subjects(0).subject(), "member/m1");
  EXPECT_EQ(b.session().totals().invalid_size(), 0);
  EXPECT_EQ(b.tally().invalid_totals_size(), 0);
  ASSERT_EQ(b.tally().subjects_size(), 1);
  EXPECT_EQ(b.tally().subjects(0).subject(), "member/m1");
  EXPECT_EQ(As(P("cell1", v1::ROLE_CELL_COMMITTEE, "c1"), Event(kTotals)).SerializeAsString(),
            Event(kTotals).SerializeAsString());
}

TEST_F(RedactionTest, TheCommitteeOfTheOrgSeesTheSessionWholeAnotherSeesNothingOfIt) {
  EXPECT_EQ(As(P("cell1", v1::ROLE_CELL_COMMITTEE, "c1"), Event(kBallots)).SerializeAsString(),
            Event(kBallots).SerializeAsString());
  EXPECT_EQ(As(P("team1", v1::ROLE_COUNTING_TEAM, "c1"), Event(kBallots)).SerializeAsString(),
            Event(kBallots).SerializeAsString());
  const v1::Event other = As(P("cell2", v1::ROLE_CELL_COMMITTEE, "c2"), Event(kBallots));
  EXPECT_EQ(other.ballots_recorded().session().subjects_size(), 0);
  EXPECT_EQ(other.ballots_recorded().tally().subjects_size(), 0);
  EXPECT_EQ(As(P("cell2", v1::ROLE_CELL_COMMITTEE, "c2"), Event(kDecision))
                .ratings_decided()
                .decision()
                .ratings_size(),
            0);
}

TEST_F(RedactionTest, LogReadersSeeEverythingButTokenHashes) {
  for (const v1::Principal& reader :
       {P("insp", v1::ROLE_INSPECTOR), P("prov", v1::ROLE_INTEGRATION), admin_}) {
    EXPECT_EQ(As(reader, Event(kDecision)).SerializeAsString(),
              Event(kDecision).SerializeAsString());
    EXPECT_EQ(As(reader, Event(kBallots)).SerializeAsString(), Event(kBallots).SerializeAsString());
    EXPECT_TRUE(As(reader, Event("principal_created { principal { id: 'x' } token_sha256: 'ab' }"))
                    .principal_created()
                    .token_sha256()
                    .empty());
  }
}

TEST_F(RedactionTest, ALogEntryHoldingATokenHashLosesItAndItsPayload) {
  for (const char* text : {"principal_created { principal { id: 'x' } token_sha256: 'ab' }",
                           "principal_token_rotated { principal_id: 'x' token_sha256: 'cd' }"}) {
    v1::LogEntry entry;
    *entry.mutable_event() = Event(text);
    entry.mutable_envelope()->set_payload(entry.event().SerializeAsString());
    RedactLogEntry(entry);
    EXPECT_TRUE(entry.envelope().payload().empty()) << text;
    EXPECT_EQ(entry.event().SerializeAsString().find("ab"), std::string::npos) << text;
    EXPECT_EQ(entry.event().SerializeAsString().find("cd"), std::string::npos) << text;
  }
  v1::LogEntry decision;
  *decision.mutable_event() = Event(kDecision);
  decision.mutable_envelope()->set_payload(decision.event().SerializeAsString());
  RedactLogEntry(decision);
  EXPECT_EQ(decision.envelope().payload(), Event(kDecision).SerializeAsString());
}

}  // namespace
}  // namespace rating::services::internal
