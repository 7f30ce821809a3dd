// Subscription: generic over any EventStore, built on ReadAll + WaitForHeadPast.
#include <utility>

#include "absl/time/clock.h"
#include "eventstore/event_store.h"

namespace rating::eventstore {

Subscription::Subscription(const EventStore& store, uint64_t after_position)
    : store_(store), position_(after_position) {}

absl::StatusOr<std::optional<rating::v1::Envelope>> Subscription::Next(absl::Duration timeout) {
  if (cancelled_ || store_.IsShutdown()) {
    return absl::CancelledError("subscription cancelled: the store is shutting down");
  }
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    if (next_in_page_ < page_.size()) {
      rating::v1::Envelope event = std::move(page_[next_in_page_++]);
      position_ = event.position();
      return event;
    }
    // The page is used up: the next one starts right after the last event returned, so
    // catch-up and live reads share one path and can neither skip nor repeat a position.
    page_.clear();
    next_in_page_ = 0;
    absl::StatusOr<std::vector<rating::v1::Envelope>> page =
        store_.ReadAll(position_ + 1, kPageSize);
    if (!page.ok()) return page.status();
    page_ = *std::move(page);
    if (!page_.empty()) continue;
    if (store_.IsShutdown()) {
      return absl::CancelledError("subscription cancelled: the store is shutting down");
    }
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) return std::nullopt;
    store_.WaitForHeadPast(position_, left);
  }
}

}  // namespace rating::eventstore
