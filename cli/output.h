// How ratingctl prints what the server answers: a command's reply, a refusal, and any reply as
// JSON (--json). A refusal is printed in one place (PrintRefusal) so that richer error details
// can be added there alone. Layer: cli, no gRPC.
#pragma once

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "google/protobuf/message.h"
#include "nlohmann/json.hpp"
#include "rating/v1/api.pb.h"

namespace rating::cli {

// `message` as one line of JSON (proto field names, default values included), newline ended.
std::string ToJson(const google::protobuf::Message& message);

// "accepted: positions 12..14, 3 events (ids: ...)" (", replayed" for an idempotent retry).
std::string FormatReply(const v1::CommandReply& reply);

// Writes `reply`: its JSON to `out` when `json`, else FormatReply.
void PrintReply(const v1::CommandReply& reply, bool json, std::ostream& out);

// A refusal as a JSON object: {"code": "FAILED_PRECONDITION", "message": "..."}.
nlohmann::ordered_json RefusalJson(const absl::Status& status);

// Writes a refusal or any failed call: with `json`, {"code": "FAILED_PRECONDITION",
// "message": "..."} on one line to `out`; else "<what>: FAILED_PRECONDITION: message" to `err`.
// `what` names the command ("ratingctl decide", "step 7 decide").
void PrintRefusal(const std::string& what, const absl::Status& status, bool json, std::ostream& out,
                  std::ostream& err);

}  // namespace rating::cli
