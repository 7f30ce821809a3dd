// A few threads of our own that run jobs in order: the blocking work (log reads, commands) that
// gRPC's callback threads must not do. Internal to services/. Thread-safe.
#pragma once

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace rating::services::internal {

class Executor {
 public:
  // Starts `threads` (>= 1) threads.
  explicit Executor(int threads);
  // Runs every job already scheduled, then joins the threads.
  ~Executor();

  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // Runs `job` on one of the threads, after the jobs scheduled before it started.
  void Schedule(std::function<void()> job);

 private:
  void Loop();
  bool Ready() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::deque<std::function<void()>> jobs_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace rating::services::internal
