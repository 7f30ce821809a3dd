#include "services/internal/grpc_common.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/error_details.h"
#include "common/status_macros.h"
#include "projections/rating_reads.h"
#include "rules/types.h"
#include "services/auth.h"
#include "services/command_table.h"
#include "services/grpc_services.h"
#include "services/internal/commands.h"
#include "services/internal/input_limits.h"
#include "services/internal/redaction.h"

namespace rating::services {
namespace internal {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  return common::ToGrpcStatus(status, &rules::RuleNameVi);
}

std::string Metadata(const grpc::ServerContextBase* context, const std::string& key) {
  const auto& md = context->client_metadata();
  auto it = md.find(key);
  if (it == md.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

absl::StatusOr<std::string> TokenOf(const grpc::ServerContextBase* context) {
  const std::string header = Metadata(context, "authorization");
  if (header.empty()) return absl::UnauthenticatedError("authorization: missing bearer token");
  return BearerToken(header);
}

absl::StatusOr<v1::Principal> Caller(const Engine& engine, const grpc::ServerContextBase* context) {
  RATING_ASSIGN_OR_RETURN(std::string token, TokenOf(context));
  return engine.Authenticate(token);
}

absl::StatusOr<bool> ValidateOnly(const grpc::ServerContextBase* context) {
  const std::string value = absl::AsciiStrToLower(Metadata(context, "x-validate-only"));
  if (value.empty() || value == "false" || value == "0") return false;
  if (value == "true" || value == "1") return true;
  return common::FieldRefusal("x-validate-only",
                              absl::StrCat("'", Echo(value), "' is not true or false"));
}

grpc::Status RunCommand(Engine& engine, grpc::ServerContext* context,
                        const google::protobuf::Message& payload, v1::CommandReply* reply) {
  auto token = TokenOf(context);
  if (!token.ok()) return ToGrpcStatus(token.status());
  auto command = CommandOf(payload);
  if (!command.ok()) return ToGrpcStatus(command.status());
  auto validate_only = ValidateOnly(context);
  if (!validate_only.ok()) return ToGrpcStatus(validate_only.status());
  auto result =
      engine.ExecuteWithToken(*token, *command, Metadata(context, "x-request-id"), *validate_only);
  if (!result.ok()) return ToGrpcStatus(result.status());
  *reply = *std::move(result);
  return grpc::Status::OK;
}

grpc::Status RunRead(const Engine& engine, const grpc::ServerContextBase* context,
                     const v1::AsOf& as_of, const ReadStep& authorize, const ReadStep& read) {
  auto caller = Caller(engine, context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  return ToGrpcStatus(engine.Read(
      as_of, [&](const projections::RatingState& live) { return authorize(*caller, live); },
      [&](const projections::RatingState& state) { return read(*caller, state); }));
}

grpc::Status RunRead(const Engine& engine, const grpc::ServerContextBase* context,
                     const v1::AsOf& as_of, const ReadStep& read) {
  return RunRead(
      engine, context, as_of,
      [](const v1::Principal&, const projections::RatingState&) { return absl::OkStatus(); }, read);
}

grpc::Status RunPagedRead(const Engine& engine, const grpc::ServerContextBase* context,
                          const v1::AsOf& as_of, const Page& page, const ReadStep& authorize,
                          const ReadStep& read) {
  const bool pinned =
      page.position != 0 && as_of.position() == 0 && as_of.recorded_at_micros() == 0;
  if (pinned) {
    bool moved = false;
    grpc::Status live =
        RunRead(engine, context, v1::AsOf(), authorize,
                [&](const v1::Principal& caller, const projections::RatingState& s) {
                  if (s.position() != page.position) {
                    moved = true;  // Read again as of the pinned position.
                    return absl::OkStatus();
                  }
                  return read(caller, s);
                });
    if (!moved) return live;
  }
  return RunRead(engine, context, PageAsOf(page, as_of), authorize, read);
}

absl::StatusOr<rules::Subject> ReadSubject(const projections::RatingState& state,
                                           const std::string& text) {
  RATING_RETURN_IF_ERROR(ParseSubjectText("subject", text).status());
  return projections::ResolveSubject(state, text);
}

absl::StatusOr<v1::LogEntry> ToLogEntry(const v1::Envelope& envelope) {
  v1::LogEntry entry;
  *entry.mutable_envelope() = envelope;
  if (!entry.mutable_event()->ParseFromString(envelope.payload())) {
    return absl::DataLossError(
        absl::StrCat("position ", envelope.position(), ": payload does not parse"));
  }
  RedactLogEntry(entry);
  return entry;
}

}  // namespace internal

std::vector<std::unique_ptr<grpc::Service>> MakeServices(Engine& engine,
                                                         const ServiceOptions& options) {
  std::vector<std::unique_ptr<grpc::Service>> services;
  services.push_back(internal::MakeRegistryService(engine));
  services.push_back(internal::MakeReviewService(engine));
  services.push_back(internal::MakeDecisionService(engine));
  services.push_back(internal::MakeQueryService(engine));
  services.push_back(internal::MakeAuditService(engine));
  services.push_back(internal::MakeIntegrationService(engine, options));
  services.push_back(internal::MakeAdminService(engine, options));
  return services;
}

}  // namespace rating::services
