// What every gRPC service of ratingd shares: the caller from the bearer token, a command run
// through the command table, a read against the state as of a moment, and the one conversion
// to grpc::Status. Internal to services/.
#pragma once

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/grpc_status.h"
#include "projections/rating_state.h"
#include "rating/v1/api.grpc.pb.h"
#include "rating/v1/api.pb.h"
#include "services/engine.h"
#include "services/grpc_services.h"
#include "services/internal/paging.h"

namespace rating::services::internal {

// A reply holding a page (GetHistory, ReadLog, a Subscribe batch) stops growing past this
// many bytes (it always holds at least one item).
inline constexpr size_t kReplyBudgetBytes = 1 << 20;

// The one conversion at ratingd's edge (common::ToGrpcStatus): a refusal leaves with its
// google.rpc.Status details, its rules named in Vietnamese (rules::RuleNameVi).
grpc::Status ToGrpcStatus(const absl::Status& status);

// The value of metadata `key` ("" when absent).
std::string Metadata(const grpc::ServerContextBase* context, const std::string& key);

// The bearer token of the call: UNAUTHENTICATED when missing or malformed.
absl::StatusOr<std::string> TokenOf(const grpc::ServerContextBase* context);

// The authenticated caller: UNAUTHENTICATED when the bearer token is missing, malformed,
// unknown, rotated away or revoked.
absl::StatusOr<v1::Principal> Caller(const Engine& engine, const grpc::ServerContextBase* context);

// The `x-validate-only` metadata (AIP-163): "true"/"1" validate only, absent, "false" or "0"
// run; any other value is INVALID_ARGUMENT.
absl::StatusOr<bool> ValidateOnly(const grpc::ServerContextBase* context);

// Runs the command carrying `payload` as the holder of the call's token (authenticated when
// the command is sequenced), with the `x-request-id` idempotency key; with `x-validate-only:
// true`, checked fully and nothing written (Engine::Execute).
grpc::Status RunCommand(Engine& engine, grpc::ServerContext* context,
                        const google::protobuf::Message& payload, v1::CommandReply* reply);

// Who asks and what they may do over a state.
using ReadStep = std::function<absl::Status(const v1::Principal&, const projections::RatingState&)>;

// Runs `authorize` as the caller over the live state, then `read` against the state as of
// `as_of` (unset = now): a caller refused by `authorize` never makes the server rebuild a past
// state. `read` may check again against the state it is given.
grpc::Status RunRead(const Engine& engine, const grpc::ServerContextBase* context,
                     const v1::AsOf& as_of, const ReadStep& authorize, const ReadStep& read);
// The same for reads every authenticated caller may make (their replies hold only what the
// caller may read).
grpc::Status RunRead(const Engine& engine, const grpc::ServerContextBase* context,
                     const v1::AsOf& as_of, const ReadStep& read);

// RunRead for one page of a list (paging.h): a page pinned to a log position reads the live
// state while the log has not moved past it (no replay), else the state as of it.
grpc::Status RunPagedRead(const Engine& engine, const grpc::ServerContextBase* context,
                          const v1::AsOf& as_of, const Page& page, const ReadStep& authorize,
                          const ReadStep& read);

// The subject of a read request resolved: INVALID_ARGUMENT (malformed, quoting at most 64
// characters; the bloc), NOT_FOUND (unknown member or org).
absl::StatusOr<rules::Subject> ReadSubject(const projections::RatingState& state,
                                           const std::string& text);

// A stored envelope with its payload decoded, as the log's readers get it (token hashes
// removed, redaction.h): DATA_LOSS when the payload does not parse.
absl::StatusOr<v1::LogEntry> ToLogEntry(const v1::Envelope& envelope);

// Defines the override of one command rpc `Method(Payload)`: it hands the request to the
// command table through RunCommand. The services differ only in which rpcs they list.
#define RATING_COMMAND_RPC(Method, Payload)                                             \
  grpc::Status Method(grpc::ServerContext* context, const v1::Payload* request,         \
                      v1::CommandReply* reply) override {                               \
    return ::rating::services::internal::RunCommand(engine_, context, *request, reply); \
  }

// The services (each in its own file).
std::unique_ptr<grpc::Service> MakeRegistryService(Engine& engine);
std::unique_ptr<grpc::Service> MakeReviewService(Engine& engine);
std::unique_ptr<grpc::Service> MakeDecisionService(Engine& engine);
std::unique_ptr<grpc::Service> MakeQueryService(Engine& engine);
std::unique_ptr<grpc::Service> MakeAuditService(Engine& engine);
std::unique_ptr<grpc::Service> MakeIntegrationService(Engine& engine,
                                                      const ServiceOptions& options);
std::unique_ptr<grpc::Service> MakeAdminService(Engine& engine, const ServiceOptions& options);

}  // namespace rating::services::internal
