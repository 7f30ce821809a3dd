// The gRPC services of ratingd: they authenticate, translate and hand off to the Engine.
// Layer: services. No business logic here. Thread-safe (the Engine serializes writes).
#pragma once

#include <memory>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "rating/v1/api.grpc.pb.h"
#include "services/engine.h"

namespace rating::services {

// Every service of the public API, sharing one engine (which must outlive them).
std::vector<std::unique_ptr<grpc::Service>> MakeServices(Engine& engine);

}  // namespace rating::services
