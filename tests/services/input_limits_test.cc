// Input limits: every documented size limit (api.proto's table) is enforced by the walk, which
// names the field and never quotes more than 64 characters of a value.
#include "services/internal/input_limits.h"

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "common/check.h"
#include "tests/testing/status_matchers.h"

namespace rating::services::internal {
namespace {

using ::rating::testing::IsOk;
using ::rating::testing::StatusIs;
using ::testing::HasSubstr;

v1::Command Cmd(const std::string& text) {
  v1::Command command;
  RATING_CHECK(google::protobuf::TextFormat::ParseFromString(text, &command));
  return command;
}

std::string Text(size_t n) { return std::string(n, 'x'); }

TEST(InputLimitsTest, EveryLimitHoldsAtItsBoundAndRefusesOneMore) {
  struct Case {
    std::string field;  // The text format of a command with "%s" where the value goes.
    size_t limit;
    const char* path;
  } cases[] = {
      {"register_org { id: '%s' }", 64, "id"},
      {"register_org { name: '%s' }", 512, "name"},
      {"enroll_member { committee_of: '%s' }", 64, "committee_of[0]"},
      {"record_review_completed { subject: '%s' }", 74, "subject"},
      {"record_ballots { issued: '%s' }", 64, "issued[0]"},
      {"record_ballots { ballots { serial: '%s' } }", 64, "ballots[0].serial"},
      {"record_ballots { ballots { marks { subject: '%s' } } }", 140,
       "ballots[0].marks[0].subject"},
      {"record_ballots { subjects: '%s' }", 74, "subjects[0]"},
      {"decide_ratings { override_reason: '%s' }", 4096, "override_reason"},
      {"decide_ratings { ratings { subject: '%s' } }", 74, "ratings[0].subject"},
      {"rerate { decision_no: '%s' }", 128, "decision_no"},
      {"rerate { override_reason: '%s' }", 4096, "override_reason"},
      {"record_external_rating { body: '%s' }", 128, "body"},
      {"open_period { policy_version: '%s' }", 64, "policy_version"},
      {"open_period { policy_overrides { key: '%s' } }", 64, "policy_overrides[0].key"},
      {"open_period { policy_overrides { value: '%s' } }", 16384, "policy_overrides[0].value"},
      {"submit_scorecard { criteria { id: 'a' max: '%s' } }", 32, "criteria[0].max"},
      {"submit_self_assessment { grades { criterion: '%s' } }", 64, "grades[0].criterion"},
      {"rule_discipline { at_org: '%s' }", 64, "at_org"},
      {"rule_discipline { decided_on: '%s' }", 4096, "decided_on"},  // Any other string.
  };
  for (const Case& c : cases) {
    std::string ok_text = c.field;
    ok_text.replace(ok_text.find("%s"), 2, Text(c.limit));
    std::string bad_text = c.field;
    bad_text.replace(bad_text.find("%s"), 2, Text(c.limit + 1));
    EXPECT_THAT(CheckCommandLimits(Cmd(ok_text)), IsOk()) << c.path;
    EXPECT_THAT(CheckCommandLimits(Cmd(bad_text)),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr(std::string(c.path) + ": longer than")))
        << c.path;
  }
}

TEST(InputLimitsTest, ListsAreBoundedBeforeAnythingLooksAtThem) {
  struct Case {
    const char* command;
    const char* item;
    int limit;
    const char* path;
  } cases[] = {
      {"change_member_posts { %s }", "committee_of: 'c' ", 64, "committee_of"},
      {"change_member_posts { %s }", "heads: 'c' ", 64, "heads"},
      {"enroll_member { %s }", "heads: 'c' ", 64, "heads"},
      {"open_period { %s }", "policy_overrides { } ", 64, "policy_overrides"},
      {"submit_committee_assessment { %s }", "grades { } ", 16, "grades"},
      {"submit_scorecard { %s }", "criteria { } ", 200, "criteria"},
      {"record_ballots { ballots { marks { %s } } }", "levels: LEVEL_HTNV ", 4,
       "ballots[0].marks[0].levels"},
  };
  for (const Case& c : cases) {
    std::string items;
    for (int i = 0; i < c.limit; ++i) items += c.item;
    std::string text = c.command;
    text.replace(text.find("%s"), 2, items);
    EXPECT_THAT(CheckCommandLimits(Cmd(text)), IsOk()) << c.path;
    text = c.command;
    text.replace(text.find("%s"), 2, items + c.item);
    EXPECT_THAT(CheckCommandLimits(Cmd(text)),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr(absl::StrCat(c.path, ": at most ", c.limit, " items"))))
        << c.path;
  }
  v1::Command ballots = Cmd("record_ballots { }");
  for (int i = 0; i <= 100000; ++i) ballots.mutable_record_ballots()->add_issued("1");
  EXPECT_THAT(CheckCommandLimits(ballots),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("issued: at most 100000")));
}

TEST(InputLimitsTest, APrincipalIsHeldToItsIdLimits) {
  v1::Principal p;
  p.set_id(Text(65));
  EXPECT_THAT(CheckLimits(p),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("id: longer")));
  p.set_id("ok");
  p.set_scope(Text(65));
  EXPECT_THAT(CheckLimits(p),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("scope: longer")));
}

TEST(InputLimitsTest, AnEchoIsAtMost64CharactersAndNeverCutsACharacter) {
  EXPECT_EQ(Echo("short"), "short");
  EXPECT_EQ(Echo(Text(64)), Text(64));
  EXPECT_EQ(Echo(Text(65)), Text(64) + "...");
  std::string vietnamese;
  for (int i = 0; i < 70; ++i) vietnamese += "ệ";  // 3 bytes each.
  const std::string echoed = Echo(vietnamese);
  EXPECT_EQ(echoed.size(), 64 * 3 + 3);
  EXPECT_EQ(echoed.substr(0, 64 * 3), vietnamese.substr(0, 64 * 3));
}

}  // namespace
}  // namespace rating::services::internal
