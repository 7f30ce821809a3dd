// The durable EventStore on RocksDB: one column family per index (see eventstore/FORMAT.md),
// every append one synced WriteBatch, concurrent appends committed in groups.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/clock.h"
#include "eventstore/event_store.h"
#include "eventstore/sequencer.h"
#include "rocksdb/db.h"

namespace rating::eventstore {

// Converts a RocksDB status (the only place in the tree that does): NotFound -> NOT_FOUND,
// Corruption -> DATA_LOSS, InvalidArgument -> INVALID_ARGUMENT, IOError/Busy/TimedOut/TryAgain
// -> UNAVAILABLE, anything else -> INTERNAL. `context` prefixes the message.
absl::Status FromRocksDb(const rocksdb::Status& status, std::string_view context);

struct RocksDbEventStoreOptions {
  // Sync the WAL before acknowledging an append. false is for benchmarks and bulk loads: an
  // acknowledged append may then be lost by a machine crash (not by a process crash).
  bool sync = true;
  // RocksDB block cache, shared by all column families.
  size_t block_cache_bytes = 32 << 20;
  // Memtable size per column family.
  size_t write_buffer_bytes = 32 << 20;
};

// Thread-safe.
class RocksDbEventStore final : public EventStore, private Sequencer::Backend {
 public:
  using Options = RocksDbEventStoreOptions;

  // Opens or creates the store at `path` and recovers the head position, head hash and
  // stream heads. `clock` stamps recorded_at and must outlive the store. UNAVAILABLE if the
  // database cannot be opened (e.g. another process has it), DATA_LOSS if the last stored
  // event does not parse.
  static absl::StatusOr<std::unique_ptr<RocksDbEventStore>> Open(const std::string& path,
                                                                 const common::Clock& clock);
  static absl::StatusOr<std::unique_ptr<RocksDbEventStore>> Open(const std::string& path,
                                                                 const common::Clock& clock,
                                                                 const Options& options);

  // Closes the database. Appends must have returned.
  ~RocksDbEventStore() override;

  absl::StatusOr<AppendResult> Append(std::string_view stream, int64_t expected_version,
                                      std::vector<NewEvent> events) override;
  absl::StatusOr<std::vector<rating::v1::Envelope>> ReadStream(std::string_view stream,
                                                               uint64_t from_version,
                                                               Direction direction,
                                                               size_t max_count) const override;
  absl::StatusOr<std::vector<rating::v1::Envelope>> ReadAll(uint64_t from_position,
                                                            size_t max_count) const override;
  absl::Status ForEach(
      uint64_t from_position,
      const std::function<bool(const rating::v1::Envelope&)>& visit) const override;
  absl::StatusOr<uint64_t> StreamVersion(std::string_view stream) const override;
  uint64_t HeadPosition() const override;
  absl::StatusOr<std::optional<uint64_t>> FindEvent(std::string_view event_id) const override;
  uint64_t WaitForHeadPast(uint64_t position, absl::Duration timeout) const override;
  absl::StatusOr<VerifyResult> Verify(uint64_t from_position, uint64_t to_position) const override;
  void Shutdown() override;
  bool IsShutdown() const override;

  // Hash of the last event (32 zero bytes for an empty log).
  std::string HeadHash() const;

  // Writes an online, consistent copy of the store to `dir` (which must not exist yet; best
  // on the same filesystem, where files are hard-linked). The copy opens with Open() as a
  // working store. INVALID_ARGUMENT if `dir` exists, UNAVAILABLE on I/O errors.
  absl::Status Checkpoint(const std::string& dir) const;

  // Names of the column families, in the order Open() expects them ("default" first).
  static const std::vector<std::string>& ColumnFamilyNames();

 private:
  RocksDbEventStore(const common::Clock& clock, const Options& options);

  // Reads the last stored event. DATA_LOSS if it does not parse.
  absl::StatusOr<Sequencer::Head> RecoverHead() const;
  // The envelope stored at `position`: NOT_FOUND if absent, DATA_LOSS if it does not parse.
  absl::StatusOr<rating::v1::Envelope> ReadEnvelope(uint64_t position) const;

  // The position the event-id index holds for `event_id` (acknowledged or not), or nullopt.
  absl::StatusOr<std::optional<uint64_t>> IndexedPosition(std::string_view event_id) const;

  // Sequencer::Backend.
  absl::StatusOr<std::optional<rating::v1::Envelope>> LoadEvent(
      std::string_view event_id) const override;
  absl::StatusOr<uint64_t> LoadStreamVersion(std::string_view stream) const override;
  absl::Status Commit(const std::vector<rating::v1::Envelope>& envelopes) override;

  const common::Clock& clock_;
  const Options options_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // Owned; destroyed before db_.
  rocksdb::ColumnFamilyHandle* events_ = nullptr;
  rocksdb::ColumnFamilyHandle* streams_ = nullptr;
  rocksdb::ColumnFamilyHandle* event_ids_ = nullptr;
  rocksdb::WriteOptions write_options_;
  std::string value_scratch_;  // Commit's serialization buffer (leader only).
  std::unique_ptr<Sequencer> sequencer_;
};

}  // namespace rating::eventstore
