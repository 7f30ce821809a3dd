#include "cli/commands.h"

#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "cli/csv.h"
#include "cli/names.h"
#include "common/status_macros.h"

namespace rating::cli {
namespace {

// The server's Vietnamese name, or ours when it sends none.
std::string LevelName(v1::Level level, const std::string& server_name) {
  if (!server_name.empty()) return server_name;
  return std::string(LevelNameVi(level));
}

// "Hoàn thành tốt nhiệm vụ (HTTNV)", or "—" when unset.
std::string LevelText(v1::Level level, const std::string& server_name) {
  if (level == v1::LEVEL_UNSPECIFIED) return "—";
  return absl::StrCat(LevelName(level, server_name), " (", LevelCode(level), ")");
}

std::string FormatMicros(int64_t micros) {
  if (micros == 0) return "(không rõ thời điểm)";
  return absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", absl::FromUnixMicros(micros),
                          absl::UTCTimeZone());
}

}  // namespace

std::string FormatRatingView(const v1::RatingView& view) {
  std::string out;
  absl::StrAppend(&out, "Đối tượng: ", view.subject(), " — năm ", view.year(), "\n");
  const std::string status_name = view.status_name().empty()
                                      ? std::string(RatingStatusNameVi(view.status()))
                                      : view.status_name();
  absl::StrAppend(&out, "Trạng thái: ", status_name, " (", RatingStatusCode(view.status()), ")\n");
  absl::StrAppend(&out, "Mức xếp loại: ", LevelText(view.level(), view.level_name()), "\n");
  absl::StrAppend(&out, "Mức cao nhất được phép: ", LevelText(view.ceiling(), view.ceiling_name()));
  if (!view.ceiling_rule().empty()) absl::StrAppend(&out, " — theo ", view.ceiling_rule());
  absl::StrAppend(&out, "\n");
  if (view.proposed_level() != v1::LEVEL_UNSPECIFIED) {
    absl::StrAppend(&out, "Mức đề xuất: ", LevelText(view.proposed_level(), ""), "\n");
  }
  if (!view.override_reason().empty()) {
    absl::StrAppend(&out, "Lý do quyết định vượt mức: ", view.override_reason(), "\n");
  }
  // The Vietnamese names the server sends, else the codes.
  const auto& missing =
      view.missing_inputs_vi().empty() ? view.missing_inputs() : view.missing_inputs_vi();
  if (!missing.empty()) absl::StrAppend(&out, "Còn thiếu: ", absl::StrJoin(missing, ", "), "\n");
  for (const std::string& note : view.notes_vi().empty() ? view.notes() : view.notes_vi()) {
    absl::StrAppend(&out, "Ghi chú: ", note, "\n");
  }
  if (view.decided_at_position() != 0) {
    absl::StrAppend(&out, "Quyết định tại vị trí: ", view.decided_at_position(), "\n");
  }
  absl::StrAppend(&out, "Giải trình:\n");
  if (view.explanation().empty()) absl::StrAppend(&out, "  (không có)\n");
  for (const v1::Finding& finding : view.explanation()) {
    const std::string& text = finding.text_vi().empty() ? finding.text_en() : finding.text_vi();
    // A holding finding is what the rating rests on; a failing one, a condition not met.
    absl::StrAppend(&out, "  [", finding.rule_id(), "] ", finding.holds() ? "căn cứ" : "chưa đạt",
                    ": ", text, "\n");
  }
  return out;
}

std::string RatingsCsv(const v1::ListRatingsResponse& response) {
  std::string out = CsvRecord({"subject", "year", "status", "level", "level_name", "ceiling"});
  for (const v1::RatingView& view : response.ratings()) {
    out += CsvRecord(
        {view.subject(), absl::StrCat(view.year()), RatingStatusCode(view.status()),
         LevelCode(view.level()),
         view.level() == v1::LEVEL_UNSPECIFIED ? "" : LevelName(view.level(), view.level_name()),
         LevelCode(view.ceiling())});
  }
  return out;
}

std::string FormatHistory(const std::string& subject, int year,
                          const v1::GetHistoryResponse& history) {
  std::ostringstream out;
  out << "Lịch sử " << subject << " năm " << year << " (" << history.entries_size()
      << " sự kiện):\n";
  for (const v1::HistoryEntry& entry : history.entries()) {
    out << "#" << entry.position() << "  " << FormatMicros(entry.recorded_at_micros()) << "  "
        << (entry.actor().empty() ? "(hệ thống)" : entry.actor()) << "  " << entry.kind();
    if (!entry.valid_date().empty()) out << "  ngày " << entry.valid_date();
    if (!entry.summary().empty()) out << "  — " << entry.summary();
    out << "\n";
  }
  return out.str();
}

std::string FormatTally(const v1::TallyMinutes& tally) {
  std::ostringstream out;
  out << "Biên bản kiểm phiếu " << tally.session() << " — " << tally.org() << ", năm "
      << tally.year() << "\n";
  out << "Phát ra: " << tally.issued() << ", thu về: " << tally.returned()
      << ", hợp lệ: " << tally.valid() << ", không hợp lệ: " << tally.invalid()
      << ", chỉ tiêu HTXSNV: " << tally.quota() << ", dòng bị hủy: " << tally.void_rows() << "\n";
  if (tally.from_totals()) out << "Theo số liệu tổng hợp của tổ kiểm phiếu\n";
  for (const v1::InvalidBallot& ballot : tally.invalid_ballots()) {
    out << "  Phiếu không hợp lệ " << ballot.serial() << " [" << ballot.rule_id()
        << "]: " << ballot.reason() << "\n";
  }
  for (const v1::InvalidBallotTotalView& total : tally.invalid_totals()) {
    out << "  Phiếu không hợp lệ: " << total.count() << " phiếu [" << total.rule_id()
        << "]: " << total.reason() << "\n";
  }
  for (const v1::SubjectTally& row : tally.subjects()) {
    out << "  " << row.subject() << ": HTXSNV " << row.htxsnv() << ", HTTNV " << row.httnv()
        << ", HTNV " << row.htnv() << ", KHTNV " << row.khtnv() << " → ";
    if (row.tie_at_quota()) {
      out << "bằng phiếu tại ngưỡng chỉ tiêu (TIE_AT_QUOTA), cấp có thẩm quyền quyết định";
    } else {
      out << LevelText(row.level(), row.level_name());
    }
    out << "\n";
  }
  return out.str();
}

absl::Status ShowRating(Client& client, const std::string& token, const std::string& subject,
                        int year, std::ostream& out) {
  v1::GetRatingRequest request;
  request.set_subject(subject);
  request.set_year(year);
  RATING_ASSIGN_OR_RETURN(v1::RatingView view, client.GetRating(request, token));
  out << FormatRatingView(view);
  return absl::OkStatus();
}

absl::Status ShowHistory(Client& client, const std::string& token, const std::string& subject,
                         int year, std::ostream& out) {
  v1::GetHistoryRequest request;
  request.set_subject(subject);
  request.set_year(year);
  RATING_ASSIGN_OR_RETURN(v1::GetHistoryResponse history, client.GetHistory(request, token));
  out << FormatHistory(subject, year, history);
  return absl::OkStatus();
}

absl::Status ShowTally(Client& client, const std::string& token, const std::string& session,
                       std::ostream& out) {
  v1::GetTallyRequest request;
  request.set_session(session);
  RATING_ASSIGN_OR_RETURN(v1::TallyMinutes tally, client.GetTally(request, token));
  out << FormatTally(tally);
  return absl::OkStatus();
}

absl::Status VerifyChain(Client& client, const std::string& token, std::ostream& out) {
  RATING_ASSIGN_OR_RETURN(v1::VerifyChainResponse verify,
                          client.VerifyChain(v1::VerifyChainRequest(), token));
  if (!verify.ok()) {
    out << "Chuỗi băm KHÔNG hợp lệ tại vị trí " << verify.first_bad_position() << ": "
        << verify.message() << "\n";
    return absl::DataLossError(
        absl::StrCat("hash chain broken at position ", verify.first_bad_position()));
  }
  out << "Chuỗi băm hợp lệ: " << verify.checked() << " sự kiện, đỉnh " << verify.head_position()
      << " " << verify.head_hash() << "\n";
  return absl::OkStatus();
}

absl::Status Backup(Client& client, const std::string& token, const std::string& dir,
                    std::ostream& out) {
  v1::BackupRequest request;
  request.set_dir(dir);
  RATING_ASSIGN_OR_RETURN(v1::BackupResponse backup, client.Backup(request, token));
  out << "backup " << backup.dir() << ": head " << backup.head_position() << " "
      << backup.head_hash() << " (" << backup.verified_events()
      << " events verified since the last mark)\n";
  return absl::OkStatus();
}

absl::Status ExportCsv(Client& client, const std::string& token, const std::string& org, int year,
                       std::ostream& out) {
  v1::ListRatingsRequest request;
  request.set_org(org);
  request.set_year(year);
  RATING_ASSIGN_OR_RETURN(v1::ListRatingsResponse ratings, client.ListRatings(request, token));
  out << RatingsCsv(ratings);
  return absl::OkStatus();
}

absl::Status ListPrincipals(Client& client, const std::string& token, std::ostream& out) {
  RATING_ASSIGN_OR_RETURN(v1::ListPrincipalsResponse list, client.ListPrincipals(token));
  for (const v1::Principal& principal : list.principals()) {
    out << principal.id() << "\t" << absl::AsciiStrToLower(RoleCode(principal.role())) << "\t"
        << principal.scope() << (principal.revoked() ? "\trevoked" : "") << "\n";
  }
  return absl::OkStatus();
}

absl::Status CreatePrincipal(Client& client, const std::string& token, const std::string& id,
                             const std::string& role, const std::string& scope, std::ostream& out) {
  absl::StatusOr<v1::Role> parsed = ParseRole(role);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("role: ", parsed.status().message()));
  }
  v1::CreatePrincipalRequest request;
  request.mutable_principal()->set_id(id);
  request.mutable_principal()->set_role(*parsed);
  request.mutable_principal()->set_scope(scope);
  RATING_ASSIGN_OR_RETURN(v1::CreatePrincipalResponse response,
                          client.CreatePrincipal(request, token));
  out << "created " << response.principal().id() << " ("
      << absl::AsciiStrToLower(RoleCode(response.principal().role())) << " "
      << response.principal().scope() << ")\n"
      << "token (shown once): " << response.token() << "\n";
  return absl::OkStatus();
}

}  // namespace rating::cli
