// The command table: one row per kind of command, each reachable from exactly one rpc, and the
// plans of the commands that decide, rule and re-rate (what the events remember).
#include "services/command_table.h"

#include <gmock/gmock.h>
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "common/check.h"
#include "tests/projections/state_builder.h"
#include "tests/testing/status_matchers.h"

namespace rating::services {
namespace {

using projections::testing::StateBuilder;
using ::rating::testing::IsOk;
using ::rating::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

v1::Command Cmd(const std::string& text) {
  v1::Command command;
  RATING_CHECK(google::protobuf::TextFormat::ParseFromString(text, &command));
  return command;
}

// ------------------------------------------------------------------ the table

TEST(CommandTableTest, EveryKindOfCommandHasOneRowAndOneRpc) {
  const google::protobuf::OneofDescriptor* oneof = v1::Command::descriptor()->oneof_decl(0);
  ASSERT_EQ(static_cast<size_t>(oneof->field_count()), CommandTable().size());
  const google::protobuf::FileDescriptor* api = v1::Command::descriptor()->file();
  for (int i = 0; i < oneof->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = oneof->field(i);
    const CommandSpec* spec = FindCommand(static_cast<v1::Command::CommandCase>(field->number()));
    ASSERT_NE(spec, nullptr) << field->name();
    EXPECT_EQ(spec->field, field);
    EXPECT_EQ(FindCommandByPayload(field->message_type()), spec) << field->name();
    // Exactly one rpc takes the payload and answers a CommandReply.
    int rpcs = 0;
    for (int s = 0; s < api->service_count(); ++s) {
      for (int m = 0; m < api->service(s)->method_count(); ++m) {
        const auto* method = api->service(s)->method(m);
        if (method->input_type() == field->message_type() &&
            method->output_type() == v1::CommandReply::descriptor()) {
          ++rpcs;
        }
      }
    }
    EXPECT_EQ(rpcs, 1) << field->name();
  }
}

TEST(CommandTableTest, APayloadIsWrappedIntoItsCommand) {
  v1::Decision decision;
  decision.set_year(2025);
  absl::StatusOr<v1::Command> command = CommandOf(decision);
  ASSERT_THAT(command, IsOk());
  EXPECT_EQ(command->command_case(), v1::Command::kDecideRatings);
  EXPECT_EQ(command->decide_ratings().year(), 2025);
  EXPECT_THAT(CommandOf(v1::Principal()), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(CommandTableTest, AnEmptyCommandIsInvalid) {
  projections::RatingState state;
  v1::Principal admin;
  admin.set_role(v1::ROLE_ADMIN);
  EXPECT_THAT(AuthorizeCommand(state, admin, v1::Command()),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(PlanCommand(state, v1::Command()), StatusIs(absl::StatusCode::kInvalidArgument));
}

// ------------------------------------------------------------------ plans

// c1 is a grassroots cell with m1 (HTTNV, heads c1), m2; both decided HTTNV; c1 decided HTTNV.
StateBuilder DecidedCell() {
  StateBuilder b;
  b.Add("period_opened { year: 2025 }")
      .Org("c1", "GRASSROOTS_CELL", "bloc")
      .Org("c2", "GRASSROOTS_CELL", "bloc")
      .GoodMember("m1", "c1", "heads: 'c1'")
      .GoodMember("m2", "c1", "heads: 'c1'");
  b.Add(
      "ratings_decided { decision { year: 2025 ratings { subject: 'member/m1' level: LEVEL_HTTNV } "
      "ratings { subject: 'member/m2' level: LEVEL_HTTNV } ratings { subject: 'leader/m1' level: "
      "LEVEL_HTTNV } "
      "ratings { subject: 'org/c1' level: LEVEL_HTTNV } } }");
  return b;
}

std::vector<std::string> Flags(const Plan& plan) {
  std::vector<std::string> out;
  for (const v1::Event& e : plan.events) {
    if (!e.has_rating_flagged()) continue;
    out.push_back(e.rating_flagged().subject() + " " +
                  v1::RatingStatus_Name(e.rating_flagged().flag()));
  }
  return out;
}

constexpr char kRuling[] =
    "rule_discipline { subject: 'member/m1' form: DISCIPLINE_FORM_REPRIMAND decided_on: "
    "'2026-02-01' violation_from: '2025-04-01' violation_to: '2025-04-30' ";

// R-RETRO-1 and R-ATTR-1: the ruling event remembers where and when; the flags follow it.
TEST(PlanTest, ALateRulingRemembersItsAttributionAndFlagsBothRatings) {
  StateBuilder b = DecidedCell();
  absl::StatusOr<Plan> plan = PlanCommand(b.state(), Cmd(std::string(kRuling) + "}"));
  ASSERT_THAT(plan, IsOk());
  ASSERT_FALSE(plan->events.empty());
  const v1::DisciplineRuled& ruled = plan->events[0].discipline_ruled();
  EXPECT_EQ(ruled.attributed_org(), "c1");
  EXPECT_THAT(ruled.years(), ElementsAre(2025));
  // Both of the person's ratings; the cell drops (m1 counts as KHTNV, D3: 1 of 2).
  EXPECT_THAT(Flags(*plan), ElementsAre("member/m1 RATING_STATUS_RERATING_REQUIRED",
                                        "leader/m1 RATING_STATUS_RERATING_REQUIRED",
                                        "org/c1 RATING_STATUS_REVIEW_SUGGESTED"));
}

// R-RETRO-1 (corner 03): a self-remedied ruling after an unremedied one changes no flag.
TEST(PlanTest, FlagsNeverSoftenAcrossRulings) {
  StateBuilder b = DecidedCell();
  absl::StatusOr<Plan> first = PlanCommand(b.state(), Cmd(std::string(kRuling) + "}"));
  ASSERT_THAT(first, IsOk());
  for (const v1::Event& e : first->events) {
    std::string text;
    google::protobuf::TextFormat::PrintToString(e, &text);
    b.Add(text);
  }
  absl::StatusOr<Plan> second =
      PlanCommand(b.state(), Cmd(std::string(kRuling) + "self_remedied: true }"));
  ASSERT_THAT(second, IsOk());
  EXPECT_THAT(Flags(*second), IsEmpty());
}

// R-RETRO-3 (clarified): a member who moved is reviewed at the org where it happened and at
// their own org at the reference date.
TEST(PlanTest, ARulingOnAMemberWhoMovedReviewsBothOrgs) {
  StateBuilder b = DecidedCell();
  b.Add("member_transferred { member: 'm2' to: 'c2' on: '2025-06-01' }");
  absl::StatusOr<Plan> plan = PlanCommand(
      b.state(), Cmd("rule_discipline { subject: 'member/m2' form: DISCIPLINE_FORM_WARNING "
                     "decided_on: '2026-02-01' violation_from: '2025-03-01' }"));
  ASSERT_THAT(plan, IsOk());
  EXPECT_EQ(plan->events[0].discipline_ruled().attributed_org(), "c1");
  // m2 was decided in c1's 2025 document; c1 (where it happened) falls by D3.
  EXPECT_THAT(Flags(*plan), ElementsAre("member/m2 RATING_STATUS_RERATING_REQUIRED",
                                        "org/c1 RATING_STATUS_REVIEW_SUGGESTED"));
}

// R-DEC-2: a reason that forced nothing is no override; one that forced records what.
TEST(PlanTest, ADecisionRemembersWhatItsOverrideForced) {
  StateBuilder b = DecidedCell();
  b.Add("review_completed { subject: 'committee/c1' year: 2025 }")
      .Add(R"(committee_assessed { org: 'c1' year: 2025
        grades { criterion: 'democratic_centralism' grade: GRADE_TOT } grades { criterion: 'leadership_responsibility' grade: GRADE_TOT }
        grades { criterion: 'programs' grade: GRADE_XS } grades { criterion: 'results' grade: GRADE_XS }
        grades { criterion: 'targets' grade: GRADE_TOT } grades { criterion: 'unit_ratings' grade: GRADE_TOT }
        grades { criterion: 'remediation' grade: GRADE_TOT } exemplary: true })");
  absl::StatusOr<Plan> plain = PlanCommand(
      b.state(), Cmd("decide_ratings { year: 2025 ratings { subject: 'committee/c1' level: "
                     "LEVEL_HTTNV } override_reason: 'just because' }"));
  ASSERT_THAT(plain, IsOk());
  EXPECT_THAT(plain->events[0].ratings_decided().overridden_rules(), IsEmpty());
  EXPECT_EQ(plain->events[0].ratings_decided().authority(), "bloc");
  // Above the cap (R-COM-CAP: c1 is HTTNV): refused naming R-DEC-2 and the cap ...
  const std::string above =
      "decide_ratings { year: 2025 ratings { subject: 'committee/c1' level: LEVEL_HTXSNV } ";
  EXPECT_THAT(PlanCommand(b.state(), Cmd(above + "}")),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("R-COM-CAP")));
  // ... and forced with a reason, which the event remembers.
  absl::StatusOr<Plan> forced = PlanCommand(b.state(), Cmd(above + "override_reason: 'x' }"));
  ASSERT_THAT(forced, IsOk());
  const v1::RatingsDecided& d = forced->events[0].ratings_decided();
  EXPECT_THAT(d.overridden_rules(), ElementsAre("R-DEC-2", "R-COM-CAP"));
  ASSERT_EQ(d.forced_size(), 2);
  EXPECT_EQ(d.forced(0).subject(), "committee/c1");
}

// Events remember: a ballot event carries its tally; replay never recounts.
TEST(PlanTest, ABallotSessionCarriesItsTally) {
  StateBuilder b = DecidedCell();
  absl::StatusOr<Plan> plan = PlanCommand(
      b.state(), Cmd("record_ballots { session: 's' org: 'c1' year: 2025 subjects: 'member/m1' "
                     "issued: '1' issued: '2' ballots { serial: '1' marks { subject: 'member/m1' "
                     "levels: LEVEL_HTTNV levels: LEVEL_HTTNV } } ballots { serial: '3' } }"));
  ASSERT_THAT(plan, IsOk());
  const v1::BallotsRecorded& recorded = plan->events[0].ballots_recorded();
  EXPECT_EQ(recorded.tally().valid(), 1);
  EXPECT_EQ(recorded.tally().invalid(), 1);
  EXPECT_EQ(recorded.tally().invalid_ballots(0).reason(), v1::INVALID_BALLOT_REASON_NOT_ISSUED);
  EXPECT_EQ(recorded.tally().subjects(0).httnv(), 1);  // R-BAL-1: the same level twice is a vote.
  EXPECT_EQ(recorded.tally().subjects(0).level(), v1::LEVEL_HTTNV);
}

// R-RETRO-2 with R-REW-1: the re-rating event remembers the annulled level and the authority;
// the rewards resting on it fall in the same append.
TEST(PlanTest, AReRatingAnnulsTheRewardsRestingOnIt) {
  StateBuilder b = DecidedCell();
  b.Add("reward_granted { subject: 'member/m1' year: 2025 kind: REWARD_KIND_YEARLY }");
  absl::StatusOr<Plan> plan =
      PlanCommand(b.state(), Cmd("rerate { subject: 'member/m1' year: 2025 level: LEVEL_KHTNV "
                                 "decision_no: '01-QĐ/ĐU' }"));
  ASSERT_THAT(plan, IsOk());
  const v1::Rerated& rerated = plan->events[0].rerated();
  EXPECT_EQ(rerated.previous_level(), v1::LEVEL_HTTNV);
  EXPECT_EQ(rerated.authority(), "c1");
  ASSERT_GE(plan->events.size(), 2u);
  EXPECT_EQ(plan->events[1].reward_annulled().subject(), "member/m1");
  EXPECT_EQ(plan->events[1].reward_annulled().rule(), "R-REW-1");
}

}  // namespace
}  // namespace rating::services
