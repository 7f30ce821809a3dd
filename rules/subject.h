// Rating subjects: "member/ID", "org/ID", "committee/ORGID" (the org's cấp ủy) and
// "leader/MEMBERID". Layer: rules (pure).
#pragma once

#include <compare>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace rating::rules {

enum class SubjectKind { kMember, kOrg, kCommittee, kLeader };

struct Subject {
  SubjectKind kind = SubjectKind::kMember;
  std::string id;
  std::string ToString() const;  // "member/m1"
  // A member's or leader's rating (a person), as opposed to an org's or committee's.
  bool IsPerson() const { return kind == SubjectKind::kMember || kind == SubjectKind::kLeader; }
  friend auto operator<=>(const Subject&, const Subject&) = default;
};

// Parses "member/ID", "org/ID", "committee/ORGID", "leader/MEMBERID". INVALID_ARGUMENT
// naming the text otherwise (ids: 1..64 of [A-Za-z0-9._-]).
absl::StatusOr<Subject> ParseSubject(std::string_view text);
// True for ids of 1..64 characters of [A-Za-z0-9._-].
bool IsValidId(std::string_view id);

}  // namespace rating::rules
