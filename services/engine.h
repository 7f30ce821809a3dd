// The engine: owns the projected state over an event store, runs commands (authorize ->
// plan with the rules -> append -> apply) and answers reads, live or as of a past moment.
// Layer: services. Thread-safe: commands are serialized (one writer); reads share a lock.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "eventstore/event_store.h"
#include "projections/rating_state.h"
#include "rating/v1/api.pb.h"

namespace rating::services {

class Engine {
 public:
  // Replays the whole log of `store` (which must outlive the engine) into the state.
  // DATA_LOSS when a stored event does not parse.
  static absl::StatusOr<std::unique_ptr<Engine>> Open(eventstore::EventStore& store);

  // The principal holding `token`. UNAUTHENTICATED when unknown or revoked.
  absl::StatusOr<v1::Principal> Authenticate(std::string_view token) const;

  // Runs one command as `caller`: authorization, rules, append (durable), projection.
  // `request_id` ("" = none) makes it idempotent: a retry returns the first reply with
  // replayed = true. Its effects are readable when this returns.
  absl::StatusOr<v1::CommandReply> Execute(const v1::Principal& caller, const v1::Command& command,
                                           std::string_view request_id);

  // Principal management (admin only). CreatePrincipal generates a token when none is given.
  absl::StatusOr<v1::CreatePrincipalResponse> CreatePrincipal(
      const v1::Principal& caller, const v1::CreatePrincipalRequest& request);
  absl::StatusOr<v1::CommandReply> RevokePrincipal(const v1::Principal& caller,
                                                   const std::string& principal_id);
  // Creates a principal unless its id exists (seeding from a config file). Returns true if
  // it was created.
  absl::StatusOr<bool> SeedPrincipal(const v1::Principal& principal, const std::string& token);

  // Runs `read` over the state as of `as_of` (unset = now). OUT_OF_RANGE past the head.
  // Live reads hold a shared lock for the duration of `read`; past states are rebuilt from
  // the log (starting from the last one rebuilt when it is not later than the moment asked).
  absl::Status Read(const v1::AsOf& as_of,
                    const std::function<absl::Status(const projections::RatingState&)>& read) const;

  // Rebuilds a fresh state from the log up to `position` (0 = head).
  absl::StatusOr<std::unique_ptr<projections::RatingState>> Rebuild(uint64_t position) const;

  eventstore::EventStore& store() const { return store_; }

 private:
  explicit Engine(eventstore::EventStore& store);
  absl::StatusOr<v1::CommandReply> AppendLocked(const v1::Principal& caller,
                                                const std::string& stream,
                                                const std::vector<v1::Event>& events,
                                                std::string_view request_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<std::optional<v1::CommandReply>> ReplayedLocked(const v1::Principal& caller,
                                                                 std::string_view request_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  eventstore::EventStore& store_;
  mutable absl::Mutex mu_;
  std::unique_ptr<projections::RatingState> state_ ABSL_GUARDED_BY(mu_);
  // The last state rebuilt for an as-of read (immutable once built; shared with readers).
  mutable absl::Mutex history_mu_;
  mutable std::shared_ptr<const projections::RatingState> history_ ABSL_GUARDED_BY(history_mu_);
};

// The event id of the `index`-th event of a request (a name-based UUID of the request id).
std::string DerivedEventId(std::string_view request_id, int index);

}  // namespace rating::services
