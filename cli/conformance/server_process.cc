#include "cli/conformance/server_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"

namespace rating::cli {
namespace {

constexpr char kReadyMarker[] = "ratingd listening on ";
constexpr size_t kReadyMarkerSize = sizeof(kReadyMarker) - 1;

void WriteAll(int fd, absl::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // Our stderr is gone: nothing useful to do with the bytes.
    data.remove_prefix(static_cast<size_t>(n));
  }
}

bool IsExecutable(const std::string& path) {
  std::error_code error;
  return std::filesystem::is_regular_file(path, error) && ::access(path.c_str(), X_OK) == 0;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ServerProcess>> ServerProcess::Start(
    const std::string& binary, const std::vector<std::string>& args,
    absl::Duration startup_timeout) {
  if (!IsExecutable(binary)) {
    return absl::NotFoundError(absl::StrCat(binary, ": not an executable file"));
  }
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return absl::InternalError(absl::StrCat("pipe: ", std::strerror(errno)));
  }
  // Everything the child needs is built before fork: after it, only async-signal-safe calls.
  std::vector<std::string> argv_storage;
  argv_storage.push_back(binary);
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : argv_storage) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const pid_t parent = ::getpid();

  const pid_t pid = ::fork();
  if (pid < 0) {
    const int error = errno;
    ::close(fds[0]);
    ::close(fds[1]);
    return absl::InternalError(absl::StrCat("fork: ", std::strerror(error)));
  }
  if (pid == 0) {
    // Child: stdout into the pipe (dup2 clears O_CLOEXEC on fd 1), die with the parent.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);
    if (::dup2(fds[1], STDOUT_FILENO) < 0) ::_exit(127);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  std::unique_ptr<ServerProcess> process(new ServerProcess(pid, fds[0]));
  absl::Status ready = process->AwaitReady(startup_timeout);
  if (!ready.ok()) {
    // The destructor kills and reaps the child.
    return ready;
  }
  return process;
}

absl::Status ServerProcess::AwaitReady(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  std::string buffer;
  char chunk[4096];
  while (true) {
    // Hand over complete lines: forward them, or stop at the ready line.
    size_t newline;
    while ((newline = buffer.find('\n')) != std::string::npos) {
      std::string line = buffer.substr(0, newline);
      buffer.erase(0, newline + 1);
      size_t marker = line.find(kReadyMarker);
      if (marker != std::string::npos) {
        absl::string_view rest =
            absl::StripAsciiWhitespace(absl::string_view(line).substr(marker + kReadyMarkerSize));
        address_ = std::string(rest.substr(0, rest.find_first_of(" \t")));
        if (address_.empty() || address_.find(':') == std::string::npos) {
          return absl::InternalError(absl::StrCat("ratingd: unreadable ready line: ", line));
        }
        forwarder_ = std::thread(&ServerProcess::Forward, this, std::move(buffer));
        return absl::OkStatus();
      }
      WriteAll(STDERR_FILENO, absl::StrCat(line, "\n"));
    }
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError(absl::StrCat("ratingd printed no \"", kReadyMarker,
                                                      "HOST:PORT\" line within ",
                                                      absl::FormatDuration(timeout)));
    }
    pollfd pfd{stdout_fd_, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return absl::InternalError(absl::StrCat("poll: ", std::strerror(errno)));
    if (ready == 0) continue;
    const ssize_t n = ::read(stdout_fd_, chunk, sizeof(chunk));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      // EOF: the child closed stdout, most likely by exiting.
      WriteAll(STDERR_FILENO, buffer);
      for (int i = 0; i < 100 && !Reap(); ++i) absl::SleepFor(absl::Milliseconds(20));
      return absl::UnavailableError(
          absl::StrCat("ratingd stopped before it was ready (", ExitDescription(), ")"));
    }
    buffer.append(chunk, static_cast<size_t>(n));
  }
}

void ServerProcess::Forward(std::string pending) {
  WriteAll(STDERR_FILENO, pending);
  char chunk[4096];
  while (!stop_.load()) {
    pollfd pfd{stdout_fd_, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, 100);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return;
    if (ready == 0) continue;
    const ssize_t n = ::read(stdout_fd_, chunk, sizeof(chunk));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // EOF.
    WriteAll(STDERR_FILENO, absl::string_view(chunk, static_cast<size_t>(n)));
  }
}

bool ServerProcess::Reap() {
  if (reaped_) return true;
  int status = 0;
  const pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_ || (r < 0 && errno == ECHILD)) {
    reaped_ = true;
    wait_status_ = status;
  }
  return reaped_;
}

bool ServerProcess::Running() { return !Reap(); }

std::string ServerProcess::ExitDescription() const {
  if (!reaped_) return "running";
  if (WIFEXITED(wait_status_)) return absl::StrCat("exited with code ", WEXITSTATUS(wait_status_));
  if (WIFSIGNALED(wait_status_)) {
    return absl::StrCat("killed by signal ", WTERMSIG(wait_status_), " (",
                        strsignal(WTERMSIG(wait_status_)), ")");
  }
  return absl::StrCat("wait status ", wait_status_);
}

absl::Status ServerProcess::Stop(absl::Duration timeout) {
  if (!Reap()) {
    ::kill(pid_, SIGTERM);
    // Polling waitpid: a process tool has no event to wait on short of pidfd (Linux 5.3+).
    const absl::Time deadline = absl::Now() + timeout;
    while (!Reap() && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(10));
    if (!Reap()) {
      ::kill(pid_, SIGKILL);
      while (!Reap()) absl::SleepFor(absl::Milliseconds(10));
      return absl::InternalError(
          absl::StrCat("ratingd ignored SIGTERM for ", absl::FormatDuration(timeout), "; killed"));
    }
  }
  const bool clean = (WIFEXITED(wait_status_) && WEXITSTATUS(wait_status_) == 0) ||
                     (WIFSIGNALED(wait_status_) && WTERMSIG(wait_status_) == SIGTERM);
  if (!clean) return absl::InternalError(absl::StrCat("ratingd ", ExitDescription()));
  return absl::OkStatus();
}

ServerProcess::~ServerProcess() {
  if (!Reap()) {
    ::kill(pid_, SIGKILL);
    while (!Reap()) absl::SleepFor(absl::Milliseconds(10));
  }
  stop_ = true;
  if (forwarder_.joinable()) forwarder_.join();
  ::close(stdout_fd_);
}

absl::StatusOr<std::string> FindRatingd() {
  std::vector<std::string> tried;
  std::error_code error;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) {
    const std::filesystem::path dir = self.parent_path();
    for (const std::filesystem::path& candidate :
         {dir / "ratingd", dir / ".." / "services" / "ratingd"}) {
      std::string path = candidate.lexically_normal().string();
      if (IsExecutable(path)) return path;
      tried.push_back(std::move(path));
    }
  }
  if (const char* path_env = std::getenv("PATH"); path_env != nullptr) {
    for (absl::string_view dir : absl::StrSplit(path_env, ':', absl::SkipEmpty())) {
      std::string path = absl::StrCat(dir, "/ratingd");
      if (IsExecutable(path)) return path;
    }
  }
  tried.push_back("ratingd on PATH");
  return absl::NotFoundError(
      absl::StrCat("no ratingd found (tried ", absl::StrJoin(tried, ", "), "); pass --ratingd"));
}

}  // namespace rating::cli
