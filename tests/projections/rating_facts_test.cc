// The fact gatherer: what the rules read of the projected state at the year's reference date,
// and how a decision, ruling or re-rating being planned is laid over it (Overlay).
#include "projections/rating_facts.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "tests/projections/state_builder.h"

namespace rating::projections {
namespace {

using rules::Subject;
using rules::SubjectKind;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::StateBuilder;

constexpr auto kHTXSNV = v1::LEVEL_HTXSNV;
constexpr auto kHTTNV = v1::LEVEL_HTTNV;
constexpr auto kHTNV = v1::LEVEL_HTNV;
constexpr auto kKHTNV = v1::LEVEL_KHTNV;

Subject Member(const std::string& id) { return {SubjectKind::kMember, id}; }
Subject Org(const std::string& id) { return {SubjectKind::kOrg, id}; }
Subject Committee(const std::string& id) { return {SubjectKind::kCommittee, id}; }

// A good scorecard (S = 88, a key criterion TOT: HTTNV at most) and an HTTNV management board.
void RateableOrg(StateBuilder& b, const std::string& org) {
  b.Add("review_completed { subject: 'org/" + org + "' year: 2025 }")
      .Add("scorecard_submitted { org: '" + org + R"(' year: 2025
             criteria { id: 'a' max: '15' points: '14' } criteria { id: 'b' max: '15' points: '13' }
             criteria { id: 'k1' max: '20' key: true points: '16' }
             criteria { id: 'k2' max: '30' key: true points: '30' }
             criteria { id: 'c' max: '20' points: '15' }
             party_building_pct: 100 production_plan_met: true exemplary: true })")
      .Add("external_rating_recorded { org: '" + org +
           "' year: 2025 body: 'management' level: LEVEL_HTTNV }");
}

// g1 (grassroots committee) > sc (sub-committee) > x (subordinate cell); g1 > s1; c1, c2 cells.
StateBuilder Bloc() {
  StateBuilder b;
  b.Add("period_opened { year: 2025 }").Add("period_opened { year: 2026 }");
  b.Org("g1", "GRASSROOTS_COMMITTEE", "bloc")
      .Org("g2", "GRASSROOTS_COMMITTEE", "bloc")
      .Org("sc", "SUB_COMMITTEE", "g1")
      .Org("x", "SUBORDINATE_CELL", "sc")
      .Org("s1", "SUBORDINATE_CELL", "g1")
      .Org("c1", "GRASSROOTS_CELL", "bloc")
      .Org("c2", "GRASSROOTS_CELL", "bloc");
  return b;
}

RatingFacts Facts2025(const StateBuilder& b, const Overlay* overlay = nullptr) {
  return RatingFacts(b.state(), *b.state().FindPeriod(2025), overlay);
}

// D1 (clarified): a disciplined cell under a sub-committee counts for its grassroots committee.
TEST(RatingFactsTest, ADisciplinedCellAtDepthIsADefectOfItsGrassrootsCommittee) {
  StateBuilder b = Bloc();
  for (const char* org : {"g1", "sc", "x", "s1"}) RateableOrg(b, org);
  b.Add(
      "ratings_decided { decision { year: 2025 ratings { subject: 'org/x' level: LEVEL_HTTNV } "
      "ratings { subject: 'org/sc' level: LEVEL_HTTNV } ratings { subject: 'org/s1' level: "
      "LEVEL_HTTNV } } }");
  EXPECT_EQ(Facts2025(b).CeilingOf(Org("g1")).level, kHTTNV);
  b.Add(
      "discipline_ruled { ruling { subject: 'org/x' form: DISCIPLINE_FORM_REPRIMAND decided_on: "
      "'2025-10-01' violation_from: '2025-05-01' } attributed_org: 'x' years: 2025 }");
  const rules::Ceiling g1 = Facts2025(b).CeilingOf(Org("g1"));
  EXPECT_EQ(g1.level, kHTNV);
  EXPECT_EQ(g1.rule_id, "R-ORG-3");
  EXPECT_THAT(g1.findings.front().text_en, HasSubstr("D1: the org x below"));
}

// D3 (clarified): the disciplined who have since left count for the org where it happened, in
// the part and in the whole; NOT_SUBJECT members count in the whole.
TEST(RatingFactsTest, D3CountsPeopleWhoLeftAndMembersWhoAreNotRated) {
  StateBuilder b = Bloc();
  RateableOrg(b, "c1");
  for (const char* m : {"a1", "a2", "a3", "a4"}) b.GoodMember(m, "c1");
  b.Add("member_enrolled { id: 'new' org: 'c1' admitted_on: '2025-11-01' }");  // NOT_SUBJECT.
  b.Add("member_enrolled { id: 'mv' org: 'c1' admitted_on: '2015-03-01' }")
      .Add("member_transferred { member: 'mv' to: 'c2' on: '2025-08-01' }");
  b.Add(
      "ratings_decided { decision { year: 2025 ratings { subject: 'member/a1' level: LEVEL_HTTNV } "
      "ratings { subject: 'member/a2' level: LEVEL_HTTNV } ratings { subject: 'member/a3' level: "
      "LEVEL_HTTNV } "
      "ratings { subject: 'member/a4' level: LEVEL_HTTNV } } }");
  EXPECT_EQ(Facts2025(b).CeilingOf(Org("c1")).level, kHTTNV);
  // mv violated at c1 in March, then moved: 1 of 6 (a1..a4, new, mv) is not over 20%.
  b.Add(
      "discipline_ruled { ruling { subject: 'member/mv' form: DISCIPLINE_FORM_REPRIMAND "
      "decided_on: "
      "'2025-10-01' violation_from: '2025-03-01' } attributed_org: 'c1' years: 2025 }");
  EXPECT_EQ(Facts2025(b).CeilingOf(Org("c1")).level, kHTTNV);
  // A second one: 2 of 6 is over 20%.
  b.Add(
      "discipline_ruled { ruling { subject: 'member/a1' form: DISCIPLINE_FORM_REPRIMAND "
      "decided_on: "
      "'2025-10-01' violation_from: '2025-04-01' self_remedied: true } attributed_org: 'c1' years: "
      "2025 }");
  const rules::Ceiling c1 = Facts2025(b).CeilingOf(Org("c1"));
  EXPECT_EQ(c1.level, kHTNV);
  EXPECT_THAT(c1.findings.front().text_en, HasSubstr("D3: 2 of 6 members"));
  // c2, where mv is at the reference date, is not charged with it.
  RateableOrg(b, "c2");
  EXPECT_NE(Facts2025(b).CeilingOf(Org("c2")).rule_id, "R-ORG-3");
}

// R-ORDER: within one decision the ceilings read the levels that decision gives.
TEST(RatingFactsTest, AnOverlayOfLevelsReadsAsDecided) {
  StateBuilder b = Bloc();
  RateableOrg(b, "s1");
  b.GoodMember("w1", "s1");
  EXPECT_EQ(Facts2025(b).CeilingOf(Org("s1")).level, kHTNV);  // w1 undecided.
  Overlay batch;
  batch.decided["member/w1"] = kHTTNV;
  batch.decided["org/s1"] = kHTTNV;
  const RatingFacts facts = Facts2025(b, &batch);
  EXPECT_EQ(facts.CeilingOf(Org("s1")).level, kHTTNV);
  const rules::DecisionItem item = facts.DecisionItemFor(Org("s1"), kHTTNV);
  EXPECT_TRUE(item.undecided_prerequisites.empty());
  EXPECT_FALSE(item.already_decided);
  // R-COM-CAP reads the org's level given in the same decision.
  batch.decided["org/s1"] = kHTNV;
  EXPECT_EQ(Facts2025(b, &batch).CapLevel(Org("s1")), kHTNV);
}

// A ruling being planned reads as recorded, without touching the state.
TEST(RatingFactsTest, AnOverlayRulingReadsAsRecorded) {
  StateBuilder b = Bloc();
  b.GoodMember("m1", "c1");
  EXPECT_EQ(Facts2025(b).CeilingOf(Member("m1")).level, kHTTNV);
  Overlay ruling;
  ruling.ruling = DisciplineRecord{};
  ruling.ruling->ruling.set_subject("member/m1");
  ruling.ruling->ruling.set_form(v1::DISCIPLINE_FORM_WARNING);
  ruling.ruling->attributed_org = "c1";
  ruling.ruling->years = {2025};
  ruling.ruling->fact.form = v1::DISCIPLINE_FORM_WARNING;
  EXPECT_EQ(Facts2025(b, &ruling).CeilingOf(Member("m1")).level, kKHTNV);
  EXPECT_EQ(Facts2025(b, &ruling).CeilingOf({SubjectKind::kLeader, "m1"}).level, kKHTNV);
  EXPECT_EQ(Facts2025(b).CeilingOf(Member("m1")).level, kHTTNV);  // The state is untouched.
}

// R-RETRO-3: a flagged rating counts as KHTNV (required) for the ratings that read it.
TEST(RatingFactsTest, FlaggedRatingsCountAsTheRulesSay) {
  StateBuilder b = Bloc();
  b.GoodMember("m1", "c1");
  b.Add(
      "ratings_decided { decision { year: 2025 ratings { subject: 'member/m1' level: LEVEL_HTTNV } "
      "} }");
  EXPECT_EQ(Facts2025(b).EffectiveLevel(Member("m1")), kHTTNV);
  Overlay flagged;
  flagged.flags["member/m1"] = rules::Flag{v1::RATING_STATUS_RERATING_REQUIRED, kKHTNV, {}};
  EXPECT_EQ(Facts2025(b, &flagged).EffectiveLevel(Member("m1")), kKHTNV);
  b.Add(
      "rating_flagged { subject: 'member/m1' year: 2025 flag: RATING_STATUS_REVIEW_SUGGESTED "
      "proposed_level: LEVEL_HTNV }");
  EXPECT_EQ(Facts2025(b).EffectiveLevel(Member("m1")), kHTTNV);  // Suggested: as decided.
}

// R-TIME-1: placement, authority and quota scope are read at the year's reference date.
TEST(RatingFactsTest, PlacementIsReadAtTheReferenceDate) {
  StateBuilder b = Bloc();
  b.GoodMember("m1", "x");
  b.Add("member_transferred { member: 'm1' to: 'c1' on: '2026-03-01' }");
  const rules::Placement p2025 = Facts2025(b).PlacementOf(Member("m1"));
  EXPECT_EQ(p2025.org, "x");
  EXPECT_EQ(p2025.grassroots, "g1");
  EXPECT_EQ(rules::CompetentAuthority(p2025), "g1");
  EXPECT_EQ(rules::QuotaScopeOf(p2025).id, "members:g1");
  const RatingFacts facts2026(b.state(), *b.state().FindPeriod(2026));
  EXPECT_EQ(rules::CompetentAuthority(facts2026.PlacementOf(Member("m1"))), "c1");
  EXPECT_EQ(rules::RerateAuthority(p2025), "g1");
}

// R-QUOTA: a grassroots committee's members, in every cell below it, form one scope.
TEST(RatingFactsTest, AScopeCountsEveryMemberOfTheGrassrootsOrg) {
  StateBuilder b = Bloc();
  b.GoodMember("m1", "x");
  b.GoodMember("m2", "s1");
  b.GoodMember("m3", "c1");
  b.Add(
      "ratings_decided { decision { year: 2025 ratings { subject: 'member/m1' level: LEVEL_HTXSNV "
      "} "
      "ratings { subject: 'member/m2' level: LEVEL_HTTNV } ratings { subject: 'member/m3' level: "
      "LEVEL_HTXSNV } } }");
  const RatingFacts facts = Facts2025(b);
  const rules::QuotaScope scope = rules::QuotaScopeOf(facts.PlacementOf(Member("m2")));
  EXPECT_EQ(scope.id, "members:g1");
  const rules::QuotaScopeCounts counts = facts.CountScope(scope, {});
  EXPECT_EQ(counts.excellent, 1);
  EXPECT_EQ(counts.good_or_better, 2);
  EXPECT_EQ(facts.CountScope(scope, {"member/m1"}).excellent, 0);
}

// R-COM-1 (clarified): disunity concluded on org/X speaks of X's committee.
TEST(RatingFactsTest, DisunityOnTheOrgReachesItsCommittee) {
  StateBuilder b = Bloc();
  b.Add(R"(committee_assessed { org: 'c1' year: 2025
        grades { criterion: 'democratic_centralism' grade: GRADE_TOT } grades { criterion: 'leadership_responsibility' grade: GRADE_TOT }
        grades { criterion: 'programs' grade: GRADE_XS } grades { criterion: 'results' grade: GRADE_XS }
        grades { criterion: 'targets' grade: GRADE_TOT } grades { criterion: 'unit_ratings' grade: GRADE_TOT }
        grades { criterion: 'remediation' grade: GRADE_TOT } exemplary: true })");
  EXPECT_EQ(Facts2025(b).BaseCeiling(Committee("c1")).level, kHTXSNV);
  b.Add("conclusion_recorded { subject: 'org/c1' kind: CONCLUSION_KIND_DISUNITY year: 2025 }");
  const rules::Ceiling ceiling = Facts2025(b).BaseCeiling(Committee("c1"));
  EXPECT_EQ(ceiling.level, kKHTNV);
  EXPECT_EQ(ceiling.rule_id, "R-COM-1");
}

// R-SUBJ-3 (clarified): the member's review serves leader/ID; a committee needs its own.
TEST(RatingFactsTest, TheMembersReviewServesTheLeaderRating) {
  StateBuilder b = Bloc();
  b.GoodMember("m1", "c1");
  EXPECT_TRUE(Facts2025(b).EligibilityOf({SubjectKind::kLeader, "m1"}).ready());
  b.Add("review_completed { subject: 'org/c2' year: 2025 }");
  EXPECT_TRUE(Facts2025(b).EligibilityOf(Org("c2")).ready());
  EXPECT_EQ(Facts2025(b).EligibilityOf(Committee("c2")).rule_id, "R-SUBJ-3");
}

// The reach of a ruling reads the seats and the org at the reference date.
TEST(RatingFactsTest, ReachFactsAreReadAtTheReferenceDate) {
  StateBuilder b = Bloc();
  b.Add("member_enrolled { id: 'm1' org: 'c1' admitted_on: '2015-03-01' committee_of: 'g1' }")
      .Add("member_transferred { member: 'm1' to: 'c2' on: '2025-06-01' }");
  const rules::RulingReachFacts facts = Facts2025(b).ReachFactsOf(Member("m1"), "c1");
  EXPECT_EQ(facts.member_org, "c2");
  EXPECT_THAT(facts.committee_seats, ElementsAre("g1"));
  const rules::RulingReachFacts org = Facts2025(b).ReachFactsOf(Org("x"), "x");
  EXPECT_THAT(org.ancestors, ElementsAre("sc", "g1"));
}

}  // namespace
}  // namespace rating::projections
