#include "eventstore/snapshot_store.h"

#include <rocksdb/db.h>

#include <algorithm>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "eventstore/keys.h"
#include "eventstore/rocksdb_event_store.h"

namespace rating::eventstore {
namespace {

constexpr size_t kBatchBytes = 8 << 20;

std::string HeaderKey(uint64_t position) {
  std::string key = "h";
  AppendBigEndian64(position, &key);
  return key;
}

std::string ChunkKey(uint64_t position, uint32_t index) {
  std::string key = "c";
  AppendBigEndian64(position, &key);
  AppendBigEndian32(index, &key);
  return key;
}

uint64_t PositionOf(const rocksdb::Slice& key) {
  return DecodeBigEndian64(std::string_view(key.data() + 1, 8)).value_or(0);
}

}  // namespace

SnapshotStore::SnapshotStore(std::unique_ptr<rocksdb::DB> db) : db_(std::move(db)) {}
SnapshotStore::~SnapshotStore() = default;

absl::StatusOr<std::unique_ptr<SnapshotStore>> SnapshotStore::Open(const std::string& dir) {
  rocksdb::Options options;
  options.create_if_missing = true;
  // Snapshots are derived data: a damaged WAL tail loses at most the snapshot being written,
  // whose header (written last) is then missing, so point-in-time recovery is right here.
  options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  options.paranoid_checks = true;
  options.max_log_file_size = 1 << 20;
  options.keep_log_file_num = 2;
  options.max_total_wal_size = 64 << 20;
  options.write_buffer_size = 16 << 20;
  options.avoid_flush_during_shutdown = false;
  // Block checksums with XXH3 (RocksDB 7.8's default, stated), as the event store's.
  rocksdb::BlockBasedTableOptions table;
  table.checksum = rocksdb::kXXH3;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  rocksdb::DB* raw = nullptr;
  RATING_RETURN_IF_ERROR(
      FromRocksDb(rocksdb::DB::Open(options, dir, &raw), absl::StrCat("open snapshots ", dir)));
  return std::unique_ptr<SnapshotStore>(new SnapshotStore(std::unique_ptr<rocksdb::DB>(raw)));
}

absl::Status SnapshotStore::Writer::AddChunk(const std::string& bytes) {
  pending_.emplace_back(ChunkKey(position_, next_chunk_++), bytes);
  pending_bytes_ += bytes.size();
  if (pending_bytes_ >= kBatchBytes) return Flush();
  return absl::OkStatus();
}

absl::Status SnapshotStore::Writer::Flush() {
  if (pending_.empty()) return absl::OkStatus();
  rocksdb::WriteBatch batch;
  for (const auto& [key, value] : pending_) {
    RATING_RETURN_IF_ERROR(FromRocksDb(batch.Put(key, value), "snapshot chunk"));
  }
  pending_.clear();
  pending_bytes_ = 0;
  return FromRocksDb(store_.db_->Write(rocksdb::WriteOptions(), &batch), "write snapshot chunks");
}

absl::Status SnapshotStore::Writer::Commit(const std::string& header) {
  RATING_RETURN_IF_ERROR(Flush());
  rocksdb::WriteOptions synced;
  synced.sync = true;  // The chunks' WAL records precede it, so they are synced with it.
  return FromRocksDb(store_.db_->Put(synced, HeaderKey(position_), header), "write snapshot");
}

absl::StatusOr<std::vector<uint64_t>> SnapshotStore::Positions(uint64_t at_or_before) const {
  std::vector<uint64_t> out;
  rocksdb::ReadOptions read;
  read.verify_checksums = true;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read));
  it->SeekForPrev(HeaderKey(at_or_before == 0 ? UINT64_MAX : at_or_before));
  for (; it->Valid() && it->key().starts_with("h"); it->Prev()) {
    out.push_back(PositionOf(it->key()));
  }
  RATING_RETURN_IF_ERROR(FromRocksDb(it->status(), "list snapshots"));
  return out;
}

absl::StatusOr<std::string> SnapshotStore::Header(uint64_t position) const {
  std::string value;
  rocksdb::ReadOptions read;
  read.verify_checksums = true;
  rocksdb::Status s = db_->Get(read, HeaderKey(position), &value);
  if (s.IsNotFound()) return absl::NotFoundError(absl::StrCat("no snapshot at ", position));
  RATING_RETURN_IF_ERROR(FromRocksDb(s, "read snapshot header"));
  return value;
}

absl::StatusOr<std::string> SnapshotStore::Chunk(uint64_t position, uint32_t index) const {
  std::string value;
  rocksdb::ReadOptions read;
  read.verify_checksums = true;
  rocksdb::Status s = db_->Get(read, ChunkKey(position, index), &value);
  if (s.IsNotFound()) {
    return absl::NotFoundError(absl::StrCat("snapshot ", position, ": no chunk ", index));
  }
  RATING_RETURN_IF_ERROR(FromRocksDb(s, "read snapshot chunk"));
  return value;
}

absl::Status SnapshotStore::Remove(uint64_t position) {
  rocksdb::WriteBatch batch;
  RATING_RETURN_IF_ERROR(FromRocksDb(batch.Delete(HeaderKey(position)), "remove snapshot"));
  RATING_RETURN_IF_ERROR(FromRocksDb(
      batch.DeleteRange(ChunkKey(position, 0), ChunkKey(position, UINT32_MAX)), "remove chunks"));
  return FromRocksDb(db_->Write(rocksdb::WriteOptions(), &batch), "remove snapshot");
}

absl::Status SnapshotStore::Prune(size_t keep) {
  RATING_ASSIGN_OR_RETURN(std::vector<uint64_t> positions, Positions(0));
  for (size_t i = keep; i < positions.size(); ++i) RATING_RETURN_IF_ERROR(Remove(positions[i]));
  // Chunks of snapshots whose header was never written (a crash while writing): every chunk
  // older than the oldest kept header and newer than none, or of a position with no header.
  std::vector<uint64_t> kept(positions.begin(),
                             positions.begin() + std::min(keep, positions.size()));
  rocksdb::ReadOptions read;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read));
  std::vector<uint64_t> orphans;
  for (it->Seek("c"); it->Valid() && it->key().starts_with("c");) {
    const uint64_t position = PositionOf(it->key());
    if (std::find(kept.begin(), kept.end(), position) == kept.end()) orphans.push_back(position);
    it->Seek(ChunkKey(position, UINT32_MAX));  // The next position's chunks.
    if (it->Valid() && PositionOf(it->key()) == position) it->Next();
  }
  RATING_RETURN_IF_ERROR(FromRocksDb(it->status(), "prune snapshots"));
  for (uint64_t position : orphans) RATING_RETURN_IF_ERROR(Remove(position));
  return absl::OkStatus();
}

}  // namespace rating::eventstore
