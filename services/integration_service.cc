// IntegrationService: follow the log (catch-up, then live) and import commands in bulk.
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "services/auth.h"
#include "services/internal/grpc_common.h"

namespace rating::services::internal {
namespace {

using common::ToGrpcStatus;
using grpc::ServerContext;
using grpc::Status;

class IntegrationServiceImpl final : public v1::IntegrationService::Service {
 public:
  explicit IntegrationServiceImpl(Engine& engine) : engine_(engine) {}

  Status Subscribe(ServerContext* c, const v1::SubscribeRequest* r,
                   grpc::ServerWriter<v1::SubscribeResponse>* writer) override {
    auto caller = Caller(engine_, c);
    if (!caller.ok()) return ToGrpcStatus(caller.status());
    absl::Status allowed = AuthorizeLogRead(*caller);
    if (!allowed.ok()) return ToGrpcStatus(allowed);
    const uint64_t head = engine_.store().HeadPosition();
    if (r->after_position() > head) {
      return ToGrpcStatus(absl::OutOfRangeError(
          absl::StrCat("after_position: ", r->after_position(), " is past the head ", head)));
    }
    const uint32_t every = r->checkpoint_every() == 0 ? 100 : r->checkpoint_every();
    auto subscription = engine_.store().Subscribe(r->after_position());
    uint64_t last_checkpoint = r->after_position();
    uint32_t since_checkpoint = 0;
    while (!c->IsCancelled()) {
      auto next = subscription->Next(absl::Milliseconds(200));
      if (!next.ok()) {
        if (next.status().code() == absl::StatusCode::kCancelled) break;  // Server shutdown.
        return ToGrpcStatus(next.status());
      }
      v1::SubscribeResponse response;
      if (!next->has_value()) {
        // Caught up: confirm everything delivered so far.
        if (subscription->position() != last_checkpoint) {
          response.set_checkpoint(subscription->position());
          if (!writer->Write(response)) break;
          last_checkpoint = subscription->position();
          since_checkpoint = 0;
        }
        continue;
      }
      auto entry = ToLogEntry(**next);
      if (!entry.ok()) return ToGrpcStatus(entry.status());
      *response.mutable_entry() = *std::move(entry);
      if (!writer->Write(response)) break;
      if (++since_checkpoint >= every) {
        v1::SubscribeResponse checkpoint;
        checkpoint.set_checkpoint(subscription->position());
        if (!writer->Write(checkpoint)) break;
        last_checkpoint = subscription->position();
        since_checkpoint = 0;
      }
    }
    return Status::OK;
  }

  Status Import(ServerContext* c, grpc::ServerReader<v1::ImportRequest>* reader,
                v1::ImportResponse* out) override {
    auto caller = Caller(engine_, c);
    if (!caller.ok()) return ToGrpcStatus(caller.status());
    v1::ImportRequest request;
    while (reader->Read(&request)) {
      v1::ImportResult* result = out->add_results();
      result->set_request_id(request.request_id());
      absl::StatusOr<v1::CommandReply> reply =
          request.request_id().empty()
              ? absl::InvalidArgumentError("request_id: required for import")
              : engine_.Execute(*caller, request.command(), request.request_id());
      if (reply.ok()) {
        *result->mutable_reply() = *std::move(reply);
        out->set_accepted(out->accepted() + 1);
      } else {
        result->set_code(static_cast<int>(reply.status().code()));
        result->set_message(std::string(reply.status().message()));
        out->set_rejected(out->rejected() + 1);
      }
    }
    return Status::OK;
  }

 private:
  Engine& engine_;
};

}  // namespace

std::unique_ptr<grpc::Service> MakeIntegrationService(Engine& engine) {
  return std::make_unique<IntegrationServiceImpl>(engine);
}

}  // namespace rating::services::internal
