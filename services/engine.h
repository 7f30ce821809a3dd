// The engine: owns the projected state over an event store, runs commands (authorize ->
// plan with the rules -> append -> apply) and answers reads, live or as of a past moment.
// Layer: services. Thread-safe: commands are serialized (one writer); reads share a lock.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "eventstore/event_store.h"
#include "projections/rating_state.h"
#include "rating/v1/api.pb.h"

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

class Engine {
 public:
  // Replays the whole log of `store` (which must outlive the engine) into the state.
  // DATA_LOSS when a stored event does not parse.
  static absl::StatusOr<std::unique_ptr<Engine>> Open(eventstore::EventStore& store);

  // The principal holding `token`. UNAUTHENTICATED when unknown or revoked.
  absl::StatusOr<v1::Principal> Authenticate(std::string_view token) const;

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

  // How many past states as-of reads have rebuilt (replayed from the log) so far. Thread-safe.
  int64_t as_of_rebuilds() const { return as_of_rebuilds_.load(); }

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
  // Execute's work once the command is clean and the key canonical.
  absl::StatusOr<v1::CommandReply> ExecuteLocked(const v1::Principal& caller,
                                                 const v1::Command& command,
                                                 std::string_view request_id, bool validate_only)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  eventstore::EventStore& store_;
  mutable absl::Mutex mu_;
  std::unique_ptr<projections::RatingState> state_ ABSL_GUARDED_BY(mu_);
  // The last state rebuilt for an as-of read (immutable once built; shared with readers).
  mutable absl::Mutex history_mu_;
  mutable std::shared_ptr<const projections::RatingState> history_ ABSL_GUARDED_BY(history_mu_);
  mutable std::atomic<int64_t> as_of_rebuilds_{0};
};

// The event id of the `index`-th event of a request (a name-based UUID of the request id).
std::string DerivedEventId(std::string_view request_id, int index);

// The canonical form of an idempotency key: lower case (UUIDs are case-insensitive).
std::string CanonicalRequestId(std::string_view request_id);

}  // namespace rating::services
