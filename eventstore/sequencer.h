// The single writer shared by every store: validates appends, checks versions and ids,
// assigns positions, chains hashes and commits groups of concurrent appends in one durable
// write (a writer queue after leveldb's DBImpl::Write). Layer: eventstore, internal.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "eventstore/event_store.h"
#include "rating/v1/envelope.pb.h"

namespace rating::eventstore {

// Owns the write path and the acknowledged head of one store. Thread-safe: appends queue up
// and the writer at the front of the queue (the leader) plans and commits everyone queued
// behind it in one Backend::Commit, then hands each writer its own result.
class Sequencer {
 public:
  // Storage under the sequencer. Calls come from one thread at a time for Commit (the
  // leader); the loaders may also be called concurrently from readers.
  class Backend {
   public:
    virtual ~Backend() = default;
    // The committed envelope with this id, or nullopt. DATA_LOSS if it does not parse.
    virtual absl::StatusOr<std::optional<rating::v1::Envelope>> LoadEvent(
        std::string_view event_id) const = 0;
    // The committed head version of `stream` (0 if none).
    virtual absl::StatusOr<uint64_t> LoadStreamVersion(std::string_view stream) const = 0;
    // Stores `envelopes` (consecutive positions following the last commit) atomically, and
    // durably if the store is durable. On error nothing may be visible.
    virtual absl::Status Commit(const std::vector<rating::v1::Envelope>& envelopes) = 0;
  };

  // The last stored event of the log, as recovered by the backend.
  struct Head {
    uint64_t position = 0;
    std::string hash;  // Empty means the zero hash (empty log).
    int64_t recorded_at_micros = 0;
  };

  // `backend` and `clock` must outlive the sequencer.
  Sequencer(Backend* backend, const common::Clock& clock, Head head);

  Sequencer(const Sequencer&) = delete;
  Sequencer& operator=(const Sequencer&) = delete;

  // EventStore::Append. Thread-safe; concurrent calls are committed in groups.
  absl::StatusOr<AppendResult> Append(std::string_view stream, int64_t expected_version,
                                      std::vector<NewEvent> events);
  // EventStore::AppendMany: the requests queue up together, in order, and are committed in as
  // few groups as the group bound allows. `requests`' events are consumed.
  std::vector<absl::StatusOr<AppendResult>> AppendMany(std::vector<AppendRequest>& requests);

  // EventStore::StreamVersion, from the stream-head cache (loaded from the backend on a miss).
  absl::StatusOr<uint64_t> StreamVersion(std::string_view stream) const;

  // Position of the last acknowledged event.
  uint64_t HeadPosition() const { return head_position_.load(std::memory_order_acquire); }

  // Hash of the last committed event (the zero hash for an empty log). For tests and tools.
  std::string HeadHash() const;

  // EventStore::WaitForHeadPast / Shutdown / IsShutdown.
  uint64_t WaitForHeadPast(uint64_t position, absl::Duration timeout) const;
  void Shutdown();
  bool IsShutdown() const { return shutdown_.load(std::memory_order_acquire); }

 private:
  struct Writer;
  struct Group;

  // Queues `mine` (consecutive writers of one caller) and returns once every one is done,
  // leading a group whenever the first unfinished one reaches the front.
  void Run(const std::vector<Writer*>& mine);
  // Prepares `w` for `events`: validation, sizes, generated ids. INVALID_ARGUMENT as Append.
  static absl::Status Prepare(Writer& w, std::string_view stream, int64_t expected_version,
                              std::vector<NewEvent>& events, AppendResult& result);
  // Runs the leader's part for `group` (queue order): plans each writer, commits once.
  void RunGroup(const std::vector<Writer*>& group);
  // Checks one writer against the log and the group so far; appends its envelopes to `g`.
  absl::Status Plan(Writer& w, Group& g);
  // The committed head of `stream`, from the cache or loaded (and cached if non-zero).
  absl::StatusOr<uint64_t> CachedStreamVersion(std::string_view stream) const;

  Backend* const backend_;
  const common::Clock& clock_;

  absl::Mutex queue_mu_;
  std::deque<Writer*> writers_ ABSL_GUARDED_BY(queue_mu_);

  // Chain state: touched only by the current leader (leadership passes under queue_mu_).
  uint64_t last_position_;
  std::string last_hash_;
  int64_t last_micros_;
  std::string scratch_;

  // Committed stream heads. Only streams with events are cached; grows with the number of
  // streams (a rating log has few enough).
  mutable absl::Mutex streams_mu_;
  mutable absl::flat_hash_map<std::string, uint64_t> stream_versions_
      ABSL_GUARDED_BY(streams_mu_);

  mutable absl::Mutex head_mu_;
  std::atomic<uint64_t> head_position_;
  std::string head_hash_ ABSL_GUARDED_BY(head_mu_);
  std::atomic<bool> shutdown_{false};
};

}  // namespace rating::eventstore
