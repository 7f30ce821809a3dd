// How ratingd's server is configured around the services (grpc_services.h), and the one
// interceptor it installs.
//
// Why an interceptor: gRPC 1.51's synchronous (and callback) handlers parse the request before
// our code runs. When protobuf refuses the bytes (a proto3 string holding invalid UTF-8 is the
// common case), grpc::GenericDeserialize answers INTERNAL with InitializationErrorString(),
// which is empty for proto3 (a callback handler answers UNIMPLEMENTED with no message), and
// the handler is never called. The server records that failure for its interceptors: at
// POST_RECV_MESSAGE the received message is null. An interceptor is
// gRPC's public hook for exactly this; it rewrites only the status of a call whose request did
// not parse, so no other INTERNAL error is touched and no message type is parsed differently.
#include <grpc/grpc.h>
#include <grpcpp/support/server_interceptor.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "google/protobuf/descriptor.h"
#include "services/auth.h"
#include "services/grpc_services.h"
#include "services/internal/grpc_common.h"

namespace rating::services {
namespace {

using grpc::experimental::InterceptionHookPoints;

// The full name of `method`'s request type ("/rating.v1.S/M" -> "rating.v1.MemberSpec"), or
// "the request type" when the method is not in the generated pool.
std::string RequestTypeOf(const char* method) {
  std::string name = method == nullptr ? "" : method;
  if (!name.empty() && name[0] == '/') name.erase(0, 1);
  absl::StrReplaceAll({{"/", "."}}, &name);
  const google::protobuf::MethodDescriptor* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(name);
  return descriptor == nullptr ? "the request type" : descriptor->input_type()->full_name();
}

class ParseErrorInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit ParseErrorInterceptor(grpc::experimental::ServerRpcInfo* info) : info_(info) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE) &&
        methods->GetRecvMessage() == nullptr) {
      unparsed_ = true;  // The handler will not run; the server answers INTERNAL.
    }
    if (unparsed_ && methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS) &&
        Unparsed(methods->GetSendStatus())) {
      methods->ModifySendStatus(internal::ToGrpcStatus(absl::InvalidArgumentError(
          absl::StrCat("request: does not parse as ", RequestTypeOf(info_->method()),
                       " (a string field holds invalid UTF-8, or the bytes are not that "
                       "message)"))));
    }
    methods->Proceed();
  }

 private:
  // The status gRPC answers a request that did not parse with: INTERNAL from a synchronous
  // handler, UNIMPLEMENTED with no message from a callback one (GetRating).
  static bool Unparsed(const grpc::Status& status) {
    return status.error_code() == grpc::StatusCode::INTERNAL ||
           (status.error_code() == grpc::StatusCode::UNIMPLEMENTED &&
            status.error_message().empty());
  }

  grpc::experimental::ServerRpcInfo* const info_;
  bool unparsed_ = false;
};

class ParseErrorInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    // Only where gRPC parses the one request before the handler: a null message at
    // POST_RECV_MESSAGE then means a parse failure. Client streams read their own messages
    // (Import parses its raw bytes itself), and there a null message also means end of stream.
    using Type = grpc::experimental::ServerRpcInfo::Type;
    if (info->type() != Type::UNARY && info->type() != Type::SERVER_STREAMING) return nullptr;
    return new ParseErrorInterceptor(info);
  }
};

// Tells the observer about one RPC exactly once: when its status is about to be sent (so a
// client that has its reply finds the call in the metrics and the access log), or, for a call
// that never sends one (cancelled), when the call ends and the interceptor is destroyed.
class ObservingInterceptor final : public grpc::experimental::Interceptor {
 public:
  ObservingInterceptor(grpc::experimental::ServerRpcInfo* info, const Engine& engine,
                       RpcObserver& observer)
      : info_(info), engine_(engine), observer_(observer), start_(absl::Now()) {
    record_.method = info->method() == nullptr ? "" : info->method();
    record_.principal = "-";
    record_.code = grpc::StatusCode::CANCELLED;  // Unless a status is sent.
  }

  ~ObservingInterceptor() override {
    if (status_sent_) return;
    record_.latency = absl::Now() - start_;
    observer_.OnRpc(record_);
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      record_.peer = info_->server_context()->peer();
      auto* metadata = methods->GetRecvInitialMetadata();
      if (metadata != nullptr) {
        auto it = metadata->find("authorization");
        if (it != metadata->end()) {
          // The token stays here: only the principal id it stands for is recorded.
          absl::StatusOr<std::string> token =
              BearerToken(std::string(it->second.data(), it->second.size()));
          if (token.ok()) {
            absl::StatusOr<v1::Principal> caller = engine_.Authenticate(*token);
            if (caller.ok()) record_.principal = caller->id();
          }
        }
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      status_sent_ = true;
      record_.code = methods->GetSendStatus().error_code();
      record_.latency = absl::Now() - start_;
      observer_.OnRpc(record_);
    }
    methods->Proceed();
  }

 private:
  grpc::experimental::ServerRpcInfo* const info_;
  const Engine& engine_;
  RpcObserver& observer_;
  const absl::Time start_;
  RpcRecord record_;
  bool status_sent_ = false;
};

class ObservingInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  ObservingInterceptorFactory(const Engine& engine, RpcObserver& observer)
      : engine_(engine), observer_(observer) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new ObservingInterceptor(info, engine_, observer_);
  }

 private:
  const Engine& engine_;
  RpcObserver& observer_;
};

void Configure(grpc::ServerBuilder& builder, const ServiceOptions& options, const Engine* engine) {
  builder.SetMaxReceiveMessageSize(options.max_request_bytes);
  // SO_REUSEPORT would let a second ratingd bind the same port and take half the calls to
  // another database; without it, the second one fails to start.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> creators;
  creators.push_back(std::make_unique<ParseErrorInterceptorFactory>());
  // Send hooks run in registration order: the observer comes last, so it sees the status the
  // parse-error interceptor settled on.
  if (engine != nullptr && options.rpc_observer != nullptr) {
    creators.push_back(
        std::make_unique<ObservingInterceptorFactory>(*engine, *options.rpc_observer));
  }
  builder.experimental().SetInterceptorCreators(std::move(creators));
}

}  // namespace

void ConfigureServerBuilder(grpc::ServerBuilder& builder, const ServiceOptions& options) {
  Configure(builder, options, nullptr);
}

void ConfigureServerBuilder(grpc::ServerBuilder& builder, const ServiceOptions& options,
                            const Engine& engine) {
  Configure(builder, options, &engine);
}

}  // namespace rating::services
