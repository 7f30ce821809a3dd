#include "eventstore/rocksdb_event_store.h"

#include <sys/statvfs.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/check.h"
#include "common/crypto.h"
#include "common/status_macros.h"
#include "eventstore/chain.h"
#include "eventstore/info_log.h"
#include "eventstore/keys.h"
#include "eventstore/wal_scan.h"
#include "rocksdb/cache.h"
#include "rocksdb/file_checksum.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/iterator.h"
#include "rocksdb/listener.h"
#include "rocksdb/memtablerep.h"
#include "rocksdb/options.h"
#include "rocksdb/slice_transform.h"
#include "rocksdb/table.h"
#include "rocksdb/utilities/checkpoint.h"
#include "rocksdb/write_batch.h"

namespace rating::eventstore {
namespace {

constexpr char kEventsCf[] = "events";
constexpr char kStreamsCf[] = "streams";
constexpr char kEventIdsCf[] = "event_ids";

// Metadata keys of the default column family (FORMAT.md).
constexpr char kAnchorIdKey[] = "anchor_id";
constexpr char kLastVerifiedKey[] = "last_verified";

absl::Status DataLoss(uint64_t position) {
  return absl::DataLossError(
      absl::StrCat("event at position ", position, ": stored envelope does not parse"));
}

bool ParseEnvelope(const rocksdb::Slice& value, rating::v1::Envelope* out) {
  return out->ParseFromArray(value.data(), static_cast<int>(value.size()));
}

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

// Every read verifies block checksums (RocksDB's default, stated so it stays so).
rocksdb::ReadOptions CheckedReads() {
  rocksdb::ReadOptions read_options;
  read_options.verify_checksums = true;
  return read_options;
}

rocksdb::WALRecoveryMode ToRocksDb(WalRecovery recovery) {
  switch (recovery) {
    case WalRecovery::kStrict:
      return rocksdb::WALRecoveryMode::kAbsoluteConsistency;
    case WalRecovery::kPointInTime:
      return rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  }
  return rocksdb::WALRecoveryMode::kAbsoluteConsistency;
}

// `streams` keys up to and including the 0x00 after the stream name.
class StreamPrefixTransformImpl final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "rating.StreamPrefix"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    const void* nul = std::memchr(key.data(), 0, key.size());
    if (nul == nullptr) return key;
    return rocksdb::Slice(key.data(), static_cast<const char*>(nul) - key.data() + 1);
  }
  bool InDomain(const rocksdb::Slice&) const override { return true; }
};

std::shared_ptr<const rocksdb::SliceTransform> StreamPrefixTransform() {
  return std::make_shared<StreamPrefixTransformImpl>();
}

}  // namespace

// What RocksDB reported through its listener: a background error stops writes until
// DB::Resume(); a failed WAL write also leaves the WAL's file writer failed for good.
struct RocksDbEventStore::ErrorState {
  std::atomic<bool> needs_resume{false};
  std::atomic<bool> wal_write_failed{false};
};

namespace {

// Notes RocksDB background errors and turns off RocksDB's own recovery threads: the store
// resumes on its next write, once the free-space check passes, so recovery happens at a
// known point.
class BackgroundErrorListener final : public rocksdb::EventListener {
 public:
  explicit BackgroundErrorListener(std::shared_ptr<RocksDbEventStore::ErrorState> state)
      : state_(std::move(state)) {}
  void OnBackgroundError(rocksdb::BackgroundErrorReason reason, rocksdb::Status* error) override {
    if (error->ok()) return;
    if (reason == rocksdb::BackgroundErrorReason::kWriteCallback ||
        reason == rocksdb::BackgroundErrorReason::kMemTable) {
      state_->wal_write_failed.store(true, std::memory_order_release);
    }
    state_->needs_resume.store(true, std::memory_order_release);
  }
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status,
                            bool* auto_recovery) override {
    *auto_recovery = false;
  }

 private:
  std::shared_ptr<RocksDbEventStore::ErrorState> state_;
};

// The RocksDB options of the store. Every option bearing on durability or recovery is set
// here explicitly, each explained in FORMAT.md ("RocksDB options").
rocksdb::DBOptions StoreDbOptions(const RocksDbEventStoreOptions& options, bool read_only,
                                  WalRecovery recovery, std::shared_ptr<rocksdb::Logger> info_log,
                                  std::shared_ptr<rocksdb::EventListener> listener) {
  rocksdb::DBOptions db;
  db.create_if_missing = !read_only;
  db.create_missing_column_families = !read_only;
  db.error_if_exists = false;
  db.max_background_jobs = 2;

  // Recovery: a damaged WAL record fails the open (the store then decides with the anchor).
  db.wal_recovery_mode = ToRocksDb(recovery);
  db.paranoid_checks = true;
  db.best_efforts_recovery = false;
  db.skip_checking_sst_file_sizes_on_db_open = false;
  db.verify_sst_unique_id_in_manifest = true;
  db.flush_verify_memtable_count = true;
  db.track_and_verify_wals_in_manifest = false;
  db.file_checksum_gen_factory = rocksdb::GetFileChecksumGenCrc32cFactory();
  db.avoid_flush_during_recovery = false;
  db.atomic_flush = true;

  // WAL: written through on every write, synced by WriteOptions.sync, never recycled.
  db.manual_wal_flush = false;
  db.wal_bytes_per_sync = 0;
  db.bytes_per_sync = 0;
  db.strict_bytes_per_sync = false;
  db.use_fsync = false;
  db.recycle_log_file_num = 0;
  db.WAL_ttl_seconds = 0;
  db.WAL_size_limit_MB = 0;
  db.max_total_wal_size = options.max_total_wal_bytes != 0
                              ? options.max_total_wal_bytes
                              : 4 * static_cast<uint64_t>(options.write_buffer_bytes);
  db.avoid_flush_during_shutdown = true;
  db.allow_mmap_reads = false;
  db.allow_mmap_writes = false;
  db.use_direct_reads = false;
  db.use_direct_io_for_flush_and_compaction = false;
  db.enable_pipelined_write = false;
  db.unordered_write = false;
  db.two_write_queues = false;
  db.max_manifest_file_size = 64 << 20;
  db.fail_if_options_file_error = false;

  // Errors: no automatic resume threads; the store resumes on its next write.
  db.max_bgerror_resume_count = 0;
  if (listener != nullptr) db.listeners.push_back(std::move(listener));

  // Info log: ours (RocksDB's asserts on a full disk), capped like RocksDB's would be.
  db.info_log = std::move(info_log);
  db.max_log_file_size = options.max_info_log_bytes;
  db.keep_log_file_num = 2;

  // One sequencer thread writes at a time, so concurrent memtable writes buy nothing, and
  // turning them off enables the memtable options below.
  db.allow_concurrent_memtable_write = false;
  db.enable_write_thread_adaptive_yield = false;
  return db;
}

std::vector<rocksdb::ColumnFamilyDescriptor> StoreColumnFamilies(
    const RocksDbEventStoreOptions& options) {
  std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  auto cf_options = [&](const std::string& name) {
    rocksdb::BlockBasedTableOptions table;
    table.block_cache = cache;
    // XXH3 (RocksDB 7.8's default), not CRC32C: Debian's RocksDB is built portable, without the
    // SSE4.2 CRC32C, and every block read checks its checksum (in a profile of a start that
    // verified 248k events, software CRC32C of table blocks took 5% of the time). Each table
    // file names its own checksum type: files written with CRC32C stay readable and checked.
    table.checksum = rocksdb::kXXH3;
    // Point lookups (ids, positions) mostly miss on SSTs that do not hold the key.
    if (name != kStreamsCf) table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    rocksdb::ColumnFamilyOptions cf;
    cf.write_buffer_size = options.write_buffer_bytes;
    cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    // Every table file written by a flush or compaction is read back and checked.
    cf.paranoid_file_checks = true;
    cf.force_consistency_checks = true;
    cf.check_flush_compaction_key_order = true;
    if (name == kEventsCf) {
      // Positions only grow: remember the last insert point instead of searching the
      // skiplist from the top for every event.
      cf.memtable_insert_with_hint_prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(0));
    } else if (name == kStreamsCf) {
      // Versions only grow within a stream: one insert hint per stream.
      cf.memtable_insert_with_hint_prefix_extractor = StreamPrefixTransform();
    } else if (name == kEventIdsCf) {
      // Ids are random and every append probes them (idempotency): a hashed memtable makes
      // the probe and the insert O(1) instead of a skiplist walk. The "prefix" is the whole
      // id, and the CF is only ever read by Get, never iterated. The bucket array lives in
      // the memtable's arena: at most 1/16 of the write buffer (RocksDB asserts when a new
      // memtable starts out full).
      cf.prefix_extractor.reset(rocksdb::NewCappedPrefixTransform(kMaxMetadataBytes));
      const size_t buckets =
          std::clamp<size_t>(options.write_buffer_bytes / 128, size_t{1} << 10, size_t{1} << 18);
      cf.memtable_factory.reset(rocksdb::NewHashLinkListRepFactory(buckets));
    }
    return cf;
  };
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : RocksDbEventStore::ColumnFamilyNames()) {
    descriptors.emplace_back(name, cf_options(name));
  }
  return descriptors;
}

// A RocksDB instance with the store's options, for probes that look at a store without
// becoming it.
struct ProbeDb {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  ~ProbeDb() {
    for (rocksdb::ColumnFamilyHandle* h : handles)
      db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    if (db != nullptr) db->Close().PermitUncheckedError();
  }
};

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
                  uint64_t position_of_interest) {
  ProbeResult result;
  ProbeDb probe;
  rocksdb::DB* raw = nullptr;
  result.status = rocksdb::DB::OpenForReadOnly(
      StoreDbOptions(options, /*read_only=*/true, recovery, std::move(info_log), nullptr), path,
      StoreColumnFamilies(options), &probe.handles, &raw);
  probe.db.reset(raw);
  if (!result.status.ok()) return result;
  std::unique_ptr<rocksdb::Iterator> it(probe.db->NewIterator(CheckedReads(), probe.handles[1]));
  it->SeekToLast();
  result.head_hash = ZeroHash();
  if (it->Valid()) {
    result.head = DecodeBigEndian64(it->key().ToStringView()).value_or(0);
    rating::v1::Envelope last;
    result.head_hash = ParseEnvelope(it->value(), &last) ? last.hash() : std::string();
  }
  result.status = it->status();
  if (position_of_interest == 0) {
    result.hash_at = ZeroHash();
  } else {
    std::string value;
    rating::v1::Envelope envelope;
    if (probe.db->Get(CheckedReads(), probe.handles[1], PositionKey(position_of_interest), &value)
            .ok() &&
        envelope.ParseFromString(value)) {
      result.hash_at = envelope.hash();
    }
  }
  return result;
}

uint64_t FreeBytes(const std::string& path) {
  struct statvfs st;
  if (statvfs(path.c_str(), &st) != 0) return std::numeric_limits<uint64_t>::max();
  return static_cast<uint64_t>(st.f_bavail) * static_cast<uint64_t>(st.f_frsize);
}

bool StoreExists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(std::filesystem::path(path) / "CURRENT", ec);
}

// Hard-links (or, failing that, copies) every WAL file of `path` into a fresh
// `path`/wal-damaged-<micros>/, so that what recovery drops stays available. Returns the
// directory, or an empty string if nothing could be kept.
std::string KeepWalFiles(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path keep =
      fs::path(path) / absl::StrCat("wal-damaged-", absl::ToUnixMicros(absl::Now()));
  if (!fs::create_directory(keep, ec)) return "";
  size_t kept = 0;
  for (const fs::directory_entry& entry : fs::directory_iterator(path, ec)) {
    if (entry.path().extension() != ".log") continue;
    const fs::path target = keep / entry.path().filename();
    fs::create_hard_link(entry.path(), target, ec);
    if (ec) fs::copy_file(entry.path(), target, ec);
    if (!ec) ++kept;
  }
  return kept > 0 ? keep.string() : "";
}

}  // namespace

absl::Status FromRocksDb(const rocksdb::Status& status, std::string_view context) {
  if (status.ok()) return absl::OkStatus();
  std::string message = absl::StrCat(AsAbsl(context), ": ", status.ToString());
  if (status.IsNoSpace() || status.subcode() == rocksdb::Status::kSpaceLimit) {
    return absl::ResourceExhaustedError(message);
  }
  switch (status.code()) {
    case rocksdb::Status::kNotFound:
      return absl::NotFoundError(message);
    case rocksdb::Status::kCorruption:
      return absl::DataLossError(message);
    case rocksdb::Status::kInvalidArgument:
      return absl::InvalidArgumentError(message);
    case rocksdb::Status::kIOError:
    case rocksdb::Status::kBusy:
    case rocksdb::Status::kTimedOut:
    case rocksdb::Status::kTryAgain:
    case rocksdb::Status::kIncomplete:
      return absl::UnavailableError(message);
    default:
      return absl::InternalError(message);
  }
}

const std::vector<std::string>& RocksDbEventStore::ColumnFamilyNames() {
  static const std::vector<std::string>* const kNames = new std::vector<std::string>{
      rocksdb::kDefaultColumnFamilyName, kEventsCf, kStreamsCf, kEventIdsCf};
  return *kNames;
}

RocksDbEventStore::RocksDbEventStore(std::string path, const common::Clock& clock,
                                     const Options& options)
    : path_(std::move(path)),
      clock_(clock),
      options_(options),
      errors_(std::make_shared<ErrorState>()) {
  write_options_.sync = options.sync;
  write_options_.disableWAL = false;
}

absl::StatusOr<std::unique_ptr<RocksDbEventStore>> RocksDbEventStore::Open(
    const std::string& path, const common::Clock& clock) {
  return Open(path, clock, Options());
}

absl::StatusOr<std::unique_ptr<RocksDbEventStore>> RocksDbEventStore::Open(
    const std::string& path, const common::Clock& clock, const Options& options) {
  if (!options.read_only &&
      (options.wal_recovery != WalRecovery::kStrict || !options.enforce_anchor)) {
    return absl::InvalidArgumentError(
        absl::StrCat("open ", path, ": relaxed WAL recovery or anchor checks need read_only"));
  }
  if (options.read_only && !StoreExists(path)) {
    return absl::NotFoundError(absl::StrCat("open ", path, ": no store in this directory"));
  }
  std::unique_ptr<RocksDbEventStore> store(new RocksDbEventStore(path, clock, options));
  if (options.read_only) {
    // Read-only opens write nothing into the directory, not even the info log.
    store->info_log_ = std::make_shared<FileInfoLog>("", 0, rocksdb::InfoLogLevel::INFO_LEVEL);
  } else {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);  // RocksDB reports what matters.
    store->info_log_ = std::make_shared<FileInfoLog>((std::filesystem::path(path) / "LOG").string(),
                                                     options.max_info_log_bytes,
                                                     rocksdb::InfoLogLevel::INFO_LEVEL);
  }
  RATING_RETURN_IF_ERROR(store->OpenDatabase());
  store->metadata_ = store->handles_[0];
  store->events_ = store->handles_[1];
  store->streams_ = store->handles_[2];
  store->event_ids_ = store->handles_[3];

  RATING_ASSIGN_OR_RETURN(Sequencer::Head head, store->RecoverHead());
  RATING_RETURN_IF_ERROR(store->CheckAnchor(head));
  store->committed_position_ = head.position;
  store->committed_hash_ = head.hash.empty() ? ZeroHash() : head.hash;
  store->sequencer_ = std::make_unique<Sequencer>(static_cast<Sequencer::Backend*>(store.get()),
                                                  clock, std::move(head));
  return store;
}

rocksdb::Status RocksDbEventStore::OpenRocksDb(bool read_only, WalRecovery recovery) {
  if (db_ != nullptr) {
    for (rocksdb::ColumnFamilyHandle* handle : handles_) {
      db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
    }
    db_->Close().PermitUncheckedError();
  }
  handles_.clear();
  db_.reset();
  const rocksdb::DBOptions db_options =
      StoreDbOptions(options_, read_only, recovery, info_log_,
                     read_only ? nullptr : std::make_shared<BackgroundErrorListener>(errors_));
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s =
      read_only
          ? rocksdb::DB::OpenForReadOnly(db_options, path_, StoreColumnFamilies(options_),
                                         &handles_, &raw)
          : rocksdb::DB::Open(db_options, path_, StoreColumnFamilies(options_), &handles_, &raw);
  db_.reset(raw);
  return s;
}

absl::Status RocksDbEventStore::OpenDatabase() {
  auto open_error = [this](const rocksdb::Status& s) {
    absl::Status status = FromRocksDb(s, absl::StrCat("open ", path_));
    // Lock held by another process, unreadable files...: the store is unavailable, not the
    // caller's argument that is wrong.
    if (absl::IsInvalidArgument(status) || absl::IsNotFound(status)) {
      return absl::UnavailableError(status.message());
    }
    return status;
  };
  if (options_.read_only) {
    report_.read_only = true;
    report_.read_only_reason = "opened read-only";
    read_only_status_ =
        absl::FailedPreconditionError(absl::StrCat("store ", path_, ": opened read-only"));
    rocksdb::Status s = OpenRocksDb(/*read_only=*/true, options_.wal_recovery);
    if (s.IsCorruption() && options_.wal_recovery == WalRecovery::kStrict &&
        options_.enforce_anchor) {
      return RecoverDamagedWal(s, /*read_only=*/true);
    }
    const std::string details = WalDamageDetails();
    if (!s.ok() && !details.empty()) {
      absl::Status status = open_error(s);
      return absl::Status(status.code(), absl::StrCat(status.message(), " [", details, "]"));
    }
    if (s.ok() && !details.empty()) {
      Note(absl::StrCat("WAL replay dropped damaged records: ", details));
    }
    return open_error(s);
  }

  rocksdb::Status s = OpenRocksDb(/*read_only=*/false, WalRecovery::kStrict);
  if (s.ok()) return absl::OkStatus();
  const uint64_t free_bytes = FreeBytes(path_);
  if (StoreExists(path_) &&
      (s.IsNoSpace() || (s.IsIOError() && free_bytes < options_.min_free_bytes))) {
    // A full disk: serve reads from a read-only open, which writes nothing.
    report_.read_only = true;
    report_.read_only_reason = absl::StrCat("the disk was too full to open for writing (",
                                            free_bytes, " bytes free): ", s.ToString());
    read_only_status_ = absl::ResourceExhaustedError(
        absl::StrCat("store ", path_, ": read-only since open, ", report_.read_only_reason,
                     "; appends need a restart once space is freed"));
    Note(absl::StrCat("opened read-only: ", report_.read_only_reason));
    rocksdb::Status ro = OpenRocksDb(/*read_only=*/true, WalRecovery::kStrict);
    if (ro.IsCorruption()) return RecoverDamagedWal(ro, /*read_only=*/true);
    return open_error(ro);
  }
  if (s.IsCorruption()) return RecoverDamagedWal(s, /*read_only=*/false);
  return open_error(s);
}

absl::Status RocksDbEventStore::RecoverDamagedWal(const rocksdb::Status& damage, bool read_only) {
  const std::string details = WalDamageDetails();  // Before the probe logs more.
  RATING_ASSIGN_OR_RETURN(std::optional<AnchorRecord> anchor, AnchorFile::Read(path_));
  const uint64_t anchored = anchor.has_value() ? anchor->position : 0;
  const ProbeResult kept = Probe(path_, options_, WalRecovery::kPointInTime, info_log_, anchored);
  const std::string what =
      absl::StrCat("store ", path_, ": the write-ahead log is damaged (", damage.ToString(),
                   details.empty() ? "" : absl::StrCat(": ", details), ")");
  if (!kept.status.ok()) {
    return absl::DataLossError(absl::StrCat(what, " and cannot be recovered to a point in time (",
                                            kept.status.ToString(),
                                            "); run ratingctl salvage --data_dir ", path_));
  }
  // RocksDB's replay cannot reach past the damage; a scan of the WAL records can.
  uint64_t beyond = 0;
  if (absl::StatusOr<WalScan> scan = ScanWal(path_); scan.ok()) {
    for (const rating::v1::Envelope& e : scan->events) beyond = std::max(beyond, e.position());
  }
  const std::string found_beyond =
      beyond > kept.head ? absl::StrCat("; the WAL still holds intact events up to position ",
                                        beyond, " past the damage")
                         : "";
  if (!anchor.has_value()) {
    return absl::DataLossError(absl::StrCat(
        what, "; recovery would keep positions 1..", kept.head, found_beyond,
        ", and without an anchor the store cannot tell a torn unacknowledged write from lost "
        "events; run ratingctl salvage --data_dir ",
        path_));
  }
  if (kept.head < anchor->position || kept.hash_at != anchor->hash) {
    return absl::DataLossError(absl::StrCat(
        what, "; recovery would keep positions 1..", kept.head, found_beyond,
        ", but the anchor is at position ", anchor->position,
        kept.head < anchor->position ? absl::StrCat(": acknowledged events ", kept.head + 1, "..",
                                                    anchor->position, " would be lost")
                                     : ": the event there no longer has the anchored hash",
        "; run ratingctl salvage --data_dir ", path_));
  }
  // Every anchored (so every acknowledged) event survives: what is cut is a write that was
  // never acknowledged, torn by a crash. Keep the WAL as found, then recover without it.
  std::string note =
      absl::StrCat("the write-ahead log was damaged past the anchored position ", anchor->position,
                   " (", damage.ToString(), details.empty() ? "" : absl::StrCat(": ", details),
                   "); recovered to position ", kept.head, " dropping the unacknowledged rest");
  if (!found_beyond.empty()) absl::StrAppend(&note, found_beyond);
  if (!read_only) {
    const std::string keep = KeepWalFiles(path_);
    absl::StrAppend(&note, keep.empty() ? "; the damaged WAL could not be kept"
                                        : absl::StrCat("; the WAL as found is kept in ", keep));
  }
  Note(std::move(note));
  rocksdb::Status s = OpenRocksDb(read_only, WalRecovery::kPointInTime);
  if (!s.ok()) return FromRocksDb(s, absl::StrCat("open ", path_, " after a damaged WAL"));
  return absl::OkStatus();
}

absl::Status RocksDbEventStore::CheckAnchor(const Sequencer::Head& head) {
  const std::string head_hash = head.hash.empty() ? ZeroHash() : head.hash;
  absl::StatusOr<std::optional<AnchorRecord>> read = AnchorFile::Read(path_);
  RATING_ASSIGN_OR_RETURN(report_.anchor_marker, GetMetadata(kAnchorIdKey));
  std::string problem;
  if (!read.ok()) {
    problem = std::string(read.status().message());
  } else {
    report_.anchor = *read;
  }
  const std::optional<AnchorRecord>& anchor = report_.anchor;
  const std::optional<std::string>& marker = report_.anchor_marker;
  if (!problem.empty()) {
    // An unreadable anchor file: reported as found.
  } else if (!anchor.has_value()) {
    if (marker.has_value()) {
      problem = absl::StrCat("store ", path_, ": the anchor file ", AnchorFile::kFileName,
                             " is missing, but the store was anchored (anchor id ", *marker,
                             "; head is position ", head.position,
                             "), so a lost tail cannot be ruled out; check it with ratingctl "
                             "verify --data_dir ",
                             path_, " and repair with ratingctl salvage");
    }
  } else if (marker.has_value() && *marker != anchor->anchor_id) {
    problem = absl::StrCat("store ", path_, ": the anchor belongs to another store (anchor id ",
                           anchor->anchor_id, ", the store's is ", *marker, ")");
  } else if (head.position < anchor->position) {
    problem =
        absl::StrCat("store ", path_, ": head is position ", head.position,
                     ", behind its anchor at position ", anchor->position, ": acknowledged events ",
                     head.position + 1, "..", anchor->position, " are missing");
  } else {
    std::string stored_hash = ZeroHash();
    if (anchor->position > 0) {
      absl::StatusOr<rating::v1::Envelope> at = ReadEnvelope(anchor->position);
      stored_hash = at.ok() ? at->hash() : std::string();
      if (!at.ok()) {
        problem = absl::StrCat("store ", path_, ": the event at the anchored position ",
                               anchor->position, " cannot be read (", at.status().message(), ")");
      }
    }
    if (problem.empty() && stored_hash != anchor->hash) {
      problem =
          absl::StrCat("store ", path_, ": the event at the anchored position ", anchor->position,
                       " has hash ", common::ToHex(stored_hash), ", the anchor recorded ",
                       common::ToHex(anchor->hash), ": the log was rewritten");
    }
  }
  if (!problem.empty()) {
    report_.anchor_problem = problem;
    if (options_.enforce_anchor) return absl::DataLossError(problem);
    return absl::OkStatus();
  }
  if (report_.read_only) {
    if (!anchor.has_value() && head.position > 0 && !options_.read_only) {
      Note(absl::StrCat("the store has no anchor yet; it is anchored at the next writable open"));
    }
    return absl::OkStatus();
  }

  // Writable: create the anchor for a store that never had one, or bring it to the head.
  const rocksdb::WriteOptions synced = [] {
    rocksdb::WriteOptions w;
    w.sync = true;
    return w;
  }();
  if (!anchor.has_value()) {
    AnchorRecord record;
    record.anchor_id = common::NewUuid();
    record.position = head.position;
    record.hash = head_hash;
    RATING_ASSIGN_OR_RETURN(AnchorFile file, AnchorFile::Create(path_, record));
    anchor_.emplace(std::move(file));
    if (head.position > 0) {
      Note(absl::StrCat("the store had never been anchored; anchored at position ", head.position,
                        " (anchor id ", record.anchor_id, ")"));
    }
    RATING_RETURN_IF_ERROR(FromRocksDb(db_->Put(synced, metadata_, kAnchorIdKey, record.anchor_id),
                                       "record the anchor id"));
    report_.anchor = anchor_->record();
    report_.anchor_marker = record.anchor_id;
    return absl::OkStatus();
  }
  RATING_ASSIGN_OR_RETURN(AnchorFile file, AnchorFile::OpenForUpdate(path_));
  anchor_.emplace(std::move(file));
  if (!marker.has_value()) {
    // The anchor was created but the store did not get its id (a crash in between).
    RATING_RETURN_IF_ERROR(FromRocksDb(db_->Put(synced, metadata_, kAnchorIdKey, anchor->anchor_id),
                                       "record the anchor id"));
    report_.anchor_marker = anchor->anchor_id;
  }
  if (head.position > anchor->position) {
    // A crash between the WAL sync and the anchor write (or a non-durable store): the events
    // past the anchor were stored, the anchor just did not hear of them.
    if (options_.sync) {
      Note(absl::StrCat("the store is ahead of its anchor (position ", head.position, ", anchored ",
                        anchor->position, "); anchor moved to the head"));
    }
    RATING_RETURN_IF_ERROR(anchor_->Write(head.position, head_hash));
  }
  return absl::OkStatus();
}

std::string RocksDbEventStore::WalDamageDetails() const {
  std::vector<std::string> lines;
  for (const std::string& line : info_log_->recent_warnings()) {
    if (absl::StrContains(line, "dropping")) lines.push_back(line);
  }
  if (lines.size() > 3) lines.erase(lines.begin(), lines.end() - 3);
  return absl::StrJoin(lines, "; ");
}

void RocksDbEventStore::Note(std::string note) {
  rocksdb::Log(rocksdb::InfoLogLevel::WARN_LEVEL, info_log_, "rating eventstore: %s", note.c_str());
  // A server's operator reads stderr; the offline tools print the report themselves.
  if (!options_.read_only) std::fprintf(stderr, "eventstore %s: %s\n", path_.c_str(), note.c_str());
  report_.notes.push_back(std::move(note));
}

absl::Status RocksDbEventStore::CheckFreeSpace(uint64_t bytes, std::string_view what) const {
  if (options_.min_free_bytes == 0) return absl::OkStatus();
  const uint64_t free_bytes = FreeBytes(path_);
  if (free_bytes >= options_.min_free_bytes && free_bytes - options_.min_free_bytes >= bytes) {
    return absl::OkStatus();
  }
  return absl::ResourceExhaustedError(absl::StrCat(
      AsAbsl(what), ": store ", path_, " has ", free_bytes, " bytes free, below the reserve of ",
      options_.min_free_bytes, " bytes plus ", bytes, " to write; nothing was written"));
}

absl::Status RocksDbEventStore::ResumeIfNeeded() {
  if (!errors_->needs_resume.load(std::memory_order_acquire)) return absl::OkStatus();
  absl::MutexLock lock(&resume_mu_);
  if (!errors_->needs_resume.load(std::memory_order_acquire)) return absl::OkStatus();
  if (!write_fence_.ok()) return write_fence_;
  if (errors_->wal_write_failed.load(std::memory_order_acquire)) {
    // DB::Resume() flushes the memtables, and only a flush of a non-empty memtable starts a
    // new WAL. With every memtable empty (the failed write was the first into a fresh WAL)
    // RocksDB 7.8 would go on writing through the failed WAL writer, which asserts: only a
    // restart recovers (FORMAT.md, Full disk).
    bool holds_data = false;
    for (rocksdb::ColumnFamilyHandle* handle : handles_) {
      uint64_t entries = 0;
      if (db_->GetIntProperty(handle, "rocksdb.num-entries-active-mem-table", &entries) &&
          entries > 0) {
        holds_data = true;
      }
    }
    if (!holds_data) {
      write_fence_ = absl::UnavailableError(absl::StrCat(
          "append: store ", path_,
          " cannot write again before a restart: a write into a fresh WAL failed (disk full "
          "past the reserve), and RocksDB 7.8 cannot resume from that; restart once space is "
          "freed (nothing acknowledged is lost)"));
      rocksdb::Log(rocksdb::InfoLogLevel::ERROR_LEVEL, info_log_, "rating eventstore: %s",
                   std::string(write_fence_.message()).c_str());
      std::fprintf(stderr, "eventstore %s: %s\n", path_.c_str(),
                   std::string(write_fence_.message()).c_str());
      return write_fence_;
    }
  }
  // Flushes the memtables and starts a new WAL: the failed write never reached them.
  RATING_RETURN_IF_ERROR(FromRocksDb(db_->Resume(), "resume after a write error"));
  errors_->wal_write_failed.store(false, std::memory_order_release);
  errors_->needs_resume.store(false, std::memory_order_release);
  rocksdb::Log(rocksdb::InfoLogLevel::WARN_LEVEL, info_log_,
               "rating eventstore: resumed writing after a write error");
  return absl::OkStatus();
}

RocksDbEventStore::~RocksDbEventStore() {
  if (sequencer_ != nullptr) sequencer_->Shutdown();
  if (db_ == nullptr) return;
  if (!options_.sync && anchor_.has_value() &&
      !errors_->needs_resume.load(std::memory_order_acquire)) {
    // A non-durable store is anchored at a clean close, once its WAL is synced. (Never after
    // a write error: syncing a failed WAL writer trips an assertion in RocksDB 7.8.)
    if (db_->SyncWAL().ok()) anchor_->Write(committed_position_, committed_hash_).IgnoreError();
  }
  for (rocksdb::ColumnFamilyHandle* handle : handles_) {
    db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
  }
  // Close() reports background errors only; the WAL of every acknowledged append is synced.
  db_->Close().PermitUncheckedError();
}

absl::StatusOr<Sequencer::Head> RocksDbEventStore::RecoverHead() const {
  Sequencer::Head head;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(CheckedReads(), events_));
  it->SeekToLast();
  if (!it->Valid()) {
    RATING_RETURN_IF_ERROR(FromRocksDb(it->status(), "recover head"));
    return head;  // Empty log.
  }
  std::optional<uint64_t> position = DecodeBigEndian64(it->key().ToStringView());
  if (!position.has_value()) {
    return absl::DataLossError(
        absl::StrCat("recover head: malformed events key of ", it->key().size(), " bytes"));
  }
  rating::v1::Envelope last;
  if (!ParseEnvelope(it->value(), &last) || last.position() != *position) {
    return DataLoss(*position);
  }
  head.position = *position;
  head.hash = last.hash();
  head.recorded_at_micros = last.recorded_at_micros();
  return head;
}

absl::StatusOr<std::optional<std::string>> RocksDbEventStore::GetMetadata(
    std::string_view key) const {
  std::string value;
  rocksdb::Status s = db_->Get(CheckedReads(), metadata_, ToSlice(key), &value);
  if (s.IsNotFound()) return std::nullopt;
  RATING_RETURN_IF_ERROR(FromRocksDb(s, absl::StrCat("read metadata ", AsAbsl(key))));
  return value;
}

absl::StatusOr<rating::v1::Envelope> RocksDbEventStore::ReadEnvelope(uint64_t position) const {
  rocksdb::PinnableSlice value;
  const std::string key = PositionKey(position);
  rocksdb::Status s = db_->Get(CheckedReads(), events_, key, &value);
  if (s.IsNotFound()) {
    return absl::NotFoundError(absl::StrCat("event at position ", position, ": not stored"));
  }
  RATING_RETURN_IF_ERROR(FromRocksDb(s, absl::StrCat("read event at position ", position)));
  rating::v1::Envelope envelope;
  if (!ParseEnvelope(value, &envelope)) return DataLoss(position);
  return envelope;
}

absl::StatusOr<AppendResult> RocksDbEventStore::Append(std::string_view stream,
                                                       int64_t expected_version,
                                                       std::vector<NewEvent> events) {
  return sequencer_->Append(stream, expected_version, std::move(events));
}

std::vector<absl::StatusOr<AppendResult>> RocksDbEventStore::AppendMany(
    std::vector<AppendRequest> requests) {
  return sequencer_->AppendMany(requests);
}

absl::StatusOr<std::vector<rating::v1::Envelope>> RocksDbEventStore::ReadStream(
    std::string_view stream, uint64_t from_version, Direction direction, size_t max_count) const {
  std::vector<rating::v1::Envelope> out;
  if (max_count == 0) return out;
  const uint64_t head = HeadPosition();
  const std::string prefix = StreamPrefix(stream);
  std::string upper = prefix;
  upper.back() = '\x01';  // stream + 0x01: just past every key of the stream.
  rocksdb::Slice lower_bound(prefix), upper_bound(upper);
  rocksdb::ReadOptions read_options = CheckedReads();
  read_options.iterate_lower_bound = &lower_bound;
  read_options.iterate_upper_bound = &upper_bound;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, streams_));

  std::vector<uint64_t> positions;
  auto position_of = [&]() -> absl::StatusOr<uint64_t> {
    std::optional<uint64_t> p = DecodeBigEndian64(it->value().ToStringView());
    if (!p.has_value()) {
      return absl::DataLossError(
          absl::StrCat("stream ", AsAbsl(stream), ": malformed index entry"));
    }
    return *p;
  };
  if (direction == Direction::kForward) {
    for (it->Seek(StreamKey(stream, std::max<uint64_t>(from_version, 1)));
         it->Valid() && positions.size() < max_count; it->Next()) {
      RATING_ASSIGN_OR_RETURN(uint64_t p, position_of());
      if (p > head) break;  // Not acknowledged yet.
      positions.push_back(p);
    }
  } else {
    const uint64_t from = from_version == 0 ? std::numeric_limits<uint64_t>::max() : from_version;
    for (it->SeekForPrev(StreamKey(stream, from)); it->Valid() && positions.size() < max_count;
         it->Prev()) {
      RATING_ASSIGN_OR_RETURN(uint64_t p, position_of());
      if (p <= head) positions.push_back(p);
    }
  }
  RATING_RETURN_IF_ERROR(FromRocksDb(it->status(), absl::StrCat("read stream ", AsAbsl(stream))));

  out.reserve(positions.size());
  for (uint64_t p : positions) {
    absl::StatusOr<rating::v1::Envelope> envelope = ReadEnvelope(p);
    if (absl::IsNotFound(envelope.status())) {
      return absl::DataLossError(absl::StrCat("stream ", AsAbsl(stream),
                                              ": indexed event at position ", p, " is missing"));
    }
    if (!envelope.ok()) return envelope.status();
    out.push_back(*std::move(envelope));
  }
  return out;
}

absl::StatusOr<std::vector<rating::v1::Envelope>> RocksDbEventStore::ReadAll(
    uint64_t from_position, size_t max_count) const {
  std::vector<rating::v1::Envelope> out;
  const uint64_t head = HeadPosition();
  const uint64_t from = std::max<uint64_t>(from_position, 1);
  if (max_count == 0 || from > head) return out;
  const uint64_t last = head - from < max_count ? head : from + max_count - 1;
  const std::string upper = PositionKey(last + 1);
  rocksdb::Slice upper_bound(upper);
  rocksdb::ReadOptions read_options = CheckedReads();
  read_options.iterate_upper_bound = &upper_bound;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, events_));
  out.reserve(last - from + 1);
  uint64_t expected = from;
  for (it->Seek(PositionKey(from)); it->Valid(); it->Next(), ++expected) {
    if (!ParseEnvelope(it->value(), &out.emplace_back())) return DataLoss(expected);
  }
  RATING_RETURN_IF_ERROR(
      FromRocksDb(it->status(), absl::StrCat("read log at position ", expected)));
  return out;
}

absl::Status RocksDbEventStore::ForEach(
    uint64_t from_position, const std::function<bool(const rating::v1::Envelope&)>& visit) const {
  const uint64_t head = HeadPosition();
  const uint64_t from = std::max<uint64_t>(from_position, 1);
  if (from > head) return absl::OkStatus();
  const std::string upper = PositionKey(head + 1);
  rocksdb::Slice upper_bound(upper);
  rocksdb::ReadOptions read_options = CheckedReads();
  read_options.iterate_upper_bound = &upper_bound;
  // A replay reads each block once: do not push the working set out of the cache.
  read_options.fill_cache = false;
  read_options.readahead_size = 1 << 20;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, events_));
  rating::v1::Envelope envelope;  // Reused: parsing into it keeps its string buffers.
  uint64_t expected = from;
  for (it->Seek(PositionKey(from)); it->Valid(); it->Next(), ++expected) {
    if (!ParseEnvelope(it->value(), &envelope)) return DataLoss(expected);
    if (!visit(envelope)) return absl::OkStatus();
  }
  return FromRocksDb(it->status(), absl::StrCat("read log at position ", expected));
}

absl::StatusOr<uint64_t> RocksDbEventStore::StreamVersion(std::string_view stream) const {
  return sequencer_->StreamVersion(stream);
}

uint64_t RocksDbEventStore::HeadPosition() const { return sequencer_->HeadPosition(); }

std::string RocksDbEventStore::HeadHash() const { return sequencer_->HeadHash(); }

absl::StatusOr<std::optional<uint64_t>> RocksDbEventStore::IndexedPosition(
    std::string_view event_id) const {
  rocksdb::PinnableSlice value;
  rocksdb::Status s = db_->Get(CheckedReads(), event_ids_, ToSlice(event_id), &value);
  if (s.IsNotFound()) return std::nullopt;
  RATING_RETURN_IF_ERROR(FromRocksDb(s, absl::StrCat("find event ", AsAbsl(event_id))));
  std::optional<uint64_t> position = DecodeBigEndian64(value.ToStringView());
  if (!position.has_value()) {
    return absl::DataLossError(
        absl::StrCat("event ", AsAbsl(event_id), ": malformed id index entry"));
  }
  return position;
}

absl::StatusOr<std::optional<uint64_t>> RocksDbEventStore::FindEvent(
    std::string_view event_id) const {
  const uint64_t head = HeadPosition();
  RATING_ASSIGN_OR_RETURN(std::optional<uint64_t> position, IndexedPosition(event_id));
  if (!position.has_value()) return std::nullopt;
  if (*position > head) return std::nullopt;  // Not acknowledged yet.
  return *position;
}

uint64_t RocksDbEventStore::WaitForHeadPast(uint64_t position, absl::Duration timeout) const {
  return sequencer_->WaitForHeadPast(position, timeout);
}

absl::StatusOr<VerifyResult> RocksDbEventStore::Verify(uint64_t from_position,
                                                       uint64_t to_position) const {
  const uint64_t head = HeadPosition();
  const uint64_t from = std::max<uint64_t>(from_position, 1);
  const uint64_t to = to_position == 0 ? head : std::min(to_position, head);
  if (from > to) return VerifyResult{};

  std::string prev_hash = ZeroHash();
  if (from > 1) {
    // The link into `from` is checked against the stored hash of the event before it; if
    // that one is unreadable, the first link is left unchecked.
    absl::StatusOr<rating::v1::Envelope> before = ReadEnvelope(from - 1);
    prev_hash = before.ok() ? before->hash() : std::string();
  }
  ChainVerifier verifier(from, std::move(prev_hash));
  const std::string upper = PositionKey(to + 1);
  rocksdb::Slice upper_bound(upper);
  rocksdb::ReadOptions read_options = CheckedReads();
  read_options.iterate_upper_bound = &upper_bound;
  read_options.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, events_));
  rating::v1::Envelope envelope;
  for (it->Seek(PositionKey(from)); it->Valid(); it->Next()) {
    std::optional<uint64_t> position = DecodeBigEndian64(it->key().ToStringView());
    if (!position.has_value()) continue;  // Not ours; a missing position shows as a gap.
    const bool parsed = ParseEnvelope(it->value(), &envelope);
    if (!verifier.Check(*position, parsed ? &envelope : nullptr)) break;
  }
  if (!it->status().ok()) {
    // A block that fails its checksum is a failure of the chain, not of the call.
    absl::Status s = FromRocksDb(it->status(), "verify");
    if (!absl::IsDataLoss(s)) return s;
    verifier.FailHere(std::string(s.message()));
  }
  return verifier.Finish(to);
}

void RocksDbEventStore::Shutdown() { sequencer_->Shutdown(); }

bool RocksDbEventStore::IsShutdown() const { return sequencer_->IsShutdown(); }

absl::Status RocksDbEventStore::Checkpoint(const std::string& dir) const {
  std::error_code ec;
  if (std::filesystem::exists(dir, ec)) {
    return absl::InvalidArgumentError(absl::StrCat("checkpoint dir ", dir, ": already exists"));
  }
  rocksdb::Checkpoint* raw = nullptr;
  RATING_RETURN_IF_ERROR(
      FromRocksDb(rocksdb::Checkpoint::Create(db_.get(), &raw), "create checkpoint"));
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  RATING_RETURN_IF_ERROR(
      FromRocksDb(checkpoint->CreateCheckpoint(dir), absl::StrCat("checkpoint to ", dir)));
  // The copy gets its own anchor at the head it recovers to. Its WAL may have been copied
  // while an append was writing it, so that head is what point-in-time recovery keeps (and a
  // strict open of the copy accepts a torn tail past it).
  const ProbeResult copy =
      Probe(dir, options_, WalRecovery::kPointInTime,
            std::make_shared<FileInfoLog>("", 0, rocksdb::InfoLogLevel::INFO_LEVEL), 0);
  RATING_RETURN_IF_ERROR(FromRocksDb(copy.status, absl::StrCat("checkpoint to ", dir)));
  AnchorRecord record;
  RATING_ASSIGN_OR_RETURN(std::optional<std::string> marker, GetMetadata(kAnchorIdKey));
  record.anchor_id = marker.value_or(common::NewUuid());
  record.position = copy.head;
  record.hash = copy.head_hash;
  return AnchorFile::Create(dir, std::move(record)).status();
}

absl::Status RocksDbEventStore::RecordVerified(uint64_t position) {
  RATING_RETURN_IF_ERROR(read_only_status_);
  const uint64_t head = HeadPosition();
  if (position == 0) return absl::InvalidArgumentError("record verified: position must be >= 1");
  if (position > head) {
    return absl::OutOfRangeError(
        absl::StrCat("record verified: position ", position, " is past the head ", head));
  }
  absl::StatusOr<rating::v1::Envelope> envelope = ReadEnvelope(position);
  if (absl::IsNotFound(envelope.status())) {
    return absl::DataLossError(
        absl::StrCat("record verified: event at position ", position, " is missing"));
  }
  if (!envelope.ok()) return envelope.status();
  std::string value = PositionKey(position);
  value.append(envelope->hash());
  RATING_RETURN_IF_ERROR(CheckFreeSpace(value.size(), "record verified"));
  RATING_RETURN_IF_ERROR(ResumeIfNeeded());
  rocksdb::Status s = db_->Put(write_options_, metadata_, kLastVerifiedKey, value);
  if (!s.ok()) errors_->needs_resume.store(true, std::memory_order_release);
  return FromRocksDb(s, "record verified");
}

absl::StatusOr<std::optional<std::pair<uint64_t, std::string>>> RocksDbEventStore::LastVerified()
    const {
  RATING_ASSIGN_OR_RETURN(std::optional<std::string> value, GetMetadata(kLastVerifiedKey));
  if (!value.has_value()) return std::nullopt;
  std::optional<uint64_t> position = value->size() == 8 + kHashBytes
                                         ? DecodeBigEndian64(std::string_view(*value).substr(0, 8))
                                         : std::nullopt;
  if (!position.has_value()) {
    return absl::DataLossError(
        absl::StrCat("last verified: malformed record of ", value->size(), " bytes"));
  }
  return std::make_pair(*position, value->substr(8));
}

absl::Status RocksDbEventStore::VerifyFiles() const {
  rocksdb::ReadOptions read_options = CheckedReads();
  read_options.fill_cache = false;
  RATING_RETURN_IF_ERROR(
      FromRocksDb(db_->VerifyChecksum(read_options), "verify table block checksums"));
  return FromRocksDb(db_->VerifyFileChecksums(read_options), "verify table file checksums");
}

absl::Status RocksDbEventStore::CopyChain(const EventStore& source, uint64_t up_to,
                                          const std::string& dir, const common::Clock& clock,
                                          const Options& options) {
  std::error_code ec;
  if (std::filesystem::exists(dir, ec)) {
    return absl::InvalidArgumentError(absl::StrCat("copy to ", dir, ": already exists"));
  }
  Options copy_options = options;
  copy_options.read_only = false;
  copy_options.wal_recovery = WalRecovery::kStrict;
  copy_options.enforce_anchor = true;
  copy_options.sync = true;
  absl::Status status = [&]() -> absl::Status {
    RATING_ASSIGN_OR_RETURN(std::unique_ptr<RocksDbEventStore> copy,
                            Open(dir, clock, copy_options));
    ChainVerifier verifier(1, ZeroHash());
    std::vector<rating::v1::Envelope> batch;
    absl::Status commit_status;
    auto flush = [&] {
      if (batch.empty() || !commit_status.ok()) return;
      commit_status = copy->Commit(batch);
      batch.clear();
    };
    uint64_t copied = 0;
    absl::Status read = source.ForEach(1, [&](const rating::v1::Envelope& e) {
      if (e.position() > up_to || !verifier.Check(e.position(), &e)) return false;
      batch.push_back(e);
      copied = e.position();
      if (batch.size() >= 1024) flush();
      return commit_status.ok() && copied < up_to;
    });
    // Damage right after `up_to` may stop the read there; what was asked for was read.
    if (!read.ok() && copied < up_to) return read;
    flush();
    RATING_RETURN_IF_ERROR(commit_status);
    VerifyResult result = verifier.Finish(up_to);
    if (!result.ok) {
      return absl::DataLossError(absl::StrCat("copy to ", dir, ": the chain breaks at position ",
                                              result.first_bad_position, ": ", result.message));
    }
    copy.reset();
    // Reopen: the copy must come up as a working store at `up_to`, and remember that it was
    // verified (it was checked link by link above).
    RATING_ASSIGN_OR_RETURN(copy, Open(dir, clock, copy_options));
    if (copy->HeadPosition() != up_to) {
      return absl::InternalError(absl::StrCat("copy to ", dir, ": reopened at position ",
                                              copy->HeadPosition(), ", expected ", up_to));
    }
    if (up_to > 0) RATING_RETURN_IF_ERROR(copy->RecordVerified(up_to));
    return absl::OkStatus();
  }();
  if (!status.ok()) std::filesystem::remove_all(dir, ec);
  return status;
}

absl::StatusOr<std::optional<rating::v1::Envelope>> RocksDbEventStore::LoadEvent(
    std::string_view event_id) const {
  RATING_ASSIGN_OR_RETURN(std::optional<uint64_t> position, IndexedPosition(event_id));
  if (!position.has_value()) return std::nullopt;
  absl::StatusOr<rating::v1::Envelope> envelope = ReadEnvelope(*position);
  if (absl::IsNotFound(envelope.status())) {
    return absl::DataLossError(absl::StrCat("event ", AsAbsl(event_id), ": indexed at position ",
                                            *position, " but not stored"));
  }
  if (!envelope.ok()) return envelope.status();
  return *std::move(envelope);
}

absl::StatusOr<uint64_t> RocksDbEventStore::LoadStreamVersion(std::string_view stream) const {
  const std::string prefix = StreamPrefix(stream);
  rocksdb::Slice lower_bound(prefix);
  rocksdb::ReadOptions read_options = CheckedReads();
  read_options.iterate_lower_bound = &lower_bound;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, streams_));
  it->SeekForPrev(StreamKey(stream, std::numeric_limits<uint64_t>::max()));
  if (!it->Valid()) {
    RATING_RETURN_IF_ERROR(FromRocksDb(it->status(), absl::StrCat("load stream ", AsAbsl(stream))));
    return 0;
  }
  std::string_view key = it->key().ToStringView();
  std::optional<uint64_t> version =
      key.size() == prefix.size() + 8 ? DecodeBigEndian64(key.substr(prefix.size())) : std::nullopt;
  if (!version.has_value()) {
    return absl::DataLossError(absl::StrCat("stream ", AsAbsl(stream), ": malformed index key"));
  }
  return *version;
}

absl::Status RocksDbEventStore::Commit(const std::vector<rating::v1::Envelope>& envelopes) {
  RATING_RETURN_IF_ERROR(read_only_status_);
  rocksdb::WriteBatch batch;
  std::string key;
  for (const rating::v1::Envelope& e : envelopes) {
    const std::string position = PositionKey(e.position());
    value_scratch_.clear();
    RATING_CHECK(e.AppendToString(&value_scratch_));
    batch.Put(events_, position, value_scratch_);
    key = StreamKey(e.stream(), e.stream_version());
    batch.Put(streams_, key, position);
    batch.Put(event_ids_, e.event_id(), position);
  }
  // Refused before anything is written: RocksDB must not meet ENOSPC (FORMAT.md, Full disk).
  RATING_RETURN_IF_ERROR(CheckFreeSpace(batch.GetDataSize(), "append"));
  RATING_RETURN_IF_ERROR(ResumeIfNeeded());
  if (!anchor_error_.ok() && anchor_.has_value()) {
    // The last group was acknowledged but not anchored: anchor it before writing more.
    if (absl::Status s = anchor_->Write(committed_position_, committed_hash_); !s.ok()) {
      return absl::UnavailableError(
          absl::StrCat("append: the anchor cannot be written, appends are refused until it can (",
                       s.message(), ")"));
    }
    anchor_error_ = absl::OkStatus();
  }
  const absl::Time write_start = absl::Now();
  rocksdb::Status s = db_->Write(write_options_, &batch);
  const absl::Duration wal_write = absl::Now() - write_start;
  if (!s.ok()) {
    // The batch is in no memtable; RocksDB stopped writes until DB::Resume().
    errors_->needs_resume.store(true, std::memory_order_release);
    return FromRocksDb(s, "append");
  }
  committed_position_ = envelopes.back().position();
  committed_hash_ = envelopes.back().hash();
  absl::Duration anchor_sync;
  if (options_.sync && anchor_.has_value()) {
    const absl::Time anchor_start = absl::Now();
    // Acknowledged => anchored. If the anchor cannot be written the group still stands (it is
    // in the synced WAL); the next commit retries the anchor first and refuses without it.
    absl::Status a = anchor_->Write(committed_position_, committed_hash_);
    anchor_sync = absl::Now() - anchor_start;
    if (!a.ok()) {
      anchor_error_ = a;
      rocksdb::Log(rocksdb::InfoLogLevel::ERROR_LEVEL, info_log_,
                   "rating eventstore: anchor write failed at position %llu: %s",
                   static_cast<unsigned long long>(committed_position_),
                   std::string(a.message()).c_str());
    }
  }
  if (options_.commit_observer != nullptr) {
    options_.commit_observer->OnCommit(envelopes.size(), wal_write, anchor_sync);
  }
  return absl::OkStatus();
}

}  // namespace rating::eventstore
