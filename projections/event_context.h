// What every projection handler knows of the stored event it applies besides its payload.
// Layer: projections.
#pragma once

#include <cstdint>
#include <string>

namespace rating::projections {

struct EventContext {
  uint64_t position = 0;           // Global log position.
  int64_t recorded_at_micros = 0;  // Transaction time.
  std::string actor;               // Principal id who caused it.
};

}  // namespace rating::projections
