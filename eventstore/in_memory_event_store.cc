#include "eventstore/in_memory_event_store.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/check.h"
#include "eventstore/chain.h"
#include "eventstore/keys.h"

namespace rating::eventstore {

InMemoryEventStore::InMemoryEventStore(const common::Clock& clock)
    : sequencer_(this, clock, Sequencer::Head{}) {}

absl::StatusOr<AppendResult> InMemoryEventStore::Append(std::string_view stream,
                                                        int64_t expected_version,
                                                        std::vector<NewEvent> events) {
  return sequencer_.Append(stream, expected_version, std::move(events));
}

std::vector<absl::StatusOr<AppendResult>> InMemoryEventStore::AppendMany(
    std::vector<AppendRequest> requests) {
  return sequencer_.AppendMany(requests);
}

absl::StatusOr<std::vector<rating::v1::Envelope>> InMemoryEventStore::ReadStream(
    std::string_view stream, uint64_t from_version, Direction direction, size_t max_count) const {
  std::vector<rating::v1::Envelope> out;
  const uint64_t head = HeadPosition();
  absl::ReaderMutexLock lock(&mu_);
  auto it = streams_.find(AsAbsl(stream));
  if (it == streams_.end() || max_count == 0) return out;
  const std::vector<uint64_t>& positions = it->second;  // positions[v - 1] is version v.
  if (direction == Direction::kForward) {
    for (uint64_t v = std::max<uint64_t>(from_version, 1);
         v <= positions.size() && out.size() < max_count && positions[v - 1] <= head; ++v) {
      out.push_back(log_[positions[v - 1] - 1]);
    }
  } else {
    uint64_t v =
        from_version == 0 ? positions.size() : std::min<uint64_t>(from_version, positions.size());
    for (; v >= 1 && out.size() < max_count; --v) {
      if (positions[v - 1] <= head) out.push_back(log_[positions[v - 1] - 1]);
    }
  }
  return out;
}

absl::StatusOr<std::vector<rating::v1::Envelope>> InMemoryEventStore::ReadAll(
    uint64_t from_position, size_t max_count) const {
  std::vector<rating::v1::Envelope> out;
  const uint64_t head = HeadPosition();
  absl::ReaderMutexLock lock(&mu_);
  for (uint64_t p = std::max<uint64_t>(from_position, 1); p <= head && out.size() < max_count;
       ++p) {
    out.push_back(log_[p - 1]);
  }
  return out;
}

absl::StatusOr<uint64_t> InMemoryEventStore::StreamVersion(std::string_view stream) const {
  return sequencer_.StreamVersion(stream);
}

uint64_t InMemoryEventStore::HeadPosition() const { return sequencer_.HeadPosition(); }

absl::StatusOr<std::optional<uint64_t>> InMemoryEventStore::FindEvent(
    std::string_view event_id) const {
  const uint64_t head = HeadPosition();
  absl::ReaderMutexLock lock(&mu_);
  auto it = ids_.find(AsAbsl(event_id));
  if (it == ids_.end() || it->second > head) return std::nullopt;
  return it->second;
}

uint64_t InMemoryEventStore::WaitForHeadPast(uint64_t position, absl::Duration timeout) const {
  return sequencer_.WaitForHeadPast(position, timeout);
}

absl::StatusOr<VerifyResult> InMemoryEventStore::Verify(uint64_t from_position,
                                                        uint64_t to_position) const {
  const uint64_t head = HeadPosition();
  const uint64_t from = std::max<uint64_t>(from_position, 1);
  const uint64_t to = to_position == 0 ? head : std::min(to_position, head);
  if (from > to) return VerifyResult{};  // An empty range verifies (as in the RocksDB store).
  absl::ReaderMutexLock lock(&mu_);
  ChainVerifier verifier(from, from == 1 ? ZeroHash() : log_[from - 2].hash());
  for (uint64_t p = from; p <= to; ++p) {
    if (!verifier.Check(p, &log_[p - 1])) break;
  }
  return verifier.Finish(to);
}

absl::Status InMemoryEventStore::RecordVerified(uint64_t position) {
  const uint64_t head = HeadPosition();
  if (position == 0) return absl::InvalidArgumentError("record verified: position must be >= 1");
  if (position > head) {
    return absl::OutOfRangeError(
        absl::StrCat("record verified: position ", position, " is past the head ", head));
  }
  absl::MutexLock lock(&mu_);
  last_verified_.emplace(position, log_[position - 1].hash());
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::pair<uint64_t, std::string>>> InMemoryEventStore::LastVerified()
    const {
  absl::ReaderMutexLock lock(&mu_);
  return last_verified_;
}

void InMemoryEventStore::Shutdown() { sequencer_.Shutdown(); }

bool InMemoryEventStore::IsShutdown() const { return sequencer_.IsShutdown(); }

std::string InMemoryEventStore::HeadHash() const { return sequencer_.HeadHash(); }

absl::StatusOr<std::optional<rating::v1::Envelope>> InMemoryEventStore::LoadEvent(
    std::string_view event_id) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = ids_.find(AsAbsl(event_id));
  if (it == ids_.end()) return std::nullopt;
  return log_[it->second - 1];
}

absl::StatusOr<uint64_t> InMemoryEventStore::LoadStreamVersion(std::string_view stream) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = streams_.find(AsAbsl(stream));
  return it == streams_.end() ? 0 : it->second.size();
}

absl::Status InMemoryEventStore::Commit(const std::vector<rating::v1::Envelope>& envelopes) {
  absl::MutexLock lock(&mu_);
  for (const rating::v1::Envelope& e : envelopes) {
    RATING_CHECK(e.position() == log_.size() + 1);
    streams_[e.stream()].push_back(e.position());
    ids_.emplace(e.event_id(), e.position());
    log_.push_back(e);
  }
  return absl::OkStatus();
}

}  // namespace rating::eventstore
