// Who is rated (RULES.md §3): R-SUBJ-1..5.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "rules/engine.h"
#include "tests/rules/rules_testing.h"

namespace rating::rules {
namespace {

using ::rating::rules::testing::DefaultPolicy;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr RatingStatus kReady = rating::v1::RATING_STATUS_UNSPECIFIED;
constexpr RatingStatus kNotSubject = rating::v1::RATING_STATUS_NOT_SUBJECT;
constexpr RatingStatus kPending = rating::v1::RATING_STATUS_PENDING;

// A long-standing member of c1, reviewed, at the default reference date of 2025.
MemberEligibilityFacts Member() {
  MemberEligibilityFacts f;
  f.year = 2025;
  f.reference_date = Date(2025, 12, 15);
  f.admitted_on = Date(2015, 3, 1);
  f.memberships = {{"c1", Date(2015, 3, 1), std::nullopt}};
  f.review_completed = true;
  return f;
}

OrgEligibilityFacts Org() {
  OrgEligibilityFacts f;
  f.year = 2025;
  f.reference_date = Date(2025, 12, 15);
  f.founded_on = Date(2010, 1, 1);
  f.review_completed = true;
  return f;
}

struct MemberCase {
  std::string name;
  MemberEligibilityFacts facts;
  RatingStatus want;
  std::string rule_id;
  std::vector<std::string> missing;
};

std::vector<MemberCase> MemberCases() {
  std::vector<MemberCase> cases;
  cases.push_back({"long_standing_reviewed_member_is_ready", Member(), kReady, "", {}});
  {
    MemberEligibilityFacts f = Member();
    f.admitted_on = Date(2025, 6, 15);  // Exactly 6 calendar months before 2025-12-15.
    cases.push_back({"admitted_exactly_6_months_before_is_rated", f, kReady, "", {}});
  }
  {
    MemberEligibilityFacts f = Member();
    f.admitted_on = Date(2025, 6, 16);  // One day later.
    cases.push_back({"admitted_one_day_later_is_not_subject", f, kNotSubject, "R-SUBJ-1", {}});
  }
  {
    MemberEligibilityFacts f = Member();
    f.admitted_on = Date(2025, 7, 1);
    f.review_completed = false;  // NOT_SUBJECT beats PENDING and names no input.
    cases.push_back({"new_member_without_review_is_not_subject", f, kNotSubject, "R-SUBJ-1", {}});
  }
  {
    MemberEligibilityFacts f = Member();
    f.reference_date = Date(2025, 11, 30);  // A period with its own reference date.
    f.admitted_on = Date(2025, 5, 31);
    cases.push_back({"reference_date_set_per_period", f, kReady, "", {}});
  }
  {
    MemberEligibilityFacts f = Member();
    f.statuses = {{rating::v1::MEMBER_STATUS_EXEMPT, Date(2024, 1, 1)}};
    cases.push_back({"exempt_member_is_not_subject", f, kNotSubject, "R-SUBJ-1", {}});
  }
  {
    MemberEligibilityFacts f = Member();
    f.statuses = {{rating::v1::MEMBER_STATUS_SUSPENDED, Date(2025, 10, 1)}};
    cases.push_back({"suspended_member_is_not_subject", f, kNotSubject, "R-SUBJ-1", {}});
  }
  {
    MemberEligibilityFacts f = Member();
    f.statuses = {{rating::v1::MEMBER_STATUS_SUSPENDED, Date(2025, 12, 16)}};
    cases.push_back({"suspension_after_the_reference_date_does_not_count", f, kReady, "", {}});
  }
  {
    MemberEligibilityFacts f = Member();
    f.statuses = {{rating::v1::MEMBER_STATUS_SUSPENDED, Date(2025, 3, 1)},
                  {rating::v1::MEMBER_STATUS_ACTIVE, Date(2025, 9, 1)}};
    cases.push_back({"suspension_ended_before_the_reference_date", f, kReady, "", {}});
  }
  {
    MemberEligibilityFacts f = Member();
    f.review_completed = false;
    cases.push_back({"unreviewed_member_is_pending", f, kPending, "R-SUBJ-3", {"review"}});
  }
  {
    MemberEligibilityFacts f = Member();
    f.statuses = {{rating::v1::MEMBER_STATUS_TEMPORARY_ELSEWHERE, Date(2025, 4, 1)}};
    cases.push_back({"temporary_activity_needs_the_temporary_cells_comments",
                     f,
                     kPending,
                     "R-SUBJ-4",
                     {"comments:temporary_cell"}});
    f.comments_temporary_cell = true;
    cases.push_back({"temporary_activity_with_comments_is_ready", f, kReady, "", {}});
  }
  {
    MemberEligibilityFacts f = Member();
    f.review_completed = false;
    f.statuses = {{rating::v1::MEMBER_STATUS_TEMPORARY_ELSEWHERE, Date(2025, 4, 1)}};
    cases.push_back({"every_missing_input_is_named",
                     f,
                     kPending,
                     "R-SUBJ-3",
                     {"review", "comments:temporary_cell"}});
  }
  {
    MemberEligibilityFacts f = Member();
    f.memberships = {{"c0", Date(2015, 3, 1), Date(2025, 7, 1)},
                     {"c1", Date(2025, 7, 1), std::nullopt}};  // Exactly 6 months at c0 in Y.
    cases.push_back({"transfer_after_6_months_needs_the_previous_orgs_comments",
                     f,
                     kPending,
                     "R-SUBJ-4",
                     {"comments:previous_org"}});
    f.comments_previous_org = true;
    cases.push_back({"transfer_with_the_previous_orgs_comments_is_ready", f, kReady, "", {}});
  }
  {
    MemberEligibilityFacts f = Member();
    f.memberships = {{"c0", Date(2015, 3, 1), Date(2025, 6, 30)},
                     {"c1", Date(2025, 6, 30), std::nullopt}};  // One day short of 6 months.
    cases.push_back({"transfer_before_6_months_needs_no_comments", f, kReady, "", {}});
  }
  {
    MemberEligibilityFacts f = Member();
    f.memberships = {{"c0", Date(2015, 3, 1), Date(2024, 11, 1)},
                     {"c1", Date(2024, 11, 1), std::nullopt}};
    cases.push_back({"transfer_in_an_earlier_year_needs_no_comments", f, kReady, "", {}});
  }
  {
    MemberEligibilityFacts f = Member();
    f.statuses = {{rating::v1::MEMBER_STATUS_SICK_LEAVE, Date(2025, 2, 1)}};
    cases.push_back({"sick_leave_is_rated", f, kReady, "", {}});
  }
  return cases;
}

TEST(MemberEligibilityTest, Table) {
  const Policy policy = DefaultPolicy();
  for (const MemberCase& c : MemberCases()) {
    SCOPED_TRACE(c.name);
    const Eligibility e = MemberEligibility(c.facts, policy);
    EXPECT_EQ(e.status, c.want);
    EXPECT_EQ(e.rule_id, c.rule_id);
    EXPECT_EQ(e.missing_inputs, c.missing);
    EXPECT_EQ(e.ready(), c.want == kReady);
    if (!c.rule_id.empty()) {
      ASSERT_FALSE(e.findings.empty());
      EXPECT_EQ(e.findings.front().rule_id, c.rule_id);
      EXPECT_TRUE(e.findings.front().holds);
      EXPECT_FALSE(e.findings.front().text_vi.empty());
      EXPECT_FALSE(e.findings.front().text_en.empty());
    }
  }
}

TEST(MemberEligibilityTest, AdmissionWindowFollowsThePolicy) {
  absl::StatusOr<Policy> policy = LoadPolicy("", {{"member_admission_months", "12"}});
  ASSERT_TRUE(policy.ok());
  MemberEligibilityFacts f = Member();
  f.admitted_on = Date(2025, 1, 1);
  EXPECT_EQ(MemberEligibility(f, *policy).status, kNotSubject);
  EXPECT_EQ(MemberEligibility(f, DefaultPolicy()).status, kReady);
}

TEST(MemberEligibilityTest, SickAndMaternityLeaveOnlyAddANote) {
  MemberEligibilityFacts f = Member();
  f.statuses = {{rating::v1::MEMBER_STATUS_MATERNITY, Date(2025, 3, 1)},
                {rating::v1::MEMBER_STATUS_ACTIVE, Date(2025, 9, 1)}};
  Eligibility e = MemberEligibility(f, DefaultPolicy());
  EXPECT_TRUE(e.ready());
  EXPECT_THAT(e.notes, ElementsAre("R-SUBJ-5: maternity"));
  EXPECT_THAT(e.findings, Contains(::testing::Field(&Finding::rule_id, "R-SUBJ-5")));

  f.statuses = {{rating::v1::MEMBER_STATUS_SICK_LEAVE, Date(2024, 10, 1)}};  // Still at ref.
  e = MemberEligibility(f, DefaultPolicy());
  EXPECT_TRUE(e.ready());
  EXPECT_THAT(e.notes, ElementsAre("R-SUBJ-5: sick_leave"));

  f.statuses = {{rating::v1::MEMBER_STATUS_SICK_LEAVE, Date(2024, 1, 1)},
                {rating::v1::MEMBER_STATUS_ACTIVE, Date(2024, 6, 1)}};  // An earlier year.
  EXPECT_THAT(MemberEligibility(f, DefaultPolicy()).notes, IsEmpty());
}

struct OrgCase {
  std::string name;
  OrgEligibilityFacts facts;
  RatingStatus want;
  std::string rule_id;
  std::vector<std::string> missing;
};

TEST(OrgEligibilityTest, Table) {
  std::vector<OrgCase> cases;
  cases.push_back({"established_reviewed_org_is_ready", Org(), kReady, "", {}});
  {
    OrgEligibilityFacts f = Org();
    f.founded_on = Date(2025, 8, 1);
    cases.push_back({"org_founded_under_6_months_is_not_subject", f, kNotSubject, "R-SUBJ-2", {}});
  }
  {
    OrgEligibilityFacts f = Org();
    f.founded_on = Date(2025, 6, 15);
    cases.push_back({"org_founded_exactly_6_months_before_is_rated", f, kReady, "", {}});
    f.founded_on = Date(2025, 6, 16);
    cases.push_back({"org_founded_one_day_later_is_not_subject", f, kNotSubject, "R-SUBJ-2", {}});
  }
  {
    OrgEligibilityFacts f = Org();
    f.founded_on.reset();  // Long established.
    cases.push_back({"org_without_founding_date_is_rated", f, kReady, "", {}});
  }
  {
    OrgEligibilityFacts f = Org();
    f.split_or_merged_on = {Date(2025, 7, 1)};
    f.review_completed = false;  // NOT_SUBJECT beats PENDING.
    cases.push_back({"org_split_under_6_months_is_not_subject", f, kNotSubject, "R-SUBJ-2", {}});
  }
  {
    OrgEligibilityFacts f = Org();
    f.split_or_merged_on = {Date(2025, 6, 15), Date(2026, 1, 10)};
    cases.push_back({"org_merged_6_months_before_is_rated", f, kReady, "", {}});
  }
  {
    OrgEligibilityFacts f = Org();
    f.review_completed = false;
    cases.push_back({"unreviewed_org_is_pending", f, kPending, "R-SUBJ-3", {"review"}});
  }
  {
    OrgEligibilityFacts f = Org();
    f.transferred_on = {Date(2025, 3, 1)};
    cases.push_back({"transferred_org_needs_the_previous_superiors_comments",
                     f,
                     kPending,
                     "R-SUBJ-4",
                     {"comments:previous_superior"}});
    f.comments_previous_superior = true;
    cases.push_back({"transferred_org_with_comments_is_ready", f, kReady, "", {}});
  }
  {
    OrgEligibilityFacts f = Org();
    f.transferred_on = {Date(2024, 3, 1)};
    cases.push_back({"org_transferred_an_earlier_year_is_ready", f, kReady, "", {}});
  }
  {
    // R-SUBJ-4 clarified: on or before the reference date (15/12) only.
    OrgEligibilityFacts f = Org();
    f.transferred_on = {Date(2025, 12, 15)};
    cases.push_back({"org_transferred_on_the_reference_date_needs_comments",
                     f,
                     kPending,
                     "R-SUBJ-4",
                     {"comments:previous_superior"}});
    f.transferred_on = {Date(2025, 12, 16)};
    cases.push_back(
        {"org_transferred_after_the_reference_date_needs_no_comments", f, kReady, "", {}});
  }
  const Policy policy = DefaultPolicy();
  for (const OrgCase& c : cases) {
    SCOPED_TRACE(c.name);
    const Eligibility e = OrgEligibility(c.facts, policy);
    EXPECT_EQ(e.status, c.want);
    EXPECT_EQ(e.rule_id, c.rule_id);
    EXPECT_EQ(e.missing_inputs, c.missing);
  }
}

TEST(OrgAtTest, ReadsTheMembershipHistory) {
  const std::vector<MembershipSpan> spans = {{"c0", Date(2015, 3, 1), Date(2025, 7, 1)},
                                             {"c1", Date(2025, 7, 1), std::nullopt}};
  EXPECT_EQ(OrgAt(spans, Date(2025, 6, 30)), "c0");
  EXPECT_EQ(OrgAt(spans, Date(2025, 7, 1)), "c1");
  EXPECT_EQ(OrgAt(spans, Date(2030, 1, 1)), "c1");
  EXPECT_EQ(OrgAt(spans, Date(2015, 2, 28)), std::nullopt);
  EXPECT_EQ(OrgAt({}, Date(2025, 1, 1)), std::nullopt);
}

}  // namespace
}  // namespace rating::rules
