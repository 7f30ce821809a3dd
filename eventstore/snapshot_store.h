// Where projection snapshots are kept: a small RocksDB database of its own (by default
// DATA_DIR/snapshots), apart from the event log, so that a damaged or stale snapshot can never
// touch an event, and losing the whole directory costs only a replay. The store keeps opaque
// bytes: a header and numbered chunks per log position (what they mean, and whether they are
// fit to load, is the engine's business). Layer: eventstore. Thread-safe.
//
// Keys: 'h' + position (u64 BE) -> header; 'c' + position (u64 BE) + chunk (u32 BE) -> chunk.
// A snapshot's chunks are written first and its header last (synced), so a snapshot cut short
// by a crash has no header and is never found; its chunks are dropped by the next Prune.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace rocksdb {
class DB;
}

namespace rating::eventstore {

class SnapshotStore {
 public:
  // Opens (creating if missing) the snapshot database in `dir`.
  static absl::StatusOr<std::unique_ptr<SnapshotStore>> Open(const std::string& dir);
  ~SnapshotStore();

  SnapshotStore(const SnapshotStore&) = delete;
  SnapshotStore& operator=(const SnapshotStore&) = delete;

  // Writes one snapshot at `position`, chunk by chunk (buffered into batches of a few MiB),
  // then the header, synced. Replaces one written at the same position.
  class Writer {
   public:
    absl::Status AddChunk(const std::string& bytes);
    // Writes the header; the snapshot is visible from here on.
    absl::Status Commit(const std::string& header);
    uint32_t chunks() const { return next_chunk_ - 1; }

   private:
    friend class SnapshotStore;
    Writer(SnapshotStore& store, uint64_t position) : store_(store), position_(position) {}
    absl::Status Flush();
    SnapshotStore& store_;
    const uint64_t position_;
    uint32_t next_chunk_ = 1;
    std::vector<std::pair<std::string, std::string>> pending_;
    size_t pending_bytes_ = 0;
  };
  Writer Write(uint64_t position) { return Writer(*this, position); }

  // Positions of the stored snapshots (those with a header), newest first, at or before
  // `at_or_before` (0 = any).
  absl::StatusOr<std::vector<uint64_t>> Positions(uint64_t at_or_before) const;
  absl::StatusOr<std::string> Header(uint64_t position) const;
  // Chunk `index` (1-based) of the snapshot at `position`; NOT_FOUND past the last.
  absl::StatusOr<std::string> Chunk(uint64_t position, uint32_t index) const;

  // Removes every snapshot but the newest `keep`, and chunks no header owns.
  absl::Status Prune(size_t keep);
  // Removes the snapshot at `position` (a stale or damaged one).
  absl::Status Remove(uint64_t position);

 private:
  explicit SnapshotStore(std::unique_ptr<rocksdb::DB> db);
  std::unique_ptr<rocksdb::DB> db_;
};

}  // namespace rating::eventstore
