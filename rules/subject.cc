#include "rules/subject.h"

#include "rules/internal/text_util.h"

namespace rating::rules {
namespace {

constexpr std::string_view kKindPrefixes[] = {"member", "org", "committee", "leader"};

}  // namespace

std::string Subject::ToString() const {
  return internal::Cat(kKindPrefixes[static_cast<int>(kind)], "/", id);
}

bool IsValidId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

absl::StatusOr<Subject> ParseSubject(std::string_view text) {
  const size_t slash = text.find('/');
  if (slash != std::string_view::npos) {
    const std::string_view prefix = text.substr(0, slash);
    const std::string_view id = text.substr(slash + 1);
    for (int k = 0; k < 4; ++k) {
      if (prefix == kKindPrefixes[k] && IsValidId(id)) {
        return Subject{static_cast<SubjectKind>(k), std::string(id)};
      }
    }
  }
  return absl::InvalidArgumentError(
      internal::Cat("subject \"", text.substr(0, 80),
                    "\": expected member/ID, org/ID, committee/ORGID or leader/MEMBERID"));
}

}  // namespace rating::rules
