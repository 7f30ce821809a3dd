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
using rocks::kEventIdsCf;
using rocks::kEventsCf;
using rocks::kStreamsCf;
using rocks::kAnchorIdKey;
using rocks::kLastVerifiedKey;
using rocks::ParseEnvelope;
using rocks::Probe;
using rocks::ProbeResult;
using rocks::StoreColumnFamilies;
using rocks::StoreDbOptions;
using rocks::ToSlice;

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

}  // namespace rating::eventstore
