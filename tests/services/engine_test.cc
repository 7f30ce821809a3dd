// The engine end to end over an in-memory store: commands -> rules -> events -> projections,
// rebuild equality, as-of reads, idempotency, bad input and authorization.
#include "services/engine.h"

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <string>

#include "common/check.h"
#include "common/clock.h"
#include "eventstore/in_memory_event_store.h"
#include "projections/rating_reads.h"
#include "tests/testing/status_matchers.h"

namespace rating::services {
namespace {

using ::rating::testing::IsOk;
using ::rating::testing::StatusIs;
using ::testing::HasSubstr;

v1::Command Cmd(const std::string& text) {
  v1::Command command;
  RATING_CHECK(google::protobuf::TextFormat::ParseFromString(text, &command));
  return command;
}

v1::Principal MakePrincipal(const std::string& id, v1::Role role, const std::string& scope = "") {
  v1::Principal p;
  p.set_id(id);
  p.set_role(role);
  p.set_scope(scope);
  return p;
}

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto engine = Engine::Open(store_);
    ASSERT_THAT(engine, IsOk());
    engine_ = *std::move(engine);
    admin_ = MakePrincipal("root", v1::ROLE_ADMIN);
    ASSERT_THAT(engine_->SeedPrincipal(admin_, "root-token-0123456789"), IsOk());
  }

  absl::StatusOr<v1::CommandReply> Run(const std::string& text, const v1::Principal* as = nullptr,
                                       const std::string& request_id = "") {
    return engine_->Execute(as == nullptr ? admin_ : *as, Cmd(text), request_id);
  }
  void MustRun(const std::string& text) { ASSERT_THAT(Run(text), IsOk()) << text; }

  v1::RatingView View(const std::string& subject, int year, uint64_t as_of = 0) {
    v1::RatingView view;
    v1::AsOf at;
    at.set_position(as_of);
    EXPECT_THAT(engine_->Read(at,
                              [&](const projections::RatingState& state) -> absl::Status {
                                auto s = projections::ResolveSubject(state, subject);
                                if (!s.ok()) return s.status();
                                auto period = projections::OpenPeriod(state, year);
                                if (!period.ok()) return period.status();
                                view = projections::RatingViewOf(
                                    projections::RatingFacts(state, **period), *s);
                                return absl::OkStatus();
                              }),
                IsOk());
    return view;
  }

  std::string LiveDump() {
    std::string dump;
    EXPECT_THAT(engine_->Read({},
                              [&](const projections::RatingState& state) {
                                dump = state.Dump();
                                return absl::OkStatus();
                              }),
                IsOk());
    return dump;
  }

  // A cell with two rated members, decided by ballot; the org rated HTXSNV; a reward.
  void RateCellOf2025() {
    MustRun("open_period { year: 2025 }");
    MustRun(
        "register_org { id: 'c1' kind: ORG_KIND_GRASSROOTS_CELL parent: 'bloc' founded_on: "
        "'2010-01-01' }");
    for (const char* m : {"m1", "m2"}) {
      MustRun(std::string("enroll_member { id: '") + m + "' org: 'c1' admitted_on: '2015-03-01' }");
      MustRun(std::string("record_review_completed { subject: 'member/") + m + "' year: 2025 }");
    }
    MustRun(R"(submit_self_assessment { member: 'm1' year: 2025
        grades { criterion: 'political' grade: GRADE_XS } grades { criterion: 'tasks' grade: GRADE_XS }
        grades { criterion: 'commitment' grade: GRADE_XS } grades { criterion: 'remediation' grade: GRADE_XS }
        targets { assigned: 3 completed: 3 on_time: 3 exceeded: 2 } exemplary: true level: LEVEL_HTXSNV })");
    MustRun(R"(submit_self_assessment { member: 'm2' year: 2025
        grades { criterion: 'political' grade: GRADE_TOT } grades { criterion: 'tasks' grade: GRADE_TOT }
        grades { criterion: 'commitment' grade: GRADE_TOT } grades { criterion: 'remediation' grade: GRADE_TOT }
        targets { assigned: 3 completed: 3 on_time: 3 } level: LEVEL_HTTNV })");
    MustRun(R"(record_ballots { session: 'c1-2025' org: 'c1' year: 2025
        subjects: 'member/m1' subjects: 'member/m2' issued: '1' issued: '2' issued: '3'
        ballots { serial: '1' marks { subject: 'member/m1' levels: LEVEL_HTXSNV } marks { subject: 'member/m2' levels: LEVEL_HTTNV } }
        ballots { serial: '2' marks { subject: 'member/m1' levels: LEVEL_HTXSNV } marks { subject: 'member/m2' levels: LEVEL_HTTNV } }
        ballots { serial: '3' marks { subject: 'member/m1' levels: LEVEL_HTXSNV } marks { subject: 'member/m2' levels: LEVEL_HTXSNV } } })");
    auto decided = Run(R"(decide_ratings { year: 2025
        ratings { subject: 'member/m1' level: LEVEL_HTXSNV } ratings { subject: 'member/m2' level: LEVEL_HTTNV } })");
    ASSERT_THAT(decided, IsOk());
    decided_at_ = decided->last_position();
    MustRun("record_review_completed { subject: 'org/c1' year: 2025 }");
    MustRun(R"(submit_scorecard { org: 'c1' year: 2025
        criteria { id: 'political_ideology' max: '15' points: '14' }
        criteria { id: 'organization_cadres' max: '15' points: '12' }
        criteria { id: 'party_programs' max: '20' key: true points: '18' }
        criteria { id: 'production_business' max: '30' key: true quantity { achieved: 120 plan: 100 } }
        criteria { id: 'remediation' max: '20' points: '15' }
        party_building_pct: 100 production_plan_met: true exemplary: true })");
    for (const char* body : {"management", "mass_org:youth_union", "mass_org:trade_union"}) {
      MustRun(std::string("record_external_rating { org: 'c1' year: 2025 body: '") + body +
              "' level: LEVEL_HTTNV }");
    }
    MustRun("decide_ratings { year: 2025 ratings { subject: 'org/c1' level: LEVEL_HTXSNV } }");
    MustRun("grant_reward { subject: 'member/m1' year: 2025 kind: REWARD_KIND_YEARLY }");
  }

  eventstore::InMemoryEventStore store_{common::SystemClock::Get()};
  std::unique_ptr<Engine> engine_;
  v1::Principal admin_;
  uint64_t decided_at_ = 0;
};

TEST_F(EngineTest, LateDisciplineFlagsTheRatingAndTheOrgThenRerateAnnulsTheReward) {
  RateCellOf2025();
  EXPECT_EQ(View("member/m1", 2025).level(), v1::LEVEL_HTXSNV);
  MustRun("open_period { year: 2026 }");
  auto ruled = Run(R"(rule_discipline { subject: 'member/m1' form: DISCIPLINE_FORM_WARNING
      decided_on: '2026-03-10' violation_from: '2025-06-01' violation_to: '2025-06-30' })");
  ASSERT_THAT(ruled, IsOk());
  EXPECT_EQ(View("member/m1", 2025).status(), v1::RATING_STATUS_RERATING_REQUIRED);
  EXPECT_EQ(View("member/m1", 2025).ceiling(), v1::LEVEL_KHTNV);
  const v1::RatingView org = View("org/c1", 2025);
  EXPECT_EQ(org.status(), v1::RATING_STATUS_REVIEW_SUGGESTED);
  EXPECT_EQ(org.ceiling(), v1::LEVEL_HTNV);
  EXPECT_EQ(org.ceiling_rule(), "R-ORG-3");
  // R-RETRO-4: as of the decision, the old rating stands.
  EXPECT_EQ(View("member/m1", 2025, decided_at_).status(), v1::RATING_STATUS_DECIDED);
  EXPECT_EQ(View("member/m1", 2025, decided_at_).level(), v1::LEVEL_HTXSNV);

  ASSERT_THAT(
      Run("rerate { subject: 'member/m1' year: 2025 level: LEVEL_KHTNV decision_no: '01-QĐ/ĐU' }"),
      IsOk());
  EXPECT_EQ(View("member/m1", 2025).status(), v1::RATING_STATUS_DECIDED);
  EXPECT_EQ(View("member/m1", 2025).level(), v1::LEVEL_KHTNV);
  ASSERT_THAT(engine_->Read({},
                            [](const projections::RatingState& state) {
                              EXPECT_EQ(state.rewards().rewards().size(), 1u);
                              EXPECT_NE(state.rewards().rewards()[0].annulled_position,
                                        0u);  // R-REW-1.
                              return absl::OkStatus();
                            }),
              IsOk());
}

TEST_F(EngineTest, RebuildFromTheLogGivesIdenticalState) {
  RateCellOf2025();
  MustRun("open_period { year: 2026 }");
  MustRun(R"(rule_discipline { subject: 'member/m1' form: DISCIPLINE_FORM_WARNING
      decided_on: '2026-03-10' violation_from: '2025-06-01' })");
  auto rebuilt = engine_->Rebuild(0);
  ASSERT_THAT(rebuilt, IsOk());
  EXPECT_EQ((*rebuilt)->Dump(), LiveDump());
  // And a second engine over the same log agrees too.
  auto second = Engine::Open(store_);
  ASSERT_THAT(second, IsOk());
  std::string dump;
  ASSERT_THAT((*second)->Read({},
                              [&](const projections::RatingState& s) {
                                dump = s.Dump();
                                return absl::OkStatus();
                              }),
              IsOk());
  EXPECT_EQ(dump, LiveDump());
}

TEST_F(EngineTest, RetriedRequestIdReturnsTheOriginalReplyAndWritesNothing) {
  const std::string id = "6f1c2b1e-8a7d-4c1e-9a51-0e0b6b0c0a01";
  auto first = Run("open_period { year: 2025 }", nullptr, id);
  ASSERT_THAT(first, IsOk());
  const uint64_t head = store_.HeadPosition();
  auto retry = Run("open_period { year: 2025 }", nullptr, id);
  ASSERT_THAT(retry, IsOk());
  EXPECT_TRUE(retry->replayed());
  EXPECT_EQ(retry->first_position(), first->first_position());
  EXPECT_EQ(retry->event_ids(0), first->event_ids(0));
  EXPECT_EQ(store_.HeadPosition(), head);
  EXPECT_THAT(Run("open_period { year: 2026 }", nullptr, "not-a-uuid"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("request_id")));
}

TEST_F(EngineTest, BadInputNamesTheFieldAndWritesNothing) {
  MustRun("open_period { year: 2025 }");
  MustRun("register_org { id: 'c1' kind: ORG_KIND_GRASSROOTS_CELL parent: 'bloc' }");
  const uint64_t head = store_.HeadPosition();
  struct Case {
    const char* command;
    absl::StatusCode code;
    const char* names;
  } cases[] = {
      {"open_period { year: 1999 }", absl::StatusCode::kInvalidArgument, "year"},
      {"open_period { year: 2025 }", absl::StatusCode::kAlreadyExists, "2025"},
      {"open_period { year: 2027 policy_overrides { key: 'nonsense' value: '1' } }",
       absl::StatusCode::kInvalidArgument, "policy"},
      {"register_org { id: '' kind: ORG_KIND_GRASSROOTS_CELL parent: 'bloc' }",
       absl::StatusCode::kInvalidArgument, "id"},
      {"register_org { id: 'c2' parent: 'bloc' }", absl::StatusCode::kInvalidArgument, "kind"},
      {"register_org { id: 'c2' kind: ORG_KIND_GRASSROOTS_CELL parent: 'nowhere' }",
       absl::StatusCode::kNotFound, "parent"},
      {"enroll_member { id: 'm1' org: 'c1' admitted_on: '2015-02-30' }",
       absl::StatusCode::kInvalidArgument, "admitted_on"},
      {"record_review_completed { subject: 'person/m1' year: 2025 }",
       absl::StatusCode::kInvalidArgument, "subject"},
      {"record_review_completed { subject: 'org/c1' year: 2031 }", absl::StatusCode::kNotFound,
       "2031"},
      {R"(submit_scorecard { org: 'c1' year: 2025 criteria { id: 'a' max: '15' points: '10' grade: GRADE_XS } })",
       absl::StatusCode::kInvalidArgument, "criteria[0]"},
      {R"(submit_scorecard { org: 'c1' year: 2025 criteria { id: 'a' max: '15' points: '10.001' } })",
       absl::StatusCode::kInvalidArgument, "points"},
      {"decide_ratings { year: 2025 }", absl::StatusCode::kInvalidArgument, "ratings"},
      {"decide_ratings { year: 2025 ratings { subject: 'org/c1' } }",
       absl::StatusCode::kInvalidArgument, "ratings[0].level"},
      {"", absl::StatusCode::kInvalidArgument, "command"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(Run(c.command), StatusIs(c.code, HasSubstr(c.names))) << c.command;
  }
  EXPECT_EQ(store_.HeadPosition(), head);
}

TEST_F(EngineTest, EveryRoleIsHeldToItsRightsAndScope) {
  MustRun("open_period { year: 2025 }");
  MustRun(
      "register_org { id: 'c1' kind: ORG_KIND_GRASSROOTS_CELL parent: 'bloc' founded_on: "
      "'2010-01-01' }");
  MustRun(
      "register_org { id: 'c2' kind: ORG_KIND_GRASSROOTS_CELL parent: 'bloc' founded_on: "
      "'2010-01-01' }");
  MustRun("enroll_member { id: 'm1' org: 'c1' admitted_on: '2015-03-01' }");
  const v1::Principal member = MakePrincipal("self", v1::ROLE_MEMBER, "m1");
  const v1::Principal other_member = MakePrincipal("other", v1::ROLE_MEMBER, "m9");
  const v1::Principal cell = MakePrincipal("cell1", v1::ROLE_CELL_COMMITTEE, "c1");
  const v1::Principal other_cell = MakePrincipal("cell2", v1::ROLE_CELL_COMMITTEE, "c2");
  const v1::Principal bloc = MakePrincipal("bloc", v1::ROLE_BLOC_COMMITTEE, "bloc");
  const v1::Principal team = MakePrincipal("team1", v1::ROLE_COUNTING_TEAM, "c1");
  const v1::Principal team2 = MakePrincipal("team2", v1::ROLE_COUNTING_TEAM, "c2");
  const v1::Principal inspector = MakePrincipal("insp", v1::ROLE_INSPECTOR);
  const v1::Principal integration = MakePrincipal("prov", v1::ROLE_INTEGRATION);

  const std::string self_assessment = R"(submit_self_assessment { member: 'm1' year: 2025
      grades { criterion: 'political' grade: GRADE_TOT } grades { criterion: 'tasks' grade: GRADE_TOT }
      grades { criterion: 'commitment' grade: GRADE_TOT } grades { criterion: 'remediation' grade: GRADE_TOT }
      targets { assigned: 1 completed: 1 on_time: 1 } level: LEVEL_HTTNV })";
  const std::string ballots = R"(record_ballots { session: 'SESSION' org: 'c1' year: 2025
      subjects: 'member/m1' issued: '1' ballots { serial: '1' marks { subject: 'member/m1' levels: LEVEL_HTTNV } } })";
  const std::string review = "record_review_completed { subject: 'member/m1' year: 2025 }";
  const std::string decide =
      "decide_ratings { year: 2025 ratings { subject: 'member/m1' level: LEVEL_HTTNV } }";
  const std::string period = "open_period { year: 2030 }";

  struct Case {
    const v1::Principal* who;
    std::string command;
    bool allowed;
  };
  auto with_session = [&](const std::string& name) {
    std::string text = ballots;
    text.replace(text.find("SESSION"), 7, name);
    return text;
  };
  const Case cases[] = {
      {&member, self_assessment, true},
      {&other_member, self_assessment, false},
      {&member, review, false},
      {&member, decide, false},
      {&cell, review, true},
      {&other_cell, review, false},
      {&other_cell, self_assessment, false},
      {&cell, with_session("s1"), true},
      {&team, with_session("s2"), true},
      {&team2, with_session("s3"), false},
      {&team, review, false},
      {&team, decide, false},
      {&inspector, review, false},
      {&inspector, decide, false},
      {&integration, self_assessment, false},
      {&integration, with_session("s4"), false},
      {&bloc, decide, false},
      {&other_cell, decide, false},
      {&cell, period, false},
      {&bloc, period, true},
      {&cell, decide, true},
  };
  for (const Case& c : cases) {
    const uint64_t head = store_.HeadPosition();
    auto result = Run(c.command, c.who);
    if (c.allowed) {
      EXPECT_THAT(result, IsOk()) << c.who->id() << ": " << c.command;
    } else {
      EXPECT_THAT(result, StatusIs(absl::StatusCode::kPermissionDenied))
          << c.who->id() << ": " << c.command;
      EXPECT_EQ(store_.HeadPosition(), head);
    }
  }
}

TEST_F(EngineTest, RefusedDecisionsNameTheirRules) {
  RateCellOf2025();
  MustRun("enroll_member { id: 'm3' org: 'c1' admitted_on: '2015-03-01' }");
  // m3 has neither review nor tally: R-SUBJ-3 refuses; m2 above its tally: R-BAL-5; both
  // HTXSNV would break the quota. Every rule is named at once.
  auto refused =
      Run(R"(decide_ratings { year: 2025 ratings { subject: 'member/m3' level: LEVEL_HTNV } })");
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("R-SUBJ-3")));
  EXPECT_THAT(
      Run("decide_ratings { year: 2025 ratings { subject: 'member/m1' level: LEVEL_HTNV } }"),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("R-DEC-3")));
}

TEST_F(EngineTest, ARecountUnderTheSameSessionSupersedesTheEarlierTally) {
  MustRun("open_period { year: 2025 }");
  MustRun("register_org { id: 'c1' kind: ORG_KIND_GRASSROOTS_CELL parent: 'bloc' }");
  MustRun("register_org { id: 'c2' kind: ORG_KIND_GRASSROOTS_CELL parent: 'bloc' }");
  MustRun("enroll_member { id: 'm1' org: 'c1' admitted_on: '2015-03-01' }");
  const std::string count = R"(record_ballots { session: 's' org: 'c1' year: 2025
      subjects: 'member/m1' issued: '1' ballots { serial: '1' marks { subject: 'member/m1' levels: LEVEL } } })";
  auto with = [&](const std::string& level) {
    std::string text = count;
    text.replace(text.find("LEVEL"), 5, level);
    return text;
  };
  MustRun(with("LEVEL_HTTNV"));
  MustRun(with("LEVEL_HTNV"));
  ASSERT_THAT(engine_->Read({},
                            [](const projections::RatingState& state) {
                              const projections::SessionRecord* s = state.ballots().Find("s");
                              EXPECT_NE(s, nullptr);
                              if (s != nullptr) {
                                EXPECT_EQ(s->tally().subjects(0).level(), v1::LEVEL_HTNV);
                              }
                              return absl::OkStatus();
                            }),
              IsOk());
  std::string other = with("LEVEL_HTNV");
  other.replace(other.find("org: 'c1'"), 9, "org: 'c2'");
  EXPECT_THAT(Run(other), StatusIs(absl::StatusCode::kAlreadyExists));
}

TEST_F(EngineTest, AsOfReadsInAnyOrderMatchAFreshRebuild) {
  RateCellOf2025();
  const uint64_t head = store_.HeadPosition();
  for (uint64_t position : {decided_at_, decided_at_, head, uint64_t{3}, decided_at_ + 2, head}) {
    v1::AsOf at;
    at.set_position(position);
    std::string dump;
    ASSERT_THAT(engine_->Read(at,
                              [&](const projections::RatingState& state) {
                                dump = state.Dump();
                                return absl::OkStatus();
                              }),
                IsOk());
    auto fresh = engine_->Rebuild(position);
    ASSERT_THAT(fresh, IsOk());
    EXPECT_EQ(dump, (*fresh)->Dump()) << "as of " << position;
  }
}

}  // namespace
}  // namespace rating::services
