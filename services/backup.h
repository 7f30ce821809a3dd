// AdminService.Backup's work: an online copy of the RocksDB event store (its Checkpoint),
// opened once and verified, reported by its chain head. Layer: services.
#pragma once

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "eventstore/rocksdb_event_store.h"
#include "rating/v1/api.pb.h"

namespace rating::services {

// Writes a backup into a directory and describes the copy (AdminService.Backup).
using BackupFunction = std::function<absl::StatusOr<v1::BackupResponse>(const std::string& dir)>;

// A BackupFunction over `store` (which, like `clock`, must outlive it): checks `dir`
// (INVALID_ARGUMENT when empty, relative, existing, or its parent is not a directory), runs
// store.Checkpoint(dir), opens the copy as a working store (which settles its anchor), checks
// its chain past the last-verified mark with VerifyTail and records the mark at its head
// (FAILED_PRECONDITION naming the first bad position), and returns the copy's head. One backup
// runs at a time (later callers wait). Thread-safe.
BackupFunction MakeCheckpointBackup(eventstore::RocksDbEventStore& store,
                                    const common::Clock& clock);

}  // namespace rating::services
