// Scenario files map to API commands and expectations; malformed ones say where and why.
#include <string>
#include <vector>

#include "cli/conformance/scenario.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace rating::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Json = nlohmann::ordered_json;

v1::Command MustParseDo(const std::string& text) {
  absl::StatusOr<v1::Command> command = ParseDoStep(Json::parse(text));
  EXPECT_TRUE(command.ok()) << command.status();
  return command.ok() ? *command : v1::Command();
}

Expectation MustParseExpect(const std::string& text) {
  absl::StatusOr<Expectation> expectation = ParseExpectStep(Json::parse(text));
  EXPECT_TRUE(expectation.ok()) << expectation.status();
  return expectation.ok() ? *expectation : Expectation();
}

absl::Status DoError(const std::string& text) { return ParseDoStep(Json::parse(text)).status(); }

// ---------------------------------------------------------------- file level

TEST(ScenarioParseTest, InvalidJsonIsAFileLevelError) {
  absl::StatusOr<Scenario> scenario = ParseScenario(R"({"steps": [)");
  ASSERT_FALSE(scenario.ok());
  EXPECT_EQ(scenario.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(scenario.status().message(), HasSubstr("not valid JSON"));
}

TEST(ScenarioParseTest, MissingStepsIsAFileLevelError) {
  absl::StatusOr<Scenario> scenario = ParseScenario(R"({"name": "x"})");
  ASSERT_FALSE(scenario.ok());
  EXPECT_THAT(scenario.status().message(), HasSubstr("\"steps\": missing"));
}

TEST(ScenarioParseTest, StepsMustBeAList) {
  absl::StatusOr<Scenario> scenario = ParseScenario(R"({"steps": {}})");
  ASSERT_FALSE(scenario.ok());
  EXPECT_THAT(scenario.status().message(), HasSubstr("\"steps\": expected a list"));
}

TEST(ScenarioParseTest, UnknownRoleIsAFileLevelErrorNamingThePrincipal) {
  absl::StatusOr<Scenario> scenario =
      ParseScenario(R"({"principals": {"p1": {"role": "king"}}, "steps": []})");
  ASSERT_FALSE(scenario.ok());
  EXPECT_THAT(scenario.status().message(), HasSubstr("principals.p1.role"));
  EXPECT_THAT(scenario.status().message(), HasSubstr("cell_committee"));
}

TEST(ScenarioParseTest, MissingFileIsNotFound) {
  absl::StatusOr<Scenario> scenario = LoadScenario("/nonexistent/case.json");
  ASSERT_FALSE(scenario.ok());
  EXPECT_EQ(scenario.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(scenario.status().message(), HasSubstr("cannot open"));
}

TEST(ScenarioParseTest, PrincipalsKeepFileOrderWithRolesAndScopes) {
  absl::StatusOr<Scenario> scenario = ParseScenario(R"({
    "principals": {"z": {"role": "cell_committee", "scope": "c1"},
                   "a": {"role": "inspector"},
                   "m": {"role": "counting_team", "scope": "c2"}},
    "steps": []})");
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  ASSERT_EQ(scenario->principals.size(), 3u);
  EXPECT_EQ(scenario->principals[0].id, "z");
  EXPECT_EQ(scenario->principals[0].role, v1::ROLE_CELL_COMMITTEE);
  EXPECT_EQ(scenario->principals[0].scope, "c1");
  EXPECT_EQ(scenario->principals[1].id, "a");
  EXPECT_EQ(scenario->principals[1].role, v1::ROLE_INSPECTOR);
  EXPECT_EQ(scenario->principals[1].scope, "");
  EXPECT_EQ(scenario->principals[2].role, v1::ROLE_COUNTING_TEAM);
}

// ---------------------------------------------------------------- step level

TEST(ScenarioParseTest, MalformedStepDoesNotStopTheOthers) {
  absl::StatusOr<Scenario> scenario = ParseScenario(R"({"steps": [
    {"do": "open_period"},
    {"do": "teleport", "year": 2025},
    {"expect": "verify"},
    {"nothing": 1},
    {"do": "open_period", "year": 2025, "label": "opened"}
  ]})");
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  ASSERT_EQ(scenario->steps.size(), 5u);
  EXPECT_EQ(scenario->steps[0].number, 1);
  EXPECT_THAT(scenario->steps[0].error.message(), HasSubstr("field \"year\": missing"));
  EXPECT_THAT(scenario->steps[1].error.message(), HasSubstr("unknown step kind"));
  EXPECT_THAT(scenario->steps[1].error.message(), HasSubstr("teleport"));
  EXPECT_TRUE(scenario->steps[2].error.ok());
  EXPECT_FALSE(scenario->steps[2].is_do);
  EXPECT_THAT(scenario->steps[3].error.message(), HasSubstr("needs a \"do\" or an \"expect\""));
  EXPECT_TRUE(scenario->steps[4].error.ok());
  EXPECT_EQ(scenario->steps[4].label, "opened");
  EXPECT_EQ(scenario->steps[4].number, 5);
}

TEST(ScenarioParseTest, MalformedDoStepOfAKnownKindIsStillSendable) {
  absl::StatusOr<Scenario> scenario = ParseScenario(R"({"steps": [
    {"do": "decide", "year": 2025, "ratings": {"member/m1": "EXCELLENT", "member/m2": "HTNV"}},
    {"do": "scorecard", "org": "c1", "year": 2025, "criteria": [{"id": "a", "max": "15"}]},
    {"do": "fly"}
  ]})");
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  const Step& decide = scenario->steps[0];
  EXPECT_THAT(decide.error.message(), HasSubstr("ratings.member/m1"));
  EXPECT_TRUE(decide.sendable);
  ASSERT_EQ(decide.command.decide_ratings().ratings_size(), 2);
  EXPECT_EQ(decide.command.decide_ratings().ratings(0).level(), v1::LEVEL_UNSPECIFIED);
  EXPECT_EQ(decide.command.decide_ratings().ratings(1).level(), v1::LEVEL_HTNV);
  const Step& scorecard = scenario->steps[1];
  EXPECT_THAT(scorecard.error.message(), HasSubstr("criteria[0].points"));
  EXPECT_TRUE(scorecard.sendable);
  EXPECT_EQ(scorecard.command.submit_scorecard().criteria(0).max(), "15");
  EXPECT_FALSE(scenario->steps[2].sendable);
}

TEST(ScenarioParseTest, UnknownPrincipalInAsIsAStepError) {
  absl::StatusOr<Scenario> scenario = ParseScenario(
      R"({"principals": {"cell1": {"role": "cell_committee", "scope": "c1"}},
          "steps": [{"do": "open_period", "year": 2025, "as": "cell2"},
                    {"do": "open_period", "year": 2025, "as": "cell1"}]})");
  ASSERT_TRUE(scenario.ok());
  EXPECT_THAT(scenario->steps[0].error.message(), HasSubstr("unknown principal \"cell2\""));
  EXPECT_TRUE(scenario->steps[1].error.ok());
  EXPECT_EQ(scenario->steps[1].as, "cell1");
}

TEST(ScenarioParseTest, WrongTypesNameTheFieldAndTheType) {
  EXPECT_THAT(DoError(R"({"do": "open_period", "year": "2025"})").message(),
              HasSubstr("field \"year\": expected an integer, got string"));
  EXPECT_THAT(DoError(R"({"do": "unit_incident", "org": "c1", "year": 2025, "kind": "waste",
                          "disciplined": "yes"})")
                  .message(),
              HasSubstr("field \"disciplined\": expected a boolean"));
  EXPECT_THAT(DoError(R"({"do": "register_org", "id": "c1", "kind": "castle", "parent": "bloc"})")
                  .message(),
              HasSubstr("field \"kind\": unknown value \"castle\""));
  EXPECT_THAT(
      DoError(R"({"do": "decide", "year": 2025, "ratings": {"member/m1": "GOOD"}})").message(),
      HasSubstr("field \"ratings.member/m1\": unknown value \"GOOD\""));
}

TEST(ScenarioParseTest, NestedErrorsNameThePath) {
  EXPECT_THAT(DoError(R"({"do": "scorecard", "org": "c1", "year": 2025,
                          "criteria": [{"id": "a", "max": "15", "points": "10"},
                                       {"id": "b", "max": "15"}]})")
                  .message(),
              HasSubstr("field \"criteria[1].points\": missing"));
  EXPECT_THAT(DoError(R"({"do": "ballot", "session": "s", "org": "c1", "year": 2025,
                          "subjects": [], "issued": [],
                          "ballots": [{"serial": "1", "marks": {"member/m1": 4}}]})")
                  .message(),
              HasSubstr("field \"ballots[0].marks.member/m1\": expected a level"));
  EXPECT_THAT(DoError(R"({"do": "self_assessment", "member": "m1", "year": 2025,
                          "grades": {"political": "XS"}, "targets": {"assigned": 1}})")
                  .message(),
              HasSubstr("field \"targets.completed\": missing"));
}

TEST(ScenarioParseTest, UnknownFieldsAreReported) {
  std::vector<std::string> unknown;
  ASSERT_TRUE(ParseDoStep(Json::parse(R"({"do": "open_period", "year": 2025, "yaer": 1,
                                           "as": "x", "label": "l"})"),
                          &unknown)
                  .ok());
  EXPECT_THAT(unknown, ElementsAre("yaer"));
}

// ---------------------------------------------------------------- each do kind

struct KindCase {
  const char* json;
  v1::Command::CommandCase expected;
};

class DoKindTest : public ::testing::TestWithParam<KindCase> {};

TEST_P(DoKindTest, MapsToItsCommand) {
  EXPECT_EQ(MustParseDo(GetParam().json).command_case(), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    EveryKind, DoKindTest,
    ::testing::Values(
        KindCase{R"({"do": "open_period", "year": 2025})", v1::Command::kOpenPeriod},
        KindCase{R"({"do": "register_org", "id": "c1", "kind": "grassroots_cell",
                     "parent": "bloc"})",
                 v1::Command::kRegisterOrg},
        KindCase{R"({"do": "restructure_org", "id": "c1", "on": "2025-02-01",
                     "change": "split"})",
                 v1::Command::kRestructureOrg},
        KindCase{R"({"do": "enroll_member", "id": "m1", "org": "c1",
                     "admitted_on": "2015-03-01"})",
                 v1::Command::kEnrollMember},
        KindCase{R"({"do": "transfer_member", "member": "m1", "to": "c2", "on": "2025-05-01"})",
                 v1::Command::kTransferMember},
        KindCase{R"({"do": "member_status", "member": "m1", "status": "exempt",
                     "from": "2025-01-01"})",
                 v1::Command::kSetMemberStatus},
        KindCase{R"({"do": "review_completed", "subject": "member/m1", "year": 2025})",
                 v1::Command::kRecordReviewCompleted},
        KindCase{R"({"do": "comments_received", "subject": "member/m1", "year": 2025,
                     "from": "residence"})",
                 v1::Command::kRecordComments},
        KindCase{R"({"do": "self_assessment", "member": "m1", "year": 2025,
                     "grades": {"political": "TOT"}})",
                 v1::Command::kSubmitSelfAssessment},
        KindCase{R"({"do": "scorecard", "org": "c1", "year": 2025, "criteria": []})",
                 v1::Command::kSubmitScorecard},
        KindCase{R"({"do": "committee_assessment", "org": "c1", "year": 2025,
                     "grades": {"programs": "XS"}})",
                 v1::Command::kSubmitCommitteeAssessment},
        KindCase{R"({"do": "external_rating", "org": "c1", "year": 2025,
                     "body": "management", "level": "HTTNV"})",
                 v1::Command::kRecordExternalRating},
        KindCase{R"({"do": "unit_incident", "org": "c1", "year": 2025, "kind": "corruption"})",
                 v1::Command::kRecordUnitIncident},
        KindCase{R"({"do": "ballot", "session": "s1", "org": "c1", "year": 2025,
                     "subjects": [], "issued": [], "ballots": []})",
                 v1::Command::kRecordBallots},
        KindCase{R"({"do": "decide", "year": 2025, "ratings": {}})", v1::Command::kDecideRatings},
        KindCase{R"({"do": "discipline", "subject": "member/m1", "form": "reprimand",
                     "decided_on": "2026-01-01", "violation_from": "2025-06-01"})",
                 v1::Command::kRuleDiscipline},
        KindCase{R"({"do": "conclusion", "subject": "member/m1", "kind": "degradation",
                     "year": 2025})",
                 v1::Command::kRecordConclusion},
        KindCase{R"({"do": "confidence_vote", "member": "m1", "year": 2025, "low": 3,
                     "total": 10})",
                 v1::Command::kRecordConfidenceVote},
        KindCase{R"({"do": "rerate", "subject": "member/m1", "year": 2025, "level": "HTNV",
                     "decision_no": "01-QĐ/ĐU"})",
                 v1::Command::kRerate},
        KindCase{R"({"do": "reward", "subject": "member/m1", "year": 2025, "kind": "yearly"})",
                 v1::Command::kGrantReward},
        KindCase{R"({"do": "dossier_submitted", "org": "c1", "year": 2025, "on": "2025-12-20"})",
                 v1::Command::kSubmitDossier}));

// ---------------------------------------------------------------- field mapping

TEST(ScenarioParseTest, OpenPeriodPolicyValuesBecomeText) {
  v1::Command command = MustParseDo(R"({"do": "open_period", "year": 2025,
      "reference_date": "2025-12-01",
      "policy": {"quota_base": "good_only", "quota_pct": 25, "ratio": 0.5, "strict": true}})");
  const v1::PeriodSpec& period = command.open_period();
  EXPECT_EQ(period.year(), 2025);
  EXPECT_EQ(period.reference_date(), "2025-12-01");
  ASSERT_EQ(period.policy_overrides_size(), 4);
  EXPECT_EQ(period.policy_overrides(0).key(), "quota_base");
  EXPECT_EQ(period.policy_overrides(0).value(), "good_only");
  EXPECT_EQ(period.policy_overrides(1).key(), "quota_pct");
  EXPECT_EQ(period.policy_overrides(1).value(), "25");
  EXPECT_EQ(period.policy_overrides(2).value(), "0.5");
  EXPECT_EQ(period.policy_overrides(3).value(), "true");
}

TEST(ScenarioParseTest, RegistryStepsCarryEveryField) {
  v1::Command org = MustParseDo(R"({"do": "register_org", "id": "c1", "kind": "sub_committee",
      "parent": "g1", "founded_on": "2010-01-01", "name": "Chi bộ 1"})");
  EXPECT_EQ(org.register_org().kind(), v1::ORG_KIND_SUB_COMMITTEE);
  EXPECT_EQ(org.register_org().parent(), "g1");
  EXPECT_EQ(org.register_org().founded_on(), "2010-01-01");
  EXPECT_EQ(org.register_org().name(), "Chi bộ 1");

  v1::Command restructure = MustParseDo(R"({"do": "restructure_org", "id": "c1",
      "on": "2025-03-01", "change": "transferred", "new_parent": "g2"})");
  EXPECT_EQ(restructure.restructure_org().change(), v1::RESTRUCTURE_CHANGE_TRANSFERRED);
  EXPECT_EQ(restructure.restructure_org().new_parent(), "g2");

  v1::Command member = MustParseDo(R"({"do": "enroll_member", "id": "m1", "org": "c1",
      "admitted_on": "2015-03-01", "committee_of": ["c1", "g1"], "heads": ["c1"]})");
  EXPECT_THAT(member.enroll_member().committee_of(), ElementsAre("c1", "g1"));
  EXPECT_THAT(member.enroll_member().heads(), ElementsAre("c1"));

  v1::Command status = MustParseDo(R"({"do": "member_status", "member": "m1",
      "status": "temporary_elsewhere", "from": "2025-04-01"})");
  EXPECT_EQ(status.set_member_status().status(), v1::MEMBER_STATUS_TEMPORARY_ELSEWHERE);
  EXPECT_EQ(status.set_member_status().from(), "2025-04-01");

  v1::Command comments = MustParseDo(R"({"do": "comments_received", "subject": "org/c1",
      "year": 2025, "from": "previous_superior"})");
  EXPECT_EQ(comments.record_comments().source(), v1::COMMENT_SOURCE_PREVIOUS_SUPERIOR);
}

TEST(ScenarioParseTest, SelfAssessmentKeepsGradeOrderAndFacts) {
  v1::Command command = MustParseDo(R"({"do": "self_assessment", "member": "m1", "year": 2025,
      "grades": {"tasks": "XS", "political": "TOT", "commitment": "TB", "remediation": "KEM"},
      "targets": {"assigned": 4, "completed": 4, "on_time": 3, "exceeded": 2},
      "not_ensured": 1, "exemplary": true, "level": "HTXSNV"})");
  const v1::SelfAssessment& self = command.submit_self_assessment();
  ASSERT_EQ(self.grades_size(), 4);
  EXPECT_EQ(self.grades(0).criterion(), "tasks");
  EXPECT_EQ(self.grades(0).grade(), v1::GRADE_XS);
  EXPECT_EQ(self.grades(1).grade(), v1::GRADE_TOT);
  EXPECT_EQ(self.grades(2).grade(), v1::GRADE_TB);
  EXPECT_EQ(self.grades(3).grade(), v1::GRADE_KEM);
  EXPECT_EQ(self.targets().assigned(), 4);
  EXPECT_EQ(self.targets().on_time(), 3);
  EXPECT_EQ(self.targets().exceeded(), 2);
  EXPECT_EQ(self.not_ensured(), 1);
  EXPECT_TRUE(self.exemplary());
  EXPECT_EQ(self.level(), v1::LEVEL_HTXSNV);
}

TEST(ScenarioParseTest, ScorecardAcceptsPointsAsTextOrNumberAndQuantities) {
  v1::Command command = MustParseDo(R"({"do": "scorecard", "org": "c1", "year": 2025,
      "criteria": [
        {"id": "political_ideology", "max": "15", "key": false, "points": "14.5", "grade": "XS"},
        {"id": "organization_cadres", "max": 15, "points": 12},
        {"id": "production_business", "max": "30", "key": true, "achieved": 120, "plan": 100}],
      "party_building_pct": 80, "production_plan_met": true, "force_majeure": true,
      "exemplary": true})");
  const v1::Scorecard& card = command.submit_scorecard();
  ASSERT_EQ(card.criteria_size(), 3);
  EXPECT_EQ(card.criteria(0).points(), "14.5");
  EXPECT_EQ(card.criteria(0).grade(), v1::GRADE_XS);
  EXPECT_FALSE(card.criteria(0).key());
  EXPECT_EQ(card.criteria(1).max(), "15");
  EXPECT_EQ(card.criteria(1).points(), "12");
  EXPECT_EQ(card.criteria(1).grade(), v1::GRADE_UNSPECIFIED);
  EXPECT_TRUE(card.criteria(2).key());
  ASSERT_TRUE(card.criteria(2).has_quantity());
  EXPECT_EQ(card.criteria(2).quantity().achieved(), 120);
  EXPECT_EQ(card.criteria(2).quantity().plan(), 100);
  EXPECT_EQ(card.party_building_pct(), 80);
  EXPECT_TRUE(card.production_plan_met());
  EXPECT_TRUE(card.force_majeure());
  EXPECT_TRUE(card.exemplary());
}

TEST(ScenarioParseTest, ScorecardRejectsPointsWithQuantity) {
  EXPECT_THAT(DoError(R"({"do": "scorecard", "org": "c1", "year": 2025, "criteria": [
                  {"id": "a", "max": "30", "points": "3", "achieved": 1, "plan": 2}]})")
                  .message(),
              HasSubstr("not both"));
}

TEST(ScenarioParseTest, CommitteeAssessmentExternalRatingAndIncident) {
  v1::Command committee = MustParseDo(R"({"do": "committee_assessment", "org": "c1",
      "year": 2025, "grades": {"democratic_centralism": "TOT", "programs": "XS"},
      "unit_targets_pct": 45, "force_majeure": true, "exemplary": false})");
  const v1::CommitteeAssessment& assessment = committee.submit_committee_assessment();
  ASSERT_EQ(assessment.grades_size(), 2);
  EXPECT_EQ(assessment.grades(1).criterion(), "programs");
  EXPECT_EQ(assessment.unit_targets_pct(), 45);
  EXPECT_TRUE(assessment.force_majeure());

  v1::Command external = MustParseDo(R"({"do": "external_rating", "org": "c1", "year": 2025,
      "body": "mass_org:youth_union", "level": "HTNV"})");
  EXPECT_EQ(external.record_external_rating().body(), "mass_org:youth_union");
  EXPECT_EQ(external.record_external_rating().level(), v1::LEVEL_HTNV);

  v1::Command incident = MustParseDo(R"({"do": "unit_incident", "org": "c1", "year": 2025,
      "kind": "negativity", "disciplined": true, "self_remedied": true})");
  EXPECT_EQ(incident.record_unit_incident().kind(), v1::INCIDENT_KIND_NEGATIVITY);
  EXPECT_TRUE(incident.record_unit_incident().disciplined());
  EXPECT_TRUE(incident.record_unit_incident().self_remedied());
}

TEST(ScenarioParseTest, BallotMarksKeepOrderAndVoidRows) {
  v1::Command command = MustParseDo(R"({"do": "ballot", "session": "c1-2025", "org": "c1",
      "year": 2025, "subjects": ["member/m2", "member/m1"], "issued": ["01", "02"],
      "ballots": [
        {"serial": "01", "marks": {"member/m2": "HTXSNV", "member/m1": ["HTTNV", "HTNV"]}},
        {"serial": "02", "marks": {}, "extra_content": true},
        {"serial": "03"}]})");
  const v1::BallotSession& session = command.record_ballots();
  EXPECT_EQ(session.session(), "c1-2025");
  EXPECT_THAT(session.subjects(), ElementsAre("member/m2", "member/m1"));
  EXPECT_THAT(session.issued(), ElementsAre("01", "02"));
  ASSERT_EQ(session.ballots_size(), 3);
  const v1::Ballot& first = session.ballots(0);
  ASSERT_EQ(first.marks_size(), 2);
  EXPECT_EQ(first.marks(0).subject(), "member/m2");
  EXPECT_THAT(first.marks(0).levels(), ElementsAre(v1::LEVEL_HTXSNV));
  EXPECT_EQ(first.marks(1).subject(), "member/m1");
  EXPECT_THAT(first.marks(1).levels(), ElementsAre(v1::LEVEL_HTTNV, v1::LEVEL_HTNV));
  EXPECT_FALSE(first.extra_content());
  EXPECT_EQ(session.ballots(1).marks_size(), 0);
  EXPECT_TRUE(session.ballots(1).extra_content());
  EXPECT_EQ(session.ballots(2).serial(), "03");
}

TEST(ScenarioParseTest, DecideKeepsTheDocumentOrder) {
  v1::Command command = MustParseDo(R"({"do": "decide", "year": 2025,
      "ratings": {"member/m9": "HTXSNV", "member/m1": "KHTNV", "member/m5": "HTNV"},
      "override_reason": "appeal"})");
  const v1::Decision& decision = command.decide_ratings();
  ASSERT_EQ(decision.ratings_size(), 3);
  EXPECT_EQ(decision.ratings(0).subject(), "member/m9");
  EXPECT_EQ(decision.ratings(0).level(), v1::LEVEL_HTXSNV);
  EXPECT_EQ(decision.ratings(1).subject(), "member/m1");
  EXPECT_EQ(decision.ratings(1).level(), v1::LEVEL_KHTNV);
  EXPECT_EQ(decision.ratings(2).subject(), "member/m5");
  EXPECT_EQ(decision.override_reason(), "appeal");
}

TEST(ScenarioParseTest, DisciplineRerateRewardAndTheRest) {
  v1::Command discipline = MustParseDo(R"({"do": "discipline", "subject": "member/m1",
      "form": "expulsion", "decided_on": "2026-03-10", "violation_from": "2025-06-01",
      "violation_to": "2025-06-30", "at_org": "c2", "self_remedied": true, "increases": true})");
  const v1::DisciplineRuling& ruling = discipline.rule_discipline();
  EXPECT_EQ(ruling.form(), v1::DISCIPLINE_FORM_EXPULSION);
  EXPECT_EQ(ruling.violation_to(), "2025-06-30");
  EXPECT_EQ(ruling.at_org(), "c2");
  EXPECT_TRUE(ruling.self_remedied());
  EXPECT_TRUE(ruling.increases());

  v1::Command rerate = MustParseDo(R"({"do": "rerate", "subject": "member/m1", "year": 2025,
      "level": "KHTNV", "decision_no": "01-QĐ/ĐU", "override_reason": "why"})");
  EXPECT_EQ(rerate.rerate().level(), v1::LEVEL_KHTNV);
  EXPECT_EQ(rerate.rerate().decision_no(), "01-QĐ/ĐU");
  EXPECT_EQ(rerate.rerate().override_reason(), "why");

  EXPECT_EQ(MustParseDo(R"({"do": "reward", "subject": "member/m1", "year": 2025,
                            "kind": "five_years"})")
                .grant_reward()
                .kind(),
            v1::REWARD_KIND_FIVE_YEARS);
  EXPECT_EQ(MustParseDo(R"({"do": "conclusion", "subject": "committee/c1",
                            "kind": "exemplary_breach", "year": 2025})")
                .record_conclusion()
                .kind(),
            v1::CONCLUSION_KIND_EXEMPLARY_BREACH);
  v1::Command vote = MustParseDo(R"({"do": "confidence_vote", "member": "m1", "year": 2025,
                                     "low": 6, "total": 10})");
  EXPECT_EQ(vote.record_confidence_vote().low(), 6);
  EXPECT_EQ(vote.record_confidence_vote().total(), 10);
  v1::Command dossier = MustParseDo(R"({"do": "dossier_submitted", "org": "c1", "year": 2025,
                                        "on": "2025-12-15"})");
  EXPECT_EQ(dossier.submit_dossier().on(), "2025-12-15");
}

// ---------------------------------------------------------------- expectations

TEST(ScenarioParseTest, RatingExpectsALevelOrAStatus) {
  Expectation level = MustParseExpect(
      R"({"expect": "rating", "subject": "member/m1", "year": 2025, "level": "HTTNV",
          "as_of": "rated"})");
  EXPECT_EQ(level.kind, ExpectKind::kRating);
  EXPECT_EQ(level.level, v1::LEVEL_HTTNV);
  EXPECT_FALSE(level.status.has_value());
  EXPECT_EQ(level.as_of, "rated");

  Expectation status = MustParseExpect(
      R"({"expect": "rating", "subject": "member/m1", "year": 2025,
          "status": "RERATING_REQUIRED"})");
  EXPECT_EQ(status.status, v1::RATING_STATUS_RERATING_REQUIRED);
  EXPECT_EQ(status.level, v1::LEVEL_UNSPECIFIED);

  EXPECT_THAT(
      ParseExpectStep(Json::parse(R"({"expect": "rating", "subject": "member/m1", "year": 2025})"))
          .status()
          .message(),
      HasSubstr("\"level\" or \"status\""));
}

TEST(ScenarioParseTest, CeilingAndErrorCarryRules) {
  Expectation ceiling = MustParseExpect(R"({"expect": "ceiling", "subject": "org/c1",
      "year": 2025, "level": "HTNV", "rules": ["R-ORG-3", "R-ORG-1"]})");
  EXPECT_EQ(ceiling.level, v1::LEVEL_HTNV);
  EXPECT_THAT(ceiling.rules, ElementsAre("R-ORG-3", "R-ORG-1"));

  Expectation error = MustParseExpect(
      R"({"expect": "error", "code": "FAILED_PRECONDITION", "rules": ["R-QUOTA"]})");
  EXPECT_EQ(error.code, absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(error.rules, ElementsAre("R-QUOTA"));

  EXPECT_THAT(
      ParseExpectStep(Json::parse(R"({"expect": "error", "code": "DENIED"})")).status().message(),
      HasSubstr("PERMISSION_DENIED"));
  EXPECT_FALSE(ParseExpectStep(Json::parse(R"({"expect": "error", "code": "OK"})")).ok());
}

TEST(ScenarioParseTest, TallyReadsCountsLevelsAndTies) {
  Expectation counts =
      MustParseExpect(R"({"expect": "tally", "session": "s1", "valid": 8, "invalid": 4})");
  EXPECT_EQ(counts.valid, 8);
  EXPECT_EQ(counts.invalid, 4);
  EXPECT_TRUE(counts.tally_subject.empty());

  Expectation tie = MustParseExpect(
      R"({"expect": "tally", "session": "s1", "subject": "member/m1", "level": "TIE_AT_QUOTA"})");
  EXPECT_TRUE(tie.tie_at_quota);
  EXPECT_EQ(tie.tally_subject, "member/m1");
  EXPECT_FALSE(tie.valid.has_value());

  Expectation level = MustParseExpect(
      R"({"expect": "tally", "session": "s1", "subject": "member/m1", "level": "HTNV"})");
  EXPECT_FALSE(level.tie_at_quota);
  EXPECT_EQ(level.level, v1::LEVEL_HTNV);

  EXPECT_THAT(ParseExpectStep(
                  Json::parse(R"({"expect": "tally", "session": "s1", "subject": "member/m1"})"))
                  .status()
                  .message(),
              HasSubstr("field \"level\": missing"));
}

TEST(ScenarioParseTest, RewardLateOverridesHistoryVerify) {
  Expectation reward = MustParseExpect(R"({"expect": "reward", "subject": "member/m1",
      "year": 2025, "kind": "yearly", "status": "annulled"})");
  EXPECT_EQ(reward.reward_kind, v1::REWARD_KIND_YEARLY);
  EXPECT_EQ(reward.reward_status, "annulled");
  EXPECT_FALSE(ParseExpectStep(Json::parse(R"({"expect": "reward", "subject": "member/m1",
      "year": 2025, "kind": "yearly", "status": "gone"})"))
                   .ok());

  Expectation late =
      MustParseExpect(R"({"expect": "late", "org": "c1", "year": 2025, "value": true})");
  EXPECT_EQ(late.kind, ExpectKind::kLate);
  EXPECT_TRUE(late.late);

  EXPECT_EQ(MustParseExpect(R"({"expect": "overrides", "count": 2})").count, 2);
  Expectation history = MustParseExpect(
      R"({"expect": "history", "subject": "member/m1", "year": 2025, "min_events": 6})");
  EXPECT_EQ(history.min_events, 6);
  EXPECT_EQ(MustParseExpect(R"({"expect": "verify"})").kind, ExpectKind::kVerify);
}

TEST(ScenarioParseTest, UnknownExpectationKindListsTheKnownOnes) {
  absl::Status status = ParseExpectStep(Json::parse(R"({"expect": "vibes"})")).status();
  EXPECT_THAT(status.message(), HasSubstr("vibes"));
  EXPECT_THAT(status.message(), HasSubstr("ceiling"));
}

}  // namespace
}  // namespace rating::cli
