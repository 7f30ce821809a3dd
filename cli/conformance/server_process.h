// Runs a ratingd child process for the conformance runner: starts it, waits for its
// "ratingd listening on HOST:PORT" line, forwards the rest of its stdout to our stderr, and
// stops it with SIGTERM. Layer: cli/conformance (POSIX processes and pipes).
#pragma once

#include <sys/types.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace rating::cli {

// One ratingd child. Owns the child and its stdout pipe; destroying it stops both. Not
// thread-safe: use from one thread.
class ServerProcess {
 public:
  // Starts `binary` with `args` (argv[1..]); its stdout is read until the ready line.
  // Its stderr is ours. The child gets SIGTERM if this process dies.
  // NOT_FOUND if `binary` cannot be executed; DEADLINE_EXCEEDED if the ready line does not
  // come within `startup_timeout` (the child is then killed); UNAVAILABLE if the child exits
  // first. Call from the thread that will outlive the child (the death signal follows it).
  static absl::StatusOr<std::unique_ptr<ServerProcess>> Start(const std::string& binary,
                                                              const std::vector<std::string>& args,
                                                              absl::Duration startup_timeout);

  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Stops the child (SIGKILL if Stop was not called) and joins the forwarding thread.
  ~ServerProcess();

  // "127.0.0.1:PORT", as the ready line gave it.
  const std::string& address() const { return address_; }
  // The child's process id (the process may have exited; see Running).
  pid_t pid() const { return pid_; }

  // True while the child has not exited. An exit observed here is remembered for Stop.
  bool Running();

  // Sends SIGTERM and waits up to `timeout`, then SIGKILL. OK if the child exited with code 0
  // or by SIGTERM; INTERNAL describing the exit otherwise.
  absl::Status Stop(absl::Duration timeout = absl::Seconds(10));

  // "exited with code 3", "killed by signal 11", "running".
  std::string ExitDescription() const;

 private:
  ServerProcess(pid_t pid, int stdout_fd) : pid_(pid), stdout_fd_(stdout_fd) {}

  // Reads stdout until the ready line or the deadline.
  absl::Status AwaitReady(absl::Duration timeout);
  // Forwards the rest of stdout (from `pending`) to stderr until EOF or stop_.
  void Forward(std::string pending);
  // waitpid without blocking; true once the child has been reaped.
  bool Reap();

  const pid_t pid_;
  const int stdout_fd_;
  std::string address_;
  bool reaped_ = false;
  int wait_status_ = 0;
  std::atomic<bool> stop_{false};
  std::thread forwarder_;
};

// The ratingd binary to run when none is given: <dir of this executable>/ratingd, then
// <dir>/../services/ratingd, then "ratingd" on PATH. NOT_FOUND naming the places tried.
absl::StatusOr<std::string> FindRatingd();

}  // namespace rating::cli
