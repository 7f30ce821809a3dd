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

namespace rating::services::internal {

// The value of metadata `key` ("" when absent).
std::string Metadata(const grpc::ServerContext* context, const std::string& key);

// The authenticated caller: UNAUTHENTICATED when the bearer token is missing, malformed,
// unknown or revoked.
absl::StatusOr<v1::Principal> Caller(const Engine& engine, const grpc::ServerContext* context);

// Runs the command carrying `payload` as the caller, with the `x-request-id` idempotency key.
grpc::Status RunCommand(Engine& engine, grpc::ServerContext* context,
                        const google::protobuf::Message& payload, v1::CommandReply* reply);

// Runs `read` as the caller against the state as of `as_of` (unset = now).
grpc::Status RunRead(
    const Engine& engine, grpc::ServerContext* context, const v1::AsOf& as_of,
    const std::function<absl::Status(const v1::Principal&, const projections::RatingState&)>& read);

// A stored envelope with its payload decoded: DATA_LOSS when the payload does not parse.
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
std::unique_ptr<grpc::Service> MakeIntegrationService(Engine& engine);
std::unique_ptr<grpc::Service> MakeAdminService(Engine& engine);

}  // namespace rating::services::internal
