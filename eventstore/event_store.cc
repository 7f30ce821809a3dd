// Default implementations of EventStore's non-pure methods.
#include "eventstore/event_store.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/crypto.h"
#include "common/status_macros.h"

namespace rating::eventstore {

absl::Status EventStore::ForEach(
    uint64_t from_position, const std::function<bool(const rating::v1::Envelope&)>& visit) const {
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

namespace {

VerifyResult FailedAt(uint64_t position, std::string message) {
  VerifyResult result;
  result.ok = false;
  result.first_bad_position = position;
  result.message = std::move(message);
  return result;
}

}  // namespace

absl::StatusOr<VerifyResult> VerifyTail(EventStore& store, bool record) {
  const uint64_t head = store.HeadPosition();
  using Mark = std::optional<std::pair<uint64_t, std::string>>;
  RATING_ASSIGN_OR_RETURN(Mark mark, store.LastVerified());
  uint64_t from = 1;
  if (mark.has_value()) {
    const auto& [position, hash] = *mark;
    if (position > head) {
      return FailedAt(head + 1, absl::StrCat("position ", head + 1, ": missing (the log ends at ",
                                             head, " but was verified up to ", position, ")"));
    }
    absl::StatusOr<std::vector<rating::v1::Envelope>> marked = store.ReadAll(position, 1);
    if (absl::IsDataLoss(marked.status())) {
      return FailedAt(position,
                      absl::StrCat("position ", position, ": ", marked.status().message()));
    }
    if (!marked.ok()) return marked.status();
    if (marked->empty() || marked->front().position() != position) {
      return FailedAt(position, absl::StrCat("position ", position, ": missing"));
    }
    if (marked->front().hash() != hash) {
      return FailedAt(
          position, absl::StrCat("position ", position, ": stored hash ",
                                 common::ToHex(marked->front().hash()),
                                 " differs from the hash verified earlier ", common::ToHex(hash)));
    }
    from = position + 1;
  }
  RATING_ASSIGN_OR_RETURN(VerifyResult result, store.Verify(from, head));
  if (!result.ok || head == 0 || from > head || !record) return result;
  RATING_RETURN_IF_ERROR(store.RecordVerified(head));
  return result;
}

std::vector<absl::StatusOr<AppendResult>> EventStore::AppendMany(
    std::vector<AppendRequest> requests) {
  std::vector<absl::StatusOr<AppendResult>> results;
  results.reserve(requests.size());
  for (AppendRequest& r : requests) {
    results.push_back(Append(r.stream, r.expected_version, std::move(r.events)));
  }
  return results;
}

}  // namespace rating::eventstore
