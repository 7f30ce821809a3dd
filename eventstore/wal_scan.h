// Reads what the write-ahead log files of a store still hold, record by record, resyncing past
// damaged bytes: RocksDB's own replay stops at the first damaged record (or, skipping, drops
// the rest of its 32 KiB block), so events written after a damaged record are invisible to
// it. For salvage reports; it never writes. Layer: eventstore, internal to the offline tools.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "rating/v1/envelope.pb.h"

namespace rating::eventstore {

struct WalScan {
  // Every event found in an intact WAL record, in log order (a position may repeat if it
  // was rewritten).
  std::vector<rating::v1::Envelope> events;
  // Bytes that belong to no intact record (damaged, torn or padding).
  uint64_t unreadable_bytes = 0;
  // The WAL files read, oldest first.
  std::vector<std::string> files;
};

// Scans every *.log file of the store directory `dir`. UNAVAILABLE if a file cannot be read.
absl::StatusOr<WalScan> ScanWal(const std::string& dir);

}  // namespace rating::eventstore
