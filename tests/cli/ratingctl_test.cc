// ratingctl through a real ratingd: the write commands on a valid flow of a period, apply of a
// public case, a dry run that writes nothing, the demo, and --json output. Each test starts its
// own ratingd on 127.0.0.1:0 with its own data dir and runs the ratingctl binary.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cli/conformance/server_process.h"
#include "common/crypto.h"
#include "nlohmann/json.hpp"
#include "tests/testing/status_matchers.h"

namespace rating {
namespace {

using ::rating::testing::IsOk;
using Json = nlohmann::json;

constexpr char kAdminToken[] = "admin-token-0123456789abcdef";

struct Result {
  int code = -1;
  std::string out;
  std::string err;
};

std::string Quote(const std::string& word) {
  std::string quoted = "'";
  for (char c : word) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

class RatingctlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           absl::StrCat("ratingctl_test_", common::RandomHex(8));
    std::filesystem::create_directories(dir_);
    std::ofstream config(dir_ / "auth.json");
    config << R"({"principals":[{"id":"admin","role":"admin","scope":"","token":")" << kAdminToken
           << R"("}]})";
    config.close();
    std::vector<std::string> args = {absl::StrCat("--data_dir=", (dir_ / "data").string()),
                                     "--listen=127.0.0.1:0",
                                     absl::StrCat("--auth_config=", (dir_ / "auth.json").string())};
    for (std::string& arg : ServerArgs()) args.push_back(std::move(arg));
    auto server = cli::ServerProcess::Start(RATINGD_PATH, args, absl::Seconds(30));
    ASSERT_THAT(server, IsOk());
    server_ = *std::move(server);
  }

  void TearDown() override {
    if (server_) {
      EXPECT_THAT(server_->Stop(), IsOk());
    }
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  // More ratingd flags; dir_ exists when this is called.
  virtual std::vector<std::string> ServerArgs() { return {}; }

  // Runs ratingctl ARGS against the test's server as the administrator.
  Result Ratingctl(const std::vector<std::string>& args) {
    std::string command = Quote(RATINGCTL_PATH);
    for (const std::string& arg : args) absl::StrAppend(&command, " ", Quote(arg));
    const std::filesystem::path err_path = dir_ / "stderr.txt";
    absl::StrAppend(&command, " --server ", server_->address(), " --token ", kAdminToken, " 2>",
                    Quote(err_path.string()));
    Result result;
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) return result;
    char buffer[4096];
    size_t n = 0;
    while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) result.out.append(buffer, n);
    const int status = pclose(pipe);
    result.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream err(err_path);
    std::ostringstream text;
    text << err.rdbuf();
    result.err = text.str();
    return result;
  }

  // `ratingctl rating SUBJECT YEAR --json` parsed.
  Json Rating(const std::string& subject, int year, uint64_t as_of = 0) {
    std::vector<std::string> args = {"rating", subject, absl::StrCat(year), "--json"};
    if (as_of != 0) {
      args.push_back("--as_of");
      args.push_back(absl::StrCat(as_of));
    }
    Result result = Ratingctl(args);
    EXPECT_EQ(result.code, 0) << result.err;
    Json json = Json::parse(result.out, nullptr, false);
    EXPECT_FALSE(json.is_discarded()) << result.out;
    return json;
  }

  uint64_t Head() {
    Result result = Ratingctl({"head"});
    EXPECT_EQ(result.code, 0) << result.err;
    uint64_t position = 0;
    EXPECT_TRUE(absl::SimpleAtoi(result.out.substr(0, result.out.find(' ')), &position))
        << result.out;
    return position;
  }

  std::filesystem::path dir_;
  std::unique_ptr<cli::ServerProcess> server_;
};

// A period's flow with every write command once, each accepted.
TEST_F(RatingctlTest, EveryWriteCommandIsAcceptedOnAValidFlow) {
  const std::vector<std::vector<std::string>> flow = {
      {"open-period", "--year", "2025"},
      {"register-org", "--id", "dbcs1", "--kind", "grassroots_committee", "--parent", "bloc",
       "--founded_on", "2005-01-01", "--name", "Đảng bộ Công ty Cơ khí"},
      {"register-org", "--id", "dbcs2", "--kind", "grassroots_committee", "--parent", "bloc",
       "--founded_on", "2005-01-01"},
      {"register-org", "--id", "cb1", "--kind", "subordinate_cell", "--parent", "dbcs1",
       "--founded_on", "2005-01-01"},
      {"register-org", "--id", "cb2", "--kind", "subordinate_cell", "--parent", "dbcs1",
       "--founded_on", "2005-01-01"},
      {"restructure-org", "--id", "cb2", "--on", "2025-03-01", "--change", "transferred",
       "--new_parent", "dbcs2"},
      {"register-org", "--id", "c1", "--kind", "grassroots_cell", "--parent", "bloc",
       "--founded_on", "2010-01-01", "--name", "Chi bộ Phòng Kỹ thuật"},
      {"enroll-member", "--id", "m1", "--org", "c1", "--admitted_on", "2015-03-01", "--name",
       "Nguyễn Văn An", "--committee_of", "c1"},
      {"enroll-member", "--id", "m2", "--org", "c1", "--admitted_on", "2015-03-01"},
      {"enroll-member", "--id", "m3", "--org", "c1", "--admitted_on", "2015-03-01"},
      {"enroll-member", "--id", "m4", "--org", "c1", "--admitted_on", "2015-03-01"},
      {"transfer-member", "--member", "m3", "--to", "cb1", "--on", "2025-04-01"},
      {"member-status", "--member", "m4", "--status", "exempt", "--from", "2025-01-01"},
      {"member-posts", "--member", "m2", "--on", "2025-01-01", "--committee_of", "c1"},
      {"review", "--subject", "member/m1", "--year", "2025"},
      {"review", "--subject", "member/m2", "--year", "2025"},
      {"comments", "--subject", "member/m3", "--year", "2025", "--from", "previous_org"},
      {"self-assessment", "--member", "m1", "--year", "2025", "--grades",
       "political=XS,tasks=XS,commitment=XS,remediation=XS", "--targets",
       "assigned=3,completed=3,on_time=3,exceeded=2", "--not_ensured", "0", "--exemplary",
       "--level", "HTXSNV"},
      {"self-assessment", "--member", "m2", "--year", "2025", "--grades",
       "political=TOT,tasks=TOT,commitment=TOT,remediation=TOT", "--targets",
       "assigned=3,completed=3,on_time=3,exceeded=0", "--level", "HTTNV"},
      {"confidence-vote", "--member", "m1", "--year", "2025", "--low", "2", "--total", "30"},
      {"ballot", "--session", "c1-2025", "--org", "c1", "--year", "2025", "--subjects",
       "member/m1,member/m2", "--issued", "1,2,3", "--ballots",
       "1:member/m1=HTXSNV,member/m2=HTTNV;2:member/m1=HTXSNV,member/m2=HTTNV;"
       "3:member/m1=HTTNV,member/m2=HTTNV"},
      {"decide", "--year", "2025", "--ratings", "member/m1=HTXSNV,member/m2=HTTNV"},
      {"review", "--subject", "org/c1", "--year", "2025"},
      {"scorecard", "--org", "c1", "--year", "2025", "--criteria",
       "id=political_ideology,max=15,key=false,points=14;"
       "id=organization_cadres,max=15,key=false,points=12;"
       "id=party_programs,max=20,key=true,points=18;"
       "id=production_business,max=30,key=true,achieved=120,plan=100;"
       "id=remediation,max=20,key=false,points=15",
       "--party_building_pct", "100", "--production_plan_met", "--exemplary"},
      {"committee-assessment", "--org", "c1", "--year", "2025", "--grades",
       "democratic_centralism=TOT,leadership_responsibility=TOT,programs=XS,results=XS,"
       "targets=TOT,unit_ratings=TOT,remediation=TOT",
       "--unit_targets_pct", "100"},
      {"external-rating", "--org", "c1", "--year", "2025", "--body", "management", "--level",
       "HTTNV"},
      {"unit-incident", "--org", "dbcs2", "--year", "2025", "--kind", "waste", "--disciplined",
       "--self_remedied"},
      {"conclusion", "--subject", "committee/dbcs2", "--kind", "disunity", "--year", "2025"},
      {"reward", "--subject", "member/m1", "--year", "2025", "--kind", "yearly"},
      {"dossier", "--org", "c1", "--year", "2025", "--on", "2025-12-10"},
      {"open-period", "--year", "2026"},
      {"discipline", "--subject", "member/m1", "--form", "warning", "--decided_on", "2026-03-10",
       "--violation_from", "2025-06-01", "--violation_to", "2025-06-30"},
      {"rerate", "--subject", "member/m1", "--year", "2025", "--level", "KHTNV", "--decision_no",
       "01-QĐ/ĐU"},
  };
  for (const auto& args : flow) {
    Result result = Ratingctl(args);
    EXPECT_EQ(result.code, 0) << args[0] << ": " << result.err;
    EXPECT_TRUE(absl::StartsWith(result.out, "accepted: positions "))
        << args[0] << ": " << result.out;
  }
  EXPECT_EQ(Rating("member/m1", 2025)["level"], "LEVEL_KHTNV");
  EXPECT_EQ(Rating("member/m2", 2025)["level"], "LEVEL_HTTNV");
  EXPECT_EQ(Rating("member/m4", 2025)["status"], "RATING_STATUS_NOT_SUBJECT");

  // A refusal prints the code and message and exits 1, writing nothing.
  const uint64_t head = Head();
  Result refused = Ratingctl({"decide", "--year", "2025", "--ratings", "member/m2=HTXSNV"});
  EXPECT_EQ(refused.code, 1);
  EXPECT_TRUE(absl::StrContains(refused.err, "FAILED_PRECONDITION")) << refused.err;
  EXPECT_EQ(Head(), head);
  Result refused_json =
      Ratingctl({"decide", "--year", "2025", "--ratings", "member/m2=HTXSNV", "--json"});
  EXPECT_EQ(refused_json.code, 1);
  Json error = Json::parse(refused_json.out, nullptr, false);
  ASSERT_FALSE(error.is_discarded()) << refused_json.out;
  EXPECT_EQ(error["code"], "FAILED_PRECONDITION");
}

// A counting team records its totals (R-BAL-1..4); they must add up; the session is listed
// and its minutes and form say it was counted from totals.
TEST_F(RatingctlTest, ACountingTeamsTotalsAreCheckedListedAndPrinted) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"open-period", "--year", "2025"},
           {"register-org", "--id", "c1", "--kind", "grassroots_cell", "--parent", "bloc",
            "--founded_on", "2010-01-01"},
           {"enroll-member", "--id", "m1", "--org", "c1", "--admitted_on", "2015-03-01"},
           {"enroll-member", "--id", "m2", "--org", "c1", "--admitted_on", "2015-03-01"}}) {
    Result result = Ratingctl(args);
    ASSERT_EQ(result.code, 0) << args[0] << ": " << result.err;
  }
  const std::vector<std::string> ballot = {"ballot",     "--session", "c1-2025", "--org", "c1",
                                           "--year",     "2025",      "--subjects",
                                           "member/m1,member/m2",     "--totals"};
  auto with = [&](const std::string& totals) {
    std::vector<std::string> args = ballot;
    args.push_back(totals);
    return Ratingctl(args);
  };
  const uint64_t head = Head();
  Result too_many = with("issued=10;returned=10;member/m1=6/4/0/0/1;member/m2=1/8/1/0");
  EXPECT_EQ(too_many.code, 1);
  EXPECT_TRUE(absl::StrContains(too_many.err, "totals.subjects[0]")) << too_many.err;
  EXPECT_TRUE(absl::StrContains(too_many.err, "R-BAL-2")) << too_many.err;
  Result mixed = Ratingctl({"ballot", "--session", "c1-2025", "--org", "c1", "--year", "2025",
                            "--subjects", "member/m1,member/m2", "--issued", "1", "--ballots",
                            "1:member/m1=HTXSNV", "--totals",
                            "issued=1;returned=1;member/m1=1/0/0/0;member/m2=0/0/0/0"});
  EXPECT_EQ(mixed.code, 1);
  EXPECT_TRUE(absl::StrContains(mixed.err, "cannot both be given")) << mixed.err;
  EXPECT_EQ(Head(), head);

  Result accepted = with("issued=10;returned=10;invalid=no_mark:1;member/m1=6/3/0/0;"
                         "member/m2=1/7/1/0/0");
  ASSERT_EQ(accepted.code, 0) << accepted.err;

  Result sessions = Ratingctl({"sessions", "c1", "2025"});
  ASSERT_EQ(sessions.code, 0) << sessions.err;
  EXPECT_TRUE(absl::StrContains(sessions.out, "c1-2025\tc1\t2025\t2 đối tượng")) << sessions.out;
  EXPECT_TRUE(absl::StrContains(sessions.out, "hợp lệ 9, không hợp lệ 1\tsố liệu tổng hợp"))
      << sessions.out;
  Json listed = Json::parse(Ratingctl({"sessions", "--json"}).out, nullptr, false);
  ASSERT_FALSE(listed.is_discarded());
  ASSERT_EQ(listed["sessions"].size(), 1u);
  EXPECT_EQ(listed["sessions"][0]["from_totals"], true);
  EXPECT_TRUE(Ratingctl({"sessions", "c9"}).out.empty());

  Result tally = Ratingctl({"tally", "c1-2025"});
  ASSERT_EQ(tally.code, 0) << tally.err;
  EXPECT_TRUE(absl::StrContains(tally.out, "Theo số liệu tổng hợp của tổ kiểm phiếu")) << tally.out;
  EXPECT_TRUE(absl::StrContains(tally.out, "Phiếu không hợp lệ: 1 phiếu [R-BAL-1]")) << tally.out;
  EXPECT_TRUE(absl::StrContains(tally.out, "member/m1: HTXSNV 6, HTTNV 3, HTNV 0, KHTNV 0 → Hoàn thành xuất sắc nhiệm vụ (HTXSNV)"))
      << tally.out;
  Result form = Ratingctl({"form", "tally", "c1", "2025", "--format", "csv"});
  ASSERT_EQ(form.code, 0) << form.err;
  EXPECT_TRUE(absl::StrContains(form.out, "Số phiếu không hợp lệ vì Không đánh giá đối tượng nào"))
      << form.out;
}

TEST_F(RatingctlTest, ApplyOfAPublicCaseLeavesTheStateItExpects) {
  Result applied = Ratingctl({"apply", PUBLIC_CASES_DIR "/03-late-discipline.json"});
  ASSERT_EQ(applied.code, 0) << applied.out << applied.err;
  EXPECT_TRUE(absl::StrContains(applied.out, "step 1 open_period: accepted")) << applied.out;
  EXPECT_TRUE(absl::StrContains(applied.out, "skipped (an expectation)"));
  // The case's expectations, read back.
  EXPECT_EQ(Rating("member/m1", 2025)["level"], "LEVEL_KHTNV");
  EXPECT_EQ(Rating("member/m2", 2025)["level"], "LEVEL_HTTNV");
  EXPECT_EQ(Rating("org/c1", 2025)["status"], "RATING_STATUS_REVIEW_SUGGESTED");
  Result rewards = Ratingctl({"rewards", "member/m1", "2025", "--json"});
  ASSERT_EQ(rewards.code, 0) << rewards.err;
  Json list = Json::parse(rewards.out, nullptr, false);
  ASSERT_FALSE(list.is_discarded()) << rewards.out;
  ASSERT_EQ(list["rewards"].size(), 1u);
  EXPECT_EQ(list["rewards"][0]["status"], "annulled");

  // A case with deliberate mistakes: those steps are skipped, the rest accepted.
  Result second = Ratingctl({"apply", PUBLIC_CASES_DIR "/02-grassroots-orgs.json"});
  // 02 opens 2025 again: the first step is refused, and apply stops there.
  EXPECT_EQ(second.code, 1);
  EXPECT_TRUE(absl::StrContains(second.out, "ALREADY_EXISTS")) << second.out;
}

TEST_F(RatingctlTest, ApplySkipsTheDeliberateMistakes) {
  Result applied = Ratingctl({"apply", PUBLIC_CASES_DIR "/02-grassroots-orgs.json"});
  ASSERT_EQ(applied.code, 0) << applied.out << applied.err;
  EXPECT_TRUE(absl::StrContains(applied.out, "skipped (the scenario expects it to fail)"));
  EXPECT_EQ(Rating("org/c1", 2025)["level"], "LEVEL_HTXSNV");
  EXPECT_EQ(Rating("committee/c2", 2025)["level"], "LEVEL_HTTNV");
  EXPECT_EQ(Rating("org/c3", 2025)["status"], "RATING_STATUS_NOT_SUBJECT");
}

TEST_F(RatingctlTest, DryRunWritesNothing) {
  const uint64_t head = Head();
  Result dry = Ratingctl({"apply", PUBLIC_CASES_DIR "/03-late-discipline.json", "--dry-run"});
  EXPECT_EQ(dry.code, 0) << dry.err;
  // The server checked the steps as one sequence: each over what the ones before it leave.
  EXPECT_TRUE(absl::StrContains(dry.out, "step 1 open_period: valid: would append 1 event"))
      << dry.out;
  EXPECT_FALSE(absl::StrContains(dry.out, "NOT_FOUND")) << dry.out;
  Result demo = Ratingctl({"demo", "--dry-run", "--json"});
  EXPECT_EQ(demo.code, 0) << demo.err;
  int valid = 0;
  for (absl::string_view line : absl::StrSplit(demo.out, '\n', absl::SkipEmpty())) {
    Json json = Json::parse(line, nullptr, false);
    ASSERT_FALSE(json.is_discarded()) << line;
    EXPECT_NE(json["result"], "refused") << line;
    if (json["result"] == "valid") {
      ++valid;
      EXPECT_EQ(json["reply"]["validate_only"], true) << line;
    }
  }
  EXPECT_GT(valid, 20);
  Result one = Ratingctl({"open-period", "--year", "2025", "--dry-run"});
  EXPECT_EQ(one.code, 0) << one.err;
  EXPECT_TRUE(absl::StartsWith(one.out, "valid: would append 1 event")) << one.out;
  EXPECT_EQ(Head(), head);

  // What the server would refuse is refused in a dry run too, with its details; nothing written.
  const std::filesystem::path file = dir_ / "mistake.json";
  std::ofstream(file) << R"({"name": "an enrollment into an org never registered", "steps": [
      {"do": "open_period", "year": 2025},
      {"do": "register_org", "id": "c1", "kind": "grassroots_cell", "parent": "bloc"},
      {"do": "enroll_member", "id": "m1", "org": "c9", "admitted_on": "2015-03-01"},
      {"do": "enroll_member", "id": "m2", "org": "c1", "admitted_on": "2015-03-01"}]})";
  Result refused = Ratingctl({"apply", file.string(), "--dry-run"});
  EXPECT_EQ(refused.code, 1) << refused.out;
  EXPECT_TRUE(absl::StrContains(refused.out, "step 2 register_org: valid")) << refused.out;
  EXPECT_TRUE(absl::StrContains(refused.out, "step 3 enroll_member: NOT_FOUND")) << refused.out;
  EXPECT_TRUE(absl::StrContains(refused.out, "step 4 enroll_member: valid")) << refused.out;
  EXPECT_TRUE(absl::StrContains(refused.err, "1 step(s) the server would refuse")) << refused.err;
  EXPECT_EQ(Head(), head);
  ASSERT_EQ(Ratingctl({"open-period", "--year", "2025"}).code, 0);
  Result again = Ratingctl({"open-period", "--year", "2025", "--dry-run"});
  EXPECT_EQ(again.code, 1) << again.out;
  EXPECT_TRUE(absl::StrContains(again.err, "ALREADY_EXISTS")) << again.err;
}

TEST_F(RatingctlTest, DemoYieldsDecidedRatings) {
  Result demo = Ratingctl({"demo"});
  ASSERT_EQ(demo.code, 0) << demo.out << demo.err;
  EXPECT_FALSE(absl::StrContains(demo.out, "refused"));
  // Members, by their committees and the cell's tally.
  EXPECT_EQ(Rating("member/m01", 2025)["level"], "LEVEL_HTXSNV");
  EXPECT_EQ(Rating("member/m07", 2025)["level"], "LEVEL_HTNV");
  EXPECT_EQ(Rating("member/m08", 2025)["level"], "LEVEL_HTXSNV");
  EXPECT_EQ(Rating("member/m16", 2025)["level"], "LEVEL_HTTNV");
  EXPECT_EQ(Rating("member/m20", 2025)["level"], "LEVEL_HTNV");
  // Orgs, by the grassroots committee and the bloc.
  EXPECT_EQ(Rating("org/cb1", 2025)["level"], "LEVEL_HTXSNV");
  EXPECT_EQ(Rating("org/cb2", 2025)["level"], "LEVEL_HTTNV");
  EXPECT_EQ(Rating("org/dbcs1", 2025)["level"], "LEVEL_HTXSNV");
  EXPECT_EQ(Rating("org/cbcs1", 2025)["level"], "LEVEL_HTTNV");
  // The late ruling and its QĐ 01.
  EXPECT_EQ(Rating("member/m15", 2025)["level"], "LEVEL_KHTNV");
  Result tally = Ratingctl({"tally", "cbcs1-2025", "--json"});
  ASSERT_EQ(tally.code, 0) << tally.err;
  Json minutes = Json::parse(tally.out, nullptr, false);
  ASSERT_FALSE(minutes.is_discarded());
  EXPECT_EQ(minutes["valid"], 6);
  Result dossiers = Ratingctl({"dossiers", "2025", "--late_only"});
  ASSERT_EQ(dossiers.code, 0) << dossiers.err;
  EXPECT_TRUE(absl::StrContains(dossiers.out, "cbcs1")) << dossiers.out;
  EXPECT_FALSE(absl::StrContains(dossiers.out, "dbcs1")) << dossiers.out;
}

TEST_F(RatingctlTest, JsonOutputParsesForEveryReadAndAsOfReadsThePast) {
  ASSERT_EQ(Ratingctl({"apply", PUBLIC_CASES_DIR "/03-late-discipline.json"}).code, 0);
  // The moment the discipline was recorded: its position, from the history.
  Result history = Ratingctl({"history", "member/m1", "2025", "--json"});
  ASSERT_EQ(history.code, 0) << history.err;
  Json entries = Json::parse(history.out, nullptr, false);
  ASSERT_FALSE(entries.is_discarded()) << history.out;
  uint64_t ruling = 0;
  uint64_t rerated = 0;
  for (const Json& entry : entries["entries"]) {
    if (!entry.contains("event")) continue;
    const uint64_t position = std::stoull(entry["position"].get<std::string>());
    if (entry["event"].contains("discipline_ruled")) ruling = position;
    if (entry["event"].contains("rerated")) rerated = position;
  }
  ASSERT_NE(ruling, 0u) << history.out;
  ASSERT_GT(rerated, ruling) << history.out;
  // Before the ruling, decided; after its flags and before the QĐ 01, to be re-rated.
  EXPECT_EQ(Rating("member/m1", 2025, ruling - 1)["level"], "LEVEL_HTXSNV");
  EXPECT_EQ(Rating("member/m1", 2025, rerated - 1)["status"], "RATING_STATUS_RERATING_REQUIRED");
  for (const std::vector<std::string>& read :
       std::vector<std::vector<std::string>>{{"tally", "c1-2025"},
                                             {"export-csv", "c1", "2025"},
                                             {"overrides"},
                                             {"dossiers", "2025"},
                                             {"rewards"},
                                             {"impact", absl::StrCat(ruling)},
                                             {"head"},
                                             {"verify"},
                                             {"principals"},
                                             {"open-period", "--year", "2027"}}) {
    std::vector<std::string> args = read;
    args.push_back("--json");
    Result result = Ratingctl(args);
    EXPECT_EQ(result.code, 0) << read[0] << ": " << result.err;
    Json json = Json::parse(result.out, nullptr, false);
    EXPECT_FALSE(json.is_discarded()) << read[0] << ": " << result.out;
    EXPECT_TRUE(json.is_object()) << read[0];
  }
  Result impact = Ratingctl({"impact", absl::StrCat(ruling), "--json"});
  Json items = Json::parse(impact.out, nullptr, false);
  ASSERT_FALSE(items.is_discarded());
  ASSERT_FALSE(items["items"].empty()) << impact.out;
  // --as_of on a read of now only is refused as a usage error.
  EXPECT_EQ(Ratingctl({"impact", absl::StrCat(ruling), "--as_of", "3"}).code, 2);
  Result past_head = Ratingctl({"rating", "member/m1", "2025", "--as_of", "999999"});
  EXPECT_EQ(past_head.code, 1);
  EXPECT_TRUE(absl::StrContains(past_head.err, "OUT_OF_RANGE")) << past_head.err;
}

// ratingd serving TLS with a self-signed certificate for 127.0.0.1.
class TlsRatingctlTest : public RatingctlTest {
 protected:
  std::vector<std::string> ServerArgs() override {
    const std::string key = (dir_ / "key.pem").string();
    const std::string cert = (dir_ / "cert.pem").string();
    const std::string openssl = absl::StrCat(
        "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 "
        "-addext subjectAltName=IP:127.0.0.1 -keyout ",
        Quote(key), " -out ", Quote(cert), " 2>/dev/null");
    EXPECT_EQ(std::system(openssl.c_str()), 0) << openssl;
    return {absl::StrCat("--tls_cert=", cert), absl::StrCat("--tls_key=", key)};
  }
};

TEST_F(TlsRatingctlTest, TlsCaReachesATlsServerAndPlaintextDoesNot) {
  const std::string ca = (dir_ / "cert.pem").string();
  Result head = Ratingctl({"head", "--tls_ca", ca});
  EXPECT_EQ(head.code, 0) << head.err;
  Result write = Ratingctl({"open-period", "--year", "2025", "--tls_ca", ca});
  EXPECT_EQ(write.code, 0) << write.err;
  EXPECT_TRUE(absl::StartsWith(write.out, "accepted: ")) << write.out;
  Result plaintext = Ratingctl({"head"});
  EXPECT_EQ(plaintext.code, 1);
  EXPECT_TRUE(absl::StrContains(plaintext.err, "UNAVAILABLE")) << plaintext.err;
  // A client certificate needs its key.
  EXPECT_EQ(Ratingctl({"head", "--tls_ca", ca, "--tls_cert", ca}).code, 2);
}

}  // namespace
}  // namespace rating
