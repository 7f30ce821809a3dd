// An EventStore kept in memory: the same semantics as the RocksDB store (ordering, versions,
// idempotency, hash chain, group commit) without durability. For tests and tools.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "eventstore/event_store.h"
#include "eventstore/sequencer.h"

namespace rating::eventstore {

// Thread-safe. Everything is lost when the store is destroyed.
class InMemoryEventStore final : public EventStore, private Sequencer::Backend {
 public:
  // `clock` stamps recorded_at and must outlive the store.
  explicit InMemoryEventStore(const common::Clock& clock = common::SystemClock::Get());

  absl::StatusOr<AppendResult> Append(std::string_view stream, int64_t expected_version,
                                      std::vector<NewEvent> events) override;
  std::vector<absl::StatusOr<AppendResult>> AppendMany(
      std::vector<AppendRequest> requests) override;
  absl::StatusOr<std::vector<rating::v1::Envelope>> ReadStream(std::string_view stream,
                                                               uint64_t from_version,
                                                               Direction direction,
                                                               size_t max_count) const override;
  absl::StatusOr<std::vector<rating::v1::Envelope>> ReadAll(uint64_t from_position,
                                                            size_t max_count) const override;
  absl::StatusOr<uint64_t> StreamVersion(std::string_view stream) const override;
  uint64_t HeadPosition() const override;
  absl::StatusOr<std::optional<uint64_t>> FindEvent(std::string_view event_id) const override;
  uint64_t WaitForHeadPast(uint64_t position, absl::Duration timeout) const override;
  absl::StatusOr<VerifyResult> Verify(uint64_t from_position, uint64_t to_position) const override;
  absl::Status RecordVerified(uint64_t position) override;
  absl::StatusOr<std::optional<std::pair<uint64_t, std::string>>> LastVerified() const override;
  void Shutdown() override;
  bool IsShutdown() const override;

  // Hash of the last event (32 zero bytes for an empty log).
  std::string HeadHash() const;

 private:
  // Sequencer::Backend.
  absl::StatusOr<std::optional<rating::v1::Envelope>> LoadEvent(
      std::string_view event_id) const override;
  absl::StatusOr<uint64_t> LoadStreamVersion(std::string_view stream) const override;
  absl::Status Commit(const std::vector<rating::v1::Envelope>& envelopes) override;

  mutable absl::Mutex mu_;
  std::vector<rating::v1::Envelope> log_ ABSL_GUARDED_BY(mu_);  // log_[p - 1] is position p.
  absl::flat_hash_map<std::string, std::vector<uint64_t>> streams_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, uint64_t> ids_ ABSL_GUARDED_BY(mu_);
  std::optional<std::pair<uint64_t, std::string>> last_verified_ ABSL_GUARDED_BY(mu_);
  Sequencer sequencer_;
};

}  // namespace rating::eventstore
