#include "eventstore/rocksdb_options.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "eventstore/chain.h"
#include "eventstore/keys.h"
#include "rocksdb/cache.h"
#include "rocksdb/file_checksum.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/iterator.h"
#include "rocksdb/memtablerep.h"
#include "rocksdb/slice_transform.h"
#include "rocksdb/table.h"

namespace rating::eventstore::rocks {
namespace {

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

}  // namespace

// Every read verifies block checksums (RocksDB's default, stated so it stays so).
rocksdb::ReadOptions CheckedReads() {
  rocksdb::ReadOptions read_options;
  read_options.verify_checksums = true;
  return read_options;
}

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

}  // namespace rating::eventstore::rocks
