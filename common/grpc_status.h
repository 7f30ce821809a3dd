// The one conversion between absl::Status and grpc::Status (the codes are numerically equal).
// A refusal crosses it with its details (error_details.h): a google.rpc.Status in
// grpc-status-details-bin going out, the same as an absl::Status payload coming in.
#pragma once

#include <grpcpp/support/error_details.h>
#include <grpcpp/support/status.h>

#include "absl/status/status.h"
#include "absl/strings/cord.h"
#include "common/error_details.h"

namespace rating::common {

static_assert(static_cast<int>(absl::StatusCode::kAborted) ==
              static_cast<int>(grpc::StatusCode::ABORTED));
static_assert(static_cast<int>(absl::StatusCode::kUnauthenticated) ==
              static_cast<int>(grpc::StatusCode::UNAUTHENTICATED));
static_assert(static_cast<int>(absl::StatusCode::kDataLoss) ==
              static_cast<int>(grpc::StatusCode::DATA_LOSS));

// The grpc::Status of `status`, a refusal with its full details (DetailsOf: ErrorInfo always,
// PreconditionFailure, BadRequest, a vi-VN LocalizedMessage; `rule_name_vi` names the rules).
inline grpc::Status ToGrpcStatus(const absl::Status& status, RuleNamer rule_name_vi = nullptr) {
  if (status.ok()) return grpc::Status::OK;
  grpc::Status out;
  // SetErrorDetails fails only for a null target. The details' message is cut (a trailer has
  // room for little); grpc-message keeps the whole one, as before details existed.
  const grpc::Status set = grpc::SetErrorDetails(DetailsOf(status, rule_name_vi), &out);
  (void)set;
  return grpc::Status(out.error_code(), std::string(status.message()), out.error_details());
}

// The absl::Status of `status`, its grpc-status-details-bin (if any) attached as the
// kStatusDetailsUrl payload (AttachedDetails reads it back).
inline absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  absl::Status out(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  if (!status.error_details().empty()) {
    out.SetPayload(kStatusDetailsUrl, absl::Cord(status.error_details()));
  }
  return out;
}

}  // namespace rating::common
