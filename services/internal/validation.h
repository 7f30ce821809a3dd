// Validation without writing (AIP-163): the reply of a command checked only. Layer: services.
#pragma once

#include <vector>

#include "rating/v1/api.pb.h"
#include "rating/v1/events.pb.h"

namespace rating::services {

// The reply of a command validated only: validate_only, the events it would append and the
// rule ids they name (string fields "rule"/"rule_id", repeated "rules"/"overridden_rules", at
// any depth; a re-rating names R-RETRO-2), in first-seen order.
v1::CommandReply ValidationReply(const std::vector<v1::Event>& events);

}  // namespace rating::services
