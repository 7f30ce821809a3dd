// Internal helpers for building explanations in rules/ (not part of the API): the findings that
// ceilings and eligibility share.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "rules/types.h"

namespace rating::rules::internal {

// A holding finding of `rule_id` (a condition met or a rule that applies), in both languages.
inline Finding Holds(std::string_view rule_id, std::string vi, std::string en) {
  return Finding{std::string(rule_id), true, std::move(vi), std::move(en)};
}

}  // namespace rating::rules::internal
