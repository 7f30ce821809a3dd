// The append-only event log: the interface every store implements (RocksDB, in-memory).
// Layer: eventstore. It knows envelopes, streams and positions, nothing of ratings.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "rating/v1/envelope.pb.h"

namespace rating::eventstore {

// Expected-version forms for Append. A value >= 0 is the exact current head version of the
// stream (0: the stream has no events). Any other negative value is INVALID_ARGUMENT.
inline constexpr int64_t kExpectAny = -1;       // No check.
inline constexpr int64_t kExpectNoStream = -2;  // The stream must not exist yet.

// Limits enforced on every append (INVALID_ARGUMENT beyond them).
inline constexpr size_t kMaxStreamNameBytes = 256;
inline constexpr size_t kMaxPayloadBytes = 1 << 20;  // 1 MiB per event.
inline constexpr size_t kMaxEventsPerAppend = 10000;
inline constexpr size_t kMaxMetadataBytes = 256;     // type, actor, ids.
inline constexpr size_t kMaxAppendBytes = 64 << 20;  // Sum of the payloads of one append.

// An event to append. The store fills in stream, versions, position, time and hashes.
struct NewEvent {
  // UUID text; empty = the store generates one. The idempotency key.
  std::string event_id;
  std::string type;
  uint32_t schema_version = 1;
  std::string payload;
  std::string actor;
  std::string correlation_id;
  std::string causation_id;
};

// What an append wrote (or, for an idempotent retry, had written before).
struct AppendResult {
  // Global positions of the events, in order.
  std::vector<uint64_t> positions;
  // Ids of the events, in order (generated ones included).
  std::vector<std::string> event_ids;
  // The stream's head version after the append.
  uint64_t stream_version = 0;
  // True when every event was already stored: nothing was written.
  bool replayed = false;
  // The envelopes written, as stored (empty when replayed): the engine applies them without
  // reading them back.
  std::vector<rating::v1::Envelope> envelopes;
};

// One append of a batch (EventStore::AppendMany).
struct AppendRequest {
  std::string stream;
  int64_t expected_version = kExpectAny;
  std::vector<NewEvent> events;
};

// Result of a hash-chain verification.
struct VerifyResult {
  bool ok = true;
  uint64_t checked = 0;
  // First position whose stored hash or link fails; 0 when ok.
  uint64_t first_bad_position = 0;
  std::string message;
};

enum class Direction { kForward, kBackward };

class EventStore;

// A subscription to the global log: catch-up from the log, then live. Never a gap or a
// duplicate; memory is bounded (it reads the log in pages). Not thread-safe: one consumer.
class Subscription {
 public:
  // `store` must outlive the subscription.
  Subscription(const EventStore& store, uint64_t after_position);

  // The next event, or nullopt if none arrived within `timeout`. CANCELLED after Cancel() or
  // after the store's Shutdown(); DATA_LOSS if a stored event does not parse.
  absl::StatusOr<std::optional<rating::v1::Envelope>> Next(absl::Duration timeout);

  // Makes later Next() calls return CANCELLED. Does not wake a Next() that is waiting.
  void Cancel() { cancelled_ = true; }

  // Position of the last event returned (or the starting point).
  uint64_t position() const { return position_; }

  // Events read per page from the log.
  static constexpr size_t kPageSize = 256;

 private:
  const EventStore& store_;
  uint64_t position_;
  std::vector<rating::v1::Envelope> page_;
  size_t next_in_page_ = 0;
  bool cancelled_ = false;
};

// The event log. Implementations are thread-safe: appends from many threads are sequenced
// (one writer; concurrent appenders share one durable write), reads run concurrently.
class EventStore {
 public:
  virtual ~EventStore() = default;

  // Appends `events` to `stream` atomically and durably (acknowledged only after the WAL is
  // synced, unless the store was opened non-durable). Errors: INVALID_ARGUMENT (empty or
  // oversized stream name, payload or batch, malformed event id, unknown expected-version
  // form), ABORTED (version conflict, naming the expected and actual version),
  // ALREADY_EXISTS (an event id is stored with different content, or only some ids of the
  // batch are stored), RESOURCE_EXHAUSTED (the disk is full or below the store's free-space
  // reserve: nothing was written, retry once space is freed), FAILED_PRECONDITION (the store
  // was opened read-only), UNAVAILABLE (I/O). Re-sending events whose ids are all stored with
  // the same content returns their original positions and writes nothing.
  virtual absl::StatusOr<AppendResult> Append(std::string_view stream, int64_t expected_version,
                                              std::vector<NewEvent> events) = 0;

  // Appends each request as Append would, in order, each atomic on its own and each with its
  // own result, committed together where the store can (the sequencer's group commit: one
  // durable write for the lot, bounded in bytes). A refused request writes nothing and does
  // not stop the others. The default implementation calls Append for each.
  virtual std::vector<absl::StatusOr<AppendResult>> AppendMany(
      std::vector<AppendRequest> requests);

  // Up to `max_count` events of `stream` starting at `from_version` (1-based), forward or
  // backward (backward from `from_version` down; 0 = from the head). An unknown stream reads
  // as empty.
  virtual absl::StatusOr<std::vector<rating::v1::Envelope>> ReadStream(std::string_view stream,
                                                                       uint64_t from_version,
                                                                       Direction direction,
                                                                       size_t max_count) const = 0;

  // Up to `max_count` events of the global log with position >= `from_position` (1-based).
  virtual absl::StatusOr<std::vector<rating::v1::Envelope>> ReadAll(uint64_t from_position,
                                                                    size_t max_count) const = 0;

  // Calls `visit` with each event of the global log from `from_position` (1-based) up to the
  // head as of the call, in order, until `visit` returns false. The envelope passed is valid
  // only during the call (implementations reuse it), so a full replay runs in bounded memory
  // without a copy per event. DATA_LOSS if a stored event does not parse; UNAVAILABLE on I/O.
  // The default implementation pages through ReadAll.
  virtual absl::Status ForEach(uint64_t from_position,
                               const std::function<bool(const rating::v1::Envelope&)>& visit) const;

  // The head version of `stream` (0 if it has no events).
  virtual absl::StatusOr<uint64_t> StreamVersion(std::string_view stream) const = 0;

  // Position of the last acknowledged event (0 if the log is empty).
  virtual uint64_t HeadPosition() const = 0;

  // The position of the stored event with this id, or nullopt.
  virtual absl::StatusOr<std::optional<uint64_t>> FindEvent(std::string_view event_id) const = 0;

  // Blocks until the head is past `position` or `timeout` passes, or Shutdown() is called.
  // Returns the head position.
  virtual uint64_t WaitForHeadPast(uint64_t position, absl::Duration timeout) const = 0;

  // Recomputes the hash chain over [from, to] (0 = first / head) and names the first
  // position that fails. DATA_LOSS never: failures are in the result.
  virtual absl::StatusOr<VerifyResult> Verify(uint64_t from_position,
                                              uint64_t to_position) const = 0;

  // Records that the chain was verified up to `position` (a "last verified" mark), with the
  // stored hash of the event there, so a later start can verify only the events after it
  // (VerifyTail). Replaces the previous mark (it may move back, e.g. after a repair). Durable
  // like an append in the RocksDB store. INVALID_ARGUMENT for position 0, OUT_OF_RANGE past
  // the head, DATA_LOSS if the event there does not parse, RESOURCE_EXHAUSTED / UNAVAILABLE
  // / FAILED_PRECONDITION as Append. Thread-safe.
  virtual absl::Status RecordVerified(uint64_t position) = 0;

  // The last RecordVerified mark: position and the hash recorded with it, or nullopt if none
  // was recorded. DATA_LOSS if the stored mark is malformed.
  virtual absl::StatusOr<std::optional<std::pair<uint64_t, std::string>>> LastVerified() const = 0;

  // Wakes every waiter; later waits return at once. Appends still work.
  virtual void Shutdown() = 0;

  // True once Shutdown() was called. Thread-safe.
  virtual bool IsShutdown() const { return false; }

  // A subscription starting after `after_position`.
  std::unique_ptr<Subscription> Subscribe(uint64_t after_position) const {
    return std::make_unique<Subscription>(*this, after_position);
  }
};

// Verifies what was appended since the last verification, for a server at start: checks
// that the event at the LastVerified() position still has the recorded hash (so the verified
// prefix was not rewritten), then the chain from there to the head (the whole log if nothing
// was verified yet), and on success records the head with RecordVerified(). The result names
// the first bad position (the marked position itself if its hash changed); a failure is never
// recorded. Errors: those of LastVerified, Verify and RecordVerified. With `record` false the
// mark is left where it is (a read-only store: the same check, nothing written).
absl::StatusOr<VerifyResult> VerifyTail(EventStore& store, bool record = true);

}  // namespace rating::eventstore
