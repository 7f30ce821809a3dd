#include "eventstore/info_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ctime>
#include <string_view>
#include <utility>

namespace rating::eventstore {

FileInfoLog::FileInfoLog(std::string path, size_t max_bytes, rocksdb::InfoLogLevel level)
    : rocksdb::Logger(level), path_(std::move(path)), max_bytes_(max_bytes) {}

FileInfoLog::~FileInfoLog() {
  absl::MutexLock lock(&mu_);
  if (fd_ >= 0) close(fd_);
}

bool FileInfoLog::PrepareLocked(size_t next_line_bytes) {
  if (fd_ >= 0 && max_bytes_ > 0 && size_ + next_line_bytes > max_bytes_) {
    close(fd_);
    fd_ = -1;
    const std::string old = path_ + ".old";
    rename(path_.c_str(), old.c_str());  // Best effort: on failure the file keeps growing.
  }
  if (fd_ < 0) {
    fd_ = open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ < 0) return false;
    struct stat st;
    size_ = fstat(fd_, &st) == 0 ? static_cast<size_t>(st.st_size) : 0;
  }
  return true;
}

void FileInfoLog::Logv(const char* format, va_list ap) {
  char buffer[8192];
  struct timeval now;
  gettimeofday(&now, nullptr);
  struct tm t;
  localtime_r(&now.tv_sec, &t);
  int n = std::snprintf(buffer, sizeof(buffer), "%04d/%02d/%02d-%02d:%02d:%02d.%06ld ",
                        t.tm_year + 1900, t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec,
                        static_cast<long>(now.tv_usec));
  if (n < 0) return;
  va_list copy;
  va_copy(copy, ap);
  const int m =
      std::vsnprintf(buffer + n, sizeof(buffer) - static_cast<size_t>(n) - 1, format, copy);
  va_end(copy);
  if (m < 0) return;
  size_t length = std::min(sizeof(buffer) - 2, static_cast<size_t>(n) + static_cast<size_t>(m));
  if (length == 0 || buffer[length - 1] != '\n') buffer[length++] = '\n';

  absl::MutexLock lock(&mu_);
  // RocksDB prefixes every line above INFO with its level ("[WARN] ...").
  const std::string_view text(buffer + n, length - static_cast<size_t>(n));
  if (text.rfind("[WARN]", 0) == 0 || text.rfind("[ERROR]", 0) == 0 ||
      text.rfind("[FATAL]", 0) == 0) {
    warnings_.emplace_back(text.substr(0, text.size() - 1));  // Without the newline.
    if (warnings_.size() > 16) warnings_.pop_front();
  }
  if (path_.empty()) return;
  if (!PrepareLocked(length)) {
    ++dropped_;
    return;
  }
  // One write per line; a short or failed write drops (the rest of) the line, never retries
  // into an error the next line would trip over.
  ssize_t written;
  do {
    written = write(fd_, buffer, length);
  } while (written < 0 && errno == EINTR);
  if (written < 0) {
    ++dropped_;
    return;
  }
  size_ += static_cast<size_t>(written);
  if (static_cast<size_t>(written) != length) ++dropped_;
}

size_t FileInfoLog::GetLogFileSize() const {
  absl::MutexLock lock(&mu_);
  return size_;
}

std::vector<std::string> FileInfoLog::recent_warnings() const {
  absl::MutexLock lock(&mu_);
  return std::vector<std::string>(warnings_.begin(), warnings_.end());
}

uint64_t FileInfoLog::dropped_lines() const {
  absl::MutexLock lock(&mu_);
  return dropped_;
}

}  // namespace rating::eventstore
