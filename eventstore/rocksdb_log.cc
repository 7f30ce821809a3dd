// RocksDbEventStore's log once open: appends (the sequencer's backend), reads, verification,
// checkpoints and chain copies (rocksdb_event_store.h).
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
#include "eventstore/rocksdb_options.h"
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

using rocks::CheckedReads;
using rocks::DataLoss;
using rocks::kAnchorIdKey;
using rocks::kLastVerifiedKey;
using rocks::ParseEnvelope;
using rocks::Probe;
using rocks::ProbeResult;
using rocks::ToSlice;

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
