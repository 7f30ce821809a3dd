// The Vietnamese of a field violation's description (google.rpc.BadRequest): the description
// stays in English for developers (AIP-193); people read this one, in the violation's
// localized_message and in the refusal's LocalizedMessage. Layer: common. Thread-safe: pure.
#pragma once

#include <string>
#include <string_view>

namespace rating::common {

// `description` with every phrase the server's input checks use put in Vietnamese (ids, dates,
// numbers and quoted input kept as they are). A description with no known phrase comes back
// unchanged.
std::string FieldDescriptionVi(std::string_view description);

}  // namespace rating::common
