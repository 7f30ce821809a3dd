// Default implementations of EventStore's non-pure methods.
#include "eventstore/event_store.h"

#include <algorithm>

namespace rating::eventstore {

absl::Status EventStore::ForEach(
    uint64_t from_position,
    const std::function<bool(const rating::v1::Envelope&)>& visit) const {
  const uint64_t head = HeadPosition();
  for (uint64_t from = std::max<uint64_t>(from_position, 1); from <= head;) {
    absl::StatusOr<std::vector<rating::v1::Envelope>> page =
        ReadAll(from, std::min<uint64_t>(Subscription::kPageSize, head - from + 1));
    if (!page.ok()) return page.status();
    if (page->empty()) break;
    for (const rating::v1::Envelope& e : *page) {
      if (!visit(e)) return absl::OkStatus();
    }
    from = page->back().position() + 1;
  }
  return absl::OkStatus();
}

}  // namespace rating::eventstore
