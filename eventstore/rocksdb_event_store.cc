#include "eventstore/rocksdb_event_store.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/check.h"
#include "common/status_macros.h"
#include "eventstore/chain.h"
#include "eventstore/keys.h"
#include "rocksdb/cache.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/iterator.h"
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

absl::Status DataLoss(uint64_t position) {
  return absl::DataLossError(
      absl::StrCat("event at position ", position, ": stored envelope does not parse"));
}

bool ParseEnvelope(const rocksdb::Slice& value, rating::v1::Envelope* out) {
  return out->ParseFromArray(value.data(), static_cast<int>(value.size()));
}

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

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

absl::Status FromRocksDb(const rocksdb::Status& status, std::string_view context) {
  if (status.ok()) return absl::OkStatus();
  std::string message = absl::StrCat(AsAbsl(context), ": ", status.ToString());
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

RocksDbEventStore::RocksDbEventStore(const common::Clock& clock, const Options& options)
    : clock_(clock), options_(options) {
  write_options_.sync = options.sync;
}

absl::StatusOr<std::unique_ptr<RocksDbEventStore>> RocksDbEventStore::Open(
    const std::string& path, const common::Clock& clock) {
  return Open(path, clock, Options());
}

absl::StatusOr<std::unique_ptr<RocksDbEventStore>> RocksDbEventStore::Open(
    const std::string& path, const common::Clock& clock, const Options& options) {
  std::unique_ptr<RocksDbEventStore> store(new RocksDbEventStore(clock, options));

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;

  // One sequencer thread writes at a time, so concurrent memtable writes buy nothing, and
  // turning them off enables the memtable options below.
  db_options.allow_concurrent_memtable_write = false;
  db_options.enable_write_thread_adaptive_yield = false;

  std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  auto cf_options = [&](const std::string& name) {
    rocksdb::BlockBasedTableOptions table;
    table.block_cache = cache;
    // Point lookups (ids, positions) mostly miss on SSTs that do not hold the key.
    if (name != kStreamsCf) table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    rocksdb::ColumnFamilyOptions cf;
    cf.write_buffer_size = options.write_buffer_bytes;
    cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
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
      // id, and the CF is only ever read by Get, never iterated.
      cf.prefix_extractor.reset(rocksdb::NewCappedPrefixTransform(kMaxMetadataBytes));
      cf.memtable_factory.reset(rocksdb::NewHashLinkListRepFactory(1 << 18));
    }
    return cf;
  };
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : ColumnFamilyNames()) {
    descriptors.emplace_back(name, cf_options(name));
  }
  rocksdb::DB* raw_db = nullptr;
  rocksdb::Status s =
      rocksdb::DB::Open(db_options, path, descriptors, &store->handles_, &raw_db);
  if (!s.ok()) {
    absl::Status status = FromRocksDb(s, absl::StrCat("open ", path));
    // Lock held by another process, unreadable files...: the store is unavailable, not the
    // caller's argument that is wrong.
    if (absl::IsInvalidArgument(status) || absl::IsNotFound(status)) {
      return absl::UnavailableError(status.message());
    }
    return status;
  }
  store->db_.reset(raw_db);
  store->events_ = store->handles_[1];
  store->streams_ = store->handles_[2];
  store->event_ids_ = store->handles_[3];

  RATING_ASSIGN_OR_RETURN(Sequencer::Head head, store->RecoverHead());
  store->sequencer_ = std::make_unique<Sequencer>(
      static_cast<Sequencer::Backend*>(store.get()), clock, std::move(head));
  return store;
}

RocksDbEventStore::~RocksDbEventStore() {
  if (sequencer_ != nullptr) sequencer_->Shutdown();
  if (db_ == nullptr) return;
  for (rocksdb::ColumnFamilyHandle* handle : handles_) {
    db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
  }
  // Close() reports background errors only; the WAL of every acknowledged append is synced.
  db_->Close().PermitUncheckedError();
}

absl::StatusOr<Sequencer::Head> RocksDbEventStore::RecoverHead() const {
  Sequencer::Head head;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), events_));
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

absl::StatusOr<rating::v1::Envelope> RocksDbEventStore::ReadEnvelope(uint64_t position) const {
  rocksdb::PinnableSlice value;
  const std::string key = PositionKey(position);
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), events_, key, &value);
  if (s.IsNotFound()) {
    return absl::NotFoundError(absl::StrCat("event at position ", position, ": not stored"));
  }
  RATING_RETURN_IF_ERROR(FromRocksDb(s, absl::StrCat("read position ", position)));
  rating::v1::Envelope envelope;
  if (!ParseEnvelope(value, &envelope)) return DataLoss(position);
  return envelope;
}

absl::StatusOr<AppendResult> RocksDbEventStore::Append(std::string_view stream,
                                                       int64_t expected_version,
                                                       std::vector<NewEvent> events) {
  return sequencer_->Append(stream, expected_version, std::move(events));
}

absl::StatusOr<std::vector<rating::v1::Envelope>> RocksDbEventStore::ReadStream(
    std::string_view stream, uint64_t from_version, Direction direction,
    size_t max_count) const {
  std::vector<rating::v1::Envelope> out;
  if (max_count == 0) return out;
  const uint64_t head = HeadPosition();
  const std::string prefix = StreamPrefix(stream);
  std::string upper = prefix;
  upper.back() = '\x01';  // stream + 0x01: just past every key of the stream.
  rocksdb::Slice lower_bound(prefix), upper_bound(upper);
  rocksdb::ReadOptions read_options;
  read_options.iterate_lower_bound = &lower_bound;
  read_options.iterate_upper_bound = &upper_bound;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, streams_));

  std::vector<uint64_t> positions;
  auto position_of = [&]() -> absl::StatusOr<uint64_t> {
    std::optional<uint64_t> p = DecodeBigEndian64(it->value().ToStringView());
    if (!p.has_value()) {
      return absl::DataLossError(absl::StrCat("stream ", AsAbsl(stream), ": malformed index entry"));
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
    const uint64_t from =
        from_version == 0 ? std::numeric_limits<uint64_t>::max() : from_version;
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
      return absl::DataLossError(absl::StrCat("stream ", AsAbsl(stream), ": indexed event at position ",
                                              p, " is missing"));
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
  rocksdb::ReadOptions read_options;
  read_options.iterate_upper_bound = &upper_bound;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, events_));
  out.reserve(last - from + 1);
  uint64_t expected = from;
  for (it->Seek(PositionKey(from)); it->Valid(); it->Next(), ++expected) {
    if (!ParseEnvelope(it->value(), &out.emplace_back())) return DataLoss(expected);
  }
  RATING_RETURN_IF_ERROR(FromRocksDb(it->status(), "read log"));
  return out;
}

absl::Status RocksDbEventStore::ForEach(
    uint64_t from_position,
    const std::function<bool(const rating::v1::Envelope&)>& visit) const {
  const uint64_t head = HeadPosition();
  const uint64_t from = std::max<uint64_t>(from_position, 1);
  if (from > head) return absl::OkStatus();
  const std::string upper = PositionKey(head + 1);
  rocksdb::Slice upper_bound(upper);
  rocksdb::ReadOptions read_options;
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
  return FromRocksDb(it->status(), "read log");
}

absl::StatusOr<uint64_t> RocksDbEventStore::StreamVersion(std::string_view stream) const {
  return sequencer_->StreamVersion(stream);
}

uint64_t RocksDbEventStore::HeadPosition() const { return sequencer_->HeadPosition(); }

std::string RocksDbEventStore::HeadHash() const { return sequencer_->HeadHash(); }

absl::StatusOr<std::optional<uint64_t>> RocksDbEventStore::IndexedPosition(
    std::string_view event_id) const {
  rocksdb::PinnableSlice value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), event_ids_, ToSlice(event_id), &value);
  if (s.IsNotFound()) return std::nullopt;
  RATING_RETURN_IF_ERROR(FromRocksDb(s, absl::StrCat("find event ", AsAbsl(event_id))));
  std::optional<uint64_t> position = DecodeBigEndian64(value.ToStringView());
  if (!position.has_value()) {
    return absl::DataLossError(absl::StrCat("event ", AsAbsl(event_id), ": malformed id index entry"));
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
  rocksdb::ReadOptions read_options;
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
  RATING_RETURN_IF_ERROR(FromRocksDb(rocksdb::Checkpoint::Create(db_.get(), &raw),
                                     "create checkpoint"));
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  return FromRocksDb(checkpoint->CreateCheckpoint(dir), absl::StrCat("checkpoint to ", dir));
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
  rocksdb::ReadOptions read_options;
  read_options.iterate_lower_bound = &lower_bound;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, streams_));
  it->SeekForPrev(StreamKey(stream, std::numeric_limits<uint64_t>::max()));
  if (!it->Valid()) {
    RATING_RETURN_IF_ERROR(FromRocksDb(it->status(), absl::StrCat("load stream ", AsAbsl(stream))));
    return 0;
  }
  std::string_view key = it->key().ToStringView();
  std::optional<uint64_t> version =
      key.size() == prefix.size() + 8 ? DecodeBigEndian64(key.substr(prefix.size()))
                                      : std::nullopt;
  if (!version.has_value()) {
    return absl::DataLossError(absl::StrCat("stream ", AsAbsl(stream), ": malformed index key"));
  }
  return *version;
}

absl::Status RocksDbEventStore::Commit(const std::vector<rating::v1::Envelope>& envelopes) {
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
  return FromRocksDb(db_->Write(write_options_, &batch), "append");
}

}  // namespace rating::eventstore
