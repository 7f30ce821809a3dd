// The pieces the guideline's forms share (form_builders.cc): the levels in the forms' order,
// the names of an org's units and members, counts per level, column and preamble layouts, and
// the decisions and rulings a rating's history shows. Internal to cli/forms.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/names.h"
#include "cli/forms/form.h"
#include "cli/forms/form_reader.h"
#include "common/status_macros.h"

namespace rating::cli::forms {

// The four levels in the forms' column order.
inline constexpr std::array<v1::Level, 4> kLevels = {v1::LEVEL_HTXSNV, v1::LEVEL_HTTNV,
                                                     v1::LEVEL_HTNV, v1::LEVEL_KHTNV};

// The level's index in kLevels, or -1; its Vietnamese name.
int LevelIndex(v1::Level level);
std::string LevelVi(v1::Level level);

// Guideline point IV.9, the ground of every QĐ 01.
inline constexpr char kPointIv9[] =
    "Điểm 9, Mục IV Hướng dẫn: tổ chức đảng, đảng viên có khuyết điểm vi phạm xảy ra từ năm "
    "trước nhưng đến năm đánh giá mới bị cấp có thẩm quyền quyết định thi hành kỷ luật (hoặc "
    "tăng nặng hình thức kỷ luật) thì cấp ủy cấp trên trực tiếp đánh giá, xếp loại lại tại thời "
    "điểm xảy ra khuyết điểm, vi phạm, ra quyết định hủy bỏ kết quả xếp loại cũ và công nhận kết "
    "quả xếp loại mới (Biểu mẫu QĐ 01); hủy bỏ các nội dung về khen thưởng";

// Names of the orgs and members an org's forms speak of.
class Directory {
 public:
  static absl::StatusOr<Directory> Read(FormReader& reader, const std::string& org, int year) {
    Directory d;
    RATING_ASSIGN_OR_RETURN(d.orgs_, reader.OrgsUnder(org, year));
    RATING_ASSIGN_OR_RETURN(d.members_, reader.MembersUnder(org, year));
    for (size_t i = 0; i < d.orgs_.size(); ++i) d.org_index_[d.orgs_[i].id()] = i;
    for (size_t i = 0; i < d.members_.size(); ++i) d.member_index_[d.members_[i].id()] = i;
    return d;
  }

  const std::vector<v1::OrgView>& orgs() const { return orgs_; }
  const std::vector<v1::MemberView>& members() const { return members_; }
  const v1::OrgView* Org(const std::string& id) const {
    auto it = org_index_.find(id);
    return it == org_index_.end() ? nullptr : &orgs_[it->second];
  }
  const v1::MemberView* Member(const std::string& id) const {
    auto it = member_index_.find(id);
    return it == member_index_.end() ? nullptr : &members_[it->second];
  }
  std::string OrgName(const std::string& id) const {
    const v1::OrgView* o = Org(id);
    return o == nullptr || o->name().empty() ? id : o->name();
  }
  std::string MemberName(const std::string& id) const {
    const v1::MemberView* m = Member(id);
    return m == nullptr || m->name().empty() ? id : m->name();
  }
  // The subject as a reader names it: a member's or org's name, "Tập thể cấp ủy ...".
  std::string SubjectName(const std::string& subject) const {
    const size_t slash = subject.find('/');
    if (slash == std::string::npos) return subject;
    const std::string kind = subject.substr(0, slash);
    const std::string id = subject.substr(slash + 1);
    if (kind == "member") return MemberName(id);
    if (kind == "leader") return absl::StrCat(MemberName(id), " (cán bộ lãnh đạo, quản lý)");
    if (kind == "org") return OrgName(id);
    if (kind == "committee") return absl::StrCat("Tập thể cấp ủy ", OrgName(id));
    return subject;
  }
  // True when the subject belongs to the org or one below it (people by their org).
  bool Covers(const std::string& subject) const {
    const size_t slash = subject.find('/');
    if (slash == std::string::npos) return false;
    const std::string kind = subject.substr(0, slash);
    const std::string id = subject.substr(slash + 1);
    if (kind == "member" || kind == "leader") return Member(id) != nullptr;
    return Org(id) != nullptr;
  }

 private:
  std::vector<v1::OrgView> orgs_;
  std::vector<v1::MemberView> members_;
  std::map<std::string, size_t> org_index_;
  std::map<std::string, size_t> member_index_;
};

// The Vietnamese reasons a subject is not rated: the findings that hold.
std::string NotRatedReason(const v1::RatingView& view);

// True for the statuses of a flagged decided rating (R-RETRO-1, R-RETRO-3).
bool IsFlag(v1::RatingStatus status);

// The person a subject names ("m1" for member/m1 and leader/m1), or "" for an org.
std::string PersonOf(const std::string& subject);

// "số 05-QĐ/CB ngày 2025-12-20, người ký: ..." for a document with any of the three; "".
std::string DocumentText(const std::string& number, const std::string& on,
                         const std::string& signer);

// True when the subject's history holds a discipline ruling on the subject itself (a ruling
// on a person reaches both member/ID and leader/ID). Adds to `documents` the number, date and
// signer of the decision or QĐ 01 at `decided_at` (the one that set the current level).
absl::StatusOr<bool> Disciplined(FormReader& reader, const std::string& subject, int year,
                                 uint64_t decided_at, std::set<std::string>& documents);

// Counts of one group of ratings (a unit's members; orgs; committees).
struct LevelCounts {
  int64_t total = 0;
  std::array<int64_t, 4> levels = {};
  int64_t pending = 0;
  int64_t not_subject = 0;
  int64_t disciplined = 0;
  std::vector<std::string> not_rated;  // "Name: reason".
  std::vector<std::string> notes;
  std::set<std::string> documents;  // The decisions that set the levels (DocumentText).

  int64_t rated() const { return levels[0] + levels[1] + levels[2] + levels[3]; }

  absl::Status Add(FormReader& reader, const Directory& dir, const v1::RatingView& view, int year) {
    ++total;
    const std::string name = dir.SubjectName(view.subject());
    if (view.status() == v1::RATING_STATUS_NOT_SUBJECT) {
      ++not_subject;
      not_rated.push_back(absl::StrCat(name, ": ", NotRatedReason(view)));
    } else if (view.status() == v1::RATING_STATUS_PENDING) {
      ++pending;
    } else if (int i = LevelIndex(view.level()); i >= 0) {
      ++levels[static_cast<size_t>(i)];
      if (IsFlag(view.status())) {
        notes.push_back(absl::StrCat(name, ": ", RatingStatusNameVi(view.status())));
      }
    }
    RATING_ASSIGN_OR_RETURN(const bool ruled, Disciplined(reader, view.subject(), year,
                                                          view.decided_at_position(), documents));
    if (ruled) ++disciplined;
    return absl::OkStatus();
  }

  void operator+=(const LevelCounts& o) {
    total += o.total;
    for (size_t i = 0; i < levels.size(); ++i) levels[i] += o.levels[i];
    pending += o.pending;
    not_subject += o.not_subject;
    disciplined += o.disciplined;
    documents.insert(o.documents.begin(), o.documents.end());
  }

  // The count cells: rated, then each level's count and percentage of those rated, pending,
  // not rated (count and reasons), disciplined.
  void AppendCells(std::vector<Cell>& row, bool with_reasons) const {
    row.push_back(Cell::Count(total));
    row.push_back(Cell::Count(rated()));
    for (int64_t n : levels) {
      row.push_back(Cell::Count(n));
      row.push_back(Cell::Text(Percent(n, rated())));
    }
    row.push_back(Cell::Count(pending));
    row.push_back(Cell::Count(not_subject));
    if (with_reasons) row.push_back(Cell::Text(absl::StrJoin(not_rated, "; ")));
    row.push_back(Cell::Count(disciplined));
  }
};

// The columns LevelCounts::AppendCells fills, after `lead`.
std::vector<Column> CountColumns(std::vector<Column> lead, const std::string& total_header,
                                 const std::string& rated_header, bool with_reasons);

// The lines above a form's table: the org, the year, and the log position read as of.
std::vector<std::string> Preamble(const Directory& dir, const std::string& org, int year,
                                  const FormReader& reader);

}  // namespace rating::cli::forms
