// The head anchor: a small file beside the RocksDB files (DIR/ANCHOR) holding the position and
// hash of the last acknowledged event, so a store that comes back shorter than it was (a
// dropped WAL record, a deleted tail) is refused instead of silently reused. Layer:
// eventstore, internal to the RocksDB store and the offline tools. Format: FORMAT.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace rating::eventstore {

// One anchored head.
struct AnchorRecord {
  // Names the store the anchor belongs to (a UUID, also kept inside the store).
  std::string anchor_id;
  uint64_t position = 0;
  // Hash of the event at `position` (32 zero bytes for position 0).
  std::string hash;
  // Incremented by every write; the slot with the higher generation wins.
  uint64_t generation = 0;
};

// The open anchor file of one store. Not thread-safe: the store's writer (the sequencer's
// leader, or Open) is its only user.
class AnchorFile {
 public:
  // File name inside the store directory.
  static constexpr char kFileName[] = "ANCHOR";

  // Reads DIR/ANCHOR without opening it for writing. nullopt if the file does not exist;
  // DATA_LOSS if it exists but no slot holds a valid record; UNAVAILABLE on I/O errors.
  static absl::StatusOr<std::optional<AnchorRecord>> Read(const std::string& dir);

  // Creates DIR/ANCHOR holding `record` (generation 1) atomically: written to a temporary
  // file, synced, renamed into place and the directory synced. ALREADY_EXISTS if the file
  // exists; UNAVAILABLE or RESOURCE_EXHAUSTED on I/O errors.
  static absl::StatusOr<AnchorFile> Create(const std::string& dir, AnchorRecord record);

  // Opens the existing DIR/ANCHOR for updates. NOT_FOUND if missing, DATA_LOSS if no slot is
  // valid, UNAVAILABLE on I/O errors.
  static absl::StatusOr<AnchorFile> OpenForUpdate(const std::string& dir);

  AnchorFile(AnchorFile&& other) noexcept;
  AnchorFile& operator=(AnchorFile&& other) noexcept;
  AnchorFile(const AnchorFile&) = delete;
  AnchorFile& operator=(const AnchorFile&) = delete;
  ~AnchorFile();

  // Durably records `position` and `hash` (one pwrite into the older slot + fdatasync).
  // A position lower than the current one is INTERNAL (anchors never move back).
  // UNAVAILABLE (or RESOURCE_EXHAUSTED on ENOSPC) on I/O errors; the previous record then
  // stays valid in the other slot.
  absl::Status Write(uint64_t position, const std::string& hash);

  // The last record written or read.
  const AnchorRecord& record() const { return record_; }

 private:
  AnchorFile(int fd, std::string path, AnchorRecord record)
      : fd_(fd), path_(std::move(path)), record_(std::move(record)) {}

  int fd_ = -1;
  std::string path_;
  AnchorRecord record_;
};

}  // namespace rating::eventstore
