// The guideline's forms end to end: a real ratingd fed by a scenario (tests/cli/testdata/
// forms_scenario.json, played by the conformance player) and a QĐ 01 with its date and signer;
// then every form in every format written by the real ratingctl binary and read back as a
// reader would (tests/cli/form_reader.py: the csv module with the BOM checked, zipfile over
// the XLSX parts, pdftotext for the PDF). The numbers are checked against the server's own
// replies (ListRatings, GetTally).
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "cli/client.h"
#include "cli/conformance/scenario.h"
#include "cli/conformance/scenario_player.h"
#include "cli/conformance/server_process.h"
#include "cli/forms/form.h"
#include "cli/forms/form_writers.h"
#include "cli/names.h"
#include "common/crypto.h"

namespace rating {
namespace {

constexpr char kAdminToken[] = "forms-admin-token-0123456789";
constexpr int kYear = 2025;
const std::vector<std::string> kFormats = {"csv", "xlsx", "pdf"};
const std::array<v1::Level, 4> kLevels = {v1::LEVEL_HTXSNV, v1::LEVEL_HTTNV, v1::LEVEL_HTNV,
                                          v1::LEVEL_KHTNV};

struct ShellRun {
  int exit_code = -1;
  std::string output;
};

// Runs `command` through the shell, capturing stdout (and stderr, merged).
ShellRun Shell(const std::string& command) {
  ShellRun run;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return run;
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    run.output.append(buffer.data(), n);
  const int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

std::string Quote(const std::string& s) { return absl::StrCat("'", s, "'"); }

// A form as a reader sees it.
struct ReadForm {
  std::vector<std::vector<std::string>> rows;
  std::string text;

  // The row index of the header row holding `header` (after `from`), or -1.
  int HeaderRow(const std::string& header, int from = 0) const {
    for (int i = from; i < static_cast<int>(rows.size()); ++i) {
      for (const std::string& cell : rows[i]) {
        if (cell == header) return i;
      }
    }
    return -1;
  }
  // The cell under `header` in the first row after `header_row` whose cell under `key_header`
  // is `key` ("" when absent).
  std::string Cell(int header_row, const std::string& key_header, const std::string& key,
                   const std::string& header) const {
    if (header_row < 0) return "<no header row>";
    const auto& h = rows[header_row];
    auto column = [&](const std::string& name) {
      return static_cast<int>(std::find(h.begin(), h.end(), name) - h.begin());
    };
    const int k = column(key_header);
    const int c = column(header);
    for (size_t i = header_row + 1; i < rows.size(); ++i) {
      if (k < static_cast<int>(rows[i].size()) && rows[i][k] == key) {
        return c < static_cast<int>(rows[i].size()) ? rows[i][c] : "";
      }
    }
    return "<no row " + key + ">";
  }
  // How many rows after `header_row` have a non-empty cell under `header`.
  int CountRows(int header_row, const std::string& header) const {
    if (header_row < 0) return -1;
    const auto& h = rows[header_row];
    const size_t c = std::find(h.begin(), h.end(), header) - h.begin();
    int n = 0;
    for (size_t i = header_row + 1; i < rows.size(); ++i)
      n += c < rows[i].size() && !rows[i][c].empty();
    return n;
  }
  // True if some line of the text holds `tokens` in this order, each as a whole word, with
  // other words between them allowed (a PDF row's first line).
  bool LineHasInOrder(const std::vector<std::string>& tokens) const {
    for (absl::string_view line : absl::StrSplit(text, '\n')) {
      std::vector<std::string> words = absl::StrSplit(line, ' ', absl::SkipEmpty());
      size_t next = 0;
      for (const std::string& w : words) {
        if (next < tokens.size() && w == tokens[next]) ++next;
      }
      if (next == tokens.size()) return true;
    }
    return false;
  }
};

class FormsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(std::filesystem::path(::testing::TempDir()) /
                                     absl::StrCat("forms_test_", common::RandomHex(8)));
    std::filesystem::create_directories(*dir_);
    std::ofstream config(*dir_ / "auth.json");
    config << R"({"principals":[{"id":"admin","role":"admin","scope":"","token":")" << kAdminToken
           << R"("}]})";
    config.close();
    auto server = cli::ServerProcess::Start(
        RATINGD_PATH,
        {absl::StrCat("--data_dir=", (*dir_ / "data").string()), "--listen=127.0.0.1:0",
         absl::StrCat("--auth_config=", (*dir_ / "auth.json").string())},
        absl::Seconds(30));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = server->release();
    client_ = new cli::Client(
        grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials()));

    auto scenario = cli::LoadScenario(FORMS_SCENARIO);
    ASSERT_TRUE(scenario.ok()) << scenario.status();
    std::ostringstream report;
    cli::ScenarioPlayer player(*client_, kAdminToken, "forms_scenario.json", report);
    ASSERT_TRUE(player.CreatePrincipals(*scenario).ok()) << report.str();
    cli::PlayResult result;
    ASSERT_TRUE(player.Play(*scenario, result).ok()) << report.str();
    ASSERT_EQ(result.failed, 0) << report.str();

    auto head = client_->GetHead(kAdminToken);
    ASSERT_TRUE(head.ok()) << head.status();
    before_qd01_ = head->position();
    // The QĐ 01 of the late ruling, with its number, date and signer.
    v1::Command rerate;
    v1::Rerating* r = rerate.mutable_rerate();
    r->set_subject("member/m1");
    r->set_year(kYear);
    r->set_level(v1::LEVEL_KHTNV);
    r->set_decision_no("01-QĐ/ĐUK");
    r->set_decided_on("2026-04-02");
    r->set_signer("Bí thư Lê Văn Khoa");
    auto reply = client_->Execute(rerate, kAdminToken);
    ASSERT_TRUE(reply.ok()) << reply.status();
  }

  static void TearDownTestSuite() {
    delete client_;
    if (server_ != nullptr) {
      EXPECT_TRUE(server_->Stop().ok());
    }
    delete server_;
    std::error_code ignored;
    std::filesystem::remove_all(*dir_, ignored);
    delete dir_;
  }

  // Writes form `name` of `org` with the real ratingctl and reads it back.
  static ReadForm Form(const std::string& name, const std::string& org, const std::string& format,
                       uint64_t as_of = 0) {
    const std::string file =
        (*dir_ / absl::StrCat(name, "-", org, "-", as_of, ".", format)).string();
    ShellRun run = Shell(absl::StrCat(RATINGCTL_PATH, " form ", name, " ", org, " ", kYear,
                                      " --format ", format, " --out ", Quote(file), " --server ",
                                      server_->address(), " --token ", kAdminToken,
                                      as_of == 0 ? "" : absl::StrCat(" --as_of ", as_of)));
    EXPECT_EQ(run.exit_code, 0) << run.output;
    ShellRun read = Shell(absl::StrCat("python3 ", FORM_READER_PY, " ", Quote(file), " ", format));
    EXPECT_EQ(read.exit_code, 0) << read.output;
    ReadForm out;
    if (read.exit_code != 0) return out;
    nlohmann::json json = nlohmann::json::parse(read.output);
    out.rows = json["rows"].get<std::vector<std::vector<std::string>>>();
    out.text = json["text"].get<std::string>();
    return out;
  }

  // The counts ListRatings gives for the members of `org`: per level, not subject, pending.
  static std::map<std::string, int> MemberCounts(const std::string& org, uint64_t as_of = 0) {
    v1::ListRatingsRequest request;
    request.set_org(org);
    request.set_year(kYear);
    request.mutable_as_of()->set_position(as_of);
    auto ratings = client_->ListRatings(request, kAdminToken);
    EXPECT_TRUE(ratings.ok()) << ratings.status();
    std::map<std::string, int> counts;
    for (const v1::RatingView& v : ratings->ratings()) {
      if (!absl::StartsWith(v.subject(), "member/")) continue;
      ++counts["total"];
      if (v.status() == v1::RATING_STATUS_NOT_SUBJECT) ++counts["not_subject"];
      if (v.status() == v1::RATING_STATUS_PENDING) ++counts["pending"];
      if (v.level() != v1::LEVEL_UNSPECIFIED) ++counts[cli::LevelCode(v.level())];
    }
    return counts;
  }

  static std::string LevelVi(v1::Level level) { return std::string(cli::LevelNameVi(level)); }

  static std::filesystem::path* dir_;
  static cli::ServerProcess* server_;
  static cli::Client* client_;
  static uint64_t before_qd01_;
};

std::filesystem::path* FormsTest::dir_ = nullptr;
cli::ServerProcess* FormsTest::server_ = nullptr;
cli::Client* FormsTest::client_ = nullptr;
uint64_t FormsTest::before_qd01_ = 0;

TEST(PercentTest, TwoDecimalsRoundedHalfUpWithADecimalComma) {
  EXPECT_EQ(cli::forms::Percent(1, 6), "16,67");
  EXPECT_EQ(cli::forms::Percent(2, 6), "33,33");
  EXPECT_EQ(cli::forms::Percent(1, 8), "12,50");
  EXPECT_EQ(cli::forms::Percent(6, 6), "100,00");
  EXPECT_EQ(cli::forms::Percent(0, 0), "0,00");
}

// The writers alone: a long table breaks across pages, repeating its header row; CSV fields
// are quoted per RFC 4180; XLSX counts are numbers.
TEST(FormWritersTest, LongTablesBreakAcrossPagesAndFieldsAreQuoted) {
  cli::forms::Form form;
  form.code = "Mẫu thử";
  form.title = "BIỂU THỬ";
  cli::forms::Section section;
  section.columns = {{"STT", 4}, {"Họ và tên", 30}, {"Ghi chú", 30}};
  for (int i = 1; i <= 120; ++i) {
    section.rows.push_back({cli::forms::Cell::Count(i),
                            cli::forms::Cell::Text(absl::StrCat("Đảng viên số ", i)),
                            cli::forms::Cell::Text("có dấu phẩy, và \"ngoặc kép\"")});
  }
  form.sections.push_back(section);
  const std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) /
                                    absl::StrCat("form_writers_", common::RandomHex(8));
  std::filesystem::create_directories(dir);
  auto read = [&](const std::string& format, const std::string& bytes) {
    const std::string file = (dir / ("form." + format)).string();
    std::ofstream(file, std::ios::binary) << bytes;
    ShellRun run = Shell(absl::StrCat("python3 ", FORM_READER_PY, " ", Quote(file), " ", format));
    EXPECT_EQ(run.exit_code, 0) << run.output;
    return nlohmann::json::parse(run.output);
  };
  auto pdf = cli::forms::WritePdf(form);
  ASSERT_TRUE(pdf.ok()) << pdf.status();
  const std::string text = read("pdf", *pdf)["text"].get<std::string>();
  int headers = 0;
  for (size_t at = text.find("Họ và tên"); at != std::string::npos;
       at = text.find("Họ và tên", at + 1)) {
    ++headers;
  }
  EXPECT_GE(headers, 3) << "120 rows take at least three pages, each with the header";
  EXPECT_NE(text.find('\f'), std::string::npos) << "a page break";
  for (int i : {1, 60, 120}) {
    EXPECT_TRUE(absl::StrContains(text, absl::StrCat("Đảng viên số ", i))) << i;
  }
  const std::string csv = cli::forms::WriteCsv(form);
  EXPECT_TRUE(absl::StrContains(csv, "\"có dấu phẩy, và \"\"ngoặc kép\"\"\"\r\n"));
  auto rows = read("csv", csv)["rows"];
  EXPECT_EQ(rows[4][2], "có dấu phẩy, và \"ngoặc kép\"");
  auto xlsx = cli::forms::WriteXlsx(form);
  ASSERT_TRUE(xlsx.ok()) << xlsx.status();
  rows = read("xlsx", *xlsx)["rows"];
  EXPECT_EQ(rows.back()[0], "120");
  EXPECT_EQ(rows.back()[1], "Đảng viên số 120");
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

TEST_F(FormsTest, Bth02CountsPerLevelAreWhatListRatingsSays) {
  const std::map<std::string, int> expected = MemberCounts("c1");
  const int rated = expected.at("total") - expected.at("not_subject") -
                    (expected.count("pending") ? expected.at("pending") : 0);
  ASSERT_EQ(expected.at("not_subject"), 1);  // m7, admitted 2025-10-01 (R-SUBJ-1).
  ASSERT_EQ(expected.at("KHTNV"), 2);        // m6, and m1 after the QĐ 01.
  for (const std::string& format : kFormats) {
    SCOPED_TRACE(format);
    ReadForm form = Form("bth02", "c1", format);
    EXPECT_TRUE(absl::StrContains(form.text, "BIỂU TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG"))
        << form.text;
    // m1's level was set by the QĐ 01: its number, date and signer are cited.
    EXPECT_TRUE(absl::StrContains(form.text, "Quyết định QĐ 01 số 01-QĐ/ĐUK, ngày 2026-04-02"))
        << form.text;
    std::vector<std::string> numbers = {std::to_string(expected.at("total")),
                                        std::to_string(rated)};
    if (format == "pdf") {
      // Headers of narrow columns wrap over several lines; these fit on one.
      for (const char* header : {"Tổ chức đảng (đơn", "Họ và tên", "Mức xếp loại", "Tình trạng",
                                 "Danh sách đảng viên", "Đặng Văn Giang", "Nguyễn Văn An"}) {
        EXPECT_TRUE(absl::StrContains(form.text, header)) << header << "\n" << form.text;
      }
    } else {
      const int h = form.HeaderRow("Tổng số đảng viên");
      ASSERT_GE(h, 0);
      const std::string unit = "Chi bộ Công ty Điện lực";
      EXPECT_EQ(form.Cell(h, "Tổ chức đảng (đơn vị)", unit, "Tổng số đảng viên"),
                std::to_string(expected.at("total")));
      EXPECT_EQ(form.Cell(h, "Tổ chức đảng (đơn vị)", unit, "Số đảng viên được xếp loại"),
                std::to_string(rated));
      EXPECT_EQ(form.Cell(h, "Tổ chức đảng (đơn vị)", unit, "Không xếp loại - Số lượng"), "1");
      EXPECT_TRUE(absl::StrContains(
          form.Cell(h, "Tổ chức đảng (đơn vị)", unit, "Không xếp loại - Lý do"), "Đặng Văn Giang"));
      EXPECT_TRUE(absl::StrContains(
          form.Cell(h, "Tổ chức đảng (đơn vị)", unit, "Không xếp loại - Lý do"), "R-SUBJ-1"));
      // m1's warning (a 2025 violation) counts for 2025.
      EXPECT_EQ(form.Cell(h, "Tổ chức đảng (đơn vị)", unit, "Bị xử lý kỷ luật"), "1");
      for (v1::Level level : kLevels) {
        const std::string code = cli::LevelCode(level);
        const int n = expected.count(code) ? expected.at(code) : 0;
        EXPECT_EQ(form.Cell(h, "Tổ chức đảng (đơn vị)", unit, LevelVi(level) + " - Số lượng"),
                  std::to_string(n))
            << code;
        EXPECT_EQ(form.Cell(h, "Tổ chức đảng (đơn vị)", unit, LevelVi(level) + " - Tỷ lệ (%)"),
                  cli::forms::Percent(n, rated))
            << code;
      }
      const int list = form.HeaderRow("Họ và tên", h + 1);
      EXPECT_EQ(form.Cell(list, "Mã đảng viên", "m1", "Họ và tên"), "Nguyễn Văn An");
      EXPECT_EQ(form.Cell(list, "Mã đảng viên", "m1", "Mức xếp loại"), LevelVi(v1::LEVEL_KHTNV));
    }
    // The row's numbers, in order: total, rated, then each level's count and percentage.
    for (v1::Level level : kLevels) {
      const std::string code = cli::LevelCode(level);
      const int n = expected.count(code) ? expected.at(code) : 0;
      numbers.push_back(std::to_string(n));
      numbers.push_back(cli::forms::Percent(n, rated));
    }
    if (format == "pdf") {
      EXPECT_TRUE(form.LineHasInOrder(numbers)) << form.text;
    }
  }
}

TEST_F(FormsTest, Bth02AsOfReadsThePastBeforeTheQd01) {
  const std::map<std::string, int> past = MemberCounts("c1", before_qd01_);
  ASSERT_EQ(past.at("HTXSNV"), 1);
  ReadForm form = Form("bth02", "c1", "csv", before_qd01_);
  const int h = form.HeaderRow("Tổng số đảng viên");
  const std::string unit = "Chi bộ Công ty Điện lực";
  EXPECT_EQ(form.Cell(h, "Tổ chức đảng (đơn vị)", unit, LevelVi(v1::LEVEL_HTXSNV) + " - Số lượng"),
            "1");
  EXPECT_EQ(form.Cell(h, "Tổ chức đảng (đơn vị)", unit, LevelVi(v1::LEVEL_KHTNV) + " - Số lượng"),
            std::to_string(past.at("KHTNV")));
  EXPECT_TRUE(absl::StrContains(form.text, absl::StrCat("Số liệu tại vị trí sổ: ", before_qd01_)));
}

TEST_F(FormsTest, Bth03ListsEveryOrgAndCommitteeWithTheSummary) {
  v1::ListRatingsRequest request;
  request.set_org("bloc");
  request.set_year(kYear);
  auto ratings = client_->ListRatings(request, kAdminToken);
  ASSERT_TRUE(ratings.ok()) << ratings.status();
  int orgs = 0;
  int committees = 0;
  for (const v1::RatingView& v : ratings->ratings()) {
    orgs += absl::StartsWith(v.subject(), "org/");
    committees += absl::StartsWith(v.subject(), "committee/");
  }
  ASSERT_EQ(orgs, 2);
  for (const std::string& format : kFormats) {
    SCOPED_TRACE(format);
    ReadForm form = Form("bth03", "bloc", format);
    for (const char* text : {"Chi bộ Công ty Điện lực", "Chi bộ Công ty Cấp nước",
                             "Xếp loại tập thể cấp ủy", "Chi bộ cơ sở", "Tập thể cấp ủy"}) {
      EXPECT_TRUE(absl::StrContains(form.text, text)) << text << "\n" << form.text;
    }
    if (format != "pdf") {
      const int h = form.HeaderRow("Số được xếp loại");
      EXPECT_EQ(form.Cell(h, "Đối tượng", "Tổ chức đảng", "Tổng số"), std::to_string(orgs));
      EXPECT_EQ(form.Cell(h, "Đối tượng", "Tập thể cấp ủy", "Tổng số"), std::to_string(committees));
      const int detail = form.HeaderRow("Tên tổ chức đảng");
      EXPECT_EQ(form.Cell(detail, "Tên tổ chức đảng", "Chi bộ Công ty Điện lực", "Loại hình"),
                "Chi bộ cơ sở");
    }
  }
}

TEST_F(FormsTest, TallyMinutesHoldEachSubjectsVotes) {
  v1::GetTallyRequest request;
  request.set_session("c1-2025");
  auto tally = client_->GetTally(request, kAdminToken);
  ASSERT_TRUE(tally.ok()) << tally.status();
  for (const std::string& format : kFormats) {
    SCOPED_TRACE(format);
    ReadForm form = Form("tally", "c1", format);
    EXPECT_TRUE(absl::StrContains(form.text, "BIÊN BẢN KIỂM PHIẾU")) << form.text;
    EXPECT_TRUE(absl::StrContains(form.text, "Phiên bỏ phiếu: c1-2025")) << form.text;
    EXPECT_TRUE(
        absl::StrContains(form.text, absl::StrCat("số phiếu hợp lệ: ", tally->valid(),
                                                  "; số phiếu không hợp lệ: ", tally->invalid())))
        << form.text;
    EXPECT_FALSE(absl::StrContains(form.text, "c2-2025"));  // Another org's session.
    for (const v1::SubjectTally& t : tally->subjects()) {
      const std::vector<std::string> votes = {
          std::to_string(t.htxsnv()), cli::forms::Percent(t.htxsnv(), tally->valid()),
          std::to_string(t.httnv()),  cli::forms::Percent(t.httnv(), tally->valid()),
          std::to_string(t.htnv()),   cli::forms::Percent(t.htnv(), tally->valid()),
          std::to_string(t.khtnv()),  cli::forms::Percent(t.khtnv(), tally->valid())};
      if (format == "pdf") {
        std::vector<std::string> line = {t.subject()};
        line.insert(line.end(), votes.begin(), votes.end());
        EXPECT_TRUE(form.LineHasInOrder(line)) << t.subject() << "\n" << form.text;
      } else {
        const int h = form.HeaderRow("Đối tượng");
        std::vector<std::string> got;
        for (v1::Level level : kLevels) {
          got.push_back(form.Cell(h, "Đối tượng", t.subject(), LevelVi(level) + " - Số phiếu"));
          got.push_back(form.Cell(h, "Đối tượng", t.subject(), LevelVi(level) + " - Tỷ lệ (%)"));
        }
        EXPECT_EQ(got, votes) << t.subject();
        EXPECT_EQ(form.Cell(h, "Đối tượng", t.subject(), "Kết quả"), t.level_name());
      }
    }
  }
}

TEST_F(FormsTest, Qd01NamesTheLegalGroundsAndTheOldAndNewLevels) {
  for (const std::string& format : kFormats) {
    SCOPED_TRACE(format);
    ReadForm form = Form("qd01", "c1", format);
    for (const char* text :
         {"QUYẾT ĐỊNH", "IV.9", "R-RETRO-2", "R-RETRO-1", "Căn cứ", "Nguyễn Văn An", "01-QĐ/ĐUK",
          "2026-04-02", "Bí thư Lê Văn Khoa", "Cấp ủy cấp trên trực tiếp"}) {
      EXPECT_TRUE(absl::StrContains(form.text, text)) << text << "\n" << form.text;
    }
    if (format != "pdf") {
      const int h = form.HeaderRow("Kết quả xếp loại cũ (hủy bỏ)");
      EXPECT_EQ(form.Cell(h, "Đối tượng", "member/m1", "Kết quả xếp loại cũ (hủy bỏ)"),
                LevelVi(v1::LEVEL_HTXSNV));
      EXPECT_EQ(form.Cell(h, "Đối tượng", "member/m1", "Kết quả xếp loại mới (công nhận)"),
                LevelVi(v1::LEVEL_KHTNV));
      EXPECT_EQ(form.Cell(h, "Đối tượng", "member/m1", "Số quyết định"), "01-QĐ/ĐUK");
      EXPECT_EQ(form.CountRows(h, "Số quyết định"), 1) << "one re-rating";
    }
  }
  // Before the QĐ 01 there is nothing to list.
  ReadForm past = Form("qd01", "c1", "csv", before_qd01_);
  EXPECT_TRUE(absl::StrContains(past.text, "Số trường hợp xếp loại lại: 0")) << past.text;
}

TEST_F(FormsTest, OverridesAndLateDossiersListTheBlocsCases) {
  for (const std::string& format : kFormats) {
    SCOPED_TRACE(format);
    ReadForm overrides = Form("overrides", "bloc", format);
    EXPECT_TRUE(absl::StrContains(overrides.text, "Bùi Thị Hạnh")) << overrides.text;
    EXPECT_TRUE(absl::StrContains(overrides.text, "R-DEC-2")) << overrides.text;
    EXPECT_TRUE(absl::StrContains(overrides.text, "Số trường hợp: 1")) << overrides.text;
    ReadForm late = Form("late-dossiers", "bloc", format);
    EXPECT_TRUE(absl::StrContains(late.text, "Số tổ chức đảng nộp muộn: 1")) << late.text;
    EXPECT_FALSE(absl::StrContains(late.text, "Chi bộ Công ty Cấp nước")) << late.text;
    if (format == "pdf") {
      EXPECT_TRUE(late.LineHasInOrder({"c1", "2025-12-20", "2025-12-15", "5"})) << late.text;
    } else {
      const int h = late.HeaderRow("Số ngày muộn");
      EXPECT_EQ(late.Cell(h, "Mã tổ chức", "c1", "Số ngày muộn"), "5");
      EXPECT_EQ(late.Cell(h, "Mã tổ chức", "c1", "Tên tổ chức đảng"), "Chi bộ Công ty Điện lực");
    }
  }
}

// ListOrgs and ListMembers: names, dates, scope, paging.
TEST_F(FormsTest, ListOrgsAndListMembersGiveNamesWithinTheCallersScope) {
  auto channel = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
  auto query = v1::QueryService::NewStub(channel);
  v1::CreatePrincipalRequest create;
  create.mutable_principal()->set_id("c1-committee");
  create.mutable_principal()->set_role(v1::ROLE_CELL_COMMITTEE);
  create.mutable_principal()->set_scope("c1");
  create.set_token("c1-committee-token-0123456789");
  ASSERT_TRUE(client_->CreatePrincipal(create, kAdminToken).ok());
  auto ctx = [&](const std::string& token) { return client_->NewContext(token); };

  v1::ListOrgsRequest orgs_request;
  orgs_request.set_subtree(true);
  orgs_request.set_year(kYear);
  v1::ListOrgsResponse orgs;
  ASSERT_TRUE(query->ListOrgs(ctx(kAdminToken).get(), orgs_request, &orgs).ok());
  ASSERT_EQ(orgs.orgs_size(), 2);
  EXPECT_EQ(orgs.orgs(0).id(), "c1");
  EXPECT_EQ(orgs.orgs(0).name(), "Chi bộ Công ty Điện lực");
  EXPECT_EQ(orgs.orgs(0).parent(), "bloc");
  EXPECT_EQ(orgs.orgs(0).kind(), v1::ORG_KIND_GRASSROOTS_CELL);
  EXPECT_EQ(orgs.orgs(0).founded_on(), "2010-01-01");
  orgs.Clear();
  ASSERT_TRUE(
      query->ListOrgs(ctx("c1-committee-token-0123456789").get(), orgs_request, &orgs).ok());
  ASSERT_EQ(orgs.orgs_size(), 1);  // c2 is not the committee's to read.
  EXPECT_EQ(orgs.orgs(0).id(), "c1");

  v1::ListMembersRequest members_request;
  members_request.set_org("bloc");
  members_request.set_subtree(true);
  members_request.set_year(kYear);
  members_request.set_page_size(3);
  std::vector<std::string> ids;
  do {
    v1::ListMembersResponse page;
    ASSERT_TRUE(query->ListMembers(ctx(kAdminToken).get(), members_request, &page).ok());
    EXPECT_LE(page.members_size(), 3);
    for (const v1::MemberView& m : page.members()) {
      ids.push_back(m.id());
      if (m.id() == "m8") {
        EXPECT_EQ(m.name(), "Bùi Thị Hạnh");
        EXPECT_EQ(m.org(), "c2");
        EXPECT_EQ(m.status(), v1::MEMBER_STATUS_ACTIVE);
      }
    }
    members_request.set_page_token(page.next_page_token());
  } while (!members_request.page_token().empty());
  EXPECT_EQ(ids, (std::vector<std::string>{"m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8"}));

  members_request.set_org("c2");
  members_request.set_page_token("");
  v1::ListMembersResponse denied;
  EXPECT_EQ(query->ListMembers(ctx("c1-committee-token-0123456789").get(), members_request, &denied)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  members_request.set_page_token("not-a-token");
  EXPECT_EQ(query->ListMembers(ctx(kAdminToken).get(), members_request, &denied).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  members_request.set_page_token("");
  members_request.set_page_size(1001);
  EXPECT_EQ(query->ListMembers(ctx(kAdminToken).get(), members_request, &denied).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  members_request.set_page_size(0);
  members_request.set_org("nowhere");
  EXPECT_EQ(query->ListMembers(ctx(kAdminToken).get(), members_request, &denied).error_code(),
            grpc::StatusCode::NOT_FOUND);
  members_request.set_org("c2");
  members_request.set_year(2031);  // No period.
  EXPECT_EQ(query->ListMembers(ctx(kAdminToken).get(), members_request, &denied).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

// A decision's number, date and signer: checked, stored with the event, read in its history.
TEST_F(FormsTest, DecisionNumberDateAndSignerAreCheckedAndKept) {
  v1::Command decide;
  v1::Decision* d = decide.mutable_decide_ratings();
  d->set_year(kYear);
  v1::SubjectLevel* rating = d->add_ratings();
  rating->set_subject("org/c2");
  rating->set_level(v1::LEVEL_HTNV);
  d->set_decision_no("12-QĐ/ĐUK");
  d->set_decided_on("2025-13-01");
  auto refused = client_->Execute(decide, kAdminToken);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(refused.status().message(), "decided_on")) << refused.status();
  d->set_decided_on("2025-12-28");
  d->set_signer(std::string(513, 'x'));
  refused = client_->Execute(decide, kAdminToken);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(refused.status().message(), "signer")) << refused.status();

  // The QĐ 01 sent in SetUpTestSuite: its date and signer are in the history.
  v1::GetHistoryRequest history;
  history.set_subject("member/m1");
  history.set_year(kYear);
  auto entries = client_->GetHistory(history, kAdminToken);
  ASSERT_TRUE(entries.ok()) << entries.status();
  bool found = false;
  for (const v1::HistoryEntry& e : entries->entries()) {
    if (!e.event().has_rerated()) continue;
    found = true;
    EXPECT_EQ(e.event().rerated().rerating().signer(), "Bí thư Lê Văn Khoa");
    EXPECT_EQ(e.valid_date(), "2026-04-02");
    EXPECT_TRUE(absl::StrContains(e.summary(), "Bí thư Lê Văn Khoa")) << e.summary();
  }
  EXPECT_TRUE(found);
}

TEST_F(FormsTest, RefusalsAndHelp) {
  ShellRun help = Shell(absl::StrCat(RATINGCTL_PATH, " form --help"));
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(help.output, "Example:")) << help.output;
  ShellRun bad = Shell(absl::StrCat(RATINGCTL_PATH, " form bth09 c1 2025 --format csv"));
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  ShellRun no_format = Shell(absl::StrCat(RATINGCTL_PATH, " form bth02 c1 2025"));
  EXPECT_EQ(no_format.exit_code, 2) << no_format.output;
  ShellRun unknown_org =
      Shell(absl::StrCat(RATINGCTL_PATH, " form bth02 nowhere 2025 --format csv", " --server ",
                         server_->address(), " --token ", kAdminToken));
  EXPECT_EQ(unknown_org.exit_code, 1);
  EXPECT_TRUE(absl::StrContains(unknown_org.output, "NOT_FOUND")) << unknown_org.output;
  // Without --out the file goes to stdout: a CSV starts with its BOM.
  ShellRun to_stdout =
      Shell(absl::StrCat(RATINGCTL_PATH, " form late-dossiers bloc 2025 --format csv", " --server ",
                         server_->address(), " --token ", kAdminToken));
  EXPECT_EQ(to_stdout.exit_code, 0);
  EXPECT_TRUE(absl::StartsWith(to_stdout.output, "\xEF\xBB\xBF")) << to_stdout.output;
}

}  // namespace
}  // namespace rating
