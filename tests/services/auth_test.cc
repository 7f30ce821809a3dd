// Authorization: every role against every kind of command, and reads by scope.
#include "services/auth.h"

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "common/check.h"
#include "services/command_table.h"
#include "tests/testing/status_matchers.h"

namespace rating::services {
namespace {

using ::rating::testing::IsOk;
using ::rating::testing::StatusIs;

v1::Event Ev(const std::string& text) {
  v1::Event event;
  RATING_CHECK(google::protobuf::TextFormat::ParseFromString(text, &event));
  return event;
}

v1::Principal P(const std::string& id, v1::Role role, const std::string& scope = "") {
  v1::Principal p;
  p.set_id(id);
  p.set_role(role);
  p.set_scope(scope);
  return p;
}

class AuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    int position = 0;
    for (const char* text : {
             "period_opened { year: 2025 }",
             "org_registered { id: 'c1' kind: ORG_KIND_GRASSROOTS_CELL parent: 'bloc' }",
             "org_registered { id: 'c2' kind: ORG_KIND_GRASSROOTS_CELL parent: 'bloc' }",
             "member_enrolled { id: 'm1' org: 'c1' admitted_on: '2015-01-01' heads: 'c1' }",
             "principal_created { principal { id: 'x' role: ROLE_ADMIN } token_sha256: 'ab' }",
         }) {
      v1::Envelope envelope;
      envelope.set_position(++position);
      envelope.set_stream("s");
      envelope.set_stream_version(position);
      ASSERT_THAT(state_.Apply(envelope, Ev(text)), IsOk()) << text;
    }
  }
  projections::RatingState state_;
};

// One command of every kind, all about c1, its member m1 and its 2025 ratings.
std::map<std::string, v1::Command> EveryCommand() {
  const std::map<std::string, std::string> texts = {
      {"open_period", "open_period { year: 2026 }"},
      {"register_org", "register_org { id: 'c9' kind: ORG_KIND_GRASSROOTS_CELL parent: 'bloc' }"},
      {"restructure_org",
       "restructure_org { id: 'c1' on: '2025-03-01' change: RESTRUCTURE_CHANGE_SPLIT }"},
      {"enroll_member", "enroll_member { id: 'm9' org: 'c1' admitted_on: '2020-01-01' }"},
      {"transfer_member", "transfer_member { member: 'm1' to: 'c2' on: '2025-05-01' }"},
      {"set_member_status",
       "set_member_status { member: 'm1' status: MEMBER_STATUS_EXEMPT from: '2025-01-01' }"},
      {"record_review_completed", "record_review_completed { subject: 'member/m1' year: 2025 }"},
      {"record_comments",
       "record_comments { subject: 'member/m1' year: 2025 source: COMMENT_SOURCE_RESIDENCE }"},
      {"submit_self_assessment", "submit_self_assessment { member: 'm1' year: 2025 }"},
      {"submit_scorecard", "submit_scorecard { org: 'c1' year: 2025 }"},
      {"submit_committee_assessment", "submit_committee_assessment { org: 'c1' year: 2025 }"},
      {"record_external_rating",
       "record_external_rating { org: 'c1' year: 2025 body: 'management' }"},
      {"record_unit_incident", "record_unit_incident { org: 'c1' year: 2025 }"},
      {"record_ballots", "record_ballots { session: 's' org: 'c1' year: 2025 }"},
      {"decide_member", "decide_ratings { year: 2025 ratings { subject: 'member/m1' } }"},
      {"decide_org", "decide_ratings { year: 2025 ratings { subject: 'org/c1' } }"},
      {"decide_leader", "decide_ratings { year: 2025 ratings { subject: 'leader/m1' } }"},
      {"rule_discipline", "rule_discipline { subject: 'member/m1' }"},
      {"record_conclusion", "record_conclusion { subject: 'member/m1' year: 2025 }"},
      {"record_confidence_vote", "record_confidence_vote { member: 'm1' year: 2025 }"},
      {"rerate_member", "rerate { subject: 'member/m1' year: 2025 }"},
      {"rerate_org", "rerate { subject: 'org/c1' year: 2025 }"},
      {"grant_reward", "grant_reward { subject: 'member/m1' year: 2025 }"},
      {"submit_dossier", "submit_dossier { org: 'c1' year: 2025 }"},
      {"change_member_posts",
       "change_member_posts { member: 'm1' on: '2025-01-01' committee_of: 'c1' }"},
  };
  std::map<std::string, v1::Command> out;
  for (const auto& [name, text] : texts) {
    RATING_CHECK(google::protobuf::TextFormat::ParseFromString(text, &out[name]));
  }
  RATING_CHECK(out.size() == static_cast<size_t>(v1::Command::kChangeMemberPosts) + 3);  // All.
  return out;
}

TEST_F(AuthTest, EveryRoleAgainstEveryKindOfCommand) {
  const std::set<std::string> bloc_only = {"open_period", "decide_org", "decide_leader",
                                           "rerate_org"};
  const std::set<std::string> cell_only = {"decide_member", "rerate_member"};
  struct Role {
    v1::Principal principal;
    std::function<bool(const std::string&)> allowed;
  };
  const std::vector<Role> roles = {
      {P("admin", v1::ROLE_ADMIN), [](const std::string&) { return true; }},
      {P("insp", v1::ROLE_INSPECTOR), [](const std::string&) { return false; }},
      {P("prov", v1::ROLE_INTEGRATION), [](const std::string&) { return false; }},
      {P("self", v1::ROLE_MEMBER, "m1"),
       [](const std::string& c) { return c == "submit_self_assessment"; }},
      {P("other", v1::ROLE_MEMBER, "m2"), [](const std::string&) { return false; }},
      {P("team", v1::ROLE_COUNTING_TEAM, "c1"),
       [](const std::string& c) { return c == "record_ballots"; }},
      {P("team2", v1::ROLE_COUNTING_TEAM, "c2"), [](const std::string&) { return false; }},
      {P("cell", v1::ROLE_CELL_COMMITTEE, "c1"),
       // Registering under the bloc and restructuring c1 belong to the bloc, c1's superior;
       // moving m1 into c2 needs a committee over c2 too.
       [&](const std::string& c) {
         return bloc_only.count(c) == 0 && c != "register_org" && c != "restructure_org" &&
                c != "transfer_member";
       }},
      {P("cell2", v1::ROLE_CELL_COMMITTEE, "c2"), [](const std::string&) { return false; }},
      {P("bloc", v1::ROLE_BLOC_COMMITTEE, "bloc"),
       [&](const std::string& c) { return cell_only.count(c) == 0; }},
  };
  for (const auto& [name, command] : EveryCommand()) {
    for (const Role& role : roles) {
      const absl::Status status = AuthorizeCommand(state_, role.principal, command);
      if (role.allowed(name)) {
        EXPECT_THAT(status, IsOk()) << role.principal.id() << " " << name;
      } else {
        EXPECT_THAT(status, StatusIs(absl::StatusCode::kPermissionDenied))
            << role.principal.id() << " " << name;
      }
    }
  }
}

TEST_F(AuthTest, ReadsFollowTheScope) {
  EXPECT_THAT(AuthorizeSubjectRead(state_, P("self", v1::ROLE_MEMBER, "m1"), "member/m1", 2025),
              IsOk());
  EXPECT_THAT(AuthorizeSubjectRead(state_, P("self", v1::ROLE_MEMBER, "m1"), "leader/m1", 2025),
              IsOk());
  EXPECT_THAT(AuthorizeSubjectRead(state_, P("other", v1::ROLE_MEMBER, "m2"), "member/m1", 2025),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(
      AuthorizeSubjectRead(state_, P("cell", v1::ROLE_CELL_COMMITTEE, "c1"), "member/m1", 2025),
      IsOk());
  EXPECT_THAT(
      AuthorizeSubjectRead(state_, P("cell2", v1::ROLE_CELL_COMMITTEE, "c2"), "member/m1", 2025),
      StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(
      AuthorizeSubjectRead(state_, P("bloc", v1::ROLE_BLOC_COMMITTEE, "bloc"), "org/c1", 2025),
      IsOk());
  EXPECT_THAT(AuthorizeSubjectRead(state_, P("insp", v1::ROLE_INSPECTOR), "org/c1", 2025), IsOk());
  EXPECT_THAT(AuthorizeOrgRead(state_, P("team", v1::ROLE_COUNTING_TEAM, "c1"), "c1"), IsOk());
  EXPECT_THAT(AuthorizeOrgRead(state_, P("team", v1::ROLE_COUNTING_TEAM, "c1"), "c2"),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(AuthorizeLogRead(P("prov", v1::ROLE_INTEGRATION)), IsOk());
  EXPECT_THAT(AuthorizeLogRead(P("cell", v1::ROLE_CELL_COMMITTEE, "c1")),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(AuthorizeAdmin(P("insp", v1::ROLE_INSPECTOR)),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

TEST(BearerTokenTest, OnlyTheBearerSchemeIsAccepted) {
  EXPECT_THAT(BearerToken("Bearer abc"), IsOk());
  EXPECT_THAT(BearerToken("Basic abc"), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(BearerToken("Bearer "), StatusIs(absl::StatusCode::kUnauthenticated));
}

}  // namespace
}  // namespace rating::services
