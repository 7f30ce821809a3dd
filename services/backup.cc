#include "services/backup.h"

#include <filesystem>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/crypto.h"
#include "common/status_macros.h"

namespace rating::services {
namespace {

absl::Status CheckBackupDir(const std::string& dir) {
  if (dir.empty()) return absl::InvalidArgumentError("dir: missing");
  if (dir.size() > 4096 || dir.find('\0') != std::string::npos) {
    return absl::InvalidArgumentError("dir: not a usable path");
  }
  const std::filesystem::path path(dir);
  if (!path.is_absolute()) {
    return absl::InvalidArgumentError(
        absl::StrCat("dir: '", dir.substr(0, 64), "' is relative; give an absolute path"));
  }
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    return absl::InvalidArgumentError(absl::StrCat("dir: ", dir, " already exists"));
  }
  const std::filesystem::path parent = path.parent_path();
  if (!std::filesystem::is_directory(parent, ec)) {
    return absl::InvalidArgumentError(
        absl::StrCat("dir: the parent ", parent.string(), " is not a directory"));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::BackupResponse> Backup(eventstore::RocksDbEventStore& store,
                                          const common::Clock& clock, const std::string& dir) {
  RATING_RETURN_IF_ERROR(CheckBackupDir(dir));
  RATING_RETURN_IF_ERROR(store.Checkpoint(dir));
  // The first open of the copy settles it (a torn WAL tail past its anchor is dropped) and
  // the copy keeps the source's last-verified mark, so only the events after it are checked.
  eventstore::RocksDbEventStore::Options options;
  absl::StatusOr<std::unique_ptr<eventstore::RocksDbEventStore>> copy =
      eventstore::RocksDbEventStore::Open(dir, clock, options);
  if (!copy.ok()) {
    return absl::Status(
        copy.status().code(),
        absl::StrCat("backup ", dir, ": the copy does not open: ", copy.status().message()));
  }
  RATING_ASSIGN_OR_RETURN(eventstore::VerifyResult verified, eventstore::VerifyTail(**copy));
  if (!verified.ok) {
    return absl::FailedPreconditionError(
        absl::StrCat("backup ", dir, ": the copy's chain fails at position ",
                     verified.first_bad_position, ": ", verified.message));
  }
  v1::BackupResponse response;
  response.set_dir(dir);
  response.set_head_position((*copy)->HeadPosition());
  if (response.head_position() != 0) response.set_head_hash(common::ToHex((*copy)->HeadHash()));
  response.set_verified_events(verified.checked);
  return response;
}

}  // namespace

BackupFunction MakeCheckpointBackup(eventstore::RocksDbEventStore& store,
                                    const common::Clock& clock) {
  auto mu = std::make_shared<absl::Mutex>();
  return [&store, &clock, mu](const std::string& dir) -> absl::StatusOr<v1::BackupResponse> {
    absl::MutexLock lock(mu.get());
    return Backup(store, clock, dir);
  };
}

}  // namespace rating::services
