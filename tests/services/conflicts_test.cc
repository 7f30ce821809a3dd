// Footprints of planned commands: which ones may share a durable write (services/conflicts.h).
#include "services/conflicts.h"

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <string>

#include "common/check.h"
#include "tests/projections/state_builder.h"

namespace rating::services {
namespace {

using projections::testing::StateBuilder;

// Bloc -> grassroots committee g1 (cells s1, s2) and g2 (cell s3); grassroots cell c1.
class ConflictsTest : public ::testing::Test {
 protected:
  ConflictsTest() {
    b_.Add("period_opened { year: 2025 }")
        .Org("g1", "GRASSROOTS_COMMITTEE", "bloc")
        .Org("s1", "SUBORDINATE_CELL", "g1")
        .Org("s2", "SUBORDINATE_CELL", "g1")
        .Org("g2", "GRASSROOTS_COMMITTEE", "bloc")
        .Org("s3", "SUBORDINATE_CELL", "g2")
        .Org("c1", "GRASSROOTS_CELL", "bloc")
        .GoodMember("m1", "s1")
        .GoodMember("m2", "s1")
        .GoodMember("m3", "s2")
        .GoodMember("m4", "s3")
        .GoodMember("m5", "c1")
        // m4 (of g2) sits on g1's committee.
        .GoodMember("m6", "s3", "committee_of: 'g1'");
  }

  Footprint Of(const std::string& command, const std::string& request_id = "") {
    v1::Command c;
    RATING_CHECK(google::protobuf::TextFormat::ParseFromString(command, &c));
    return FootprintOf(b_.state(), c, request_id);
  }

  static std::string Review(const std::string& subject) {
    return "record_review_completed { subject: '" + subject + "' year: 2025 }";
  }
  static std::string Decide(const std::string& subject, int year = 2025) {
    return "decide_ratings { year: " + std::to_string(year) + " ratings { subject: '" + subject +
           "' level: LEVEL_HTTNV } }";
  }

  StateBuilder b_;
};

TEST_F(ConflictsTest, InputsForDifferentRatingsShareAWrite) {
  EXPECT_FALSE(Conflicts(Of(Review("member/m1")), Of(Review("member/m2"))));
  EXPECT_FALSE(Conflicts(Of(Review("member/m1")), Of(Review("member/m4"))));
}

TEST_F(ConflictsTest, InputsForOneRatingAreBlindWrites) {
  // Neither plan reads the rating: in either order the later supersedes.
  EXPECT_FALSE(Conflicts(Of(Review("member/m1")), Of(Review("member/m1"))));
  EXPECT_FALSE(Conflicts(
      Of(Review("member/m1")),
      Of("submit_self_assessment { member: 'm1' year: 2025 level: LEVEL_HTTNV }")));
  // A decision reads the rating it writes; a leader's rating reads the same person's facts.
  EXPECT_TRUE(Conflicts(Of(Review("member/m1")), Of(Decide("leader/m1"))));
  EXPECT_TRUE(Conflicts(Of(Decide("member/m1")), Of(Decide("member/m1"))));
}

TEST_F(ConflictsTest, ADecisionWaitsForInputsInItsGrassrootsOrg) {
  // m3 is in s2, under the same grassroots committee g1 as m1: g1 decides m1 on g1's facts.
  EXPECT_TRUE(Conflicts(Of(Review("member/m3")), Of(Decide("member/m1"))));
  EXPECT_TRUE(Conflicts(Of("submit_scorecard { org: 's2' year: 2025 }"), Of(Decide("org/s2"))));
  // m4 is under g2: nothing g1's decision reads.
  EXPECT_FALSE(Conflicts(Of(Review("member/m4")), Of(Decide("member/m1"))));
}

TEST_F(ConflictsTest, AnInputAfterADecisionDoesNotWait) {
  // The input reads nothing the decision wrote.
  EXPECT_FALSE(Conflicts(Of(Decide("member/m1")), Of(Review("member/m2"))));
  EXPECT_FALSE(Conflicts(Of(Decide("member/m1")), Of(Review("member/m1"))));
  // The other way round, the decision reads the input's grassroots org.
  EXPECT_TRUE(Conflicts(Of(Review("member/m1")), Of(Decide("member/m1"))));
}

TEST_F(ConflictsTest, DecisionsInOneQuotaScopeConflict) {
  // Members of g1's cells share g1's scope; members of g2 and of c1 have their own.
  EXPECT_TRUE(Conflicts(Of(Decide("member/m1")), Of(Decide("member/m3"))));
  EXPECT_FALSE(Conflicts(Of(Decide("member/m1")), Of(Decide("member/m5"))));
  // Grassroots orgs are all decided by the bloc in one scope (R-ORG-4).
  EXPECT_TRUE(Conflicts(Of(Decide("org/g1")), Of(Decide("org/c1"))));
}

TEST_F(ConflictsTest, ACommitteeDecisionReadsWhereItsSeatHoldersAre) {
  // m6 (placed under g2) sits on g1's committee: g1's committee reads m6's facts.
  EXPECT_TRUE(Conflicts(Of(Review("member/m6")), Of(Decide("committee/g1"))));
  EXPECT_FALSE(Conflicts(Of(Review("member/m4")), Of(Decide("committee/c1"))));
}

TEST_F(ConflictsTest, BallotSessionsWriteInsideTheirGrassrootsOrg) {
  const std::string ballots =
      "record_ballots { session: 's1-2025' org: 's1' year: 2025 subjects: 'member/m1' }";
  EXPECT_TRUE(Conflicts(Of(ballots), Of(Decide("member/m2"))));
  EXPECT_TRUE(Conflicts(Of(ballots), Of(ballots)));
  EXPECT_FALSE(Conflicts(Of(ballots), Of(Decide("member/m4"))));
}

TEST_F(ConflictsTest, RegistryRulingsAndUnknownYearsRunAlone) {
  for (const std::string& command :
       {std::string("enroll_member { id: 'm9' org: 's1' admitted_on: '2020-01-01' }"),
        std::string("transfer_member { member: 'm1' to: 's3' on: '2025-06-01' }"),
        std::string("open_period { year: 2026 }"),
        std::string("rule_discipline { subject: 'member/m1' form: DISCIPLINE_FORM_REPRIMAND }"),
        Decide("member/m1", 2031)}) {
    SCOPED_TRACE(command);
    EXPECT_TRUE(Of(command).global);
    EXPECT_TRUE(Conflicts(Of(command), Of(Review("member/m4"))));
    EXPECT_TRUE(Conflicts(Of(Review("member/m4")), Of(command)));
  }
}

TEST_F(ConflictsTest, RetriesOfOneRequestConflict) {
  const std::string id = "0b7e2f1c-8d4a-4f1e-9c3b-2a5d6e7f8a9b";
  EXPECT_TRUE(Conflicts(Of(Review("member/m1"), id), Of(Review("member/m4"), id)));
  EXPECT_FALSE(Conflicts(Of(Review("member/m1"), id), Of(Review("member/m4"))));
}

}  // namespace
}  // namespace rating::services
