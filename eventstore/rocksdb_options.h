// RocksDbEventStore's RocksDB side: its column families and metadata keys (FORMAT.md), its
// options (every option bearing on durability or recovery set explicitly, FORMAT.md "RocksDB
// options"), checked reads, and a read-only probe of a store. Internal to eventstore.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "eventstore/rocksdb_event_store.h"
#include "rating/v1/envelope.pb.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/listener.h"
#include "rocksdb/options.h"

namespace rating::eventstore {

// What RocksDB reported through its listener: a background error stops writes until
// DB::Resume(); a failed WAL write also leaves the WAL's file writer failed for good.
struct RocksDbEventStore::ErrorState {
  std::atomic<bool> needs_resume{false};
  std::atomic<bool> wal_write_failed{false};
};

namespace rocks {

inline constexpr char kEventsCf[] = "events";
inline constexpr char kStreamsCf[] = "streams";
inline constexpr char kEventIdsCf[] = "event_ids";

// Metadata keys of the default column family (FORMAT.md).
inline constexpr char kAnchorIdKey[] = "anchor_id";
inline constexpr char kLastVerifiedKey[] = "last_verified";

// DATA_LOSS for an envelope stored at `position` that does not parse.
inline absl::Status DataLoss(uint64_t position) {
  return absl::DataLossError(
      absl::StrCat("event at position ", position, ": stored envelope does not parse"));
}

inline bool ParseEnvelope(const rocksdb::Slice& value, rating::v1::Envelope* out) {
  return out->ParseFromArray(value.data(), static_cast<int>(value.size()));
}

inline rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

// Every read verifies block checksums (RocksDB's default, stated so it stays so).
rocksdb::ReadOptions CheckedReads();

// The RocksDB options of the store. Every option bearing on durability or recovery is set
// here explicitly, each explained in FORMAT.md ("RocksDB options").
rocksdb::DBOptions StoreDbOptions(const RocksDbEventStoreOptions& options, bool read_only,
                                  WalRecovery recovery, std::shared_ptr<rocksdb::Logger> info_log,
                                  std::shared_ptr<rocksdb::EventListener> listener);

// The column families of the store, in RocksDbEventStore::ColumnFamilyNames() order, with
// their table and memtable options.
std::vector<rocksdb::ColumnFamilyDescriptor> StoreColumnFamilies(
    const RocksDbEventStoreOptions& options);

// What a read-only open with `recovery` recovers: the last position and its hash, and the
// hash stored at `position_of_interest` (empty if absent or unreadable).
struct ProbeResult {
  rocksdb::Status status;
  uint64_t head = 0;
  std::string head_hash;
  std::string hash_at;
};

ProbeResult Probe(const std::string& path, const RocksDbEventStoreOptions& options,
                  WalRecovery recovery, std::shared_ptr<rocksdb::Logger> info_log,
                  uint64_t position_of_interest);

}  // namespace rocks
}  // namespace rating::eventstore
