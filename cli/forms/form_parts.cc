#include "cli/forms/form_parts.h"

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "cli/names.h"
#include "common/names.h"

namespace rating::cli::forms {

int LevelIndex(v1::Level level) {
  for (size_t i = 0; i < kLevels.size(); ++i) {
    if (kLevels[i] == level) return static_cast<int>(i);
  }
  return -1;
}

std::string LevelVi(v1::Level level) { return std::string(LevelNameVi(level)); }

// The Vietnamese reasons a subject is not rated: the findings that hold.
std::string NotRatedReason(const v1::RatingView& view) {
  std::vector<std::string> reasons;
  for (const v1::Finding& f : view.explanation()) {
    if (f.holds()) reasons.push_back(absl::StrCat(f.text_vi(), " (", f.rule_id(), ")"));
  }
  return absl::StrJoin(reasons, "; ");
}

bool IsFlag(v1::RatingStatus status) {
  return status == v1::RATING_STATUS_RERATING_REQUIRED ||
         status == v1::RATING_STATUS_RERATING_REVIEW ||
         status == v1::RATING_STATUS_REVIEW_SUGGESTED;
}

// The person a subject names ("m1" for member/m1 and leader/m1), or "" for an org.
std::string PersonOf(const std::string& subject) {
  for (const char* prefix : {"member/", "leader/"}) {
    if (absl::StartsWith(subject, prefix)) return subject.substr(7);
  }
  return "";
}

// "số 05-QĐ/CB ngày 2025-12-20, người ký: ..." for a document with any of the three; "".
std::string DocumentText(const std::string& number, const std::string& on,
                         const std::string& signer) {
  std::vector<std::string> parts;
  if (!number.empty()) parts.push_back(absl::StrCat("số ", number));
  if (!on.empty()) parts.push_back(absl::StrCat("ngày ", on));
  if (!signer.empty()) parts.push_back(absl::StrCat("người ký: ", signer));
  return absl::StrJoin(parts, ", ");
}

// True when the subject's history holds a discipline ruling on the subject itself (a ruling
// on a person reaches both member/ID and leader/ID). Adds to `documents` the number, date and
// signer of the decision or QĐ 01 at `decided_at` (the one that set the current level).
absl::StatusOr<bool> Disciplined(FormReader& reader, const std::string& subject, int year,
                                 uint64_t decided_at, std::set<std::string>& documents) {
  RATING_ASSIGN_OR_RETURN(auto history, reader.History(subject, year));
  bool ruled_on = false;
  for (const v1::HistoryEntry& e : history) {
    if (e.position() == decided_at && e.event().has_ratings_decided()) {
      const v1::Decision& d = e.event().ratings_decided().decision();
      const std::string text = DocumentText(d.decision_no(), d.decided_on(), d.signer());
      if (!text.empty()) documents.insert(absl::StrCat("Quyết định xếp loại ", text));
    }
    if (e.position() == decided_at && e.event().has_rerated()) {
      const v1::Rerating& r = e.event().rerated().rerating();
      documents.insert(absl::StrCat("Quyết định QĐ 01 ",
                                    DocumentText(r.decision_no(), r.decided_on(), r.signer())));
    }
    if (!e.event().has_discipline_ruled()) continue;
    const std::string& ruled = e.event().discipline_ruled().ruling().subject();
    if (ruled == subject || (!PersonOf(subject).empty() && PersonOf(ruled) == PersonOf(subject))) {
      ruled_on = true;
    }
  }
  return ruled_on;
}

// The columns LevelCounts::AppendCells fills, after `lead`.
std::vector<Column> CountColumns(std::vector<Column> lead, const std::string& total_header,
                                 const std::string& rated_header, bool with_reasons) {
  lead.push_back({total_header, 8});
  lead.push_back({rated_header, 8});
  for (v1::Level level : kLevels) {
    lead.push_back({absl::StrCat(LevelVi(level), " - Số lượng"), 8});
    lead.push_back({absl::StrCat(LevelVi(level), " - Tỷ lệ (%)"), 8});
  }
  lead.push_back({"Chưa xếp loại", 7});
  lead.push_back({"Không xếp loại - Số lượng", 7});
  if (with_reasons) lead.push_back({"Không xếp loại - Lý do", 22});
  lead.push_back({"Bị xử lý kỷ luật", 7});
  return lead;
}

std::vector<std::string> Preamble(const Directory& dir, const std::string& org, int year,
                                  const FormReader& reader) {
  std::vector<std::string> lines = {absl::StrCat("Đơn vị: ", dir.OrgName(org), " (", org, ")"),
                                    absl::StrCat("Năm đánh giá, xếp loại: ", year)};
  if (reader.as_of_position() != 0) {
    lines.push_back(absl::StrCat("Số liệu tại vị trí sổ: ", reader.as_of_position()));
  }
  return lines;
}

}  // namespace rating::cli::forms
