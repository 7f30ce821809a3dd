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
#include "services/auth.h"
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

// ------------------------------------------------------------------ hardening (audit findings)

// The stored event of the last append, decoded.
v1::Event LastEvent(const eventstore::EventStore& store) {
  auto read = store.ReadAll(store.HeadPosition(), 1);
  RATING_CHECK(read.ok() && read->size() == 1);
  v1::Event event;
  RATING_CHECK(event.ParseFromString((*read)[0].payload()));
  return event;
}

TEST_F(EngineTest, UnknownFieldsOfACommandAreNeverStored) {
  MustRun("open_period { year: 2025 }");
  MustRun("register_org { id: 'c1' kind: ORG_KIND_GRASSROOTS_CELL parent: 'bloc' }");
  MustRun("enroll_member { id: 'm1' org: 'c1' admitted_on: '2015-03-01' }");
  v1::Command command = Cmd(R"(submit_self_assessment { member: 'm1' year: 2025
      grades { criterion: 'political' grade: GRADE_TOT } grades { criterion: 'tasks' grade: GRADE_TOT }
      grades { criterion: 'commitment' grade: GRADE_TOT } grades { criterion: 'remediation' grade: GRADE_TOT }
      level: LEVEL_HTTNV })");
  // A member's 900 KB of fields this version does not know, at two depths.
  const std::string blob(900 * 1024, 'x');
  command.mutable_submit_self_assessment()
      ->GetReflection()
      ->MutableUnknownFields(command.mutable_submit_self_assessment())
      ->AddLengthDelimited(999, blob);
  google::protobuf::Message* grade = command.mutable_submit_self_assessment()->mutable_grades(0);
  grade->GetReflection()->MutableUnknownFields(grade)->AddVarint(777, 1);
  ASSERT_THAT(engine_->Execute(admin_, command, ""), IsOk());
  auto read = store_.ReadAll(store_.HeadPosition(), 1);
  ASSERT_THAT(read, IsOk());
  EXPECT_LT((*read)[0].payload().size(), 1024u);
  const v1::Event event = LastEvent(store_);
  EXPECT_EQ(event.self_assessment_submitted()
                .GetReflection()
                ->GetUnknownFields(event.self_assessment_submitted())
                .field_count(),
            0);
  EXPECT_EQ(event.self_assessment_submitted()
                .grades(0)
                .GetReflection()
                ->GetUnknownFields(event.self_assessment_submitted().grades(0))
                .field_count(),
            0);
}

TEST_F(EngineTest, AnIdempotencyKeyInUpperAndLowerCaseIsOneKey) {
  const std::string lower = "6f1c2b1e-8a7d-4c1e-9a51-0e0b6b0c0a0b";
  const std::string upper = "6F1C2B1E-8A7D-4C1E-9A51-0E0B6B0C0A0B";
  auto first = Run("open_period { year: 2025 }", nullptr, upper);
  ASSERT_THAT(first, IsOk());
  const uint64_t head = store_.HeadPosition();
  auto retry = Run("open_period { year: 2025 }", nullptr, lower);
  ASSERT_THAT(retry, IsOk());
  EXPECT_TRUE(retry->replayed());
  EXPECT_EQ(retry->event_ids(0), first->event_ids(0));
  EXPECT_EQ(store_.HeadPosition(), head);
  // The key is stored in its canonical (lower-case) form.
  auto read = store_.ReadAll(head, 1);
  ASSERT_THAT(read, IsOk());
  EXPECT_EQ((*read)[0].correlation_id(), lower);
  // Another principal's retry of the same key, in either case, is refused.
  const v1::Principal other = MakePrincipal("root2", v1::ROLE_ADMIN);
  EXPECT_THAT(Run("open_period { year: 2026 }", &other, upper),
              StatusIs(absl::StatusCode::kAlreadyExists));
}

TEST_F(EngineTest, AKeyStoredInUpperCaseByAnOlderVersionStillReplays) {
  // Before keys were canonical, the event ids were derived from the key as sent.
  const std::string upper = "ABCDEF12-8A7D-4C1E-9A51-0E0B6B0C0A0C";
  v1::Event event;
  event.mutable_period_opened()->set_year(2031);
  eventstore::NewEvent e;
  e.event_id = DerivedEventId(upper, 0);
  e.type = "rating.v1.Event";
  e.payload = event.SerializeAsString();
  e.actor = admin_.id();
  e.correlation_id = upper;
  e.causation_id = upper;
  ASSERT_THAT(store_.Append("year-2031", eventstore::kExpectAny, {e}), IsOk());
  const uint64_t head = store_.HeadPosition();
  for (const std::string& key : {upper, CanonicalRequestId(upper)}) {
    auto retry = Run("open_period { year: 2031 }", nullptr, key);
    ASSERT_THAT(retry, IsOk()) << key;
    EXPECT_TRUE(retry->replayed()) << key;
    EXPECT_EQ(store_.HeadPosition(), head);
  }
}

TEST_F(EngineTest, ARevokedTokenRunsNothingEvenWhenTheCallStartedBefore) {
  MustRun("open_period { year: 2025 }");
  const v1::Principal cell = MakePrincipal("cell1", v1::ROLE_CELL_COMMITTEE, "bloc");
  ASSERT_THAT(engine_->SeedPrincipal(cell, "cell-token-0123456789"), IsOk());
  const v1::Command command = Cmd("open_period { year: 2026 }");
  // Authenticated once (as a stream does at its start), then revoked.
  ASSERT_THAT(engine_->Authenticate("cell-token-0123456789"), IsOk());
  ASSERT_THAT(engine_->RevokePrincipal(admin_, "cell1"), IsOk());
  const uint64_t head = store_.HeadPosition();
  EXPECT_THAT(engine_->ExecuteWithToken("cell-token-0123456789", command, ""),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("revoked")));
  EXPECT_EQ(store_.HeadPosition(), head);
  EXPECT_THAT(engine_->ExecuteWithToken("root-token-0123456789", command, ""), IsOk());
}

ConfiguredPrincipal Configured(const std::string& id, v1::Role role, const std::string& scope,
                               const std::string& token) {
  return ConfiguredPrincipal{MakePrincipal(id, role, scope), token};
}

TEST_F(EngineTest, TheAuthConfigCreatesRotatesAndRevokesWhatItLists) {
  ASSERT_THAT(engine_->CreatePrincipal(admin_,
                                       [] {
                                         v1::CreatePrincipalRequest r;
                                         *r.mutable_principal() =
                                             MakePrincipal("by-api", v1::ROLE_INSPECTOR);
                                         r.set_token("api-token-0123456789");
                                         return r;
                                       }()),
              IsOk());
  auto first = engine_->ApplyAuthConfig(
      {Configured("ops", v1::ROLE_ADMIN, "", "ops-token-0123456789"),
       Configured("prov", v1::ROLE_INTEGRATION, "", "prov-token-0123456789")});
  ASSERT_THAT(first, IsOk());
  EXPECT_EQ(first->created, (std::vector<std::string>{"ops", "prov"}));
  EXPECT_TRUE(LastEvent(store_).principal_created().from_auth_config());
  EXPECT_THAT(engine_->Authenticate("prov-token-0123456789"), IsOk());

  // The same file again changes nothing.
  const uint64_t head = store_.HeadPosition();
  auto same = engine_->ApplyAuthConfig(
      {Configured("ops", v1::ROLE_ADMIN, "", "ops-token-0123456789"),
       Configured("prov", v1::ROLE_INTEGRATION, "", "prov-token-0123456789")});
  ASSERT_THAT(same, IsOk());
  EXPECT_TRUE(same->created.empty() && same->rotated.empty() && same->revoked.empty());
  EXPECT_EQ(store_.HeadPosition(), head);

  // A changed token rotates; a principal the file created and no longer lists is revoked; one
  // made through the API is not the file's to revoke.
  auto second =
      engine_->ApplyAuthConfig({Configured("ops", v1::ROLE_ADMIN, "", "ops-token-NEW-0123456789")});
  ASSERT_THAT(second, IsOk());
  EXPECT_EQ(second->rotated, std::vector<std::string>{"ops"});
  EXPECT_EQ(second->revoked, std::vector<std::string>{"prov"});
  EXPECT_EQ(store_.HeadPosition(), head + 2);
  EXPECT_THAT(engine_->Authenticate("ops-token-0123456789"),
              StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(engine_->Authenticate("ops-token-NEW-0123456789"), IsOk());
  EXPECT_THAT(engine_->Authenticate("prov-token-0123456789"),
              StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(engine_->Authenticate("api-token-0123456789"), IsOk());
  const v1::Event revoked = LastEvent(store_);
  EXPECT_EQ(revoked.principal_revoked().principal_id(), "prov");
  EXPECT_EQ(revoked.principal_revoked().reason(), "removed from the auth config");
  auto events = store_.ReadAll(head + 1, 1);
  ASSERT_THAT(events, IsOk());
  v1::Event rotated;
  ASSERT_TRUE(rotated.ParseFromString((*events)[0].payload()));
  EXPECT_EQ(rotated.principal_token_rotated().principal_id(), "ops");
  EXPECT_EQ(rotated.principal_token_rotated().token_sha256(),
            TokenHash("ops-token-NEW-0123456789"));

  // Listed again after its revocation, it stays revoked.
  auto third = engine_->ApplyAuthConfig(
      {Configured("ops", v1::ROLE_ADMIN, "", "ops-token-NEW-0123456789"),
       Configured("prov", v1::ROLE_INTEGRATION, "", "prov-token-0123456789")});
  ASSERT_THAT(third, IsOk());
  EXPECT_EQ(third->kept_revoked, std::vector<std::string>{"prov"});
  EXPECT_THAT(engine_->Authenticate("prov-token-0123456789"),
              StatusIs(absl::StatusCode::kUnauthenticated));

  // The state a replay builds agrees.
  auto rebuilt = engine_->Rebuild(0);
  ASSERT_THAT(rebuilt, IsOk());
  EXPECT_EQ((*rebuilt)->Dump(), LiveDump());
}

TEST_F(EngineTest, ABadAuthConfigWritesNothing) {
  ASSERT_THAT(
      engine_->ApplyAuthConfig({Configured("ops", v1::ROLE_ADMIN, "", "ops-token-0123456789")}),
      IsOk());
  const uint64_t head = store_.HeadPosition();
  EXPECT_THAT(
      engine_->ApplyAuthConfig({Configured("ops", v1::ROLE_INSPECTOR, "", "ops-token-0123456789")}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("roles never change")));
  EXPECT_THAT(engine_->ApplyAuthConfig({Configured("a", v1::ROLE_ADMIN, "", "a-token-0123456789"),
                                        Configured("a", v1::ROLE_ADMIN, "", "b-token-0123456789")}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("listed twice")));
  EXPECT_THAT(
      engine_->ApplyAuthConfig({Configured("new", v1::ROLE_ADMIN, "", "root-token-0123456789")}),
      StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_THAT(engine_->ApplyAuthConfig({Configured("short", v1::ROLE_ADMIN, "", "tiny")}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("token")));
  EXPECT_EQ(store_.HeadPosition(), head);
  EXPECT_THAT(engine_->Authenticate("ops-token-0123456789"), IsOk());
}

TEST_F(EngineTest, AnAsOfReadIsAuthorizedBeforeAnyPastStateIsRebuilt) {
  RateCellOf2025();
  v1::AsOf at;
  at.set_position(3);
  bool read = false;
  uint64_t authorized_at = 0;
  EXPECT_THAT(engine_->Read(
                  at,
                  [&](const projections::RatingState& live) {
                    authorized_at = live.position();
                    return absl::PermissionDeniedError("no");
                  },
                  [&](const projections::RatingState&) {
                    read = true;
                    return absl::OkStatus();
                  }),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_FALSE(read);
  EXPECT_EQ(authorized_at, store_.HeadPosition());  // The live state.
  EXPECT_EQ(engine_->as_of_rebuilds(), 0);
  // Allowed, the past state is rebuilt once and read.
  EXPECT_THAT(engine_->Read(
                  at, [](const projections::RatingState&) { return absl::OkStatus(); },
                  [&](const projections::RatingState& past) {
                    read = past.position() == 3;
                    return absl::OkStatus();
                  }),
              IsOk());
  EXPECT_TRUE(read);
  EXPECT_EQ(engine_->as_of_rebuilds(), 1);
}

TEST_F(EngineTest, OversizedInputIsRefusedBeforeAuthorizationAndQuotedShort) {
  MustRun("open_period { year: 2025 }");
  MustRun("register_org { id: 'c1' kind: ORG_KIND_GRASSROOTS_CELL parent: 'bloc' }");
  MustRun("enroll_member { id: 'm1' org: 'c1' admitted_on: '2015-03-01' }");
  const uint64_t head = store_.HeadPosition();
  const v1::Principal cell = MakePrincipal("cell1", v1::ROLE_CELL_COMMITTEE, "c1");

  // 150,000 committee_of entries: refused on their number, before any lookup.
  v1::Command posts = Cmd("change_member_posts { member: 'm1' on: '2025-01-01' }");
  for (int i = 0; i < 150000; ++i) posts.mutable_change_member_posts()->add_committee_of("c1");
  EXPECT_THAT(engine_->Execute(cell, posts, ""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("committee_of: at most 64")));

  const std::string huge(900 * 1024, 'x');
  v1::Command ballots = Cmd(R"(record_ballots { session: 's' org: 'c1' year: 2025
      subjects: 'member/m1' issued: '1' ballots { marks { subject: 'member/m1' levels: LEVEL_HTTNV } } })");
  ballots.mutable_record_ballots()->mutable_ballots(0)->set_serial(huge);
  auto refused = engine_->Execute(cell, ballots, "");
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kInvalidArgument,
                                HasSubstr("ballots[0].serial: longer than 64 bytes")));
  ballots.mutable_record_ballots()->mutable_ballots(0)->set_serial("");
  EXPECT_THAT(engine_->Execute(cell, ballots, ""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("1..64")));

  struct Case {
    std::string command;
    const char* names;
  } cases[] = {
      {"enroll_member { id: 'm2' org: 'c1' admitted_on: '2015-03-01' name: '" +
           std::string(513, 'n') + "' }",
       "name: longer than 512 bytes"},
      {"register_org { id: '" + std::string(65, 'o') +
           "' kind: ORG_KIND_GRASSROOTS_CELL parent: 'bloc' }",
       "id: longer than 64 bytes"},
      {"record_review_completed { subject: 'member/" + std::string(100, 'm') + "' year: 2025 }",
       "subject: longer than 74 bytes"},
      {"decide_ratings { year: 2025 ratings { subject: 'member/m1' level: LEVEL_HTNV } "
       "override_reason: '" +
           std::string(4097, 'r') + "' }",
       "override_reason: longer than 4096 bytes"},
      {"rerate { subject: 'member/m1' year: 2025 level: LEVEL_HTNV decision_no: '1' "
       "override_reason: '" +
           std::string(4097, 'r') + "' }",
       "override_reason: longer than 4096 bytes"},
      {"open_period { year: 2026 policy_version: '" + std::string(65, 'p') + "' }",
       "policy_version: longer than 64 bytes"},
      {"record_comments { subject: 'member/m1' year: 2025 source: COMMENT_SOURCE_RESIDENCE } ", ""},
  };
  for (const Case& c : cases) {
    if (std::string(c.names).empty()) continue;
    EXPECT_THAT(engine_->Execute(cell, Cmd(c.command), ""),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.names)))
        << c.command.substr(0, 80);
  }
  // A bad value is quoted by its first 64 characters only.
  auto bad_id = Run("enroll_member { id: '" + std::string(60, 'a') + "!" + std::string(3, 'b') +
                    "' org: 'c1' admitted_on: '2015-03-01' }");
  ASSERT_THAT(bad_id, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_LT(bad_id.status().message().size(), 200u);
  auto bad_subject =
      Run("record_review_completed { subject: 'person/" + std::string(60, 'q') + "' year: 2025 }");
  ASSERT_THAT(bad_subject, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(bad_subject.status().message().find(std::string(60, 'q')), std::string::npos);
  EXPECT_EQ(store_.HeadPosition(), head);
}

TEST_F(EngineTest, ACommitteeListsOnlyItsOwnSubjectsInABallotSession) {
  MustRun("open_period { year: 2025 }");
  MustRun("register_org { id: 'g1' kind: ORG_KIND_GRASSROOTS_COMMITTEE parent: 'bloc' }");
  MustRun("register_org { id: 'c1' kind: ORG_KIND_SUBORDINATE_CELL parent: 'g1' }");
  MustRun("register_org { id: 'c2' kind: ORG_KIND_SUBORDINATE_CELL parent: 'g1' }");
  MustRun("enroll_member { id: 'm1' org: 'c1' admitted_on: '2015-03-01' }");
  MustRun("enroll_member { id: 'm2' org: 'c2' admitted_on: '2015-03-01' }");
  const v1::Principal cell = MakePrincipal("cell1", v1::ROLE_CELL_COMMITTEE, "c1");
  const v1::Principal team = MakePrincipal("team1", v1::ROLE_COUNTING_TEAM, "c1");
  const v1::Principal grassroots = MakePrincipal("g", v1::ROLE_GRASSROOTS_COMMITTEE, "g1");
  auto session = [](const std::string& id, const std::string& subjects) {
    return "record_ballots { session: '" + id + "' org: 'c1' year: 2025 " + subjects +
           " issued: '1' ballots { serial: '1' marks { subject: 'member/m1' levels: LEVEL_HTTNV "
           "} } }";
  };
  const std::string both = "subjects: 'member/m1' subjects: 'member/m2'";
  const uint64_t head = store_.HeadPosition();
  for (const v1::Principal* who : {&cell, &team}) {
    EXPECT_THAT(Run(session("s-" + who->id(), both), who),
                StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("member/m2")))
        << who->id();
  }
  EXPECT_EQ(store_.HeadPosition(), head);
  EXPECT_THAT(Run(session("own", "subjects: 'member/m1'"), &cell), IsOk());
  EXPECT_THAT(Run(session("team", "subjects: 'member/m1'"), &team), IsOk());
  // The committee above both cells may list both.
  EXPECT_THAT(Run(session("wide", both), &grassroots), IsOk());
  // An unknown subject is the plan's NOT_FOUND, not a refusal.
  EXPECT_THAT(Run(session("unknown", "subjects: 'member/m1' subjects: 'member/nobody'"), &cell),
              StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace rating::services
