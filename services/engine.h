// The engine: owns the projected state over an event store, runs commands (authorize ->
// plan with the rules -> append -> apply) and answers reads, live or as of a past moment.
// Layer: services. Thread-safe. Commands are pipelined: each is planned against the live state
// under a shared lock, checked against the commands planned or applied since (conflicts.h:
// one that may depend on them is planned again), appended without any lock (concurrent
// commands share the store's group commit) and applied in log order under a short exclusive
// lock. Reads share the lock, so they wait for an apply, never for an fsync.
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "eventstore/event_store.h"
#include "eventstore/snapshot_store.h"
#include "projections/rating_state.h"
#include "rating/v1/api.pb.h"
#include "services/conflicts.h"

namespace rating::services {

// One principal of ratingd's --auth_config file: who, and the bearer token it is to hold.
struct ConfiguredPrincipal {
  v1::Principal principal;
  std::string token;
};

// What Engine::ApplyAuthConfig changed, by principal id (each list in file or id order).
struct AuthConfigChanges {
  std::vector<std::string> created;
  std::vector<std::string> rotated;
  std::vector<std::string> revoked;
  // Listed in the file but revoked earlier: they stay revoked (revocation is final).
  std::vector<std::string> kept_revoked;
};

// Projection snapshots (projections/snapshot.h) kept in a SnapshotStore.
struct SnapshotOptions {
  // Where snapshots are kept; null = none (every start replays the whole log).
  eventstore::SnapshotStore* store = nullptr;
  // A snapshot is written (on a thread of its own) once the state is this many events past
  // the last one; 0 = only when asked (WriteSnapshot, e.g. at a clean shutdown).
  uint64_t every = 0;
  // Snapshots kept (the newest); older ones are removed after each write.
  size_t keep = 4;
  // About this many bytes per chunk.
  size_t chunk_bytes = 1 << 20;
};

// What Engine::Open did to reach the head.
struct OpenReport {
  uint64_t snapshot_position = 0;  // The snapshot loaded (0 = none).
  uint64_t replayed = 0;           // Events replayed after it.
  // Snapshots found unfit and removed (another projection version, a chain hash that is not
  // the log's, damaged chunks), each with the reason.
  std::vector<std::string> discarded;
};

class Engine {
 public:
  // Loads the newest fit snapshot at or before the head (if `snapshots.store` is set) and
  // replays the rest of the log of `store` (which must outlive the engine, as must the
  // snapshot store). DATA_LOSS when a stored event does not parse.
  static absl::StatusOr<std::unique_ptr<Engine>> Open(eventstore::EventStore& store,
                                                      SnapshotOptions snapshots = {});
  ~Engine();

  const OpenReport& open_report() const { return open_report_; }

  // Writes a snapshot of the live state now (unless one exists at its position) and prunes
  // old ones. FAILED_PRECONDITION without a snapshot store. Returns the position written.
  absl::StatusOr<uint64_t> WriteSnapshot();

  // The principal holding `token`. UNAUTHENTICATED when unknown or revoked.
  absl::StatusOr<v1::Principal> Authenticate(std::string_view token) const;
  // The same, with the position of the state it was decided on (the last applied event):
  // a reader of the log sends nothing past it on that authority (the store's head may be
  // ahead while an append is being applied).
  absl::StatusOr<std::pair<v1::Principal, uint64_t>> AuthenticateAt(std::string_view token) const;
  // The position of the last event applied to the live state.
  uint64_t AppliedPosition() const;
  // Waits until an event past `position` is applied, or `timeout`; returns the applied
  // position.
  uint64_t WaitForAppliedPast(uint64_t position, absl::Duration timeout) const;

  // Runs one command as `caller`: its unknown fields dropped, its size limits
  // (input_limits.h), authorization, rules, append (durable), projection. `request_id`
  // ("" = none; compared in lower case) makes it idempotent: a retry returns the first reply
  // with replayed = true. Its effects are readable when this returns. With `validate_only`
  // (AIP-163) every check runs the same and nothing is written: the reply has validate_only,
  // the planned events and the rules that speak in them (a key already used replays as usual).
  absl::StatusOr<v1::CommandReply> Execute(const v1::Principal& caller, const v1::Command& command,
                                           std::string_view request_id, bool validate_only = false);
  // The same as the holder of `token`, authenticated under the writer's lock: a token revoked
  // or rotated away before this command is sequenced is UNAUTHENTICATED (and nothing runs).
  // UNAUTHENTICATED comes only from the token, never from the command.
  absl::StatusOr<v1::CommandReply> ExecuteWithToken(std::string_view token,
                                                    const v1::Command& command,
                                                    std::string_view request_id,
                                                    bool validate_only = false);

  // One command of a batch (ExecuteMany).
  struct BatchCommand {
    v1::Command command;
    std::string request_id;
    bool validate_only = false;  // AIP-163: checked as it would run, nothing written.
  };
  // Runs `commands` in order as the holder of `token`, as consecutive ExecuteWithToken calls
  // would, with one result each, but in runs: consecutive commands none of which may depend
  // on another are planned together and appended in one group commit. Stops at the first
  // command whose token no longer authenticates (that result and the rest are
  // UNAUTHENTICATED: nothing more runs on its authority).
  std::vector<absl::StatusOr<v1::CommandReply>> ExecuteMany(
      std::string_view token, const std::vector<BatchCommand>& commands);

  // Checks `commands` in order as the holder of `token` without writing anything (AIP-163 for
  // a sequence, as `ratingctl apply --dry-run` sends it): each is planned over a scratch copy
  // of the live state on which the commands before it were applied, so a command that needs
  // an earlier one (an enrollment before its ballot) is checked as it would run after it. One
  // result each: the validate_only reply, or the refusal. The copy costs the state's size in
  // memory for the call's duration (engine_validation.cc).
  std::vector<absl::StatusOr<v1::CommandReply>> ValidateSequence(
      std::string_view token, const std::vector<BatchCommand>& commands) const;

  // Principal management (admin only). CreatePrincipal generates a token when none is given.
  absl::StatusOr<v1::CreatePrincipalResponse> CreatePrincipal(
      const v1::Principal& caller, const v1::CreatePrincipalRequest& request);
  absl::StatusOr<v1::CommandReply> RevokePrincipal(const v1::Principal& caller,
                                                   const std::string& principal_id);
  // Creates a principal unless its id exists (the development admin, tests). Returns true if
  // it was created.
  absl::StatusOr<bool> SeedPrincipal(const v1::Principal& principal, const std::string& token);

  // Makes the principals match ratingd's --auth_config file, which is authoritative for the
  // principals it lists and for those it created earlier: a listed principal that does not
  // exist is created (PrincipalCreated.from_auth_config); one whose token differs gets it
  // (principal_token_rotated: the old token stops working); one the file created earlier and
  // no longer lists is revoked. Every entry is checked before anything is written, and every
  // change is appended in one atomic append by the "system" actor. INVALID_ARGUMENT (a bad id,
  // role, scope or token, an id or token listed twice, a listed principal whose stored role or
  // scope differs: roles never change), ALREADY_EXISTS (a token held by another principal,
  // revoked ones included: swap two tokens in two starts). A listed principal revoked earlier
  // stays revoked (`kept_revoked`).
  absl::StatusOr<AuthConfigChanges> ApplyAuthConfig(
      const std::vector<ConfiguredPrincipal>& principals);

  // Runs `read` over the state as of `as_of` (unset = now). OUT_OF_RANGE past the head.
  // Live reads hold a shared lock for the duration of `read`; past states are rebuilt from
  // the log (starting from the last one rebuilt when it is not later than the moment asked).
  absl::Status Read(const v1::AsOf& as_of,
                    const std::function<absl::Status(const projections::RatingState&)>& read) const;
  // The same, but `authorize` runs first, over the live state (under the same lock as a live
  // `read`): when it refuses, its status is returned and no past state is rebuilt. An as-of
  // `read` may check again against the past state.
  absl::Status Read(
      const v1::AsOf& as_of,
      const std::function<absl::Status(const projections::RatingState& live)>& authorize,
      const std::function<absl::Status(const projections::RatingState&)>& read) const;

  // How many plans were made again because a command planned or applied meanwhile may have
  // changed what they read. Thread-safe.
  int64_t replans() const { return replans_.load(); }

  // How many past states as-of reads have rebuilt (replayed from the log) so far. Thread-safe.
  int64_t as_of_rebuilds() const { return as_of_rebuilds_.load(); }

  // Rebuilds a fresh state from the log up to `position` (0 = head).
  absl::StatusOr<std::unique_ptr<projections::RatingState>> Rebuild(uint64_t position) const;

  eventstore::EventStore& store() const { return store_; }

  // Refuses every later write (commands, principal changes, auth config) with
  // FAILED_PRECONDITION carrying `reason`, which names the failing position; reads go on.
  // ratingd calls it when the chain fails its check at start; the engine calls it itself when
  // an append finds the store's data damaged (DATA_LOSS). Permanent until a restart.
  // Thread-safe.
  void FenceWrites(const absl::Status& reason);
  // OK, or the FAILED_PRECONDITION every write gets (see FenceWrites). Thread-safe.
  absl::Status write_fence() const;
  // Called once when writes become fenced (from FenceWrites, on the fencing thread). Set before
  // serving. Used by ratingd to turn the write services' health to NOT_SERVING.
  void set_fence_observer(std::function<void(const absl::Status&)> observer);
  // Called after each append to the store with its latency and outcome (on the writer's
  // thread, once per append of a group commit: keep it short). Set before serving. For
  // metrics.
  void set_append_observer(std::function<void(absl::Duration, const absl::Status&)> observer);
  // The last log position applied to the live state (the head, once a command returns).
  uint64_t applied_position() const;

 private:
  // One planned command: what it appends, or its result when it appends nothing.
  struct Step {
    absl::Status status;                     // A refusal (nothing appended).
    std::optional<v1::CommandReply> reply;   // A replayed request, or the reply once applied.
    v1::Principal caller;
    std::string stream;
    std::vector<v1::Event> events;           // Empty: nothing to append.
    std::string request_id;                  // Canonical ("" = none).
    int64_t expected_version = eventstore::kExpectAny;
  };
  // Plans over the live state (shared lock held): fills the steps of one run and the union
  // of the footprints of those that append. A returned error ends the pipeline with it.
  using Planner = std::function<absl::Status(const projections::RatingState& state,
                                             std::vector<Step>& steps, Footprint& footprint)>;

  Engine(eventstore::EventStore& store, SnapshotOptions snapshots);
  // The newest fit snapshot at or before `position` (and recorded by `until_micros`, 0 = any),
  // loaded; nullptr when there is none. Unfit ones are removed and named in `discarded`.
  absl::StatusOr<std::unique_ptr<projections::RatingState>> LoadSnapshot(
      uint64_t position, int64_t until_micros, std::vector<std::string>* discarded) const;
  // Writes the snapshot thread's snapshots when asked.
  void SnapshotLoop();
  // Plans with `plan`, waits out or re-plans around conflicting commands, appends the steps'
  // events in one AppendMany and applies them in log order. `steps` holds each step's result.
  absl::Status Pipeline(const Planner& plan, std::vector<Step>& steps);
  // Applies one stored append (exclusive lock held; the state is just before it).
  absl::Status ApplyLocked(const eventstore::AppendResult& result, const Step& step)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The first reply of a request already stored under `request_id`, or nullopt.
  absl::StatusOr<std::optional<v1::CommandReply>> Replayed(const v1::Principal& caller,
                                                           std::string_view request_id) const;
  // Plans one command as `caller` into `step` (replay, authorization, rules); validated only,
  // its reply is the plan's (ValidationReply) and it appends nothing.
  void PlanCommand(const projections::RatingState& state, const v1::Principal& caller,
                   const v1::Command& command, std::string_view request_id, bool validate_only,
                   Step& step) const;
  // A single step's pipeline result as a reply.
  absl::StatusOr<v1::CommandReply> RunOne(const Planner& plan);

  eventstore::EventStore& store_;
  mutable absl::Mutex mu_;
  std::unique_ptr<projections::RatingState> state_ ABSL_GUARDED_BY(mu_);
  // The pipeline's bookkeeping: the footprints of the commands appended but not yet applied
  // (by ticket), and of those applied lately (by their last position) back to `recent_floor_`.
  mutable absl::Mutex commit_mu_ ABSL_ACQUIRED_AFTER(mu_);
  std::map<uint64_t, Footprint> in_flight_ ABSL_GUARDED_BY(commit_mu_);
  std::deque<std::pair<uint64_t, Footprint>> recent_ ABSL_GUARDED_BY(commit_mu_);
  uint64_t recent_floor_ ABSL_GUARDED_BY(commit_mu_) = 0;
  uint64_t next_ticket_ ABSL_GUARDED_BY(commit_mu_) = 1;
  std::atomic<int64_t> replans_{0};

  const SnapshotOptions snapshots_;
  OpenReport open_report_;
  absl::Mutex snapshot_write_mu_;  // One snapshot written at a time.
  std::atomic<uint64_t> last_snapshot_{0};
  absl::Mutex snapshot_mu_;  // Short: the snapshot thread's wake-up.
  bool snapshot_wanted_ ABSL_GUARDED_BY(snapshot_mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(snapshot_mu_) = false;
  std::thread snapshotter_;
  // The last state rebuilt for an as-of read (immutable once built; shared with readers).
  mutable absl::Mutex history_mu_;
  mutable std::shared_ptr<const projections::RatingState> history_ ABSL_GUARDED_BY(history_mu_);
  mutable std::atomic<int64_t> as_of_rebuilds_{0};
  mutable absl::Mutex fence_mu_;
  absl::Status write_fence_ ABSL_GUARDED_BY(fence_mu_);
  std::function<void(const absl::Status&)> fence_observer_ ABSL_GUARDED_BY(fence_mu_);
  std::function<void(absl::Duration, const absl::Status&)> append_observer_
      ABSL_GUARDED_BY(fence_mu_);
};

// The event id of the `index`-th event of a request (a name-based UUID of the request id).
std::string DerivedEventId(std::string_view request_id, int index);

// The canonical form of an idempotency key: lower case (UUIDs are case-insensitive).
std::string CanonicalRequestId(std::string_view request_id);

}  // namespace rating::services
