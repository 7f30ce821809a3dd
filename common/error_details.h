// Refusals a program can read (AIP-193): a refusal carries its structure (the rules it breaks,
// for which subjects, the field at fault) as a google.rpc.Status payload of the absl::Status,
// from where it is made to the gRPC edge, where ToGrpcStatus sends it whole in
// grpc-status-details-bin. Layer: common (no domain logic: rule names come from the caller).
// Thread-safe: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace rating::common {

// ErrorInfo.domain of every refusal.
inline constexpr char kErrorDomain[] = "rating.v1";
// The payload URL under which an absl::Status carries its google.rpc.Status.
inline constexpr char kStatusDetailsUrl[] = "type.googleapis.com/google.rpc.Status";
// The locale of every LocalizedMessage.
inline constexpr char kLocaleVi[] = "vi-VN";

// One broken rule for one subject.
struct RuleBreach {
  std::string rule_id;      // "R-DEC-2".
  std::string subject;      // "member/m1"; "" for a batch-wide breach (an R-QUOTA scope).
  std::string description;  // What broke, in English, lower case, naming the ids.
};

// A refusal with `code` (FAILED_PRECONDITION, PERMISSION_DENIED) and `message`, carrying an
// ErrorInfo (reason: the first breach's rule id; metadata: its subject, and `year` unless 0)
// and a PreconditionFailure violation per breach (type: the rule id; subject; description).
absl::Status RuleRefusal(absl::StatusCode code, absl::string_view message,
                         const std::vector<RuleBreach>& breaches, int year);

// INVALID_ARGUMENT "field: description", carrying a BadRequest field violation and an
// ErrorInfo with reason INVALID_ARGUMENT and metadata field.
absl::Status FieldRefusal(absl::string_view field, absl::string_view description);

// `status` with `details` attached (its code and message are set from `status`). OK stays OK.
absl::Status WithDetails(absl::Status status, google::rpc::Status details);

// `status` noting the year the refused command was about: DetailsOf puts it in the ErrorInfo's
// metadata ("year") when the details made where the refusal was made name none. OK, and year 0
// (a command of no year), leave `status` as it is.
absl::Status WithYear(absl::Status status, int year);

// The google.rpc.Status attached to `status`, or nullopt (none, or it does not parse).
std::optional<google::rpc::Status> AttachedDetails(const absl::Status& status);

// The Vietnamese one-line name of a rule id, "" when unknown (rules::RuleNameVi; common does
// not know the rules).
using RuleNamer = std::string_view (*)(std::string_view rule_id);

// The full google.rpc.Status of a refusal (not OK): `status`'s code and message, and details:
//  - the attached ones (RuleRefusal, FieldRefusal, WithDetails), kept;
//  - an ErrorInfo always (domain rating.v1). When none is attached its reason is the first
//    rule id the message names (a known one when `rule_name_vi` is given), else the code's
//    name ("INVALID_ARGUMENT"); metadata: the first subject the message names; the year
//    WithYear noted, when the metadata has none;
//  - for FAILED_PRECONDITION and PERMISSION_DENIED without attached violations, a
//    PreconditionFailure violation per rule id the message names;
//  - for INVALID_ARGUMENT without an attached BadRequest, a field violation when the message
//    opens with a field path ("ratings[2].level: ...");
//  - a LocalizedMessage in vi-VN: the refusal in Vietnamese, then one line per violation
//    (the rule's Vietnamese name when `rule_name_vi` knows it).
google::rpc::Status DetailsOf(const absl::Status& status, RuleNamer rule_name_vi = nullptr);

// The Vietnamese phrase of a code ("Quy định không cho phép" for FAILED_PRECONDITION).
absl::string_view CodeNameVi(absl::StatusCode code);

// The unpacked details of a google.rpc.Status (the parts a client reads). Any detail of
// another type is ignored.
struct ReadableDetails {
  std::optional<google::rpc::ErrorInfo> error_info;
  std::optional<google::rpc::PreconditionFailure> precondition_failure;
  std::optional<google::rpc::BadRequest> bad_request;
  std::optional<google::rpc::LocalizedMessage> localized_message;
};
ReadableDetails Unpack(const google::rpc::Status& details);

// The details as lines a person reads, in Vietnamese: the localized message, then each rule
// violation ("R-DEC-2 · member/m1: description") and field violation ("trường year: ...").
std::vector<std::string> DescribeVi(const google::rpc::Status& details);

}  // namespace rating::common
