// Committees (RULES.md §6): R-COM-1..5 and the cap R-COM-CAP, CommitteeCeiling / ApplyCaps.
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

using ::testing::ElementsAre;

using Case = CeilingCase<CommitteeFacts>;

std::vector<Case> Cases() {
  return {
      {"key_xs_rest_tot_exemplary_is_excellent", [](CommitteeFacts&) {}, kHTXSNV, "R-COM-3"},
      {"not_exemplary_is_good",
       [](CommitteeFacts& f) { f.assessment->exemplary = false; },
       kHTTNV,
       "R-COM-4",
       {{"R-COM-3", "not exemplary"}}},
      {"key_criterion_tot_is_good",
       [](CommitteeFacts& f) { f.assessment->grades["results"] = kTOT; },
       kHTTNV,
       "R-COM-4",
       {{"R-COM-3", "key criterion results is TOT, needs XS"}}},
      {"other_criterion_tb_is_good",
       [](CommitteeFacts& f) { f.assessment->grades["targets"] = kTB; },
       kHTTNV,
       "R-COM-4",
       {{"R-COM-3", "criterion targets is TB, needs TOT"}}},
      {"key_criterion_tb_is_completed",
       [](CommitteeFacts& f) { f.assessment->grades["programs"] = kTB; },
       kHTNV,
       "R-COM-5",
       {{"R-COM-3", "key criterion programs is TB, needs XS"},
        {"R-COM-4", "key criterion programs is TB, needs TOT"}}},
      {"a_poor_criterion_is_not_completed",
       [](CommitteeFacts& f) { f.assessment->grades["remediation"] = kKEM; },
       kKHTNV,
       "R-COM-1",
       {{"R-COM-5", "criterion remediation is KEM, needs TB"}},
       {{"R-COM-1", "does not reach completed"}}},
      {"disunity_is_not_completed",
       [](CommitteeFacts& f) { f.committee_conclusions = {rating::v1::CONCLUSION_KIND_DISUNITY}; },
       kKHTNV,
       "R-COM-1",
       {},
       {{"R-COM-1", "concluded disunity"}}},
      {"a_degraded_member_is_not_completed",
       [](CommitteeFacts& f) { f.member_conclusions = {rating::v1::CONCLUSION_KIND_DEGRADATION}; },
       kKHTNV,
       "R-COM-1",
       {},
       {{"R-COM-1", "committee member degraded"}}},
      {"unit_under_50_percent_of_targets_is_not_completed",
       [](CommitteeFacts& f) { f.assessment->unit_targets_pct = 49; },
       kKHTNV,
       "R-COM-1",
       {},
       {{"R-COM-1", "only 49% of its targets"}}},
      {"unit_at_50_percent_of_targets_is_no_trigger",
       [](CommitteeFacts& f) { f.assessment->unit_targets_pct = 50; }, kHTXSNV, "R-COM-3"},
      // Corner 11: an assessment that omits the unit's targets asserts nothing about them.
      {"omitted_unit_targets_are_no_trigger",
       [](CommitteeFacts& f) { f.assessment->unit_targets_pct.reset(); }, kHTXSNV, "R-COM-3"},
      // FORMAT.md: disunity concluded on org/X speaks of X's committee.
      {"disunity_concluded_on_the_org_is_not_completed",
       [](CommitteeFacts& f) { f.org_conclusions = {rating::v1::CONCLUSION_KIND_DISUNITY}; },
       kKHTNV,
       "R-COM-1",
       {},
       {{"R-COM-1", "concluded disunity"}}},
      {"force_majeure_excuses_missed_targets",
       [](CommitteeFacts& f) {
         f.assessment->unit_targets_pct = 10;
         f.assessment->force_majeure = true;
       },
       kHTXSNV, "R-COM-3"},
      {"committee_disciplined_is_not_completed",
       [](CommitteeFacts& f) {
         f.committee_disciplines = {Discipline(rating::v1::DISCIPLINE_FORM_REPRIMAND, false)};
       },
       kKHTNV,
       "R-COM-1",
       {},
       {{"R-COM-1", "the committee was disciplined (reprimand)"}}},
      {"committee_disciplined_self_remedied_is_at_most_completed",
       [](CommitteeFacts& f) {
         f.committee_disciplines = {Discipline(rating::v1::DISCIPLINE_FORM_REPRIMAND, true)};
       },
       kHTNV,
       "R-COM-2",
       {},
       {{"R-COM-3", "meets every condition"}}},
      {"member_warned_is_not_completed",
       [](CommitteeFacts& f) {
         f.committee_member_disciplines = {Discipline(rating::v1::DISCIPLINE_FORM_WARNING, true)};
       },
       kKHTNV,
       "R-COM-1",
       {},
       {{"R-COM-1", "a committee member was disciplined (warning"}}},
      {"member_reprimanded_is_no_trigger",
       [](CommitteeFacts& f) {
         f.committee_member_disciplines = {
             Discipline(rating::v1::DISCIPLINE_FORM_REPRIMAND, false)};
       },
       kHTXSNV, "R-COM-3"},
      {"missing_grade_is_named",
       [](CommitteeFacts& f) { f.assessment->grades.erase("unit_ratings"); },
       kKHTNV,
       "R-COM-1",
       {{"R-COM-5", "criterion unit_ratings is not graded"}}},
  };
}

TEST(CommitteeCeilingTest, Table) {
  const Policy policy = DefaultPolicy();
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name);
    CommitteeFacts facts = Case02Committee();
    c.change(facts);
    const Ceiling ceiling = CommitteeCeiling(facts, policy, {});
    SCOPED_TRACE(Describe(ceiling));
    ExpectCeiling(ceiling, c);
  }
}

TEST(CommitteeCeilingTest, OneViolationCountsOnce) {
  CommitteeFacts facts = Case02Committee();
  facts.committee_member_disciplines = {
      Discipline(rating::v1::DISCIPLINE_FORM_WARNING, false, "case-7"),
      Discipline(rating::v1::DISCIPLINE_FORM_REMOVAL, false, "case-7"),
      Discipline(rating::v1::DISCIPLINE_FORM_WARNING, false, "case-8")};
  const Ceiling ceiling = CommitteeCeiling(facts, DefaultPolicy(), {});
  int triggers = 0;
  for (const Finding& f : ceiling.findings) triggers += f.rule_id == "R-COM-1" && f.holds;
  EXPECT_EQ(triggers, 2);
}

TEST(CommitteeCeilingTest, MissingAssessmentFallsToTheLowestLevelAndIsNamed) {
  CommitteeFacts facts;
  const Ceiling ceiling = CommitteeCeiling(facts, DefaultPolicy(), {});
  ExpectWellFormed(ceiling);
  EXPECT_EQ(ceiling.level, kKHTNV);
  EXPECT_THAT(ceiling.missing_inputs, ElementsAre("committee_assessment"));
  EXPECT_TRUE(FailsWith(ceiling, "R-COM-3", "committee_assessment"));
  EXPECT_TRUE(FailsWith(ceiling, "R-COM-4", "committee_assessment"));
  EXPECT_TRUE(FailsWith(ceiling, "R-COM-5", "committee_assessment"));
}

// Conformance case 02: committee/c2 reaches R-COM-3, its org is HTTNV.
TEST(CommitteeCapTest, CommitteeIsNeverAboveItsOrg) {
  const Policy policy = DefaultPolicy();
  const Ceiling ceiling =
      CommitteeCeiling(Case02Committee(), policy, {{"R-COM-CAP", "org/c2", kHTTNV}});
  SCOPED_TRACE(Describe(ceiling));
  ExpectWellFormed(ceiling);
  EXPECT_EQ(ceiling.level, kHTTNV);
  EXPECT_EQ(ceiling.rule_id, "R-COM-CAP");
  EXPECT_TRUE(HoldsWith(ceiling, "R-COM-CAP", "org/c2 (HTTNV)"));
  EXPECT_TRUE(Mentions(ceiling, "R-COM-3"));  // The original deciding rule stays.

  const Ceiling equal =
      CommitteeCeiling(Case02Committee(), policy, {{"R-COM-CAP", "org/c1", kHTXSNV}});
  EXPECT_EQ(equal.level, kHTXSNV);
  EXPECT_EQ(equal.rule_id, "R-COM-3");
}

TEST(CommitteeCapTest, CapNeverRaises) {
  CommitteeFacts facts = Case02Committee();
  facts.assessment->grades["programs"] = kTB;  // HTNV.
  const Ceiling ceiling =
      CommitteeCeiling(facts, DefaultPolicy(), {{"R-COM-CAP", "org/c1", kHTXSNV}});
  EXPECT_EQ(ceiling.level, kHTNV);
  EXPECT_EQ(ceiling.rule_id, "R-COM-5");
}

TEST(CommitteeCapTest, ApplyCapsIsIdentityWithoutCaps) {
  const Ceiling ceiling = CommitteeCeiling(Case02Committee(), DefaultPolicy(), {});
  EXPECT_EQ(ApplyCaps(ceiling, {}), ceiling);
}

}  // namespace
}  // namespace rating::rules::testing
