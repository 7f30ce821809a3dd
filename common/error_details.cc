#include "common/error_details.h"

#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/phrases_vi.h"

namespace rating::common {
namespace {

// The payload WithYear sets (never sent: DetailsOf reads it into the ErrorInfo).
constexpr char kYearUrl[] = "rating.v1/refusal-year";
constexpr int kMaxViolations = 8;

// A field violation as people read it: its Vietnamese, else its description.
std::string DescriptionForPeople(const google::rpc::BadRequest::FieldViolation& v) {
  if (v.has_localized_message() && !v.localized_message().message().empty()) {
    return v.localized_message().message();
  }
  return FieldDescriptionVi(v.description());
}
constexpr size_t kMaxDescriptionBytes = 120;
constexpr size_t kMaxDetailsMessageBytes = 512;
constexpr size_t kMaxLocalizedHeadBytes = 240;

bool IsUpperAlnum(char c) { return absl::ascii_isupper(c) || absl::ascii_isdigit(c); }

// The rule ids a message names, in order, each once: "R-" then groups of [A-Z0-9] joined by
// "-" ("R-DEC-2", "R-COM-CAP"), not inside a longer word. Only known ones when `namer` is set.
std::vector<std::string> RuleIdsIn(absl::string_view text, RuleNamer namer) {
  std::vector<std::string> ids;
  std::set<std::string> seen;
  for (size_t i = 0; i + 2 < text.size(); ++i) {
    if (text[i] != 'R' || text[i + 1] != '-' || !IsUpperAlnum(text[i + 2])) continue;
    if (i > 0 && (absl::ascii_isalnum(text[i - 1]) || text[i - 1] == '-')) continue;
    size_t end = i + 2;
    while (end < text.size()) {
      if (IsUpperAlnum(text[end])) {
        ++end;
      } else if (text[end] == '-' && end + 1 < text.size() && IsUpperAlnum(text[end + 1])) {
        ++end;
      } else {
        break;
      }
    }
    std::string id(text.substr(i, end - i));
    i = end;
    if (namer != nullptr && namer(id).empty()) continue;
    if (seen.insert(id).second) ids.push_back(std::move(id));
  }
  return ids;
}

bool IsIdChar(char c) { return absl::ascii_isalnum(c) || c == '.' || c == '_' || c == '-'; }

// The first subject a message names ("member/m1", "org/c1", "committee/c1", "leader/m2").
std::string FirstSubjectIn(absl::string_view text) {
  size_t best = absl::string_view::npos;
  std::string found;
  for (absl::string_view kind : {"member/", "org/", "committee/", "leader/"}) {
    for (size_t at = text.find(kind); at != absl::string_view::npos && at < best;
         at = text.find(kind, at + kind.size())) {
      if (at > 0 && absl::ascii_isalnum(text[at - 1])) continue;  // Inside a longer word.
      size_t end = at + kind.size();
      while (end < text.size() && IsIdChar(text[end])) ++end;
      // An id does not end with the sentence's punctuation.
      while (end > at + kind.size() && (text[end - 1] == '.' || text[end - 1] == '-')) --end;
      if (end == at + kind.size()) continue;
      best = at;
      found = std::string(text.substr(at, end - at));
      break;
    }
  }
  return found;
}

// The field path a message opens with ("ratings[2].level: ..."), or "".
std::string LeadingFieldPath(absl::string_view message) {
  const size_t colon = message.find(": ");
  if (colon == absl::string_view::npos || colon == 0) return "";
  const absl::string_view path = message.substr(0, colon);
  if (!absl::ascii_isalpha(path[0]) && path[0] != '_') return "";
  for (char c : path) {
    if (!(absl::ascii_isalnum(c) || c == '_' || c == '.' || c == '[' || c == ']')) return "";
  }
  return std::string(path);
}

std::string CodeName(absl::StatusCode code) {
  // absl's names are "FAILED_PRECONDITION"-like already, in upper case with underscores.
  return absl::AsciiStrToUpper(absl::StatusCodeToString(code));
}

// `text` cut to at most `max_bytes` bytes on a UTF-8 character boundary, "..." marking a cut.
std::string Cut(absl::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  size_t end = max_bytes - 3;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return absl::StrCat(text.substr(0, end), "...");
}

// Keeps the details within kMaxViolations violations of kMaxDescriptionBytes each (the whole
// status travels in one trailer, and clients refuse trailers over 8 KiB by default); the
// ErrorInfo's metadata "violations" then says how many there were.
void Bound(google::rpc::Status& details, google::rpc::ErrorInfo& info) {
  for (google::protobuf::Any& any : *details.mutable_details()) {
    if (any.Is<google::rpc::PreconditionFailure>()) {
      google::rpc::PreconditionFailure failure;
      any.UnpackTo(&failure);
      if (failure.violations_size() > kMaxViolations) {
        (*info.mutable_metadata())["violations"] = absl::StrCat(failure.violations_size());
        failure.mutable_violations()->DeleteSubrange(kMaxViolations,
                                                     failure.violations_size() - kMaxViolations);
      }
      for (auto& v : *failure.mutable_violations()) {
        v.set_description(Cut(v.description(), kMaxDescriptionBytes));
      }
      any.PackFrom(failure);
    } else if (any.Is<google::rpc::BadRequest>()) {
      google::rpc::BadRequest bad;
      any.UnpackTo(&bad);
      if (bad.field_violations_size() > kMaxViolations) {
        bad.mutable_field_violations()->DeleteSubrange(
            kMaxViolations, bad.field_violations_size() - kMaxViolations);
      }
      for (auto& v : *bad.mutable_field_violations()) {
        v.set_description(Cut(v.description(), kMaxDescriptionBytes));
      }
      any.PackFrom(bad);
    }
  }
}

template <typename T>
bool HasDetail(const google::rpc::Status& details) {
  for (const google::protobuf::Any& any : details.details()) {
    if (any.Is<T>()) return true;
  }
  return false;
}

}  // namespace

absl::string_view CodeNameVi(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return "Thành công";
    case absl::StatusCode::kCancelled:
      return "Đã hủy";
    case absl::StatusCode::kUnknown:
      return "Lỗi không xác định";
    case absl::StatusCode::kInvalidArgument:
      return "Yêu cầu không hợp lệ";
    case absl::StatusCode::kDeadlineExceeded:
      return "Quá thời hạn chờ";
    case absl::StatusCode::kNotFound:
      return "Không tìm thấy";
    case absl::StatusCode::kAlreadyExists:
      return "Đã tồn tại";
    case absl::StatusCode::kPermissionDenied:
      return "Không có thẩm quyền";
    case absl::StatusCode::kResourceExhausted:
      return "Vượt quá giới hạn";
    case absl::StatusCode::kFailedPrecondition:
      return "Quy định không cho phép";
    case absl::StatusCode::kAborted:
      return "Xung đột ghi: đọc lại rồi thử lại";
    case absl::StatusCode::kOutOfRange:
      return "Vượt quá phạm vi";
    case absl::StatusCode::kUnimplemented:
      return "Chưa hỗ trợ";
    case absl::StatusCode::kInternal:
      return "Lỗi nội bộ";
    case absl::StatusCode::kUnavailable:
      return "Máy chủ tạm thời không phục vụ";
    case absl::StatusCode::kDataLoss:
      return "Dữ liệu hỏng";
    case absl::StatusCode::kUnauthenticated:
      return "Chưa xác thực";
    default:
      return "Lỗi";
  }
}

absl::Status WithDetails(absl::Status status, google::rpc::Status details) {
  if (status.ok()) return status;
  details.set_code(static_cast<int>(status.code()));
  details.set_message(std::string(status.message()));
  status.SetPayload(kStatusDetailsUrl, absl::Cord(details.SerializeAsString()));
  return status;
}

absl::Status WithYear(absl::Status status, int year) {
  if (status.ok() || year == 0) return status;
  status.SetPayload(kYearUrl, absl::Cord(absl::StrCat(year)));
  return status;
}

std::optional<google::rpc::Status> AttachedDetails(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kStatusDetailsUrl);
  if (!payload) return std::nullopt;
  google::rpc::Status details;
  if (!details.ParseFromString(std::string(*payload))) return std::nullopt;
  return details;
}

absl::Status RuleRefusal(absl::StatusCode code, absl::string_view message,
                         const std::vector<RuleBreach>& breaches, int year) {
  google::rpc::Status details;
  google::rpc::ErrorInfo info;
  info.set_domain(kErrorDomain);
  info.set_reason(breaches.empty() ? CodeName(code) : breaches.front().rule_id);
  if (!breaches.empty() && !breaches.front().subject.empty()) {
    (*info.mutable_metadata())["subject"] = breaches.front().subject;
  }
  if (year != 0) (*info.mutable_metadata())["year"] = absl::StrCat(year);
  details.add_details()->PackFrom(info);
  if (!breaches.empty()) {
    google::rpc::PreconditionFailure failure;
    for (const RuleBreach& breach : breaches) {
      google::rpc::PreconditionFailure::Violation* v = failure.add_violations();
      v->set_type(breach.rule_id);
      v->set_subject(breach.subject);
      v->set_description(breach.description);
    }
    details.add_details()->PackFrom(failure);
  }
  return WithDetails(absl::Status(code, message), std::move(details));
}

absl::Status FieldRefusal(absl::string_view field, absl::string_view description) {
  google::rpc::Status details;
  google::rpc::ErrorInfo info;
  info.set_domain(kErrorDomain);
  info.set_reason(CodeName(absl::StatusCode::kInvalidArgument));
  (*info.mutable_metadata())["field"] = std::string(field);
  details.add_details()->PackFrom(info);
  google::rpc::BadRequest bad;
  google::rpc::BadRequest::FieldViolation* v = bad.add_field_violations();
  v->set_field(std::string(field));
  v->set_description(std::string(description));
  details.add_details()->PackFrom(bad);
  return WithDetails(absl::InvalidArgumentError(absl::StrCat(field, ": ", description)),
                     std::move(details));
}

google::rpc::Status DetailsOf(const absl::Status& status, RuleNamer rule_name_vi) {
  google::rpc::Status attached = AttachedDetails(status).value_or(google::rpc::Status());
  // The attached details may have been made for a status re-wrapped since: the status wins.
  google::rpc::Status details;
  details.set_code(static_cast<int>(status.code()));
  details.set_message(Cut(status.message(), kMaxDetailsMessageBytes));
  const absl::string_view message = status.message();
  const std::vector<std::string> rules = RuleIdsIn(message, rule_name_vi);
  const std::string subject = FirstSubjectIn(message);

  // The ErrorInfo goes first; the attached one, or one read off the message.
  google::rpc::ErrorInfo info;
  for (const google::protobuf::Any& any : attached.details()) {
    if (any.Is<google::rpc::ErrorInfo>()) {
      any.UnpackTo(&info);
    } else {
      *details.add_details() = any;
    }
  }
  if (info.reason().empty()) {
    info.set_domain(kErrorDomain);
    info.set_reason(rules.empty() ? CodeName(status.code()) : rules.front());
    if (!subject.empty()) (*info.mutable_metadata())["subject"] = subject;
  }
  const bool rule_code = status.code() == absl::StatusCode::kFailedPrecondition ||
                         status.code() == absl::StatusCode::kPermissionDenied;
  if (rule_code && !rules.empty() && !HasDetail<google::rpc::PreconditionFailure>(details)) {
    google::rpc::PreconditionFailure failure;
    for (const std::string& rule : rules) {
      google::rpc::PreconditionFailure::Violation* v = failure.add_violations();
      v->set_type(rule);
      v->set_subject(subject);
      v->set_description(std::string(message));
    }
    details.add_details()->PackFrom(failure);
  }
  if (status.code() == absl::StatusCode::kInvalidArgument &&
      !HasDetail<google::rpc::BadRequest>(details)) {
    const std::string field = LeadingFieldPath(message);
    if (!field.empty()) {
      google::rpc::BadRequest bad;
      google::rpc::BadRequest::FieldViolation* v = bad.add_field_violations();
      v->set_field(field);
      v->set_description(std::string(message.substr(field.size() + 2)));
      details.add_details()->PackFrom(bad);
      if (info.metadata().count("field") == 0) (*info.mutable_metadata())["field"] = field;
    }
  }
  if (info.metadata().count("year") == 0) {
    if (absl::optional<absl::Cord> year = status.GetPayload(kYearUrl)) {
      (*info.mutable_metadata())["year"] = std::string(*year);
    }
  }
  Bound(details, info);
  // Each field violation in Vietnamese too (its localized_message, from the bounded
  // description), for people; the description stays for developers.
  for (google::protobuf::Any& any : *details.mutable_details()) {
    if (!any.Is<google::rpc::BadRequest>()) continue;
    google::rpc::BadRequest bad;
    if (!any.UnpackTo(&bad)) continue;
    for (google::rpc::BadRequest::FieldViolation& v : *bad.mutable_field_violations()) {
      if (v.has_localized_message()) continue;
      v.mutable_localized_message()->set_locale(kLocaleVi);
      v.mutable_localized_message()->set_message(FieldDescriptionVi(v.description()));
    }
    any.PackFrom(bad);
  }
  if (!HasDetail<google::rpc::LocalizedMessage>(details)) {
    // The refusal in Vietnamese: the code's phrase, then a line per violation.
    const ReadableDetails readable = Unpack(details);
    std::vector<std::string> lines;
    lines.push_back(
        Cut(absl::StrCat(CodeNameVi(status.code()), ": ", message), kMaxLocalizedHeadBytes));
    if (readable.precondition_failure) {
      for (const auto& v : readable.precondition_failure->violations()) {
        const std::string name =
            rule_name_vi != nullptr ? std::string(rule_name_vi(v.type())) : std::string();
        lines.push_back(absl::StrCat("- ", v.type(), v.subject().empty() ? "" : " · ", v.subject(),
                                     name.empty() ? "" : ": ", name));
      }
    }
    if (readable.bad_request) {
      for (const auto& v : readable.bad_request->field_violations()) {
        lines.push_back(absl::StrCat("- trường ", v.field(), ": ", DescriptionForPeople(v)));
      }
    }
    auto total = info.metadata().find("violations");
    if (total != info.metadata().end()) {
      lines.push_back(absl::StrCat("- ... tổng cộng ", total->second, " vi phạm"));
    }
    google::rpc::LocalizedMessage localized;
    localized.set_locale(kLocaleVi);
    localized.set_message(absl::StrJoin(lines, "\n"));
    details.add_details()->PackFrom(localized);
  }
  // ErrorInfo first, as clients look for it first.
  google::rpc::Status ordered;
  ordered.set_code(details.code());
  ordered.set_message(details.message());
  ordered.add_details()->PackFrom(info);
  for (const google::protobuf::Any& any : details.details()) *ordered.add_details() = any;
  return ordered;
}

ReadableDetails Unpack(const google::rpc::Status& details) {
  ReadableDetails out;
  for (const google::protobuf::Any& any : details.details()) {
    if (any.Is<google::rpc::ErrorInfo>() && !out.error_info) {
      any.UnpackTo(&out.error_info.emplace());
    } else if (any.Is<google::rpc::PreconditionFailure>() && !out.precondition_failure) {
      any.UnpackTo(&out.precondition_failure.emplace());
    } else if (any.Is<google::rpc::BadRequest>() && !out.bad_request) {
      any.UnpackTo(&out.bad_request.emplace());
    } else if (any.Is<google::rpc::LocalizedMessage>() && !out.localized_message) {
      any.UnpackTo(&out.localized_message.emplace());
    }
  }
  return out;
}

std::vector<std::string> DescribeVi(const google::rpc::Status& details) {
  const ReadableDetails readable = Unpack(details);
  std::vector<std::string> lines;
  if (readable.localized_message) {
    lines.push_back(readable.localized_message->message());
  } else {
    lines.push_back(absl::StrCat(CodeNameVi(static_cast<absl::StatusCode>(details.code())), ": ",
                                 details.message()));
  }
  if (readable.error_info) {
    std::string line = absl::StrCat("mã lỗi: ", readable.error_info->reason());
    for (const char* key : {"subject", "year", "field"}) {
      auto it = readable.error_info->metadata().find(key);
      if (it != readable.error_info->metadata().end()) {
        absl::StrAppend(&line, ", ", key, " = ", it->second);
      }
    }
    lines.push_back(std::move(line));
  }
  if (readable.precondition_failure) {
    for (const auto& v : readable.precondition_failure->violations()) {
      lines.push_back(absl::StrCat("vi phạm ", v.type(), v.subject().empty() ? "" : " · ",
                                   v.subject(), ": ", v.description()));
    }
  }
  if (readable.bad_request) {
    for (const auto& v : readable.bad_request->field_violations()) {
      lines.push_back(absl::StrCat("trường ", v.field(), ": ", DescriptionForPeople(v)));
    }
  }
  return lines;
}

}  // namespace rating::common
