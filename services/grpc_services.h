// The gRPC services of ratingd: they authenticate, translate and hand off to the Engine; and
// how ratingd's server is configured around them (request size, port sharing, the error a
// request that does not parse gets). Layer: services. No business logic here. Thread-safe
// (the Engine serializes writes).
#pragma once

#include <grpcpp/grpcpp.h>

#include <cstddef>
#include <memory>
#include <vector>

#include "rating/v1/api.grpc.pb.h"
#include "services/engine.h"

namespace rating::services {

// Resource bounds of the services (ratingd's flags).
struct ServiceOptions {
  // Subscribe streams served at once; one more is RESOURCE_EXHAUSTED (--max_subscriptions).
  int max_subscriptions = 256;
  // Bytes of log entries a Subscribe stream holds ready to send (at least one entry)
  // (--subscription_buffer_bytes).
  size_t subscription_buffer_bytes = 1 << 20;
  // The largest request message accepted; larger is RESOURCE_EXHAUSTED (--max_request_bytes).
  int max_request_bytes = 4 << 20;
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

}  // namespace rating::services
