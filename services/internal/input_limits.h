// The documented size limits of what callers send (api.proto's table): every string and list
// of a command or principal, checked by walking the message before anything else looks at it,
// so an oversized request costs no lookup, no authorization and no storage. Stateless; the
// plans still check what needs the state (ids' characters, existence, per-session bounds).
// Internal to services/.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "google/protobuf/message.h"
#include "rating/v1/api.pb.h"

namespace rating::services::internal {

inline constexpr size_t kMaxIdBytes = 64;
inline constexpr size_t kMaxSubjectBytes = 74;  // "committee/" + a 64-character id.
inline constexpr size_t kMaxSerialBytes = 64;
inline constexpr size_t kMaxNameBytes = 512;
inline constexpr size_t kMaxReasonBytes = 4096;
inline constexpr size_t kMaxTextBytes = 4096;  // Any string without its own limit.
inline constexpr int kMaxListItems = 10000;    // Any list without its own limit.
inline constexpr size_t kMaxEchoChars = 64;

// At most the first 64 characters of `value` (whole UTF-8 sequences), "..." appended when cut:
// how an error message quotes a bad value.
std::string Echo(std::string_view value);

// At most the first `max_bytes` bytes of `text` (whole UTF-8 sequences), "..." appended when
// cut: how a long message (one that quotes what it was given) is bounded.
std::string CutToBytes(std::string_view text, size_t max_bytes);

// INVALID_ARGUMENT "FIELD: longer than N bytes" / "FIELD: at most N items", naming the first
// field of `message` (a path like "ballots[3].serial") over its limit. Unknown fields are not
// looked at (the caller discards them first).
absl::Status CheckLimits(const google::protobuf::Message& message);

// The limits of the payload set in `command` (field paths relative to the payload, as the
// plans name them). OK for an empty command.
absl::Status CheckCommandLimits(const v1::Command& command);

}  // namespace rating::services::internal
