#include "cli/forms/form_builders.h"

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "cli/forms/form_parts.h"
#include "cli/names.h"
#include "common/names.h"
#include "common/status_macros.h"
#include "rules/types.h"


namespace rating::cli::forms {
namespace {

absl::StatusOr<Form> Bth02(FormReader& reader, const std::string& org, int year) {
  RATING_ASSIGN_OR_RETURN(Directory dir, Directory::Read(reader, org, year));
  Form form;
  form.code = "Mẫu BTH 02";
  form.title = "BIỂU TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG ĐẢNG VIÊN";
  form.preamble = Preamble(dir, org, year, reader);
  Section summary;
  summary.columns = CountColumns({{"STT", 5}, {"Tổ chức đảng (đơn vị)", 20}}, "Tổng số đảng viên",
                                 "Số đảng viên được xếp loại", true);
  summary.columns.push_back({"Ghi chú", 14});
  Section list;
  list.heading = {"Danh sách đảng viên"};
  list.columns = {{"STT", 4},           {"Họ và tên", 20},    {"Mã đảng viên", 10},
                  {"Tổ chức đảng", 18}, {"Mức xếp loại", 18}, {"Tình trạng", 16},
                  {"Ghi chú", 24}};
  LevelCounts all;
  int units = 0;
  for (const v1::OrgView& unit : dir.orgs()) {
    RATING_ASSIGN_OR_RETURN(v1::ListRatingsResponse ratings, reader.Ratings(unit.id(), year));
    LevelCounts counts;
    for (const v1::RatingView& view : ratings.ratings()) {
      if (!absl::StartsWith(view.subject(), "member/")) continue;
      RATING_RETURN_IF_ERROR(counts.Add(reader, dir, view, year));
      const std::string id = view.subject().substr(7);
      std::string note;
      if (view.status() == v1::RATING_STATUS_NOT_SUBJECT) {
        note = NotRatedReason(view);
      } else if (view.status() == v1::RATING_STATUS_PENDING) {
        note = absl::StrJoin(view.missing_inputs_vi(), "; ");
      }
      list.rows.push_back(
          {Cell::Count(static_cast<int64_t>(list.rows.size()) + 1), Cell::Text(dir.MemberName(id)),
           Cell::Text(id), Cell::Text(dir.OrgName(unit.id())), Cell::Text(LevelVi(view.level())),
           Cell::Text(std::string(RatingStatusNameVi(view.status()))), Cell::Text(note)});
    }
    if (counts.total == 0 && unit.id() != org) continue;
    std::vector<Cell> row = {Cell::Count(++units), Cell::Text(dir.OrgName(unit.id()))};
    counts.AppendCells(row, true);
    row.push_back(Cell::Text(absl::StrJoin(counts.notes, "; ")));
    summary.rows.push_back(std::move(row));
    all += counts;
  }
  if (units > 1) {
    std::vector<Cell> row = {Cell::Text(""), Cell::Text("Tổng cộng")};
    all.AppendCells(row, true);
    row.push_back(Cell::Text(""));
    summary.rows.push_back(std::move(row));
  }
  form.sections = {std::move(summary), std::move(list)};
  form.closing = {"Tỷ lệ (%) tính trên số đảng viên được xếp loại."};
  for (const std::string& d : all.documents) form.closing.push_back(absl::StrCat("Căn cứ: ", d));
  return form;
}

absl::StatusOr<Form> Bth03(FormReader& reader, const std::string& org, int year) {
  RATING_ASSIGN_OR_RETURN(Directory dir, Directory::Read(reader, org, year));
  RATING_ASSIGN_OR_RETURN(v1::ListRatingsResponse ratings, reader.Ratings(org, year));
  Form form;
  form.code = "Mẫu BTH 03";
  form.title = "BIỂU TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG TỔ CHỨC ĐẢNG VÀ TẬP THỂ CẤP ỦY";
  form.preamble = Preamble(dir, org, year, reader);
  // One row per org, its committee's rating beside it.
  std::vector<std::string> order;
  std::map<std::string, const v1::RatingView*> org_views;
  std::map<std::string, const v1::RatingView*> committee_views;
  LevelCounts orgs;
  LevelCounts committees;
  for (const v1::RatingView& view : ratings.ratings()) {
    const bool is_org = absl::StartsWith(view.subject(), "org/");
    const bool is_committee = absl::StartsWith(view.subject(), "committee/");
    if (!is_org && !is_committee) continue;
    const std::string id = view.subject().substr(view.subject().find('/') + 1);
    if (org_views.count(id) == 0 && committee_views.count(id) == 0) order.push_back(id);
    (is_org ? org_views : committee_views)[id] = &view;
    RATING_RETURN_IF_ERROR((is_org ? orgs : committees).Add(reader, dir, view, year));
  }
  auto describe = [](const v1::RatingView* view) -> std::string {
    if (view == nullptr) return "";
    if (view->status() == v1::RATING_STATUS_NOT_SUBJECT) return "Không xếp loại";
    if (view->status() == v1::RATING_STATUS_PENDING) return "Chưa xếp loại";
    return LevelVi(view->level());
  };
  auto note = [&](const v1::RatingView* view) -> std::string {
    if (view == nullptr) return "";
    if (view->status() == v1::RATING_STATUS_NOT_SUBJECT) return NotRatedReason(*view);
    if (IsFlag(view->status())) return std::string(RatingStatusNameVi(view->status()));
    return "";
  };
  Section detail;
  detail.columns = {{"STT", 4},
                    {"Tên tổ chức đảng", 22},
                    {"Loại hình", 14},
                    {"Xếp loại tổ chức đảng", 18},
                    {"Xếp loại tập thể cấp ủy", 18},
                    {"Ghi chú", 30}};
  for (const std::string& id : order) {
    const v1::RatingView* o = org_views.count(id) ? org_views[id] : nullptr;
    const v1::RatingView* c = committee_views.count(id) ? committee_views[id] : nullptr;
    const v1::OrgView* view = dir.Org(id);
    std::vector<std::string> notes;
    for (const std::string& n : {note(o), note(c)}) {
      if (!n.empty()) notes.push_back(n);
    }
    detail.rows.push_back(
        {Cell::Count(static_cast<int64_t>(detail.rows.size()) + 1), Cell::Text(dir.OrgName(id)),
         Cell::Text(view == nullptr ? "" : view->kind_name()), Cell::Text(describe(o)),
         Cell::Text(describe(c)), Cell::Text(absl::StrJoin(notes, "; "))});
  }
  Section summary;
  summary.heading = {"Tổng hợp"};
  summary.columns =
      CountColumns({{"STT", 4}, {"Đối tượng", 16}}, "Tổng số", "Số được xếp loại", true);
  std::vector<Cell> row = {Cell::Count(1), Cell::Text("Tổ chức đảng")};
  orgs.AppendCells(row, true);
  summary.rows.push_back(std::move(row));
  row = {Cell::Count(2), Cell::Text("Tập thể cấp ủy")};
  committees.AppendCells(row, true);
  summary.rows.push_back(std::move(row));
  form.sections = {std::move(detail), std::move(summary)};
  form.closing = {"Tỷ lệ (%) tính trên số được xếp loại."};
  orgs += committees;
  for (const std::string& d : orgs.documents) form.closing.push_back(absl::StrCat("Căn cứ: ", d));
  return form;
}

// The subjects an org's forms read: its ratings and those of every org below it.
absl::StatusOr<std::vector<v1::RatingView>> SubtreeRatings(FormReader& reader, const Directory& dir,
                                                           int year) {
  std::vector<v1::RatingView> out;
  std::set<std::string> seen;
  for (const v1::OrgView& o : dir.orgs()) {
    RATING_ASSIGN_OR_RETURN(v1::ListRatingsResponse ratings, reader.Ratings(o.id(), year));
    for (v1::RatingView& v : *ratings.mutable_ratings()) {
      if (seen.insert(v.subject()).second) out.push_back(std::move(v));
    }
  }
  return out;
}

absl::StatusOr<Form> Tally(FormReader& reader, const std::string& org, int year) {
  RATING_ASSIGN_OR_RETURN(Directory dir, Directory::Read(reader, org, year));
  RATING_ASSIGN_OR_RETURN(v1::ListBallotSessionsResponse sessions, reader.Sessions(org, year));
  Form form;
  form.code = "Biên bản kiểm phiếu";
  form.title = "BIÊN BẢN KIỂM PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG";
  form.preamble = Preamble(dir, org, year, reader);
  form.preamble.push_back(absl::StrCat("Số phiên bỏ phiếu: ", sessions.sessions_size()));
  for (const v1::BallotSessionView& session : sessions.sessions()) {
    const std::string& id = session.session();
    RATING_ASSIGN_OR_RETURN(v1::TallyMinutes minutes, reader.Tally(id));
    Section s;
    s.heading = {absl::StrCat("Phiên bỏ phiếu: ", id),
                 absl::StrCat("Số phiếu phát ra: ", minutes.issued(), "; số phiếu thu vào: ",
                              minutes.returned(), "; số phiếu hợp lệ: ", minutes.valid(),
                              "; số phiếu không hợp lệ: ", minutes.invalid()),
                 absl::StrCat("Số lượng tối đa được xếp loại ", LevelVi(v1::LEVEL_HTXSNV),
                              " (R-QUOTA): ", minutes.quota())};
    if (minutes.void_rows() > 0) {
      s.heading.push_back(
          absl::StrCat("Số dòng đánh giá không hợp lệ (đánh nhiều mức): ", minutes.void_rows()));
    }
    if (minutes.from_totals()) {
      s.heading.push_back("Theo số liệu tổng hợp của tổ kiểm phiếu");
    }
    for (const v1::InvalidBallot& b : minutes.invalid_ballots()) {
      s.heading.push_back(absl::StrCat("Phiếu không hợp lệ số ", b.serial(), ": ", b.reason(), " (",
                                       b.rule_id(), ")"));
    }
    for (const v1::InvalidBallotTotalView& b : minutes.invalid_totals()) {
      s.heading.push_back(absl::StrCat("Số phiếu không hợp lệ vì ", b.reason(), ": ", b.count(),
                                       " (", b.rule_id(), ")"));
    }
    s.columns = {{"STT", 4}, {"Họ và tên", 20}, {"Đối tượng", 14}};
    for (v1::Level level : kLevels) {
      s.columns.push_back({absl::StrCat(LevelVi(level), " - Số phiếu"), 8});
      s.columns.push_back({absl::StrCat(LevelVi(level), " - Tỷ lệ (%)"), 8});
    }
    s.columns.push_back({"Kết quả", 16});
    s.columns.push_back({"Ghi chú", 16});
    for (const v1::SubjectTally& t : minutes.subjects()) {
      std::vector<Cell> row = {Cell::Count(static_cast<int64_t>(s.rows.size()) + 1),
                               Cell::Text(dir.SubjectName(t.subject())), Cell::Text(t.subject())};
      for (int32_t votes : {t.htxsnv(), t.httnv(), t.htnv(), t.khtnv()}) {
        row.push_back(Cell::Count(votes));
        row.push_back(Cell::Text(Percent(votes, minutes.valid())));
      }
      row.push_back(Cell::Text(t.level_name()));
      row.push_back(Cell::Text(t.tie_at_quota() ? "Bằng phiếu tại giới hạn tỷ lệ: cấp có thẩm "
                                                  "quyền quyết định"
                                                : ""));
      s.rows.push_back(std::move(row));
    }
    form.sections.push_back(std::move(s));
  }
  form.closing = {"Tỷ lệ (%) tính trên số phiếu hợp lệ (R-BAL-2)."};
  return form;
}

absl::StatusOr<Form> Qd01(FormReader& reader, const std::string& org, int year) {
  RATING_ASSIGN_OR_RETURN(Directory dir, Directory::Read(reader, org, year));
  RATING_ASSIGN_OR_RETURN(std::vector<v1::RatingView> views, SubtreeRatings(reader, dir, year));
  Form form;
  form.code = "Biểu mẫu QĐ 01";
  form.title =
      "QUYẾT ĐỊNH VỀ VIỆC HỦY BỎ KẾT QUẢ XẾP LOẠI CHẤT LƯỢNG CŨ VÀ CÔNG NHẬN KẾT QUẢ XẾP LOẠI MỚI";
  form.preamble = Preamble(dir, org, year, reader);
  Section s;
  s.columns = {{"STT", 4},
               {"Họ và tên / Tên tổ chức", 18},
               {"Đối tượng", 12},
               {"Kết quả xếp loại cũ (hủy bỏ)", 14},
               {"Kết quả xếp loại mới (công nhận)", 14},
               {"Số quyết định", 10},
               {"Ngày quyết định", 9},
               {"Người ký", 18},
               {"Căn cứ", 14},
               {"Nội dung vi phạm, lý do", 22}};
  std::set<std::string> grounds = {"R-RETRO-2"};
  std::map<uint64_t, std::vector<Cell>> rows;  // By position, so that QĐ 01 are in log order.
  for (const v1::RatingView& view : views) {
    if (view.decided_at_position() == 0) continue;
    RATING_ASSIGN_OR_RETURN(auto history, reader.History(view.subject(), year));
    const v1::RatingFlagged* flag = nullptr;
    for (const v1::HistoryEntry& e : history) {
      if (e.event().has_rating_flagged()) flag = &e.event().rating_flagged();
      if (!e.event().has_rerated()) continue;
      const v1::Rerated& r = e.event().rerated();
      std::vector<std::string> rules = {"IV.9", "R-RETRO-2"};
      std::string reason;
      if (flag != nullptr) {
        for (const std::string& rule : flag->rules()) {
          if (std::find(rules.begin(), rules.end(), rule) == rules.end()) rules.push_back(rule);
          grounds.insert(rule);
        }
        reason = flag->reason();
      }
      if (!r.rerating().override_reason().empty()) {
        reason = absl::StrCat(reason, reason.empty() ? "" : "; ",
                              "Lý do: ", r.rerating().override_reason());
      }
      rows[e.position()] = {Cell::Text(dir.SubjectName(r.rerating().subject())),
                            Cell::Text(r.rerating().subject()),
                            Cell::Text(LevelVi(r.previous_level())),
                            Cell::Text(LevelVi(r.rerating().level())),
                            Cell::Text(r.rerating().decision_no()),
                            Cell::Text(r.rerating().decided_on()),
                            Cell::Text(r.rerating().signer()),
                            Cell::Text(absl::StrJoin(rules, ", ")),
                            Cell::Text(reason)};
      flag = nullptr;
    }
  }
  for (auto& [position, cells] : rows) {
    cells.insert(cells.begin(), Cell::Count(static_cast<int64_t>(s.rows.size()) + 1));
    s.rows.push_back(std::move(cells));
  }
  form.preamble.push_back("Căn cứ:");
  form.preamble.push_back(absl::StrCat("- ", kPointIv9, " (IV.9);"));
  for (const std::string& rule : grounds) {
    const std::string_view text = rules::RuleNameVi(rule);
    form.preamble.push_back(
        absl::StrCat("- ", rule, ": ", text.empty() ? rule : std::string(text), ";"));
  }
  form.preamble.push_back(absl::StrCat("Số trường hợp xếp loại lại: ", s.rows.size()));
  form.sections.push_back(std::move(s));
  form.closing = {
      "Hủy bỏ kết quả xếp loại chất lượng cũ và công nhận kết quả xếp loại mới đối với các "
      "trường hợp trên; hủy bỏ các nội dung khen thưởng dựa trên kết quả cũ, trừ khi kết quả "
      "mới vẫn là Hoàn thành xuất sắc nhiệm vụ (R-REW-1)."};
  return form;
}

absl::StatusOr<Form> Overrides(FormReader& reader, const std::string& org, int year) {
  RATING_ASSIGN_OR_RETURN(Directory dir, Directory::Read(reader, org, year));
  RATING_ASSIGN_OR_RETURN(v1::ListOverridesResponse overrides, reader.Overrides(year));
  Form form;
  form.code = "Danh sách quyết định vượt quy định";
  form.title = "DANH SÁCH QUYẾT ĐỊNH XẾP LOẠI VƯỢT QUY ĐỊNH CÓ NÊU LÝ DO (R-DEC-2)";
  form.preamble = Preamble(dir, org, year, reader);
  Section s;
  s.columns = {{"STT", 4},
               {"Loại văn bản", 12},
               {"Số quyết định", 10},
               {"Họ và tên / Tên tổ chức", 18},
               {"Đối tượng", 12},
               {"Mức xếp loại", 14},
               {"Quy định bị vượt", 14},
               {"Lý do", 24},
               {"Vị trí sổ", 7},
               {"Người ghi", 9}};
  for (const v1::OverrideRecord& o : overrides.overrides()) {
    for (const v1::SubjectLevel& rating : o.ratings()) {
      if (!dir.Covers(rating.subject())) continue;
      std::vector<std::string> forced;
      for (const v1::Breach& b : o.forced()) {
        if (b.subject().empty() || b.subject() == rating.subject()) forced.push_back(b.rule_id());
      }
      if (forced.empty()) forced.assign(o.overridden_rules().begin(), o.overridden_rules().end());
      forced.erase(std::unique(forced.begin(), forced.end()), forced.end());
      s.rows.push_back(
          {Cell::Count(static_cast<int64_t>(s.rows.size()) + 1),
           Cell::Text(o.kind() == "rerating" ? "Quyết định QĐ 01" : "Quyết định xếp loại"),
           Cell::Text(o.decision_no()), Cell::Text(dir.SubjectName(rating.subject())),
           Cell::Text(rating.subject()), Cell::Text(LevelVi(rating.level())),
           Cell::Text(absl::StrJoin(forced, ", ")), Cell::Text(o.reason()),
           Cell::Count(static_cast<int64_t>(o.position())), Cell::Text(o.actor())});
    }
  }
  form.preamble.push_back(absl::StrCat("Số trường hợp: ", s.rows.size()));
  form.sections.push_back(std::move(s));
  return form;
}

absl::StatusOr<Form> LateDossiers(FormReader& reader, const std::string& org, int year) {
  RATING_ASSIGN_OR_RETURN(Directory dir, Directory::Read(reader, org, year));
  RATING_ASSIGN_OR_RETURN(v1::ListDossiersResponse dossiers, reader.Dossiers(year, true));
  Form form;
  form.code = "Danh sách hồ sơ nộp muộn";
  form.title = "DANH SÁCH TỔ CHỨC ĐẢNG NỘP HỒ SƠ ĐÁNH GIÁ, XẾP LOẠI MUỘN (R-DEADLINE)";
  form.preamble = Preamble(dir, org, year, reader);
  Section s;
  s.columns = {{"STT", 4},         {"Tên tổ chức đảng", 22},
               {"Mã tổ chức", 10}, {"Ngày nhận hồ sơ", 12},
               {"Hạn nộp", 12},    {"Số ngày muộn", 10}};
  for (const v1::DossierView& d : dossiers.dossiers()) {
    if (dir.Org(d.org()) == nullptr) continue;
    auto on = rules::ParseDate(d.submitted_on());
    auto due = rules::ParseDate(d.due());
    int64_t late_days = 0;
    if (on.ok() && due.ok()) late_days = *on - *due;
    s.rows.push_back({Cell::Count(static_cast<int64_t>(s.rows.size()) + 1),
                      Cell::Text(dir.OrgName(d.org())), Cell::Text(d.org()),
                      Cell::Text(d.submitted_on()), Cell::Text(d.due()), Cell::Count(late_days)});
  }
  form.preamble.push_back(absl::StrCat("Số tổ chức đảng nộp muộn: ", s.rows.size()));
  form.sections.push_back(std::move(s));
  form.closing = {"Hồ sơ nhận vào ngày hạn nộp hoặc sau đó là nộp muộn (R-DEADLINE)."};
  return form;
}

}  // namespace

const std::vector<std::string>& FormNames() {
  static const auto* const names =
      new std::vector<std::string>{"bth02", "bth03", "tally", "qd01", "overrides", "late-dossiers"};
  return *names;
}

absl::StatusOr<Form> BuildForm(FormReader& reader, const std::string& name, const std::string& org,
                               int year) {
  if (name == "bth02") return Bth02(reader, org, year);
  if (name == "bth03") return Bth03(reader, org, year);
  if (name == "tally") return Tally(reader, org, year);
  if (name == "qd01") return Qd01(reader, org, year);
  if (name == "overrides") return Overrides(reader, org, year);
  if (name == "late-dossiers") return LateDossiers(reader, org, year);
  return absl::InvalidArgumentError(
      absl::StrCat("form \"", name, "\" is not one of ", absl::StrJoin(FormNames(), ", ")));
}

}  // namespace rating::cli::forms
