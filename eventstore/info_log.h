// RocksDB's info log as the store writes it: a size-capped file that drops lines it cannot
// write instead of aborting. Layer: eventstore, internal to the RocksDB store.
//
// Why not RocksDB's own logger: the packaged RocksDB 7.8 is built with assertions on, and its
// file logger asserts (aborts the process) on the first line after a failed write. The info
// log sits on the store's disk, so a full disk used to abort every append and every restart
// (see FORMAT.md, "Full disk"; proved by EventStoreDiskTest.PackagedRocksDbLoggerAbortsOnFullDisk).
#pragma once

#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/env.h"

namespace rating::eventstore {

// Thread-safe.
class FileInfoLog final : public rocksdb::Logger {
 public:
  // Appends lines at `level` and above to `path`. Once the file passes `max_bytes` it is
  // renamed to `path`.old (replacing the previous one), so the log never takes more than
  // twice `max_bytes`. An empty `path` discards everything (read-only opens: they must not
  // write into the store directory).
  FileInfoLog(std::string path, size_t max_bytes, rocksdb::InfoLogLevel level);
  ~FileInfoLog() override;

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override;
  size_t GetLogFileSize() const override;

  // Lines that could not be written (full disk, I/O error) since the log was opened.
  uint64_t dropped_lines() const;

  // The last few warning and error lines (also kept when `path` is empty), oldest first:
  // what RocksDB said about damage it met, for reports.
  std::vector<std::string> recent_warnings() const;

 private:
  // Opens the file if needed and rotates it past max_bytes_. False if it cannot be opened.
  bool PrepareLocked(size_t next_line_bytes) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string path_;
  const size_t max_bytes_;
  mutable absl::Mutex mu_;
  int fd_ ABSL_GUARDED_BY(mu_) = -1;
  size_t size_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t dropped_ ABSL_GUARDED_BY(mu_) = 0;
  std::deque<std::string> warnings_ ABSL_GUARDED_BY(mu_);
};

}  // namespace rating::eventstore
