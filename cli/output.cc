#include "cli/output.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/client.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"

namespace rating::cli {

std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string text;
  google::protobuf::util::Status status =
      google::protobuf::util::MessageToJsonString(message, &text, options);
  // Every message of ours converts (no Any, no unknown enum names); say so if one does not.
  if (!status.ok()) {
    return nlohmann::json{{"code", "INTERNAL"},
                          {"message", absl::StrCat("cannot print as JSON: ", status.ToString())}}
               .dump() +
           "\n";
  }
  return text + "\n";
}

std::string FormatReply(const v1::CommandReply& reply) {
  if (reply.validate_only() && !reply.replayed()) {
    return absl::StrCat("valid: would append ", reply.planned_events_size(),
                        reply.planned_events_size() == 1 ? " event" : " events",
                        reply.rule_ids().empty() ? "" : "; rules: ",
                        absl::StrJoin(reply.rule_ids(), ", "), " (nothing written)");
  }
  std::string out = absl::StrCat("accepted: positions ", reply.first_position(), "..",
                                 reply.last_position(), ", ", reply.event_ids_size(),
                                 reply.event_ids_size() == 1 ? " event" : " events");
  if (!reply.event_ids().empty()) {
    absl::StrAppend(&out, " (", absl::StrJoin(reply.event_ids(), ", "), ")");
  }
  if (reply.replayed()) absl::StrAppend(&out, ", replayed");
  return out;
}

void PrintReply(const v1::CommandReply& reply, bool json, std::ostream& out) {
  if (json) {
    out << ToJson(reply);
  } else {
    out << FormatReply(reply) << "\n";
  }
}

nlohmann::ordered_json RefusalJson(const absl::Status& status) {
  nlohmann::ordered_json out{{"code", absl::StatusCodeToString(status.code())},
                             {"message", std::string(status.message())}};
  const std::vector<std::string> details = RefusalDetailsVi(status);
  if (!details.empty()) out["details_vi"] = details;
  return out;
}

void PrintRefusal(const std::string& what, const absl::Status& status, bool json, std::ostream& out,
                  std::ostream& err) {
  if (json) {
    // The replace handler: a message is never allowed to break the JSON line.
    out << RefusalJson(status).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
        << "\n";
    return;
  }
  err << what << ": " << absl::StatusCodeToString(status.code()) << ": " << status.message()
      << "\n";
  // The server's structured details (AIP-193), as a list in Vietnamese.
  for (const std::string& line : RefusalDetailsVi(status)) err << "  " << line << "\n";
}

}  // namespace rating::cli
