// Serves every IntegrationService.Subscribe stream without a thread per stream: one thread
// waits for the log to grow (EventStore::WaitForHeadPast) and wakes the idle streams it grew
// past; one thread reads each stream's next batch (at most `buffer_bytes` of entries, at least
// one), after authenticating the stream's token again; gRPC's callback threads only hand the
// batch to the wire, one message at a time. A stream whose token was revoked or rotated away
// ends with UNAUTHENTICATED at its next batch (a revocation grows the log, so idle streams
// learn it at once). Internal to services/. Thread-safe.
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstddef>
#include <set>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "rating/v1/api.pb.h"
#include "services/engine.h"
#include "services/internal/executor.h"

namespace rating::services::internal {

class SubscriptionHub {
 public:
  // `engine` must outlive the hub. At most `max_streams` streams are open at once.
  SubscriptionHub(Engine& engine, int max_streams, size_t buffer_bytes);
  // Joins the hub's threads (within about a second). Destroy it only once no stream is open:
  // after the server has shut down.
  ~SubscriptionHub();

  SubscriptionHub(const SubscriptionHub&) = delete;
  SubscriptionHub& operator=(const SubscriptionHub&) = delete;

  // The reactor serving one Subscribe call (gRPC owns it until its OnDone). It ends at once
  // with UNAUTHENTICATED, PERMISSION_DENIED, INVALID_ARGUMENT (a filter), OUT_OF_RANGE
  // (after_position past the head), RESOURCE_EXHAUSTED (max_streams open), and with
  // UNAVAILABLE (ErrorInfo reason SERVER_SHUTDOWN) once the store is shut down. Events the
  // request's filters leave out are passed over; checkpoints still advance past them.
  grpc::ServerWriteReactor<v1::SubscribeResponse>* Open(grpc::CallbackServerContext* context,
                                                        const v1::SubscribeRequest& request);

  // Streams open now.
  int open_streams() const;

  // The position each open stream has read up to (for metrics: its lag is the head minus it).
  std::vector<uint64_t> Positions() const;

 private:
  class Stream;
  enum class State { kRefilling, kWriting, kIdle, kDone };

  // Reads `stream`'s next batch and starts writing it, or parks it idle (worker thread).
  void Refill(Stream* stream);
  // After a write: the next message of the batch, or the next batch.
  void WriteDone(Stream* stream, bool ok);
  void Cancelled(Stream* stream);
  void Done(Stream* stream);
  // Finishes `stream` with `status` if it is still open and no one else is finishing it.
  void FinishLocked(Stream* stream) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Wakes idle streams when the log grows; finishes them when the store shuts down.
  void Watch();

  Engine& engine_;
  const int max_streams_;
  const size_t buffer_bytes_;
  mutable absl::Mutex mu_;
  int open_ ABSL_GUARDED_BY(mu_) = 0;
  std::set<Stream*> idle_ ABSL_GUARDED_BY(mu_);
  std::set<Stream*> open_set_ ABSL_GUARDED_BY(mu_);  // The registered streams.
  std::atomic<bool> stopping_{false};
  Executor reader_{1};
  std::thread watcher_;
};

}  // namespace rating::services::internal
