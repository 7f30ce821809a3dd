// The registry as dated histories (R-TIME-1): superiors, kinds, memberships, statuses and
// posts are read at a date, and a fact recorded late counts from its own date.
#include "projections/registry_view.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/projections/state_builder.h"

namespace rating::projections {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::StateBuilder;

const rules::Date k2025(2025, 12, 15);
const rules::Date k2026(2026, 12, 15);

// g1 > sc > x, g1 > s1; g2 (every org founded 2010).
StateBuilder Tree() {
  StateBuilder b;
  b.Org("g1", "GRASSROOTS_COMMITTEE", "bloc")
      .Org("g2", "GRASSROOTS_COMMITTEE", "bloc")
      .Org("sc", "SUB_COMMITTEE", "g1")
      .Org("x", "SUBORDINATE_CELL", "sc")
      .Org("s1", "SUBORDINATE_CELL", "g1");
  return b;
}

// R-TIME-1 (corner 06): a 2026 transfer never rewrites 2025.
TEST(RegistryViewTest, ATransferCountsFromItsDateOnly) {
  StateBuilder b = Tree();
  b.Add(
      "org_restructured { id: 's1' on: '2026-02-01' change: RESTRUCTURE_CHANGE_TRANSFERRED "
      "new_parent: 'g2' }");
  const RegistryView& r = b.state().registry();
  EXPECT_EQ(r.ParentAt("s1", k2025), "g1");
  EXPECT_EQ(r.ParentAt("s1", k2026), "g2");
  EXPECT_THAT(r.ChildrenAt("g1", k2025), ElementsAre("s1", "sc"));
  EXPECT_THAT(r.ChildrenAt("g1", k2026), ElementsAre("sc"));
  EXPECT_THAT(r.ChildrenAt("g2", k2026), ElementsAre("s1"));
  EXPECT_EQ(r.GrassrootsAt("s1", k2025), "g1");
  EXPECT_EQ(r.GrassrootsAt("s1", k2026), "g2");
}

// R-TIME-1: a fact recorded late with an earlier effective date counts from that date.
TEST(RegistryViewTest, ALateRecordedTransferCountsFromItsEffectiveDate) {
  StateBuilder b = Tree();
  b.Add("period_opened { year: 2025 }")
      .Add(
          "org_restructured { id: 's1' on: '2025-03-01' change: RESTRUCTURE_CHANGE_TRANSFERRED "
          "new_parent: 'g2' }");
  const RegistryView& r = b.state().registry();
  EXPECT_EQ(r.ParentAt("s1", rules::Date(2025, 2, 28)), "g1");
  EXPECT_EQ(r.ParentAt("s1", k2025), "g2");
}

TEST(RegistryViewTest, DescendantsReachEveryDepth) {
  StateBuilder b = Tree();
  const RegistryView& r = b.state().registry();
  EXPECT_THAT(r.DescendantsAt("g1", k2025), ElementsAre("s1", "sc", "x"));
  EXPECT_EQ(r.GrassrootsAt("x", k2025), "g1");
  EXPECT_THAT(r.AncestryAt("x", k2025).size(), 4u);  // x, sc, g1, bloc.
}

// A malformed log cannot make the tree walks go round: an org its own superior (the envelope
// fuzzer's forged org "" under "") and two orgs each other's superior give each org once.
TEST(RegistryViewTest, ACycleInAMalformedLogIsWalkedOnce) {
  StateBuilder b = Tree();
  b.Add("org_registered { id: '' kind: ORG_KIND_SUBORDINATE_CELL parent: '' }")
      .Add("org_registered { id: 'p' kind: ORG_KIND_SUBORDINATE_CELL parent: 'q' }")
      .Add("org_registered { id: 'q' kind: ORG_KIND_SUBORDINATE_CELL parent: 'p' }");
  const RegistryView& r = b.state().registry();
  EXPECT_THAT(r.DescendantsAt("", k2025), IsEmpty());
  EXPECT_THAT(r.DescendantsAt("p", k2025), ElementsAre("q"));
  EXPECT_THAT(r.DescendantsAt("q", k2025), ElementsAre("p"));
  EXPECT_LE(r.AncestryAt("p", k2025).size(), 64u);
}

TEST(RegistryViewTest, AnOrgExistsFromItsFoundingOnly) {
  StateBuilder b = Tree();
  b.Add(
      "org_registered { id: 'n' kind: ORG_KIND_SUBORDINATE_CELL parent: 'g1' founded_on: "
      "'2026-05-01' }");
  const RegistryView& r = b.state().registry();
  EXPECT_FALSE(r.ExistsAt("n", k2025));
  EXPECT_TRUE(r.ExistsAt("n", k2026));
  EXPECT_THAT(r.ChildrenAt("g1", k2025), ElementsAre("s1", "sc"));
  EXPECT_TRUE(r.ExistsAt("bloc", rules::Date(1900, 1, 1)));
}

TEST(RegistryViewTest, AKindChangesFromItsDate) {
  StateBuilder b = Tree();
  b.Add(
      "org_restructured { id: 's1' on: '2026-01-10' change: RESTRUCTURE_CHANGE_TRANSFERRED "
      "new_parent: 'bloc' new_kind: ORG_KIND_GRASSROOTS_CELL }");
  const RegistryView& r = b.state().registry();
  EXPECT_EQ(r.KindAt("s1", k2025), v1::ORG_KIND_SUBORDINATE_CELL);
  EXPECT_EQ(r.KindAt("s1", k2026), v1::ORG_KIND_GRASSROOTS_CELL);
  EXPECT_EQ(r.GrassrootsAt("s1", k2026), "s1");
}

TEST(RegistryViewTest, MembersAreReadWhereTheyWereAtTheDate) {
  StateBuilder b = Tree();
  b.Add("member_enrolled { id: 'm1' org: 's1' admitted_on: '2015-03-01' }")
      .Add("member_transferred { member: 'm1' to: 'x' on: '2026-04-01' }");
  const RegistryView& r = b.state().registry();
  EXPECT_THAT(r.MembersAt("s1", k2025), ElementsAre("m1"));
  EXPECT_THAT(r.MembersAt("x", k2025), IsEmpty());
  EXPECT_THAT(r.MembersAt("x", k2026), ElementsAre("m1"));
  EXPECT_EQ(r.OrgOfMemberAt("m1", k2025), "s1");
  EXPECT_EQ(r.OrgOfMemberAt("m1", k2026), "x");
  // Before the admission: the first org.
  EXPECT_EQ(r.OrgOfMemberAt("m1", rules::Date(2000, 1, 1)), "s1");
  EXPECT_EQ(r.OrgOfMemberAt("nobody", k2025), "");
}

// R-SUBJ-1: the last status change on or before a date; recording order breaks ties.
TEST(RegistryViewTest, StatusesAreInDateOrderWithRecordingOrderWithinADate) {
  StateBuilder b = Tree();
  b.Add("member_enrolled { id: 'm1' org: 's1' admitted_on: '2015-03-01' }")
      .Add(
          "member_status_changed { member: 'm1' status: MEMBER_STATUS_SUSPENDED from: '2025-09-01' "
          "}")
      .Add("member_status_changed { member: 'm1' status: MEMBER_STATUS_EXEMPT from: '2025-06-01' }")
      .Add(
          "member_status_changed { member: 'm1' status: MEMBER_STATUS_ACTIVE from: '2025-09-01' }");
  const MemberRecord* m = b.state().registry().FindMember("m1");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(rules::StatusAt(m->statuses, rules::Date(2025, 7, 1)), v1::MEMBER_STATUS_EXEMPT);
  EXPECT_EQ(rules::StatusAt(m->statuses, k2025), v1::MEMBER_STATUS_ACTIVE);
}

// R-TIME-1: committee seats and headships are dated too.
TEST(RegistryViewTest, PostsAreReadAtTheDate) {
  StateBuilder b = Tree();
  b.Add(
       "member_enrolled { id: 'm1' org: 's1' admitted_on: '2015-03-01' committee_of: 'g1' heads: "
       "'s1' }")
      .Add("member_posts_changed { member: 'm1' on: '2026-01-01' committee_of: 'g2' }");
  const RegistryView& r = b.state().registry();
  EXPECT_THAT(r.SeatsAt("m1", k2025), ElementsAre("g1"));
  EXPECT_THAT(r.SeatsAt("m1", k2026), ElementsAre("g2"));
  EXPECT_THAT(r.CommitteeMembersAt("g1", k2025), ElementsAre("m1"));
  EXPECT_THAT(r.CommitteeMembersAt("g1", k2026), IsEmpty());
  EXPECT_THAT(r.HeadsAt("s1", k2025), ElementsAre("m1"));
  EXPECT_THAT(r.HeadsAt("s1", k2026), IsEmpty());
  EXPECT_THAT(r.HeadshipsAt("m1", rules::Date(2014, 1, 1)), IsEmpty());  // Before admission.
}

}  // namespace
}  // namespace rating::projections
