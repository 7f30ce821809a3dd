// IntegrationService: follow the log (catch-up, then live) and import commands in bulk. Both
// are callback rpcs: a subscription costs no thread while it waits (subscription_hub.h), and
// an import reads its requests as raw bytes so that one that does not parse is named, then
// runs its commands on a thread of ours (never on gRPC's callback threads).
#include <algorithm>
#include <atomic>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/crypto.h"
#include "common/error_details.h"
#include "rules/types.h"
#include "services/auth.h"
#include "services/internal/executor.h"
#include "services/internal/grpc_common.h"
#include "services/internal/input_limits.h"
#include "services/internal/subscription_hub.h"

namespace rating::services::internal {
namespace {

// An import is read whole before anything runs; beyond these it is refused (api.proto).
constexpr int kMaxImportCommands = 10000;
constexpr size_t kMaxImportBytes = 32 << 20;
// The reply must stay under a stock client's 4 MiB: messages are cut, and event ids are left
// out once they would pass this many bytes.
constexpr size_t kMaxResultMessageBytes = 197;  // With "...": at most 200.
constexpr size_t kMaxEventIdBytes = 2 << 20;
// Refusals' details are kept whole up to this many bytes per response, then their ErrorInfo.
constexpr size_t kMaxDetailsBytes = 1 << 20;

// One Import call: reads every request (raw), then runs them in order on `executor`.
class ImportCall final : public grpc::ServerReadReactor<grpc::ByteBuffer> {
 public:
  ImportCall(Engine& engine, Executor& executor, grpc::CallbackServerContext* context,
             grpc::ByteBuffer* response)
      : engine_(engine), executor_(executor), response_(response) {
    absl::StatusOr<std::string> token = TokenOf(context);
    absl::Status caller = token.ok() ? engine_.Authenticate(*token).status() : token.status();
    if (!caller.ok()) {
      Finish(ToGrpcStatus(caller));
      return;
    }
    token_ = *std::move(token);
    StartRead(&buffer_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {  // The client closed its side (or the call failed: Run sees the cancellation).
      executor_.Schedule([this] { Run(); });
      return;
    }
    bytes_ += buffer_.Length();
    if (requests_.size() >= static_cast<size_t>(kMaxImportCommands) || bytes_ > kMaxImportBytes) {
      Finish(ToGrpcStatus(absl::ResourceExhaustedError(absl::StrCat(
          "import: more than ", kMaxImportCommands, " commands or ", kMaxImportBytes >> 20,
          " MiB in one call; nothing was executed (split the import)"))));
      return;
    }
    v1::ImportRequest request;
    if (!grpc::SerializationTraits<v1::ImportRequest>::Deserialize(&buffer_, &request).ok()) {
      Finish(ToGrpcStatus(absl::InvalidArgumentError(absl::StrCat(
          "requests[", requests_.size(),
          "]: does not parse as rating.v1.ImportRequest (a string field holds invalid UTF-8, or "
          "the bytes are not that message); nothing was executed"))));
      return;
    }
    requests_.push_back(std::move(request));
    StartRead(&buffer_);
  }

  void OnCancel() override { cancelled_ = true; }
  void OnDone() override { delete this; }

 private:
  // Runs every command in order (executor thread), in chunks through Engine::ExecuteMany: the
  // token is authenticated again for every run of commands planned together, and commands
  // that do not depend on each other share one group commit.
  void Run() {
    constexpr size_t kChunk = 512;
    v1::ImportResponse response;
    size_t id_bytes = 0;
    size_t details_bytes = 0;
    // Every request validate_only: the import is checked as a sequence, each command over
    // what the ones before it would leave (Engine::ValidateSequence); nothing is written.
    const bool sequence =
        !requests_.empty() && std::all_of(requests_.begin(), requests_.end(),
                                          [](const v1::ImportRequest& r) { return r.validate_only(); });
    std::vector<absl::StatusOr<v1::CommandReply>> checked;
    size_t checked_next = 0;
    if (sequence) {
      std::vector<Engine::BatchCommand> all;
      for (const v1::ImportRequest& request : requests_) {
        if (!request.request_id().empty()) all.push_back({request.command(), request.request_id(), true});
      }
      checked = engine_.ValidateSequence(token_, all);
    }
    for (size_t start = 0; start < requests_.size(); start += kChunk) {
      if (cancelled_) {
        Finish(ToGrpcStatus(absl::CancelledError("import: cancelled")));
        return;
      }
      const size_t end = std::min(requests_.size(), start + kChunk);
      std::vector<Engine::BatchCommand> chunk;
      std::vector<size_t> sent;  // Index in requests_ of each chunk entry.
      std::vector<absl::StatusOr<v1::CommandReply>> replies(end - start,
                                                            absl::UnknownError("not run"));
      for (size_t i = start; i < end; ++i) {
        const v1::ImportRequest& request = requests_[i];
        if (request.request_id().empty()) {
          replies[i - start] = absl::InvalidArgumentError("request_id: required for import");
          continue;
        }
        chunk.push_back({request.command(), request.request_id(), request.validate_only()});
        sent.push_back(i);
      }
      std::vector<absl::StatusOr<v1::CommandReply>> ran;
      if (sequence) {
        for (size_t k = 0; k < chunk.size(); ++k) ran.push_back(std::move(checked[checked_next++]));
      } else {
        ran = engine_.ExecuteMany(token_, chunk);
      }
      for (size_t k = 0; k < ran.size(); ++k) replies[sent[k] - start] = std::move(ran[k]);
      for (size_t i = start; i < end; ++i) {
        const v1::ImportRequest& request = requests_[i];
        absl::StatusOr<v1::CommandReply>& reply = replies[i - start];
        v1::ImportResult* result = response.add_results();
        result->set_request_id(common::IsUuid(request.request_id()) ? request.request_id()
                                                                    : Echo(request.request_id()));
        if (reply.status().code() == absl::StatusCode::kUnauthenticated) {
          // The token was revoked or rotated away: nothing more runs on its authority.
          Finish(ToGrpcStatus(absl::UnauthenticatedError(
              absl::StrCat(reply.status().message(), "; import stopped before requests[", i,
                           "] (the commands before it stand)"))));
          return;
        }
        if (reply.ok()) {
          for (const std::string& id : reply->event_ids()) id_bytes += id.size() + 2;
          if (id_bytes > kMaxEventIdBytes) reply->clear_event_ids();
          for (const v1::Event& e : reply->planned_events()) details_bytes += e.ByteSizeLong();
          if (details_bytes > kMaxDetailsBytes) reply->clear_planned_events();
          *result->mutable_reply() = *std::move(reply);
          response.set_accepted(response.accepted() + 1);
        } else {
          result->set_code(static_cast<int>(reply.status().code()));
          result->set_message(
              CutToBytes(std::string(reply.status().message()), kMaxResultMessageBytes));
          // The details are bounded (error_details.h: a few KiB per result); past
          // kMaxDetailsBytes in one response only their ErrorInfo (the first detail) is kept.
          google::rpc::Status details = common::DetailsOf(reply.status(), &rules::RuleNameVi);
          details_bytes += details.ByteSizeLong();
          if (details_bytes > kMaxDetailsBytes) {
            details.mutable_details()->DeleteSubrange(1, details.details_size() - 1);
            details.set_message(result->message());
          }
          *result->mutable_status() = std::move(details);
          response.set_rejected(response.rejected() + 1);
        }
      }
    }
    bool own_buffer = false;
    grpc::Status serialized =
        grpc::SerializationTraits<v1::ImportResponse>::Serialize(response, response_, &own_buffer);
    Finish(serialized);
  }

  Engine& engine_;
  Executor& executor_;
  grpc::ByteBuffer* const response_;
  std::string token_;
  grpc::ByteBuffer buffer_;
  size_t bytes_ = 0;
  std::vector<v1::ImportRequest> requests_;
  std::atomic<bool> cancelled_{false};
};

using Base = v1::IntegrationService::WithCallbackMethod_Subscribe<
    v1::IntegrationService::WithRawCallbackMethod_Import<v1::IntegrationService::Service>>;

class IntegrationServiceImpl final : public Base {
 public:
  IntegrationServiceImpl(Engine& engine, const ServiceOptions& options)
      : engine_(engine),
        hub_(engine, options.max_subscriptions, options.subscription_buffer_bytes),
        probe_(options.subscriptions) {
    if (probe_ != nullptr) probe_->SetSource([this] { return hub_.Positions(); });
  }

  ~IntegrationServiceImpl() override {
    if (probe_ != nullptr) probe_->SetSource(nullptr);
  }

  grpc::ServerWriteReactor<v1::SubscribeResponse>* Subscribe(
      grpc::CallbackServerContext* context, const v1::SubscribeRequest* request) override {
    return hub_.Open(context, *request);
  }

  grpc::ServerReadReactor<grpc::ByteBuffer>* Import(grpc::CallbackServerContext* context,
                                                    grpc::ByteBuffer* response) override {
    return new ImportCall(engine_, imports_, context, response);
  }

 private:
  Engine& engine_;
  SubscriptionHub hub_;
  SubscriptionProbe* const probe_;
  // Imports run here, two at a time (each in its own order; the engine pipelines their
  // commands with everyone else's).
  Executor imports_{2};
};

}  // namespace

std::unique_ptr<grpc::Service> MakeIntegrationService(Engine& engine,
                                                      const ServiceOptions& options) {
  return std::make_unique<IntegrationServiceImpl>(engine, options);
}

}  // namespace rating::services::internal
