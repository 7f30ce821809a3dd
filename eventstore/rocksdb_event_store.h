// The durable EventStore on RocksDB: one column family per index (see eventstore/FORMAT.md),
// every append one synced WriteBatch, concurrent appends committed in groups, each group's
// head anchored in DIR/ANCHOR; strict WAL recovery; a free-space reserve for full disks.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "eventstore/anchor.h"
#include "eventstore/event_store.h"
#include "eventstore/sequencer.h"
#include "rocksdb/db.h"

namespace rating::eventstore {

class FileInfoLog;

// Converts a RocksDB status (the only place in the tree that does): NotFound -> NOT_FOUND,
// Corruption -> DATA_LOSS, InvalidArgument -> INVALID_ARGUMENT, NoSpace/SpaceLimit (full disk)
// -> RESOURCE_EXHAUSTED, other IOError/Busy/TimedOut/TryAgain -> UNAVAILABLE, anything else ->
// INTERNAL. `context` prefixes the message.
absl::Status FromRocksDb(const rocksdb::Status& status, std::string_view context);

// How Open replays the write-ahead log (RocksDB's WALRecoveryMode). Servers use kStrict;
// kPointInTime is for the offline tools (read-only opens), to see what survives a damaged WAL
// (eventstore/wal_scan.h reads past the damage).
enum class WalRecovery {
  // kAbsoluteConsistency: any damaged WAL record fails the open, except a torn write past the
  // anchor (see Open).
  kStrict,
  // kPointInTimeRecovery: replay stops at the first damaged record (what recovery would keep).
  kPointInTime,
};

// Told about every group commit that reached the WAL, for metrics (ratingd's
// --metrics_listen). Called on the committing thread, with the sequencer's lock held: keep it
// short and never call back into the store. Must be thread-safe only against readers of what
// it records (commits are serialized).
class CommitObserver {
 public:
  virtual ~CommitObserver() = default;
  // `events` were written in one WriteBatch; `wal_write` is the time of that write (with its
  // WAL sync when the store syncs), `anchor_sync` of the anchor's write and fdatasync (zero
  // when the anchor was not written for this group).
  virtual void OnCommit(size_t events, absl::Duration wal_write, absl::Duration anchor_sync) = 0;
};

struct RocksDbEventStoreOptions {
  // Sync the WAL (and the anchor) before acknowledging an append. false is for benchmarks and
  // bulk loads: an acknowledged append may then be lost by a machine crash (not by a process
  // crash), and the anchor is only written at open and at a clean close.
  bool sync = true;
  // RocksDB block cache, shared by all column families.
  size_t block_cache_bytes = 32 << 20;
  // Memtable size per column family.
  size_t write_buffer_bytes = 32 << 20;
  // Appends and RecordVerified are refused with RESOURCE_EXHAUSTED (nothing written) while the
  // store's filesystem has less than this many bytes available beyond what the write needs,
  // so RocksDB's own writers do not run into ENOSPC in normal operation. 0 disables the check.
  uint64_t min_free_bytes = 64 << 20;
  // DIR/LOG (RocksDB's info log) is renamed to LOG.old past this size: at most twice this.
  size_t max_info_log_bytes = 4 << 20;
  // RocksDB's max_total_wal_size: past it the memtables are flushed so older WAL files can be
  // deleted. It also caps the preallocation of a new WAL file (the smaller of this and 1.1 x
  // write_buffer_bytes). 0 = 4 x write_buffer_bytes.
  uint64_t max_total_wal_bytes = 0;
  // Told about each group commit (not owned; must outlive the store). nullptr = none.
  CommitObserver* commit_observer = nullptr;
  // Open without writing anything to the directory (no RocksDB writes, anchor or log
  // updates); appends and RecordVerified fail with FAILED_PRECONDITION. Works while another
  // process has the store open. For the offline tools.
  bool read_only = false;
  // WAL replay at open (read_only only, for anything but kStrict).
  WalRecovery wal_recovery = WalRecovery::kStrict;
  // false (read_only only): anchor problems do not fail Open; they are reported in
  // open_report().anchor_problem. For the offline tools.
  bool enforce_anchor = true;
};

// What Open found and did beyond a plain open, for operators and the offline tools.
struct RocksDbOpenReport {
  // The anchor as read at open; nullopt if the store has no ANCHOR file.
  std::optional<AnchorRecord> anchor;
  // The anchor id kept inside the store, nullopt if it was never anchored.
  std::optional<std::string> anchor_marker;
  // Why the store does not match its anchor (empty if it does). Open fails with this unless
  // enforce_anchor is false.
  std::string anchor_problem;
  // Set when the store runs read-only (asked for, or the disk was full at open).
  bool read_only = false;
  std::string read_only_reason;
  // One line per recovery step taken (also written to DIR/LOG), e.g. a torn WAL tail past
  // the anchor that was dropped, or an anchor created for a store that never had one.
  std::vector<std::string> notes;
};

// Thread-safe.
class RocksDbEventStore final : public EventStore, private Sequencer::Backend {
 public:
  using Options = RocksDbEventStoreOptions;

  // Opens or creates the store at `path` and recovers the head position, head hash and
  // stream heads, then checks the head against the anchor (DIR/ANCHOR, see FORMAT.md).
  // `clock` stamps recorded_at and must outlive the store. Errors:
  //  * DATA_LOSS when an acknowledged event may be gone: the WAL is damaged before the
  //    anchored position (naming what recovery would keep and the anchor), the head is behind
  //    the anchor (naming both positions), the event at the anchored position has another
  //    hash, the anchor is missing although the store was anchored, or the last stored event
  //    does not parse. A damaged WAL record past the anchor (a torn write that was never
  //    acknowledged) is dropped instead, keeping the WAL as found in DIR/wal-damaged-*/ and
  //    saying so in open_report().notes.
  //  * UNAVAILABLE if the database cannot be opened (e.g. another process has it).
  //  * INVALID_ARGUMENT for inconsistent options; NOT_FOUND for a read-only open of a
  //    directory without a store.
  // If the disk is too full to open for writing, the store opens read-only (reads work;
  // appends fail with RESOURCE_EXHAUSTED until a restart with space).
  static absl::StatusOr<std::unique_ptr<RocksDbEventStore>> Open(const std::string& path,
                                                                 const common::Clock& clock);
  static absl::StatusOr<std::unique_ptr<RocksDbEventStore>> Open(const std::string& path,
                                                                 const common::Clock& clock,
                                                                 const Options& options);

  // Writes a new working store at `dir` (which must not exist: INVALID_ARGUMENT) holding
  // positions 1..`up_to` of `source` verbatim (same positions, times and hashes), checking the
  // chain as it copies; the copy gets its own anchor at `up_to` and a last-verified mark
  // there. DATA_LOSS if the chain breaks within 1..`up_to` (naming the position; the partial
  // copy is removed). For salvage. `source` must not be appended to meanwhile.
  static absl::Status CopyChain(const EventStore& source, uint64_t up_to, const std::string& dir,
                                const common::Clock& clock, const Options& options);

  // Closes the database. Appends must have returned.
  ~RocksDbEventStore() override;

  absl::StatusOr<AppendResult> Append(std::string_view stream, int64_t expected_version,
                                      std::vector<NewEvent> events) override;
  std::vector<absl::StatusOr<AppendResult>> AppendMany(
      std::vector<AppendRequest> requests) override;
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
  absl::Status RecordVerified(uint64_t position) override;
  absl::StatusOr<std::optional<std::pair<uint64_t, std::string>>> LastVerified() const override;
  void Shutdown() override;
  bool IsShutdown() const override;

  // Hash of the last event (32 zero bytes for an empty log).
  std::string HeadHash() const;

  // What Open found and did. Valid for the life of the store.
  const RocksDbOpenReport& open_report() const { return report_; }

  // True if appends are refused because the store is read-only (see open_report()).
  bool IsReadOnly() const { return report_.read_only; }

  // Reads every table file of every column family in full and checks its block checksums and
  // its whole-file checksum (recorded in the MANIFEST). DATA_LOSS naming the file on a
  // mismatch, UNAVAILABLE on I/O errors. Slow: for the offline verify.
  absl::Status VerifyFiles() const;

  // Writes an online, consistent copy of the store to `dir` (which must not exist yet; best
  // on the same filesystem, where files are hard-linked). The copy opens with Open() as a
  // working store. INVALID_ARGUMENT if `dir` exists, UNAVAILABLE on I/O errors.
  absl::Status Checkpoint(const std::string& dir) const;

  // Names of the column families, in the order Open() expects them ("default" first).
  static const std::vector<std::string>& ColumnFamilyNames();

  // RocksDB errors seen through its listener (rocksdb_event_store.cc).
  struct ErrorState;

 private:
  RocksDbEventStore(std::string path, const common::Clock& clock, const Options& options);

  // Opens RocksDB (strict WAL replay; a torn tail past the anchor, a full disk: see Open).
  absl::Status OpenDatabase();
  // Opens RocksDB into db_/handles_ with `read_only` and `recovery`.
  rocksdb::Status OpenRocksDb(bool read_only, WalRecovery recovery);
  // The strict open failed with `damage`: accepts the WAL cut only past the anchor.
  absl::Status RecoverDamagedWal(const rocksdb::Status& damage, bool read_only);
  // Checks the recovered head against the anchor; creates or advances the anchor.
  absl::Status CheckAnchor(const Sequencer::Head& head);
  // What RocksDB logged about damaged WAL records during the last opens ("" if nothing).
  std::string WalDamageDetails() const;
  // Records a recovery step in report_.notes, DIR/LOG and on stderr.
  void Note(std::string note);
  // RESOURCE_EXHAUSTED if fewer than min_free_bytes + `bytes` are free.
  absl::Status CheckFreeSpace(uint64_t bytes, std::string_view what) const;
  // Clears a RocksDB background error (DB::Resume) left by an earlier failed write.
  absl::Status ResumeIfNeeded();
  // Reads the last stored event. DATA_LOSS if it does not parse.
  absl::StatusOr<Sequencer::Head> RecoverHead() const;
  // A key of the default column family (metadata), or nullopt.
  absl::StatusOr<std::optional<std::string>> GetMetadata(std::string_view key) const;
  // The envelope stored at `position`: NOT_FOUND if absent, DATA_LOSS if it does not parse.
  absl::StatusOr<rating::v1::Envelope> ReadEnvelope(uint64_t position) const;

  // The position the event-id index holds for `event_id` (acknowledged or not), or nullopt.
  absl::StatusOr<std::optional<uint64_t>> IndexedPosition(std::string_view event_id) const;

  // Sequencer::Backend.
  absl::StatusOr<std::optional<rating::v1::Envelope>> LoadEvent(
      std::string_view event_id) const override;
  absl::StatusOr<uint64_t> LoadStreamVersion(std::string_view stream) const override;
  absl::Status Commit(const std::vector<rating::v1::Envelope>& envelopes) override;

  const std::string path_;
  const common::Clock& clock_;
  const Options options_;
  std::shared_ptr<FileInfoLog> info_log_;
  // Set by a failed write or a RocksDB background error; the next write calls DB::Resume().
  std::shared_ptr<ErrorState> errors_;
  // Serializes DB::Resume() (appends and RecordVerified may both need it).
  absl::Mutex resume_mu_;
  // OK, or why writes are refused until a restart (a failed WAL writer RocksDB cannot drop).
  absl::Status write_fence_ ABSL_GUARDED_BY(resume_mu_);
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // Owned; destroyed before db_.
  rocksdb::ColumnFamilyHandle* metadata_ = nullptr;    // The default column family.
  rocksdb::ColumnFamilyHandle* events_ = nullptr;
  rocksdb::ColumnFamilyHandle* streams_ = nullptr;
  rocksdb::ColumnFamilyHandle* event_ids_ = nullptr;
  rocksdb::WriteOptions write_options_;
  std::string value_scratch_;  // Commit's serialization buffer (leader only).
  RocksDbOpenReport report_;
  // OK unless appends are refused for good (read-only): the error they get.
  absl::Status read_only_status_;
  // The anchor (writable stores) and the last committed head (leader only, like the anchor).
  std::optional<AnchorFile> anchor_;
  absl::Status anchor_error_;  // The last failed anchor write; the next commit retries it.
  uint64_t committed_position_ = 0;
  std::string committed_hash_;
  std::unique_ptr<Sequencer> sequencer_;
};

}  // namespace rating::eventstore
