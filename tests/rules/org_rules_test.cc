// Grassroots orgs (RULES.md §4): R-ORG-1..6 with the defects D1..D4, OrgCeiling.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rules/engine.h"
#include "tests/rules/rules_testing.h"

namespace rating::rules::testing {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr rating::v1::DisciplineForm kWarning = rating::v1::DISCIPLINE_FORM_WARNING;

UnitRating Unit(std::string subject, std::optional<Level> level) {
  UnitRating u;
  u.subject = std::move(subject);
  u.level = level;
  return u;
}

UnitRating NotSubject(std::string subject) {
  UnitRating u;
  u.subject = std::move(subject);
  u.not_subject = true;
  return u;
}

// Conformance case 02's cell c1: S = 14 + 12 + 18 + 30 + 15 = 89, two members HTTNV.
OrgFacts ExcellentCell() {
  OrgFacts f;
  f.kind = rating::v1::ORG_KIND_GRASSROOTS_CELL;
  ScorecardFacts card;
  card.lines = {{"political_ideology", 1500, 1400, false},
                {"organization_cadres", 1500, 1200, false},
                {"party_programs", 2000, 1800, true},
                {"production_business", 3000, 3000, true},
                {"remediation", 2000, 1500, false}};
  card.party_building_pct = 100;
  card.production_plan_met = true;
  card.exemplary = true;
  f.scorecard = card;
  f.units = {Unit("member/a1", kHTTNV), Unit("member/a2", kHTTNV)};
  f.management = kHTTNV;
  f.mass_orgs = {{"trade_union", kHTTNV}, {"youth_union", kHTTNV}};
  return f;
}

OrgFacts ExcellentCommittee() {
  OrgFacts f = ExcellentCell();
  f.kind = rating::v1::ORG_KIND_GRASSROOTS_COMMITTEE;
  f.units = {Unit("org/s1", kHTTNV), Unit("org/s2", kHTXSNV)};
  return f;
}

void SetPoints(OrgFacts& f, const std::string& id, CentiPoints points) {
  for (ScoreLine& line : f.scorecard->lines) {
    if (line.id == id) line.points = points;
  }
}

void SetAll(OrgFacts& f, std::vector<CentiPoints> points) {
  for (size_t i = 0; i < points.size(); ++i) f.scorecard->lines[i].points = points[i];
}

void SetUnits(OrgFacts& f, std::vector<std::optional<Level>> levels) {
  f.units.clear();
  const bool committee = f.kind == rating::v1::ORG_KIND_GRASSROOTS_COMMITTEE ||
                         f.kind == rating::v1::ORG_KIND_SUB_COMMITTEE;
  for (size_t i = 0; i < levels.size(); ++i) {
    f.units.push_back(Unit((committee ? "org/u" : "member/u") + std::to_string(i + 1), levels[i]));
  }
}

struct Case : CeilingCase<OrgFacts> {
  bool committee = false;  // Start from ExcellentCommittee() rather than ExcellentCell().
};

std::vector<Case> Cases() {
  return {
      {"case_02_c1_is_excellent", [](OrgFacts&) {}, kHTXSNV, "R-ORG-4"},
      {"case_02_c2_key_criterion_good_is_good",
       [](OrgFacts& f) { SetPoints(f, "party_programs", 1600); },
       kHTTNV,
       "R-ORG-5",
       {{"R-ORG-4", "key criterion party_programs is TOT (16/20), needs XS"}}},
      // S = 85.00 vs 84.99 with every criterion >= TOT and key criteria XS.
      {"score_exactly_85_is_excellent",
       [](OrgFacts& f) {
         SetAll(f, {1100, 1200, 1800, 3000, 1400});
       },
       kHTXSNV, "R-ORG-4"},
      {"score_84_99_is_good",
       [](OrgFacts& f) {
         SetAll(f, {1099, 1200, 1800, 3000, 1400});
       },
       kHTTNV,
       "R-ORG-5",
       {{"R-ORG-4", "total score 84.99 is below 85"}}},
      // S = 70.00 vs 69.99 with every criterion >= TB and key criteria >= TOT.
      {"score_exactly_70_is_good",
       [](OrgFacts& f) {
         SetAll(f, {750, 750, 1400, 2100, 2000});
       },
       kHTTNV,
       "R-ORG-5",
       {{"R-ORG-4", "total score 70 is below 85"}}},
      {"score_69_99_is_completed",
       [](OrgFacts& f) {
         SetAll(f, {750, 750, 1400, 2100, 1999});
       },
       kHTNV,
       "R-ORG-6",
       {{"R-ORG-5", "total score 69.99 is below 70"}},
       {{"R-ORG-6", "total score 69.99 is at least 50"}}},
      // S = 50.00 vs 49.99.
      {"score_exactly_50_is_completed",
       [](OrgFacts& f) {
         SetAll(f, {750, 750, 1000, 1500, 1000});
       },
       kHTNV, "R-ORG-6"},
      {"score_49_99_is_not_completed",
       [](OrgFacts& f) {
         SetAll(f, {750, 750, 1000, 1500, 999});
       },
       kKHTNV,
       "R-ORG-2",
       {{"R-ORG-6", "total score 49.99 is below 50"}},
       {{"R-ORG-2", "49.99 is below 50"}}},
      // A key criterion at exactly 85% of its standard points and one centi-point below.
      {"key_criterion_at_85_percent_is_excellent",
       [](OrgFacts& f) { SetPoints(f, "party_programs", 1700); }, kHTXSNV, "R-ORG-4"},
      {"key_criterion_one_centipoint_below_85_percent_is_good",
       [](OrgFacts& f) { SetPoints(f, "party_programs", 1699); },
       kHTTNV,
       "R-ORG-5",
       {{"R-ORG-4", "party_programs is TOT (16.99/20)"}}},
      // A criterion at exactly 70% and one centi-point below.
      {"criterion_at_70_percent_is_excellent",
       [](OrgFacts& f) { SetPoints(f, "remediation", 1400); }, kHTXSNV, "R-ORG-4"},
      {"criterion_one_centipoint_below_70_percent_is_good",
       [](OrgFacts& f) { SetPoints(f, "remediation", 1399); },
       kHTTNV,
       "R-ORG-5",
       {{"R-ORG-4", "criterion remediation is TB (13.99/20), needs TOT"}}},
      {"key_criterion_at_70_percent_is_good",
       [](OrgFacts& f) { SetPoints(f, "production_business", 2100); }, kHTTNV, "R-ORG-5"},
      {"key_criterion_one_centipoint_below_70_percent_is_completed",
       [](OrgFacts& f) { SetPoints(f, "production_business", 2099); },
       kHTNV,
       "R-ORG-6",
       {{"R-ORG-5", "key criterion production_business is TB (20.99/30), needs TOT"}}},
      // A criterion at exactly 50% and one centi-point below.
      {"criterion_at_50_percent_is_good", [](OrgFacts& f) { SetPoints(f, "remediation", 1000); },
       kHTTNV, "R-ORG-5"},
      {"criterion_one_centipoint_below_50_percent_is_completed",
       [](OrgFacts& f) { SetPoints(f, "remediation", 999); },
       kHTNV,
       "R-ORG-6",
       {{"R-ORG-5", "criterion remediation is KEM (9.99/20), needs TB"}}},
      {"assessor_grade_is_read_when_given",
       [](OrgFacts& f) { f.scorecard->lines[4].grade = rating::v1::GRADE_TB; }, kHTTNV, "R-ORG-5"},
      // Members of a cell: exactly 80% / 50% good, 100% completed.
      {"exactly_80_percent_good_members_is_excellent",
       [](OrgFacts& f) {
         SetUnits(f, {kHTTNV, kHTTNV, kHTXSNV, kHTTNV, kHTNV});
       },
       kHTXSNV, "R-ORG-4"},
      {"under_80_percent_good_members_is_good",
       [](OrgFacts& f) {
         SetUnits(f, {kHTTNV, kHTTNV, kHTTNV, kHTNV, kHTNV});
       },
       kHTTNV,
       "R-ORG-5",
       {{"R-ORG-4", "3 of 5 rated members good or better, needs at least 80%"}}},
      {"exactly_50_percent_good_members_is_good",
       [](OrgFacts& f) {
         SetUnits(f, {kHTTNV, kHTTNV, kHTNV, kHTNV});
       },
       kHTTNV, "R-ORG-5"},
      {"under_50_percent_good_members_is_completed",
       [](OrgFacts& f) {
         SetUnits(f, {kHTTNV, kHTTNV, kHTNV, kHTNV, kHTNV});
       },
       kHTNV,
       "R-ORG-6",
       {{"R-ORG-5", "2 of 5 rated members good or better, needs at least 50%"}}},
      {"cell_with_a_member_not_completed_can_still_be_good",
       [](OrgFacts& f) {
         SetUnits(f, {kHTTNV, kHTTNV, kHTTNV, kHTTNV, kKHTNV});
       },
       kHTTNV,
       "R-ORG-5",
       {{"R-ORG-4", "1 rated members below completed"}}},
      {"not_subject_members_are_left_out",
       [](OrgFacts& f) {
         f.units.push_back(NotSubject("member/n1"));
         f.units.push_back(NotSubject("member/n2"));
         f.units.push_back(NotSubject("member/n3"));
       },
       kHTXSNV, "R-ORG-4"},
      {"with_every_member_not_subject_the_percentages_hold",
       [](OrgFacts& f) { f.units = {NotSubject("member/n1")}; }, kHTXSNV, "R-ORG-4"},
      {"with_no_members_the_percentages_hold", [](OrgFacts& f) { f.units.clear(); }, kHTXSNV,
       "R-ORG-4"},
      {"an_unrated_member_fails_and_is_named",
       [](OrgFacts& f) { f.units.push_back(Unit("member/a3", std::nullopt)); },
       kHTNV,
       "R-ORG-6",
       {{"R-ORG-4", "member/a3 is not rated yet"}, {"R-ORG-5", "member/a3 is not rated yet"}}},
      // External collectives.
      {"management_not_recorded_fails_and_is_named",
       [](OrgFacts& f) { f.management.reset(); },
       kHTNV,
       "R-ORG-6",
       {{"R-ORG-4", "management board's rating is not recorded"},
        {"R-ORG-5", "management board's rating is not recorded"}}},
      {"management_completed_is_good",
       [](OrgFacts& f) { f.management = kHTNV; },
       kHTTNV,
       "R-ORG-5",
       {{"R-ORG-4", "management board is rated HTNV, needs HTTNV"}}},
      {"mass_org_completed_is_good",
       [](OrgFacts& f) { f.mass_orgs["youth_union"] = kHTNV; },
       kHTTNV,
       "R-ORG-5",
       {{"R-ORG-4", "mass org youth_union is rated HTNV"}}},
      {"mass_org_not_completed_is_completed",
       [](OrgFacts& f) { f.mass_orgs["youth_union"] = kKHTNV; },
       kHTNV,
       "R-ORG-6",
       {{"R-ORG-5", "mass org youth_union is rated KHTNV, needs HTNV"}}},
      {"mass_org_rating_unset_fails_and_is_named",
       [](OrgFacts& f) { f.mass_orgs["youth_union"] = rating::v1::LEVEL_UNSPECIFIED; },
       kHTNV,
       "R-ORG-6",
       {{"R-ORG-4", "mass org youth_union's rating is not recorded"},
        {"R-ORG-5", "mass org youth_union's rating is not recorded"}}},
      {"not_exemplary_is_good",
       [](OrgFacts& f) { f.scorecard->exemplary = false; },
       kHTTNV,
       "R-ORG-5",
       {{"R-ORG-4", "not exemplary"}}},
      // D4 and the committee-member condition of R-ORG-4.
      {"self_remedied_committee_member_discipline_blocks_excellence",
       [](OrgFacts& f) { f.committee_member_disciplines = {Discipline(kWarning, true)}; },
       kHTTNV,
       "R-ORG-5",
       {{"R-ORG-4", "committee members"}}},
      {"d4_committee_member_disciplined_is_completed",
       [](OrgFacts& f) { f.committee_member_disciplines = {Discipline(kWarning, false)}; },
       kHTNV,
       "R-ORG-3",
       {},
       {{"R-ORG-3", "D4: a committee member was disciplined"}}},
      // D1.
      {"d1_incident_disciplined_is_completed",
       [](OrgFacts& f) {
         f.incidents = {{true, false}};
       },
       kHTNV,
       "R-ORG-3",
       {},
       {{"R-ORG-3", "D1: a unit had a violation case"}}},
      {"d1_incident_self_remedied_is_no_defect",
       [](OrgFacts& f) {
         f.incidents = {{true, true}};
       },
       kHTXSNV, "R-ORG-4"},
      {"d1_incident_not_disciplined_is_no_defect",
       [](OrgFacts& f) {
         f.incidents = {{false, false}};
       },
       kHTXSNV, "R-ORG-4"},
      {"d1_disciplined_subordinate_org_is_completed",
       [](OrgFacts& f) {
         f.suborg_disciplines = {{"s1", Discipline(kWarning, false)}};
         f.units.push_back(Unit("org/s3", kHTTNV));
         f.units.push_back(Unit("org/s4", kHTTNV));
         f.units.push_back(Unit("org/s5", kHTTNV));
         f.units.push_back(Unit("org/s6", kHTTNV));
       },
       kHTNV,
       "R-ORG-3",
       {},
       {{"R-ORG-3", "D1: the org s1 below was disciplined"}},
       true},
      // D2, either half [choice].
      {"d2_party_building_under_50_percent_is_completed",
       [](OrgFacts& f) { f.scorecard->party_building_pct = 49; },
       kHTNV,
       "R-ORG-3",
       {},
       {{"R-ORG-3", "D2: only 49%"}}},
      {"d2_party_building_at_50_percent_is_no_defect",
       [](OrgFacts& f) { f.scorecard->party_building_pct = 50; }, kHTXSNV, "R-ORG-4"},
      // RULES.md §4 clarified (corner 11): a card that omits the target facts asserts nothing.
      {"d2_omitted_target_facts_are_no_defect",
       [](OrgFacts& f) {
         f.scorecard->party_building_pct.reset();
         f.scorecard->production_plan_met.reset();
       },
       kHTXSNV, "R-ORG-4"},
      {"d2_production_plan_not_met_is_completed",
       [](OrgFacts& f) { f.scorecard->production_plan_met = false; },
       kHTNV,
       "R-ORG-3",
       {},
       {{"R-ORG-3", "D2: the production/business plan was not met"}}},
      {"d2_force_majeure_excuses",
       [](OrgFacts& f) {
         f.scorecard->production_plan_met = false;
         f.scorecard->party_building_pct = 10;
         f.scorecard->force_majeure = true;
       },
       kHTXSNV, "R-ORG-4"},
      // D3 (conformance case 03: 1 of 2 members disciplined).
      {"d3_one_of_two_members_disciplined_is_completed",
       [](OrgFacts& f) {
         f.d3 = {{"a1", "a2"}, {"a1"}};
         f.units[0].level = kKHTNV;  // RERATING_REQUIRED counts as KHTNV (R-RETRO-3).
       },
       kHTNV,
       "R-ORG-3",
       {{"R-ORG-4", "1 rated members below completed"}},
       {{"R-ORG-3", "D3: 1 of 2 members disciplined"}}},
      {"d3_exactly_20_percent_disciplined_is_no_defect",
       [](OrgFacts& f) {
         SetUnits(f, {kHTTNV, kHTTNV, kHTTNV, kHTTNV, kHTTNV});
         f.d3 = {{"a1", "a2", "a3", "a4", "a5"}, {"a1"}};
       },
       kHTXSNV, "R-ORG-4"},
      {"d3_counts_self_remedied_disciplines_too",
       [](OrgFacts& f) {
         SetUnits(f, {kHTTNV, kHTTNV, kHTTNV, kHTTNV});
         f.d3 = {{"a1", "a2", "a3", "a4"}, {"a1"}};
       },
       kHTNV,
       "R-ORG-3",
       {},
       {{"R-ORG-3", "D3: 1 of 4"}}},
      {"defect_with_score_under_70_is_not_completed",
       [](OrgFacts& f) {
         SetAll(f, {750, 750, 1400, 2100, 1999});
         f.incidents = {{true, false}};
       },
       kKHTNV,
       "R-ORG-3",
       {},
       {{"R-ORG-3", "total score 69.99 below 70"}}},
      {"defect_with_score_exactly_70_is_completed",
       [](OrgFacts& f) {
         SetAll(f, {750, 750, 1400, 2100, 2000});
         f.incidents = {{true, false}};
       },
       kHTNV,
       "R-ORG-3",
       {},
       {{"R-ORG-3", "total score 70 at least 70"}}},
      // R-ORG-1.
      {"disciplined_org_is_not_completed",
       [](OrgFacts& f) { f.org_disciplines = {Discipline(kWarning, true)}; },
       kKHTNV,
       "R-ORG-1",
       {},
       {{"R-ORG-1", "the org was disciplined (warning)"}}},
      {"committee_disciplined_not_self_remedied_is_not_completed",
       [](OrgFacts& f) { f.committee_disciplines = {Discipline(kWarning, false)}; },
       kKHTNV,
       "R-ORG-1",
       {},
       {{"R-ORG-1", "not self-remedied"}}},
      {"committee_disciplined_self_remedied_is_at_most_completed",
       [](OrgFacts& f) { f.committee_disciplines = {Discipline(kWarning, true)}; },
       kHTNV,
       "R-ORG-1",
       {},
       {{"R-ORG-1", "self-remedied: at most completed"}, {"R-ORG-4", "meets every condition"}}},
      // Committee kinds: subordinate orgs.
      {"committee_with_80_percent_good_orgs_is_excellent",
       [](OrgFacts& f) {
         SetUnits(f, {kHTTNV, kHTTNV, kHTXSNV, kHTTNV, kHTNV});
       },
       kHTXSNV,
       "R-ORG-4",
       {},
       {},
       true},
      {"committee_with_an_org_not_completed_is_completed",
       [](OrgFacts& f) {
         SetUnits(f, {kHTTNV, kHTTNV, kHTTNV, kHTTNV, kKHTNV});
       },
       kHTNV,
       "R-ORG-6",
       {{"R-ORG-5", "1 subordinate orgs below completed"}},
       {},
       true},
      {"committee_with_exactly_50_percent_good_orgs_is_good",
       [](OrgFacts& f) {
         SetUnits(f, {kHTTNV, kHTNV});
       },
       kHTTNV,
       "R-ORG-5",
       {},
       {},
       true},
  };
}

TEST(OrgCeilingTest, Table) {
  const Policy policy = DefaultPolicy();
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name);
    OrgFacts facts = c.committee ? ExcellentCommittee() : ExcellentCell();
    c.change(facts);
    const Ceiling ceiling = OrgCeiling(facts, policy);
    SCOPED_TRACE(Describe(ceiling));
    ExpectCeiling(ceiling, c);
  }
}

TEST(OrgCeilingTest, SubordinateOrgsReadAsTheirGrassrootsKind) {
  const Policy policy = DefaultPolicy();
  // A subordinate cell reads as a grassroots cell: no 100%-completed condition for R-ORG-5.
  OrgFacts cell = ExcellentCell();
  cell.kind = rating::v1::ORG_KIND_SUBORDINATE_CELL;
  SetUnits(cell, {kHTTNV, kHTTNV, kHTTNV, kHTTNV, kKHTNV});
  EXPECT_EQ(OrgCeiling(cell, policy).level, kHTTNV);
  // A sub-committee reads as a grassroots committee.
  OrgFacts sub = ExcellentCommittee();
  sub.kind = rating::v1::ORG_KIND_SUB_COMMITTEE;
  SetUnits(sub, {kHTTNV, kHTTNV, kHTTNV, kHTTNV, kKHTNV});
  EXPECT_EQ(OrgCeiling(sub, policy).level, kHTNV);
}

TEST(OrgCeilingTest, MissingScorecardFallsToTheLowestLevelAndIsNamed) {
  OrgFacts facts = ExcellentCell();
  facts.scorecard.reset();
  facts.units.push_back(Unit("member/a3", std::nullopt));
  const Ceiling ceiling = OrgCeiling(facts, DefaultPolicy());
  SCOPED_TRACE(Describe(ceiling));
  ExpectWellFormed(ceiling);
  EXPECT_EQ(ceiling.level, kKHTNV);
  EXPECT_EQ(ceiling.rule_id, "R-ORG-2");
  EXPECT_THAT(ceiling.missing_inputs, ElementsAre("scorecard", "member/a3 rating"));
  EXPECT_TRUE(FailsWith(ceiling, "R-ORG-4", "no scorecard"));
  EXPECT_TRUE(FailsWith(ceiling, "R-ORG-5", "no scorecard"));
  EXPECT_TRUE(FailsWith(ceiling, "R-ORG-6", "no scorecard"));
}

TEST(OrgCeilingTest, EveryFailedConditionOfEveryHigherLevelIsListed) {
  OrgFacts facts = ExcellentCell();
  SetAll(facts, {750, 750, 1000, 1500, 999});  // 49.99
  facts.management = kKHTNV;
  facts.scorecard->exemplary = false;
  const Ceiling ceiling = OrgCeiling(facts, DefaultPolicy());
  EXPECT_EQ(ceiling.level, kKHTNV);
  EXPECT_TRUE(FailsWith(ceiling, "R-ORG-4", "total score 49.99 is below 85"));
  EXPECT_TRUE(FailsWith(ceiling, "R-ORG-4", "not exemplary"));
  EXPECT_TRUE(FailsWith(ceiling, "R-ORG-4", "management board is rated KHTNV"));
  EXPECT_TRUE(FailsWith(ceiling, "R-ORG-5", "total score 49.99 is below 70"));
  EXPECT_TRUE(FailsWith(ceiling, "R-ORG-5", "management board is rated KHTNV"));
  EXPECT_TRUE(FailsWith(ceiling, "R-ORG-5", "criterion remediation is KEM"));
  EXPECT_TRUE(FailsWith(ceiling, "R-ORG-6", "total score 49.99 is below 50"));
  EXPECT_THAT(ceiling.missing_inputs, IsEmpty());
}

TEST(OrgCeilingTest, ThresholdsFollowThePolicy) {
  absl::StatusOr<Policy> policy = LoadPolicy("", {{"score_excellent", "90"}});
  ASSERT_TRUE(policy.ok());
  const Ceiling ceiling = OrgCeiling(ExcellentCell(), *policy);  // S = 89.
  EXPECT_EQ(ceiling.level, kHTTNV);
  EXPECT_TRUE(FailsWith(ceiling, "R-ORG-4", "total score 89 is below 90"));
}

TEST(OrgCeilingTest, VietnameseTextsNameTheDefect) {
  OrgFacts facts = ExcellentCell();
  facts.d3 = {{"a1", "a2"}, {"a1"}};
  const Ceiling ceiling = OrgCeiling(facts, DefaultPolicy());
  ASSERT_EQ(ceiling.rule_id, "R-ORG-3");
  EXPECT_THAT(ceiling.findings.front().text_vi, ::testing::HasSubstr("D3"));
  EXPECT_THAT(ceiling.findings.front().text_vi, ::testing::HasSubstr("bị kỷ luật"));
  EXPECT_THAT(ceiling.findings, Contains(::testing::Field(&Finding::rule_id, "R-ORG-3")));
}

}  // namespace
}  // namespace rating::rules::testing
