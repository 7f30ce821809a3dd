// Subjects, decision checks and the competent authority (RULES.md §8: R-DEC-1..3, R-ORDER,
// R-QUOTA, R-BAL-5, R-COM-CAP, R-LEAD-CAP, and eligibility R-SUBJ-* at decision time).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "rules/engine.h"
#include "tests/rules/rules_testing.h"
#include "tests/testing/status_matchers.h"

namespace rating::rules::testing {
namespace {

using ::rating::testing::IsOk;
using ::rating::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// A ready subject whose ceiling allows `ceiling`.
DecisionItem Item(std::string subject, Level level, Level ceiling = kHTXSNV) {
  DecisionItem item;
  item.subject = std::move(subject);
  item.level = level;
  item.ceiling.level = ceiling;
  item.ceiling.rule_id = "R-MEM-2";
  return item;
}

// A subject at HTNV whose eligibility is `status`, named by `rule_id`.
DecisionItem Ineligible(std::string subject, RatingStatus status, std::string rule_id) {
  DecisionItem item = Item(std::move(subject), kHTNV);
  item.eligibility.status = status;
  item.eligibility.rule_id = std::move(rule_id);
  return item;
}

// A member of grassroots cell c1 covered by a tally at `tally`.
DecisionItem CellMember(std::string subject, Level level, std::optional<Level> tally,
                        Level ceiling = kHTXSNV) {
  DecisionItem item = Item(std::move(subject), level, ceiling);
  item.tally_required = true;
  item.tally_found = true;
  item.tally_level = tally;
  item.quota_scope = "c1";
  return item;
}

TEST(CheckDecisionTest, ACleanBatchIsAccepted) {
  const DecisionCheck check = CheckDecision({Item("member/m1", kHTTNV), Item("member/m2", kHTNV)},
                                            {}, false, DefaultPolicy());
  EXPECT_TRUE(check.accepted);
  EXPECT_THAT(check.violations, IsEmpty());
  EXPECT_THAT(check.overridden_rules, IsEmpty());
  EXPECT_EQ(check.Summary(), "");
}

TEST(CheckDecisionTest, EligibilityIsNeverOverridden) {
  const DecisionItem not_subject =
      Ineligible("member/n1", rating::v1::RATING_STATUS_NOT_SUBJECT, "R-SUBJ-1");
  DecisionItem pending = Ineligible("member/n5", rating::v1::RATING_STATUS_PENDING, "R-SUBJ-3");
  pending.eligibility.missing_inputs = {"review"};
  const DecisionItem comments = Ineligible("org/o1", rating::v1::RATING_STATUS_PENDING, "R-SUBJ-4");
  const DecisionItem young =
      Ineligible("org/c3", rating::v1::RATING_STATUS_NOT_SUBJECT, "R-SUBJ-2");
  for (bool override_reason : {false, true}) {
    const DecisionCheck check = CheckDecision({not_subject, pending, comments, young}, {},
                                              override_reason, DefaultPolicy());
    EXPECT_FALSE(check.accepted);
    EXPECT_THAT(Rules(check), ElementsAre("R-SUBJ-1", "R-SUBJ-3", "R-SUBJ-4", "R-SUBJ-2"));
    EXPECT_THAT(check.overridden_rules, IsEmpty());
    for (const Violation& v : check.violations) EXPECT_FALSE(v.overridable);
    EXPECT_THAT(check.Summary(), HasSubstr("member/n5: R-SUBJ-3"));
    EXPECT_THAT(check.Summary(), HasSubstr("missing review"));
  }
}

TEST(CheckDecisionTest, DecidedRatingsAreNeverDecidedAgain) {
  DecisionItem item = Item("member/m1", kHTNV);
  item.already_decided = true;
  const DecisionCheck check = CheckDecision({item}, {}, true, DefaultPolicy());
  EXPECT_FALSE(check.accepted);
  EXPECT_THAT(Rules(check), ElementsAre("R-DEC-3"));
}

TEST(CheckDecisionTest, OrgsWaitForTheirUnitsAndCommitteesForTheirOrg) {
  DecisionItem item = Item("org/c2", kHTTNV);
  item.undecided_prerequisites = {"member/b1"};
  const DecisionCheck check = CheckDecision({item}, {}, true, DefaultPolicy());
  EXPECT_FALSE(check.accepted);
  EXPECT_THAT(Rules(check), ElementsAre("R-ORDER"));
  EXPECT_THAT(check.violations[0].message, HasSubstr("member/b1"));
}

// Conformance case 05: HTTNV above the ceiling HTNV; forced with a reason.
TEST(CheckDecisionTest, AboveTheCeilingNeedsAnOverrideReason) {
  const DecisionItem item = CellMember("member/m1", kHTTNV, kHTTNV, /*ceiling=*/kHTNV);
  DecisionCheck check = CheckDecision({item}, {}, false, DefaultPolicy());
  EXPECT_FALSE(check.accepted);
  EXPECT_THAT(Rules(check), ElementsAre("R-DEC-2"));
  EXPECT_TRUE(check.violations[0].overridable);
  EXPECT_THAT(check.Summary(), HasSubstr("member/m1: R-DEC-2"));
  check = CheckDecision({item}, {}, true, DefaultPolicy());
  EXPECT_TRUE(check.accepted);
  EXPECT_THAT(check.overridden_rules, ElementsAre("R-DEC-2"));
  // At the ceiling: fine.
  EXPECT_TRUE(
      CheckDecision({CellMember("member/m1", kHTNV, kHTNV, kHTNV)}, {}, false, DefaultPolicy())
          .accepted);
}

TEST(CheckDecisionTest, AGrassrootsCellMemberTakesTheTallysLevel) {
  const Policy p = DefaultPolicy();
  DecisionItem uncovered = CellMember("member/m1", kHTTNV, kHTTNV);
  uncovered.tally_found = false;
  uncovered.tally_level.reset();
  EXPECT_THAT(Rules(CheckDecision({uncovered}, {}, false, p)), ElementsAre("R-BAL-5"));
  EXPECT_THAT(Rules(CheckDecision({CellMember("member/m1", kHTNV, kHTTNV)}, {}, false, p)),
              ElementsAre("R-BAL-5"));
  EXPECT_TRUE(CheckDecision({CellMember("member/m1", kHTTNV, kHTTNV)}, {}, false, p).accepted);
  // Tied at the quota: the decision-maker settles between HTXSNV and HTTNV.
  EXPECT_TRUE(
      CheckDecision({CellMember("member/m1", kHTXSNV, std::nullopt)}, {}, false, p).accepted);
  EXPECT_TRUE(
      CheckDecision({CellMember("member/m1", kHTTNV, std::nullopt)}, {}, false, p).accepted);
  EXPECT_THAT(Rules(CheckDecision({CellMember("member/m1", kHTNV, std::nullopt)}, {}, false, p)),
              ElementsAre("R-BAL-5"));
  // With a reason the committee may depart from the tally.
  const DecisionCheck forced = CheckDecision({CellMember("member/m1", kHTNV, kHTTNV)}, {}, true, p);
  EXPECT_TRUE(forced.accepted);
  EXPECT_THAT(forced.overridden_rules, ElementsAre("R-BAL-5"));
}

// Conformance case 02: committee/c2 above its org's HTTNV.
TEST(CheckDecisionTest, CapsRefuseLevelsAboveTheCappingRating) {
  DecisionItem committee = Item("committee/c2", kHTXSNV);
  committee.ceiling = ApplyCaps(committee.ceiling, {{"R-COM-CAP", "org/c2", kHTTNV}});
  DecisionItem head = Item("leader/h1", kHTTNV);
  head.ceiling = ApplyCaps(
      head.ceiling, {{"R-LEAD-CAP", "org/c1", kHTXSNV}, {"R-LEAD-CAP", "committee/c1", kHTNV}});
  DecisionItem unknown = Item("leader/h2", kHTXSNV);
  unknown.ceiling = ApplyCaps(unknown.ceiling, {{"R-LEAD-CAP", "org/c9", std::nullopt}});
  const DecisionCheck check = CheckDecision({committee, head, unknown}, {}, false, DefaultPolicy());
  EXPECT_FALSE(check.accepted);
  // R-DEC-2: the ceiling includes the caps; the cap that set it is named too.
  EXPECT_THAT(Rules(check), ElementsAre("R-DEC-2", "R-COM-CAP", "R-DEC-2", "R-LEAD-CAP"));
  EXPECT_THAT(check.violations[0].message, HasSubstr("(R-COM-CAP)"));
  EXPECT_THAT(check.violations[3].message, HasSubstr("committee/c1"));
  const DecisionCheck forced = CheckDecision({committee, head}, {}, true, DefaultPolicy());
  EXPECT_TRUE(forced.accepted);
  EXPECT_THAT(forced.overridden_rules, ElementsAre("R-DEC-2", "R-COM-CAP", "R-LEAD-CAP"));
}

// Conformance case 01: m1 and m2 both HTXSNV in a cell where g < 5 and m2's tally is HTTNV.
TEST(CheckDecisionTest, EveryBrokenRuleIsListedAtOnce) {
  const std::vector<DecisionItem> batch = {
      CellMember("member/m1", kHTXSNV, kHTXSNV), CellMember("member/m2", kHTXSNV, kHTTNV),
      CellMember("member/m3", kHTTNV, kHTTNV),   CellMember("member/m4", kHTNV, kHTNV),
      CellMember("member/m5", kHTNV, kHTNV),     CellMember("member/m6", kKHTNV, kKHTNV)};
  const DecisionCheck check = CheckDecision(batch, {}, false, DefaultPolicy());
  EXPECT_FALSE(check.accepted);
  EXPECT_THAT(Rules(check), ElementsAre("R-BAL-5", "R-QUOTA"));
  EXPECT_EQ(check.violations[0].subject, "member/m2");
  EXPECT_EQ(check.violations[1].subject, "");
  EXPECT_EQ(check.violations[1].scope, "c1");
  EXPECT_THAT(check.Summary(), HasSubstr("R-BAL-5"));
  EXPECT_THAT(check.Summary(), HasSubstr("scope c1: R-QUOTA"));
  // The corrected batch passes.
  std::vector<DecisionItem> fixed = batch;
  fixed[1].level = kHTTNV;
  EXPECT_TRUE(CheckDecision(fixed, {}, false, DefaultPolicy()).accepted);
}

TEST(CheckDecisionTest, OverrideNeverForcesPastNonOverridableRules) {
  DecisionItem above = Item("member/m1", kHTXSNV, kHTNV);
  DecisionItem twice = Item("member/m2", kHTNV);
  twice.already_decided = true;
  const DecisionCheck check = CheckDecision({above, twice}, {}, true, DefaultPolicy());
  EXPECT_FALSE(check.accepted);
  EXPECT_THAT(Rules(check), ElementsAre("R-DEC-2", "R-DEC-3"));
  EXPECT_THAT(check.overridden_rules, IsEmpty());
}

TEST(CheckDecisionTest, QuotaCountsTheBatchAndTheDecidedOutsideIt) {
  const Policy p = DefaultPolicy();
  auto item = [](std::string subject, Level level) {
    DecisionItem i = Item(std::move(subject), level);
    i.quota_scope = "bloc-orgs";
    return i;
  };
  // g = 8 outside (1 excellent) + 2 in the batch = 10: quota 2.
  std::map<std::string, QuotaScopeCounts> scopes = {{"bloc-orgs", {1, 8}}};
  EXPECT_TRUE(
      CheckDecision({item("org/a", kHTXSNV), item("org/b", kHTTNV)}, scopes, false, p).accepted);
  // g = 7 outside + 2 = 9: quota 1.
  scopes["bloc-orgs"] = {1, 7};
  DecisionCheck check =
      CheckDecision({item("org/a", kHTXSNV), item("org/b", kHTTNV)}, scopes, false, p);
  EXPECT_THAT(Rules(check), ElementsAre("R-QUOTA"));
  EXPECT_THAT(check.violations[0].message, HasSubstr("2 rated HTXSNV, quota 1 of 9"));
  // The good_only reading on the same counts (g = 10): 2 > quota(8) = 1.
  absl::StatusOr<Policy> good_only = LoadPolicy("", {{"quota_base", "good_only"}});
  ASSERT_TRUE(good_only.ok());
  scopes["bloc-orgs"] = {1, 8};
  EXPECT_THAT(Rules(CheckDecision({item("org/a", kHTXSNV), item("org/b", kHTTNV)}, scopes, false,
                                  *good_only)),
              ElementsAre("R-QUOTA"));
  // A batch adding no excellence never breaks the quota.
  scopes["bloc-orgs"] = {3, 4};
  EXPECT_TRUE(CheckDecision({item("org/c", kHTTNV)}, scopes, false, p).accepted);
  // Scopes are independent; items without a scope are not counted.
  DecisionItem other = Item("org/z", kHTXSNV);
  other.quota_scope = "other";
  DecisionItem unscoped = Item("org/y", kHTXSNV);
  EXPECT_TRUE(CheckDecision({item("org/a", kHTXSNV), other, unscoped}, {}, false, p).accepted);
}

// R-LEAD-QUOTA: the leaders of one grassroots org form one quota scope; the quota itself is
// R-QUOTA, checked per scope.
TEST(CheckDecisionTest, LeadersOfEachGrassrootsOrgFormTheirOwnQuotaScope) {
  const Policy p = DefaultPolicy();
  auto leader = [](std::string subject, std::string scope, Level level) {
    DecisionItem i = Item(std::move(subject), level);
    i.quota_scope = std::move(scope);
    i.quota_rule = "R-LEAD-QUOTA";
    return i;
  };
  // One excellent leader in each of two orgs: within quota in both scopes.
  EXPECT_TRUE(CheckDecision({leader("leader/h1", "leaders:g1", kHTXSNV),
                             leader("leader/h2", "leaders:g1", kHTTNV),
                             leader("leader/h3", "leaders:g2", kHTXSNV)},
                            {}, false, p)
                  .accepted);
  // Two excellent leaders of one org with g = 2: over quota, named by scope.
  const DecisionCheck check = CheckDecision(
      {leader("leader/h1", "leaders:g1", kHTXSNV), leader("leader/h2", "leaders:g1", kHTXSNV)},
      {{"leaders:g2", {0, 9}}}, false, p);
  EXPECT_THAT(Rules(check), ElementsAre("R-QUOTA"));
  EXPECT_EQ(check.violations[0].scope, "leaders:g1");
  EXPECT_TRUE(check.violations[0].overridable);
  EXPECT_THAT(check.Summary(), HasSubstr("R-LEAD-QUOTA"));  // The scope's rule is named.
}

TEST(CheckDecisionTest, QuotaBoundariesAtGZeroFourFiveNineTen) {
  const Policy p = DefaultPolicy();
  struct Case {
    int g;  // Subjects >= HTTNV, all in the batch.
    int k;  // Of them HTXSNV.
    bool accepted;
  };
  for (const Case& c :
       {Case{1, 1, true}, Case{4, 1, true}, Case{4, 2, false}, Case{5, 1, true}, Case{5, 2, false},
        Case{9, 1, true}, Case{9, 2, false}, Case{10, 2, true}, Case{10, 3, false}}) {
    std::vector<DecisionItem> batch;
    for (int i = 0; i < c.g; ++i) {
      DecisionItem item = Item(absl::StrCat("org/o", i), i < c.k ? kHTXSNV : kHTTNV);
      item.quota_scope = "s";
      batch.push_back(item);
    }
    batch.push_back(Item("org/low", kHTNV));  // Never counts in g.
    EXPECT_EQ(CheckDecision(batch, {}, false, p).accepted, c.accepted) << c.g << " " << c.k;
  }
  // g = 0: nothing to check.
  EXPECT_TRUE(CheckDecision({Item("org/low", kHTNV)}, {}, false, p).accepted);
}

// ------------------------------------------------------------------ R-DEC-1

TEST(CompetentAuthorityTest, Table) {
  struct Case {
    std::string name;
    Placement facts;
    std::string want;
  };
  const std::vector<Case> cases = {
      {"member_of_a_grassroots_cell",
       {SubjectKind::kMember, "c1", rating::v1::ORG_KIND_GRASSROOTS_CELL, "bloc", "c1"},
       "c1"},
      {"member_of_a_subordinate_cell",
       {SubjectKind::kMember, "sc1", rating::v1::ORG_KIND_SUBORDINATE_CELL, "g1", "g1"},
       "g1"},
      {"member_of_a_cell_under_a_sub_committee",
       {SubjectKind::kMember, "sc2", rating::v1::ORG_KIND_SUBORDINATE_CELL, "sub1", "g1"},
       "g1"},
      {"member_directly_in_a_grassroots_committee",
       {SubjectKind::kMember, "g1", rating::v1::ORG_KIND_GRASSROOTS_COMMITTEE, "bloc", "g1"},
       "g1"},
      {"leader",
       {SubjectKind::kLeader, "c1", rating::v1::ORG_KIND_GRASSROOTS_CELL, "bloc", "c1"},
       "bloc"},
      {"grassroots_cell",
       {SubjectKind::kOrg, "c1", rating::v1::ORG_KIND_GRASSROOTS_CELL, "bloc", "c1"},
       "bloc"},
      {"grassroots_committee",
       {SubjectKind::kOrg, "g1", rating::v1::ORG_KIND_GRASSROOTS_COMMITTEE, "bloc", "g1"},
       "bloc"},
      {"committee_of_a_grassroots_org",
       {SubjectKind::kCommittee, "g1", rating::v1::ORG_KIND_GRASSROOTS_COMMITTEE, "bloc", "g1"},
       "bloc"},
      {"sub_committee",
       {SubjectKind::kOrg, "sub1", rating::v1::ORG_KIND_SUB_COMMITTEE, "g1", "g1"},
       "g1"},
      {"committee_of_a_sub_committee",
       {SubjectKind::kCommittee, "sub1", rating::v1::ORG_KIND_SUB_COMMITTEE, "g1", "g1"},
       "g1"},
      {"subordinate_cell_under_a_sub_committee",
       {SubjectKind::kOrg, "sc2", rating::v1::ORG_KIND_SUBORDINATE_CELL, "sub1", "g1"},
       "g1"},
      {"subordinate_cell_without_grassroots_org_falls_back_to_parent",
       {SubjectKind::kOrg, "sc1", rating::v1::ORG_KIND_SUBORDINATE_CELL, "g1", ""},
       "g1"},
  };
  for (const Case& c : cases) EXPECT_EQ(CompetentAuthority(c.facts), c.want) << c.name;
}

// ------------------------------------------------------------------ subjects

TEST(SubjectTest, ParsesTheFourKindsAndRoundTrips) {
  for (const char* text : {"member/m1", "org/c-1", "committee/c1", "leader/m_1.x"}) {
    absl::StatusOr<Subject> s = ParseSubject(text);
    ASSERT_THAT(s, IsOk()) << text;
    EXPECT_EQ(s->ToString(), text);
  }
  EXPECT_EQ(ParseSubject("committee/c1")->kind, SubjectKind::kCommittee);
  EXPECT_EQ(ParseSubject("leader/m1")->id, "m1");
  EXPECT_LT(*ParseSubject("member/a"), *ParseSubject("org/a"));
}

TEST(SubjectTest, RejectsBadTextNamingIt) {
  for (const char* text :
       {"", "member", "member/", "/m1", "person/m1", "member/m 1", "member/m1/x", "Member/m1"}) {
    EXPECT_THAT(ParseSubject(text), StatusIs(absl::StatusCode::kInvalidArgument)) << text;
  }
  EXPECT_THAT(ParseSubject("person/m1"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("person/m1")));
  EXPECT_TRUE(IsValidId(std::string(64, 'a')));
  EXPECT_FALSE(IsValidId(std::string(65, 'a')));
  EXPECT_FALSE(IsValidId(""));
  EXPECT_FALSE(IsValidId("a/b"));
}

}  // namespace
}  // namespace rating::rules::testing
