// The gRPC services of ratingd: they authenticate, translate and hand off to the Engine; and
// how ratingd's server is configured around them (request size, port sharing, the error a
// request that does not parse gets). Layer: services. No business logic here. Thread-safe
// (the Engine serializes writes).
#pragma once

#include <grpcpp/grpcpp.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "rating/v1/api.grpc.pb.h"
#include "services/backup.h"
#include "services/engine.h"
#include "services/observability.h"

namespace rating::services {

// Where the IntegrationService shows its open Subscribe streams to metrics: it installs a
// source of their positions while it lives. Thread-safe.
class SubscriptionProbe {
 public:
  // The position each open stream has read up to (empty without a source).
  std::vector<uint64_t> Positions() const {
    absl::MutexLock lock(&mu_);
    return source_ ? source_() : std::vector<uint64_t>();
  }
  // Installs (or, with nullptr, removes) the source.
  void SetSource(std::function<std::vector<uint64_t>()> source) {
    absl::MutexLock lock(&mu_);
    source_ = std::move(source);
  }

 private:
  mutable absl::Mutex mu_;
  std::function<std::vector<uint64_t>()> source_ ABSL_GUARDED_BY(mu_);
};

// Resource bounds of the services (ratingd's flags).
struct ServiceOptions {
  // Subscribe streams served at once; one more is RESOURCE_EXHAUSTED (--max_subscriptions).
  int max_subscriptions = 256;
  // Bytes of log entries a Subscribe stream holds ready to send (at least one entry)
  // (--subscription_buffer_bytes).
  size_t subscription_buffer_bytes = 1 << 20;
  // The largest request message accepted; larger is RESOURCE_EXHAUSTED (--max_request_bytes).
  int max_request_bytes = 4 << 20;
  // AdminService.Backup's work (MakeCheckpointBackup); unset: Backup is FAILED_PRECONDITION.
  BackupFunction backup;
  // Filled in by the IntegrationService while it lives (not owned; outlives the services).
  // nullptr = none.
  SubscriptionProbe* subscriptions = nullptr;
  // Told about every RPC by ConfigureServerBuilder's interceptor (not owned; outlives the
  // server). nullptr = none.
  RpcObserver* rpc_observer = nullptr;
};

// Every service of the public API, sharing one engine (which must outlive them). The
// IntegrationService owns threads (subscriptions, imports) joined when it is destroyed: destroy
// the services after the server has stopped.
std::vector<std::unique_ptr<grpc::Service>> MakeServices(Engine& engine,
                                                         const ServiceOptions& options = {});

// Configures `builder` as ratingd serves: the largest request (options.max_request_bytes), no
// port sharing (a second server on a bound port fails to start instead of taking half the
// calls: GRPC_ARG_ALLOW_REUSEPORT = 0), and the interceptor that turns gRPC's own failure to
// parse a request (INTERNAL with an empty message, e.g. a string field holding invalid UTF-8)
// into INVALID_ARGUMENT naming the request's type.
void ConfigureServerBuilder(grpc::ServerBuilder& builder, const ServiceOptions& options);
// The same, and when options.rpc_observer is set, an interceptor that tells it about every
// RPC once when it ends (unary and streams; a call cancelled before its status is sent counts
// as CANCELLED), with the caller's principal id resolved by `engine` (which must outlive the
// server) from the bearer token, which is never passed on.
void ConfigureServerBuilder(grpc::ServerBuilder& builder, const ServiceOptions& options,
                            const Engine& engine);

}  // namespace rating::services
