// The conformance cases of /work/shared/conformance/cases, played against the rules alone:
// the ceilings, tallies, eligibility and refusals they expect, with the rule ids they name.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rules/engine.h"
#include "tests/rules/rules_testing.h"
#include "tests/testing/status_matchers.h"

namespace rating::rules::testing {
namespace {

using ::rating::testing::IsOk;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

bool MentionsAll(const Ceiling& c, const std::vector<std::string>& rules) {
  for (const std::string& rule : rules) {
    if (!Mentions(c, rule)) return false;
  }
  return true;
}

// 01-cell-ballot: R-BAL-1..3, R-BAL-5, R-QUOTA, R-MEM-1..3.
TEST(ConformanceCase01, CellBallotQuotaAndDecision) {
  const Policy p = DefaultPolicy();
  const std::map<std::string, MemberFacts> members = {
      {"member/m1", AssessedMember(kXS, kXS, kXS, kTOT, 4, 4, 4, 3, true)},
      {"member/m2", AssessedMember(kTOT, kXS, kTOT, kTOT, 4, 4, 4, 2, true)},
      {"member/m3", AssessedMember(kTOT, kTOT, kTOT, kTOT, 3, 3, 3, 0, false)},
      {"member/m4", AssessedMember(kTB, kTOT, kTB, kTB, 3, 3, 3, 0, false)},
      {"member/m5", AssessedMember(kTOT, kTB, kTOT, kTOT, 3, 3, 2, 0, false)},
      {"member/m6", AssessedMember(kKEM, kTB, kTB, kTB, 3, 2, 2, 0, false)}};
  const Ceiling m2 = MemberCeiling(members.at("member/m2"), p);
  EXPECT_EQ(m2.level, kHTXSNV);
  EXPECT_TRUE(MentionsAll(m2, {"R-MEM-2"}));
  const Ceiling m4 = MemberCeiling(members.at("member/m4"), p);
  EXPECT_EQ(m4.level, kHTTNV);
  EXPECT_TRUE(MentionsAll(m4, {"R-MEM-3"}));
  const Ceiling m6 = MemberCeiling(members.at("member/m6"), p);
  EXPECT_EQ(m6.level, kKHTNV);
  EXPECT_TRUE(MentionsAll(m6, {"R-MEM-1"}));

  // The tally (see ballots_test for the ballots themselves): m1 HTXSNV, m2 HTTNV by R-BAL-3.
  const std::map<std::string, Level> tally = {{"member/m1", kHTXSNV}, {"member/m2", kHTTNV},
                                              {"member/m3", kHTTNV},  {"member/m4", kHTNV},
                                              {"member/m5", kHTNV},   {"member/m6", kKHTNV}};
  auto batch = [&](std::map<std::string, Level> levels) {
    std::vector<DecisionItem> items;
    for (const auto& [subject, level] : levels) {
      DecisionItem item;
      item.subject = subject;
      item.level = level;
      item.ceiling = MemberCeiling(members.at(subject), p);
      item.tally_required = true;  // Members of a grassroots cell (R-BAL-5).
      item.tally_found = true;
      item.tally_level = tally.at(subject);
      item.quota_scope = "c1";
      items.push_back(item);
    }
    return items;
  };
  std::map<std::string, Level> wrong = tally;
  wrong["member/m2"] = kHTXSNV;
  const DecisionCheck refused = CheckDecision(batch(wrong), {}, false, p);
  EXPECT_FALSE(refused.accepted);
  EXPECT_THAT(Rules(refused), ElementsAre("R-BAL-5", "R-QUOTA"));
  EXPECT_THAT(refused.Summary(), HasSubstr("R-QUOTA"));
  EXPECT_THAT(refused.Summary(), HasSubstr("R-BAL-5"));
  EXPECT_TRUE(CheckDecision(batch(tally), {}, false, p).accepted);

  // R-DEC-1: the cell's committee decides its members.
  EXPECT_EQ(CompetentAuthority(
                {SubjectKind::kMember, "c1", rating::v1::ORG_KIND_GRASSROOTS_CELL, "bloc", "c1"}),
            "c1");
}

OrgFacts Case02Cell(CentiPoints party_programs, std::vector<std::pair<std::string, Level>> units) {
  OrgFacts f;
  f.kind = rating::v1::ORG_KIND_GRASSROOTS_CELL;
  ScorecardFacts card;
  const CentiPoints production = *QuantitativePoints(3000, 120, 100);
  card.lines = {{"political_ideology", 1500, 1400, false},
                {"organization_cadres", 1500, 1200, false},
                {"party_programs", 2000, party_programs, true},
                {"production_business", 3000, production, true},
                {"remediation", 2000, 1500, false}};
  card.exemplary = true;
  f.scorecard = card;
  for (auto& [subject, level] : units) {
    UnitRating u;
    u.subject = subject;
    u.level = level;
    f.units.push_back(u);
  }
  f.management = kHTTNV;
  f.mass_orgs = {{"trade_union", kHTTNV}, {"youth_union", kHTTNV}};
  return f;
}

// 02-grassroots-orgs: R-ORG-4, R-ORG-5, R-SUBJ-2, R-ORDER, R-COM-3, R-COM-CAP.
TEST(ConformanceCase02, GrassrootsOrgsAndTheirCommittees) {
  const Policy p = DefaultPolicy();
  // 10 points of 15 cannot be graded XS (INVALID_ARGUMENT at the service).
  EXPECT_FALSE(PointsInBand(1000, 1500, kXS, p));
  const Ceiling c1 =
      OrgCeiling(Case02Cell(1800, {{"member/a1", kHTTNV}, {"member/a2", kHTTNV}}), p);
  EXPECT_EQ(c1.level, kHTXSNV) << Describe(c1);
  EXPECT_TRUE(Mentions(c1, "R-ORG-4"));
  const Ceiling c2 = OrgCeiling(Case02Cell(1600, {{"member/b1", kHTTNV}}), p);
  EXPECT_EQ(c2.level, kHTTNV) << Describe(c2);
  EXPECT_TRUE(Mentions(c2, "R-ORG-5"));

  OrgEligibilityFacts c3;
  c3.year = 2025;
  c3.reference_date = Date(2025, 12, 15);
  c3.founded_on = Date(2025, 8, 1);
  EXPECT_EQ(OrgEligibility(c3, p).status, rating::v1::RATING_STATUS_NOT_SUBJECT);
  EXPECT_EQ(OrgEligibility(c3, p).rule_id, "R-SUBJ-2");

  // org/c2 before member/b1 is decided.
  DecisionItem early;
  early.subject = "org/c2";
  early.level = kHTTNV;
  early.ceiling = c2;
  early.undecided_prerequisites = {"member/b1"};
  EXPECT_THAT(Rules(CheckDecision({early}, {}, false, p)), ElementsAre("R-ORDER"));

  // Both orgs in one decision: quota over the bloc's grassroots orgs, g = 2 < 5.
  std::vector<DecisionItem> orgs(2);
  orgs[0].subject = "org/c1";
  orgs[0].level = kHTXSNV;
  orgs[0].ceiling = c1;
  orgs[0].quota_scope = "bloc";
  orgs[1].subject = "org/c2";
  orgs[1].level = kHTTNV;
  orgs[1].ceiling = c2;
  orgs[1].quota_scope = "bloc";
  EXPECT_TRUE(CheckDecision(orgs, {}, false, p).accepted);

  const CommitteeFacts committee = Case02Committee();
  const Ceiling com1 = CommitteeCeiling(committee, p, {{"R-COM-CAP", "org/c1", kHTXSNV}});
  EXPECT_EQ(com1.level, kHTXSNV);
  EXPECT_TRUE(Mentions(com1, "R-COM-3"));
  const Ceiling com2 = CommitteeCeiling(committee, p, {{"R-COM-CAP", "org/c2", kHTTNV}});
  EXPECT_EQ(com2.level, kHTTNV);
  EXPECT_TRUE(Mentions(com2, "R-COM-CAP"));

  DecisionItem decide;
  decide.subject = "committee/c2";
  decide.level = kHTXSNV;
  // R-DEC-2 compares with the ceiling, caps included, and names the cap that set it.
  decide.ceiling = CommitteeCeiling(committee, p, {{"R-COM-CAP", "org/c2", kHTTNV}});
  decide.quota_scope = "bloc-committees";
  EXPECT_THAT(Rules(CheckDecision({decide}, {}, false, p)), ElementsAre("R-DEC-2", "R-COM-CAP"));
  decide.level = kHTTNV;
  EXPECT_TRUE(CheckDecision({decide}, {{"bloc-committees", {1, 1}}}, false, p).accepted);
}

// 03-late-discipline: R-ATTR-1, R-RETRO-1..3, R-REW-1, R-ORG-3.
TEST(ConformanceCase03, LateDisciplineForcesReRatingAndFlagsTheCell) {
  const Policy p = DefaultPolicy();
  MemberFacts m1 = AssessedMember(kXS, kXS, kXS, kXS, 3, 3, 3, 2, true);
  ASSERT_EQ(MemberCeiling(m1, p).level, kHTXSNV);
  ASSERT_THAT(CheckReward(rating::v1::REWARD_KIND_YEARLY, 2025, {{2025, YearRating{kHTXSNV}}}),
              IsOk());

  // A 2026 warning for June 2025 at c1 (R-ATTR-1).
  const std::vector<MembershipSpan> history = {{"c1", Date(2015, 3, 1), std::nullopt}};
  EXPECT_THAT(YearsTouched(Date(2025, 6, 1), Date(2025, 6, 30)), ElementsAre(2025));
  EXPECT_EQ(OrgAt(history, Date(2025, 6, 1)), "c1");
  DisciplineFact warning;
  warning.form = rating::v1::DISCIPLINE_FORM_WARNING;
  m1.disciplines.push_back(warning);
  const Ceiling recomputed = MemberCeiling(m1, p);
  EXPECT_EQ(recomputed.level, kKHTNV);
  EXPECT_TRUE(Mentions(recomputed, "R-MEM-1"));
  const std::optional<Flag> flag = FlagForRuling(kHTXSNV, std::nullopt, false, recomputed.level);
  ASSERT_TRUE(flag.has_value());
  EXPECT_EQ(flag->status, rating::v1::RATING_STATUS_RERATING_REQUIRED);

  // The cell: m1 now counts as KHTNV and is disciplined (D3: 1 of 2 > 20%).
  OrgFacts cell = Case02Cell(1800, {});
  UnitRating u1;
  u1.subject = "member/m1";
  u1.level = EffectiveLevel(flag->status, kHTXSNV, recomputed.level);
  UnitRating u2;
  u2.subject = "member/m2";
  u2.level = kHTTNV;
  cell.units = {u1, u2};
  cell.d3 = {{"m1", "m2"}, {"m1"}};
  const Ceiling org = OrgCeiling(cell, p);
  EXPECT_EQ(org.level, kHTNV) << Describe(org);
  EXPECT_TRUE(Mentions(org, "R-ORG-3"));
  const std::optional<Flag> suggestion = ReviewSuggestion(kHTXSNV, std::nullopt, org);
  ASSERT_TRUE(suggestion.has_value());
  EXPECT_EQ(suggestion->status, rating::v1::RATING_STATUS_REVIEW_SUGGESTED);

  // R-RETRO-4: the rules keep no state; the old facts still give the old ceiling, so the
  // rating as it stood before the ruling stays explainable "as of" then.
  EXPECT_EQ(MemberCeiling(AssessedMember(kXS, kXS, kXS, kXS, 3, 3, 3, 2, true), p).level, kHTXSNV);

  // R-RETRO-2: the QĐ 01 re-rating at KHTNV passes the decision checks and annuls the reward.
  DecisionItem rerate;
  rerate.subject = "member/m1";
  rerate.level = kKHTNV;
  rerate.ceiling = recomputed;
  rerate.quota_scope = "c1";
  EXPECT_TRUE(CheckDecision({rerate}, {}, false, p).accepted);
  EXPECT_TRUE(RewardFalls(rating::v1::REWARD_KIND_YEARLY, 2025, 2025, kKHTNV));
}

// 04-who-is-rated: R-SUBJ-1, R-SUBJ-3, R-SUBJ-5.
TEST(ConformanceCase04, WhoIsRated) {
  const Policy p = DefaultPolicy();
  auto member = [](Date admitted, std::vector<StatusSpan> statuses) {
    MemberEligibilityFacts f;
    f.year = 2025;
    f.reference_date = Date(2025, 12, 15);
    f.admitted_on = admitted;
    f.memberships = {{"c1", admitted, std::nullopt}};
    f.statuses = std::move(statuses);
    return f;
  };
  struct Case {
    std::string subject;
    MemberEligibilityFacts facts;
    RatingStatus want;
    std::string rule;
  };
  const std::vector<Case> cases = {
      {"n1", member(Date(2025, 7, 1), {}), rating::v1::RATING_STATUS_NOT_SUBJECT, "R-SUBJ-1"},
      {"n2", member(Date(2025, 6, 15), {}), rating::v1::RATING_STATUS_PENDING, "R-SUBJ-3"},
      {"n3", member(Date(2010, 1, 1), {{rating::v1::MEMBER_STATUS_SUSPENDED, Date(2025, 10, 1)}}),
       rating::v1::RATING_STATUS_NOT_SUBJECT, "R-SUBJ-1"},
      {"n4", member(Date(2010, 1, 1), {{rating::v1::MEMBER_STATUS_EXEMPT, Date(2024, 1, 1)}}),
       rating::v1::RATING_STATUS_NOT_SUBJECT, "R-SUBJ-1"},
      {"n5", member(Date(2010, 1, 1), {}), rating::v1::RATING_STATUS_PENDING, "R-SUBJ-3"},
      {"n6", member(Date(2010, 1, 1), {{rating::v1::MEMBER_STATUS_SICK_LEAVE, Date(2025, 2, 1)}}),
       rating::v1::RATING_STATUS_PENDING, "R-SUBJ-3"},
  };
  for (const Case& c : cases) {
    const Eligibility e = MemberEligibility(c.facts, p);
    EXPECT_EQ(e.status, c.want) << c.subject;
    EXPECT_EQ(e.rule_id, c.rule) << c.subject;
  }
  EXPECT_THAT(MemberEligibility(cases[5].facts, p).notes, ElementsAre("R-SUBJ-5: sick_leave"));

  for (size_t i : {size_t{4}, size_t{0}}) {  // Deciding n5 (pending), n1 (not subject).
    DecisionItem item;
    item.subject = "member/" + cases[i].subject;
    item.level = kHTNV;
    item.eligibility = MemberEligibility(cases[i].facts, p);
    const DecisionCheck check = CheckDecision({item}, {}, false, p);
    EXPECT_FALSE(check.accepted);
    EXPECT_THAT(Rules(check), ElementsAre(cases[i].rule));
  }
}

// 05-rights-and-overrides: R-MEM-3, R-MEM-4, R-DEC-2, R-BAL-5.
TEST(ConformanceCase05, AboveTheCeilingNeedsARecordedReason) {
  const Policy p = DefaultPolicy();
  const Ceiling ceiling =
      MemberCeiling(AssessedMember(kTOT, kTB, kTOT, kTOT, 2, 2, 2, 0, false), p);
  EXPECT_EQ(ceiling.level, kHTNV);
  EXPECT_EQ(ceiling.rule_id, "R-MEM-4");
  EXPECT_TRUE(MentionsAll(ceiling, {"R-MEM-3", "R-MEM-4"}));

  DecisionItem item;
  item.subject = "member/m1";
  item.level = kHTTNV;
  item.ceiling = ceiling;
  item.tally_required = true;
  item.tally_found = true;
  item.tally_level = kHTTNV;
  item.quota_scope = "c1";
  DecisionCheck check = CheckDecision({item}, {}, false, p);
  EXPECT_THAT(Rules(check), ElementsAre("R-DEC-2"));
  check = CheckDecision({item}, {}, true, p);
  EXPECT_TRUE(check.accepted);
  EXPECT_THAT(check.overridden_rules, ElementsAre("R-DEC-2"));
}

}  // namespace
}  // namespace rating::rules::testing
