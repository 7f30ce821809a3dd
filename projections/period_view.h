// Review periods and the policy each year is rated under (RULES.md §9). Layer: projections.
#pragma once

#include <cstdint>
#include <map>

#include "absl/status/status.h"
#include "rating/v1/domain.pb.h"
#include "rules/policy.h"
#include "rules/types.h"

namespace rating::projections {

struct PeriodInfo {
  v1::PeriodSpec spec;  // As opened (snapshots keep it and open it again).
  int year = 0;
  rules::Date reference_date;
  rules::Policy policy;
  uint64_t position = 0;
};

class PeriodView {
 public:
  // The open period of `year`, or nullptr. Valid until the next On* call.
  const PeriodInfo* Find(int year) const;
  const std::map<int, PeriodInfo>& periods() const { return periods_; }

  // Loads the pinned policy version with the stored overrides. INTERNAL if it does not load
  // (the version was accepted when the period opened, so only a removed version causes it).
  absl::Status OnPeriodOpened(const v1::PeriodSpec& spec, uint64_t position);

  std::string Dump() const;

 private:
  std::map<int, PeriodInfo> periods_;
};

}  // namespace rating::projections
