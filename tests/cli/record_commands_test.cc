// The write commands' table: every --help example builds its command through the scenario
// parser, flag texts read as their types, bad flags are named, and the demo is a well-formed
// scenario that a dry run accepts whole.
#include "cli/record/record_commands.h"

#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "absl/strings/match.h"
#include "cli/conformance/scenario.h"
#include "cli/record/apply.h"
#include "google/protobuf/descriptor.h"
#include "tests/testing/status_matchers.h"

namespace rating::cli {
namespace {

using ::rating::testing::IsOk;
using ::rating::testing::StatusIs;
using Flags = std::vector<std::pair<std::string, std::string>>;

// Splits a command line as a POSIX shell would for our examples (single quotes, spaces).
std::vector<std::string> ShellWords(const std::string& line) {
  std::vector<std::string> words;
  std::string word;
  bool quoted = false;
  bool in_word = false;
  for (char c : line) {
    if (c == '\'') {
      quoted = !quoted;
      in_word = true;
    } else if (c == ' ' && !quoted) {
      if (in_word) words.push_back(word);
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(word);
  return words;
}

// The (flag, value) pairs of an example's words after "ratingctl VERB", as ratingctl reads
// them (a bool flag takes no value).
Flags ExampleFlags(const RecordCommand& command, const std::vector<std::string>& words) {
  Flags flags;
  for (size_t i = 2; i < words.size(); ++i) {
    const std::string name = words[i].substr(2);
    const FieldFlag* field = FindField(command, name);
    if (field == nullptr || field->type == FlagType::kBool) {
      flags.emplace_back(name, "");
    } else {
      flags.emplace_back(name, i + 1 < words.size() ? words[++i] : "");
    }
  }
  return flags;
}

TEST(RecordCommandsTest, EveryExampleBuildsItsStepKind) {
  std::set<std::string> verbs;
  for (const RecordCommand& command : RecordCommands()) {
    SCOPED_TRACE(command.verb);
    EXPECT_TRUE(verbs.insert(command.verb).second) << "verb listed twice";
    const std::vector<std::string> words = ShellWords(command.example);
    ASSERT_GE(words.size(), 2u);
    EXPECT_EQ(words[0], "ratingctl");
    EXPECT_EQ(words[1], command.verb);
    absl::StatusOr<v1::Command> built = CommandFromFlags(command, ExampleFlags(command, words));
    ASSERT_THAT(built, IsOk());
    // The same command as the scenario step of that kind.
    absl::StatusOr<nlohmann::ordered_json> step =
        StepFromFlags(command, ExampleFlags(command, words));
    ASSERT_THAT(step, IsOk());
    EXPECT_EQ((*step)["do"], command.step_kind);
    EXPECT_NE(built->command_case(), v1::Command::COMMAND_NOT_SET);
    EXPECT_TRUE(absl::StrContains(RecordHelp(command), command.example));
  }
  // The everyday flow of a period, each a command.
  for (const char* verb :
       {"open-period", "register-org", "enroll-member", "transfer-member", "member-status",
        "review", "comments", "self-assessment", "scorecard", "committee-assessment",
        "external-rating", "ballot", "decide", "discipline", "conclusion", "confidence-vote",
        "rerate", "reward", "dossier"}) {
    EXPECT_NE(FindRecordCommand(verb), nullptr) << verb;
  }
}

TEST(RecordCommandsTest, CompactFormsReadAsTheirJson) {
  const RecordCommand& ballot = *FindRecordCommand("ballot");
  absl::StatusOr<v1::Command> built = CommandFromFlags(
      ballot, {{"session", "s1"},
               {"org", "c1"},
               {"year", "2025"},
               {"subjects", "member/m1,member/m2"},
               {"issued", "1,2"},
               {"ballots", "1:member/m1=HTXSNV,member/m2=HTTNV+HTNV;2:member/m1=HTTNV"}});
  ASSERT_THAT(built, IsOk());
  const v1::BallotSession& session = built->record_ballots();
  ASSERT_EQ(session.ballots_size(), 2);
  EXPECT_EQ(session.ballots(0).serial(), "1");
  ASSERT_EQ(session.ballots(0).marks_size(), 2);
  EXPECT_EQ(session.ballots(0).marks(1).levels_size(), 2);
  EXPECT_EQ(session.ballots(1).marks(0).levels(0), v1::LEVEL_HTTNV);
  EXPECT_EQ(session.issued_size(), 2);

  // A counting team's totals: the short form reads as its JSON.
  const std::vector<std::pair<std::string, std::string>> head = {
      {"session", "s2"}, {"org", "c1"}, {"year", "2025"}, {"subjects", "member/m1,member/m2"}};
  auto with = [&](const std::string& totals) {
    std::vector<std::pair<std::string, std::string>> flags = head;
    flags.emplace_back("totals", totals);
    return CommandFromFlags(ballot, flags);
  };
  absl::StatusOr<v1::Command> totals = with(
      "issued=10;returned=9;invalid=no_mark:1,duplicate:1;member/m1=5/2/0/0/1;member/m2=0/3/4/0");
  ASSERT_THAT(totals, IsOk());
  const v1::BallotTotals& t = totals->record_ballots().totals();
  EXPECT_EQ(t.issued(), 10);
  EXPECT_EQ(t.returned(), 9);
  ASSERT_EQ(t.invalid_size(), 2);
  EXPECT_EQ(t.invalid(0).reason(), v1::INVALID_BALLOT_REASON_NO_MARK);
  EXPECT_EQ(t.invalid(1).reason(), v1::INVALID_BALLOT_REASON_DUPLICATE);
  ASSERT_EQ(t.subjects_size(), 2);
  EXPECT_EQ(t.subjects(0).subject(), "member/m1");
  EXPECT_EQ(t.subjects(0).htxsnv(), 5);
  EXPECT_EQ(t.subjects(0).void_rows(), 1);
  EXPECT_EQ(t.subjects(1).htnv(), 4);
  EXPECT_EQ(totals->record_ballots().issued_size(), 0);
  absl::StatusOr<v1::Command> as_json = with(
      R"({"issued":10,"returned":9,"invalid":{"no_mark":1,"duplicate":1},"votes":{)"
      R"("member/m1":{"HTXSNV":5,"HTTNV":2,"void":1},"member/m2":{"HTTNV":3,"HTNV":4}}})");
  ASSERT_THAT(as_json, IsOk());
  EXPECT_EQ(as_json->SerializeAsString(), totals->SerializeAsString());
  for (const char* bad : {"issued=x", "member/m1=1/2", "invalid=lost:1", "member/m1=1/2/3/4;member/m1=1/2/3/4",
                          "member/m1={\"HTXSNV\":1}", "returned"}) {
    EXPECT_THAT(with(bad), StatusIs(absl::StatusCode::kInvalidArgument)) << bad;
  }

  absl::StatusOr<v1::Command> assessment =
      CommandFromFlags(*FindRecordCommand("self-assessment"),
                       {{"member", "m1"},
                        {"year", "2025"},
                        {"grades", "political=XS,tasks=TOT,commitment=TOT,remediation=TB"},
                        {"targets", R"({"assigned":3,"completed":3,"on_time":2,"exceeded":0})"},
                        {"exemplary", "false"}});
  ASSERT_THAT(assessment, IsOk());
  EXPECT_EQ(assessment->submit_self_assessment().grades_size(), 4);
  EXPECT_EQ(assessment->submit_self_assessment().targets().on_time(), 2);
  EXPECT_FALSE(assessment->submit_self_assessment().exemplary());

  absl::StatusOr<v1::Command> decision =
      CommandFromFlags(*FindRecordCommand("decide"),
                       {{"year", "2025"}, {"ratings", "member/m1=HTXSNV,org/c1=HTTNV"}});
  ASSERT_THAT(decision, IsOk());
  EXPECT_EQ(decision->decide_ratings().ratings(1).subject(), "org/c1");
}

TEST(RecordCommandsTest, BadFlagsAreNamedAndBuildNothing) {
  const RecordCommand& decide = *FindRecordCommand("decide");
  absl::StatusOr<v1::Command> unknown = CommandFromFlags(decide, {{"yaer", "2025"}});
  EXPECT_THAT(unknown, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_TRUE(absl::StrContains(unknown.status().message(), "--yaer"));

  absl::StatusOr<v1::Command> not_a_year = CommandFromFlags(decide, {{"year", "twenty"}});
  EXPECT_THAT(not_a_year, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_TRUE(absl::StrContains(not_a_year.status().message(), "--year"));

  absl::StatusOr<v1::Command> twice =
      CommandFromFlags(decide, {{"year", "2025"}, {"year", "2026"}});
  EXPECT_THAT(twice, StatusIs(absl::StatusCode::kInvalidArgument));

  // A field the parser requires, named as the parser names it (the flag of the same name).
  absl::StatusOr<v1::Command> missing = CommandFromFlags(decide, {{"year", "2025"}});
  EXPECT_THAT(missing, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_TRUE(absl::StrContains(missing.status().message(), "ratings"));

  absl::StatusOr<v1::Command> bad_level =
      CommandFromFlags(decide, {{"year", "2025"}, {"ratings", "member/m1=GOOD"}});
  EXPECT_THAT(bad_level, StatusIs(absl::StatusCode::kInvalidArgument));

  absl::StatusOr<v1::Command> bad_map =
      CommandFromFlags(decide, {{"year", "2025"}, {"ratings", "member/m1"}});
  EXPECT_THAT(bad_map, StatusIs(absl::StatusCode::kInvalidArgument));

  absl::StatusOr<v1::Command> no_file =
      CommandFromFlags(decide, {{"year", "2025"}, {"ratings", "@/nonexistent/ratings.json"}});
  EXPECT_THAT(no_file, StatusIs(absl::StatusCode::kNotFound));
}

TEST(RecordCommandsTest, DemoIsAWellFormedScenarioADryRunAcceptsWhole) {
  absl::StatusOr<Scenario> demo = ParseScenario(DemoScenarioJson());
  ASSERT_THAT(demo, IsOk());
  int members = 0;
  for (const Step& step : demo->steps) {
    EXPECT_TRUE(step.is_do) << step.number;
    EXPECT_THAT(step.error, IsOk()) << step.number;
    if (step.kind == "enroll_member") ++members;
  }
  EXPECT_EQ(members, 20);
  std::ostringstream out;
  std::ostringstream err;
  PlayOptions dry;
  dry.dry_run = true;
  EXPECT_EQ(PlayScenario(*demo, /*client=*/nullptr, "", dry, out, err), 0) << err.str();
  EXPECT_FALSE(absl::StrContains(out.str(), "invalid"));
}

TEST(RecordCommandsTest, ADryRunNamesAMalformedStepAndSkipsDeliberateMistakes) {
  absl::StatusOr<Scenario> scenario = ParseScenario(R"({"steps": [
    {"do": "open_period", "year": 2025},
    {"do": "decide", "year": 2025, "ratings": {"member/m1": "BEST"}},
    {"expect": "error", "code": "INVALID_ARGUMENT"},
    {"do": "enroll_member", "id": "m1", "org": "c1"}
  ]})");
  ASSERT_THAT(scenario, IsOk());
  std::ostringstream out;
  std::ostringstream err;
  PlayOptions dry;
  dry.dry_run = true;
  EXPECT_EQ(PlayScenario(*scenario, nullptr, "", dry, out, err), 1);
  EXPECT_TRUE(absl::StrContains(out.str(), "step 1 open_period: valid")) << out.str();
  EXPECT_TRUE(absl::StrContains(out.str(), "step 2 decide: skipped")) << out.str();
  EXPECT_TRUE(absl::StrContains(out.str(), "step 4 enroll_member: invalid")) << out.str();
  EXPECT_TRUE(absl::StrContains(out.str(), "admitted_on")) << out.str();
  // Live, a malformed step sends nothing: no client is touched.
  std::ostringstream live_out;
  EXPECT_EQ(PlayScenario(*scenario, nullptr, "", PlayOptions(), live_out, err), 1);
}

}  // namespace
}  // namespace rating::cli
