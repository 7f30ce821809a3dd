// Members and leaders (RULES.md §5, R-LEAD-1, R-LEAD-CAP): MemberCeiling.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "rules/engine.h"
#include "tests/rules/rules_testing.h"

namespace rating::rules::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// A member meeting every HTXSNV condition: 4 targets, all on time, 2 exceeded (50%).
MemberFacts Excellent() { return AssessedMember(kXS, kXS, kTOT, kTOT, 4, 4, 4, 2, true); }

MemberFacts ExcellentLeader() {
  MemberFacts f = Excellent();
  f.leader = true;
  f.assessment->grades["leadership"] = kXS;
  f.assessment->grades["initiative"] = kTOT;
  f.assessment->grades["example"] = kTOT;
  return f;
}

struct Case : CeilingCase<MemberFacts> {
  bool leader = false;  // Start from ExcellentLeader() rather than Excellent().
};

std::vector<Case> Cases() {
  return {
      {"meets_every_condition_is_excellent", [](MemberFacts&) {}, kHTXSNV, "R-MEM-2"},
      {"exactly_half_the_targets_exceeded_is_excellent",
       [](MemberFacts& f) {
         f.assessment->targets_assigned = 2;
         f.assessment->targets_completed = 2;
         f.assessment->targets_on_time = 2;
         f.assessment->targets_exceeded = 1;
       },
       kHTXSNV, "R-MEM-2"},
      {"under_half_the_targets_exceeded_is_good",
       [](MemberFacts& f) {
         f.assessment->targets_assigned = 3;
         f.assessment->targets_completed = 3;
         f.assessment->targets_on_time = 3;
         f.assessment->targets_exceeded = 1;
       },
       kHTTNV,
       "R-MEM-3",
       {{"R-MEM-2", "1 of 3 targets exceeded"}}},
      {"not_exemplary_is_good",
       [](MemberFacts& f) { f.assessment->exemplary = false; },
       kHTTNV,
       "R-MEM-3",
       {{"R-MEM-2", "not exemplary"}}},
      {"task_criterion_tot_is_good",
       [](MemberFacts& f) { f.assessment->grades["tasks"] = kTOT; },
       kHTTNV,
       "R-MEM-3",
       {{"R-MEM-2", "task criterion tasks is TOT, needs XS"}}},
      {"other_criterion_tb_is_good",
       [](MemberFacts& f) { f.assessment->grades["political"] = kTB; },
       kHTTNV,
       "R-MEM-3",
       {{"R-MEM-2", "criterion political is TB, needs TOT"}}},
      // Conformance case 05: tasks TB, every target on time.
      {"task_criterion_tb_is_completed",
       [](MemberFacts& f) {
         f.assessment->grades = {
             {"political", kTOT}, {"tasks", kTB}, {"commitment", kTOT}, {"remediation", kTOT}};
         f.assessment->targets_assigned = 2;
         f.assessment->targets_completed = 2;
         f.assessment->targets_on_time = 2;
         f.assessment->targets_exceeded = 0;
         f.assessment->exemplary = false;
       },
       kHTNV,
       "R-MEM-4",
       {{"R-MEM-2", "task criterion tasks is TB, needs XS"},
        {"R-MEM-3", "task criterion tasks is TB, needs TOT"}}},
      {"a_target_late_is_completed",
       [](MemberFacts& f) { f.assessment->targets_on_time = 3; },
       kHTNV,
       "R-MEM-4",
       {{"R-MEM-2", "3 of 4 targets completed on time"},
        {"R-MEM-3", "3 of 4 targets completed on time"}}},
      {"a_target_not_completed_is_not_completed",
       [](MemberFacts& f) {
         f.assessment->targets_completed = 3;
         f.assessment->targets_on_time = 3;
       },
       kKHTNV,
       "R-MEM-1",
       {{"R-MEM-4", "3 of 4 targets completed, needs all"}},
       {{"R-MEM-1", "does not reach completed"}}},
      {"exactly_half_the_targets_missed_is_no_r_mem_1_trigger",
       [](MemberFacts& f) {
         f.assessment->targets_completed = 2;
         f.assessment->targets_on_time = 2;
       },
       kKHTNV,
       "R-MEM-1",
       {},
       {{"R-MEM-1", "does not reach completed"}}},
      {"more_than_half_the_targets_missed_triggers_r_mem_1",
       [](MemberFacts& f) {
         f.assessment->targets_completed = 1;
         f.assessment->targets_on_time = 1;
       },
       kKHTNV,
       "R-MEM-1",
       {},
       {{"R-MEM-1", "3 of 4 targets not completed (more than 50%)"}}},
      {"one_not_ensured_criterion_of_four_is_over_20_percent",
       [](MemberFacts& f) {
         f.assessment->grades["tasks"] = kTB;
         f.assessment->not_ensured = 1;
       },
       kKHTNV,
       "R-MEM-1",
       {{"R-MEM-4", "1 of 4 criteria did not ensure"}}},
      {"no_not_ensured_criterion_is_completed",
       [](MemberFacts& f) { f.assessment->grades["tasks"] = kTB; }, kHTNV, "R-MEM-4"},
      {"a_poor_criterion_is_not_completed",
       [](MemberFacts& f) { f.assessment->grades["political"] = kKEM; },
       kKHTNV,
       "R-MEM-1",
       {{"R-MEM-4", "criterion political is KEM, needs TB"}},
       {{"R-MEM-1", "criterion political is graded KEM"}}},
      {"concluded_degradation_is_not_completed",
       [](MemberFacts& f) { f.conclusions = {rating::v1::CONCLUSION_KIND_DEGRADATION}; },
       kKHTNV,
       "R-MEM-1",
       {},
       {{"R-MEM-1", "concluded degradation"}}},
      {"concluded_prohibited_act_is_not_completed",
       [](MemberFacts& f) { f.conclusions = {rating::v1::CONCLUSION_KIND_PROHIBITED_ACT}; },
       kKHTNV,
       "R-MEM-1",
       {},
       {{"R-MEM-1", "prohibited act"}}},
      {"concluded_exemplary_breach_is_not_completed",
       [](MemberFacts& f) { f.conclusions = {rating::v1::CONCLUSION_KIND_EXEMPLARY_BREACH}; },
       kKHTNV,
       "R-MEM-1",
       {},
       {{"R-MEM-1", "breach of exemplary duty"}}},
      {"more_than_half_low_confidence_is_not_completed",
       [](MemberFacts& f) {
         f.confidence_votes = {{6, 10}};
       },
       kKHTNV,
       "R-MEM-1",
       {},
       {{"R-MEM-1", "6 of 10 low-confidence votes"}}},
      {"exactly_half_low_confidence_is_no_trigger",
       [](MemberFacts& f) {
         f.confidence_votes = {{5, 10}};
       },
       kHTXSNV, "R-MEM-2"},
      {"discipline_not_self_remedied_is_not_completed",
       [](MemberFacts& f) {
         f.disciplines = {{rating::v1::DISCIPLINE_FORM_REPRIMAND, false, false, "v1"}};
       },
       kKHTNV,
       "R-MEM-1",
       {},
       {{"R-MEM-1", "disciplined (reprimand)"}}},
      {"self_remedied_discipline_changes_nothing",
       [](MemberFacts& f) {
         f.disciplines = {{rating::v1::DISCIPLINE_FORM_WARNING, true, false, "v1"}};
       },
       kHTXSNV, "R-MEM-2"},
      {"missing_grade_fails_every_level_and_is_named",
       [](MemberFacts& f) { f.assessment->grades.erase("commitment"); },
       kKHTNV,
       "R-MEM-1",
       {{"R-MEM-2", "criterion commitment is not graded"},
        {"R-MEM-4", "criterion commitment is not graded"}}},
      {"no_targets_assigned_is_vacuously_on_time",
       [](MemberFacts& f) {
         f.assessment->targets_assigned = 0;
         f.assessment->targets_completed = 0;
         f.assessment->targets_on_time = 0;
         f.assessment->targets_exceeded = 0;
       },
       kHTXSNV, "R-MEM-2"},
      // Leaders (R-LEAD-1): three more criteria; leadership is a task criterion.
      {"excellent_leader",
       [](MemberFacts&) {},
       kHTXSNV,
       "R-MEM-2",
       {},
       {{"R-LEAD-1", "leader criteria"}},
       true},
      {"leader_with_leadership_tot_is_good",
       [](MemberFacts& f) { f.assessment->grades["leadership"] = kTOT; },
       kHTTNV,
       "R-MEM-3",
       {{"R-MEM-2", "task criterion leadership is TOT, needs XS"}},
       {},
       true},
      {"leader_with_initiative_tb_is_good",
       [](MemberFacts& f) { f.assessment->grades["initiative"] = kTB; },
       kHTTNV,
       "R-MEM-3",
       {{"R-MEM-2", "criterion initiative is TB, needs TOT"}},
       {},
       true},
      {"leader_one_not_ensured_of_seven_is_within_20_percent",
       [](MemberFacts& f) {
         f.assessment->grades["leadership"] = kTB;
         f.assessment->not_ensured = 1;
       },
       kHTNV,
       "R-MEM-4",
       {},
       {},
       true},
      {"leader_two_not_ensured_of_seven_is_over_20_percent",
       [](MemberFacts& f) {
         f.assessment->grades["leadership"] = kTB;
         f.assessment->not_ensured = 2;
       },
       kKHTNV,
       "R-MEM-1",
       {{"R-MEM-4", "2 of 7 criteria"}},
       {},
       true},
      {"leader_without_leader_grades_names_them",
       [](MemberFacts& f) { f.assessment->grades.erase("example"); },
       kKHTNV,
       "R-MEM-1",
       {{"R-MEM-4", "criterion example is not graded"}},
       {},
       true},
  };
}

TEST(MemberCeilingTest, Table) {
  const Policy policy = DefaultPolicy();
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name);
    MemberFacts facts = c.leader ? ExcellentLeader() : Excellent();
    c.change(facts);
    const Ceiling ceiling = MemberCeiling(facts, policy);
    SCOPED_TRACE(Describe(ceiling));
    ExpectCeiling(ceiling, c);
    // Only conditions of levels above the result fail.
    for (const Finding& f : ceiling.findings) {
      if (f.holds) continue;
      if (c.want == kHTTNV) {
        EXPECT_EQ(f.rule_id, "R-MEM-2");
      }
      if (c.want == kHTNV) {
        EXPECT_TRUE(f.rule_id == "R-MEM-2" || f.rule_id == "R-MEM-3");
      }
    }
    if (c.want == kHTXSNV) {
      EXPECT_EQ(ceiling.findings.size(), c.leader ? 2u : 1u);
    }
  }
}

TEST(MemberCeilingTest, MissingSelfAssessmentFallsToTheLowestLevelAndIsNamed) {
  MemberFacts facts;  // No self-assessment.
  const Ceiling ceiling = MemberCeiling(facts, DefaultPolicy());
  ExpectWellFormed(ceiling);
  EXPECT_EQ(ceiling.level, kKHTNV);
  EXPECT_THAT(ceiling.missing_inputs, ElementsAre("self_assessment"));
  EXPECT_TRUE(FailsWith(ceiling, "R-MEM-2", "self_assessment"));
  EXPECT_TRUE(FailsWith(ceiling, "R-MEM-3", "self_assessment"));
  EXPECT_TRUE(FailsWith(ceiling, "R-MEM-4", "self_assessment"));
}

TEST(MemberCeilingTest, EveryReasonOfRMem1IsListed) {
  MemberFacts facts = Excellent();
  facts.assessment->grades["tasks"] = kKEM;
  facts.disciplines = {{rating::v1::DISCIPLINE_FORM_WARNING, false, false, "v"}};
  const Ceiling ceiling = MemberCeiling(facts, DefaultPolicy());
  EXPECT_EQ(ceiling.level, kKHTNV);
  EXPECT_TRUE(HoldsWith(ceiling, "R-MEM-1", "tasks is graded KEM"));
  EXPECT_TRUE(HoldsWith(ceiling, "R-MEM-1", "disciplined (warning)"));
  // Failed conditions of every higher level are listed too.
  EXPECT_TRUE(FailsWith(ceiling, "R-MEM-2", "tasks is KEM"));
  EXPECT_TRUE(FailsWith(ceiling, "R-MEM-3", "tasks is KEM"));
  EXPECT_TRUE(FailsWith(ceiling, "R-MEM-4", "tasks is KEM"));
}

TEST(MemberCeilingTest, RatiosFollowThePolicy) {
  absl::StatusOr<Policy> policy = LoadPolicy("", {{"exceeded_targets_pct", "75"}});
  ASSERT_TRUE(policy.ok());
  EXPECT_EQ(MemberCeiling(Excellent(), *policy).level, kHTTNV);  // 2 of 4 < 75%.
}

TEST(LeaderCapTest, HeadIsNeverAboveTheOrgOrCommitteeTheyHead) {
  const Policy policy = DefaultPolicy();
  const std::vector<Cap> caps = {{"R-LEAD-CAP", "org/c1", kHTXSNV},
                                 {"R-LEAD-CAP", "committee/c1", kHTTNV}};
  const Ceiling ceiling = MemberCeiling(ExcellentLeader(), policy, caps);
  SCOPED_TRACE(Describe(ceiling));
  ExpectWellFormed(ceiling);
  EXPECT_EQ(ceiling.level, kHTTNV);
  EXPECT_EQ(ceiling.rule_id, "R-LEAD-CAP");
  EXPECT_TRUE(HoldsWith(ceiling, "R-LEAD-CAP", "committee/c1"));
  EXPECT_TRUE(Mentions(ceiling, "R-MEM-2"));  // The original deciding rule stays.
  EXPECT_TRUE(Mentions(ceiling, "R-LEAD-1"));

  // A cap at or above the level changes nothing.
  const Ceiling same =
      MemberCeiling(ExcellentLeader(), policy, {{"R-LEAD-CAP", "org/c1", kHTXSNV}});
  EXPECT_EQ(same.rule_id, "R-MEM-2");
  EXPECT_EQ(same, MemberCeiling(ExcellentLeader(), policy));
}

TEST(LeaderCapTest, UnknownCapIsNamedAndDoesNotLower) {
  const Ceiling ceiling =
      MemberCeiling(ExcellentLeader(), DefaultPolicy(), {{"R-LEAD-CAP", "org/c9", std::nullopt}});
  EXPECT_EQ(ceiling.level, kHTXSNV);
  EXPECT_EQ(ceiling.rule_id, "R-MEM-2");
  EXPECT_THAT(ceiling.missing_inputs, ElementsAre("org/c9 rating"));
  EXPECT_TRUE(FailsWith(ceiling, "R-LEAD-CAP", "org/c9"));
}

TEST(LeaderCapTest, LowestCapDecides) {
  const Ceiling ceiling =
      ApplyCaps(MemberCeiling(Excellent(), DefaultPolicy()),
                {{"R-LEAD-CAP", "org/c1", kHTTNV}, {"R-LEAD-CAP", "committee/c1", kHTNV}});
  EXPECT_EQ(ceiling.level, kHTNV);
  EXPECT_TRUE(HoldsWith(ceiling, "R-LEAD-CAP", "committee/c1"));
  EXPECT_TRUE(HoldsWith(ceiling, "R-LEAD-CAP", "org/c1"));
  EXPECT_EQ(ceiling.findings.front().text_en.find("committee/c1") != std::string::npos, true);
  EXPECT_THAT(ceiling.missing_inputs, IsEmpty());
}

TEST(CriteriaTest, NamesAsInRulesMd) {
  EXPECT_THAT(MemberCriteria(false),
              ElementsAre("political", "tasks", "commitment", "remediation"));
  EXPECT_THAT(MemberCriteria(true), ElementsAre("political", "tasks", "commitment", "remediation",
                                                "leadership", "initiative", "example"));
  EXPECT_THAT(MemberTaskCriteria(false), ElementsAre("tasks"));
  EXPECT_THAT(MemberTaskCriteria(true), ElementsAre("tasks", "leadership"));
  EXPECT_THAT(CommitteeCriteria(),
              ElementsAre("democratic_centralism", "leadership_responsibility", "programs",
                          "results", "targets", "unit_ratings", "remediation"));
  EXPECT_THAT(CommitteeKeyCriteria(), ElementsAre("programs", "results"));
}

}  // namespace
}  // namespace rating::rules::testing
