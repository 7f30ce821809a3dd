// ratingctl's offline operator commands, `verify --data_dir` and `salvage`: the only ratingctl
// commands that do not talk gRPC. They link the event store library (eventstore/) directly
// and open the store's directory themselves, read-only, so they work with no server running
// (and never write into the store they look at). Layer: cli, by exception depending on
// eventstore (the rest of cli depends on proto and common only).
#pragma once

#include <ostream>
#include <string>

#include "absl/status/statusor.h"

namespace rating::cli {

// What an offline command concluded.
enum class OfflineVerdict {
  kIntact,   // Nothing lost or damaged (exit status 0).
  kDamaged,  // Something is lost or damaged; the report names the first bad position (1).
};

// `ratingctl verify --data_dir DIR`: opens the store read-only (no server needed, nothing
// written), checks the head against its anchor, every table file's checksums and the whole
// hash chain, and writes a report to `out` naming the first bad position if any. A store
// whose WAL is damaged is reported with what point-in-time recovery would keep. Errors:
// NOT_FOUND if DIR holds no store, UNAVAILABLE if it cannot be read at all.
absl::StatusOr<OfflineVerdict> VerifyOffline(const std::string& data_dir, std::ostream& out);

// `ratingctl salvage --data_dir DIR [--write_to OUT_DIR]`: opens a damaged store read-only
// (also one the server refuses to open: a damaged WAL is read as far as point-in-time
// recovery goes), reports the anchor against the store head, the first bad position of the
// chain and what is lost, and, with `write_to` non-empty, writes a repaired copy there: the
// intact prefix of the chain as a working store with its own anchor. DIR is never written.
// Errors: NOT_FOUND if DIR holds no store; UNAVAILABLE / DATA_LOSS if it cannot be read at
// all; INVALID_ARGUMENT if OUT_DIR exists; those of writing the copy.
absl::StatusOr<OfflineVerdict> Salvage(const std::string& data_dir, const std::string& write_to,
                                       std::ostream& out);

}  // namespace rating::cli
