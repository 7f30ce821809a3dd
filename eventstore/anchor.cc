#include "eventstore/anchor.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/crypto.h"
#include "eventstore/chain.h"
#include "eventstore/keys.h"

namespace rating::eventstore {
namespace {

// Two slots, each in its own 4 KiB page, so a torn write of one never touches the other.
constexpr size_t kSlotBytes = 128;
constexpr off_t kSlotOffsets[2] = {0, 4096};
constexpr char kMagic[] = "RTANCHR1";  // 8 bytes, no NUL stored.
constexpr size_t kIdBytes = 36;        // UUID text.
constexpr size_t kChecksummedBytes = 96;

std::string TempPath(const std::string& dir) {
  return absl::StrCat(dir, "/", AnchorFile::kFileName, ".tmp");
}

std::string FilePath(const std::string& dir) {
  return absl::StrCat(dir, "/", AnchorFile::kFileName);
}

absl::Status ErrnoStatus(int err, std::string_view what, const std::string& path) {
  std::string message = absl::StrCat("anchor ", path, ": ", AsAbsl(what), ": ", std::strerror(err));
  if (err == ENOSPC || err == EDQUOT) return absl::ResourceExhaustedError(message);
  return absl::UnavailableError(message);
}

// magic(8) generation(8) position(8) hash(32) anchor_id(36) zero(4) sha256(first 96)(32).
std::string EncodeSlot(const AnchorRecord& r) {
  std::string out(kMagic, 8);
  AppendBigEndian64(r.generation, &out);
  AppendBigEndian64(r.position, &out);
  out.append(r.hash);
  out.append(r.anchor_id);
  out.append(4, '\0');
  out.append(common::Sha256(out));
  return out;
}

std::optional<AnchorRecord> DecodeSlot(std::string_view bytes) {
  if (bytes.size() != kSlotBytes || bytes.substr(0, 8) != std::string_view(kMagic, 8)) {
    return std::nullopt;
  }
  if (common::Sha256(bytes.substr(0, kChecksummedBytes)) != bytes.substr(kChecksummedBytes)) {
    return std::nullopt;
  }
  AnchorRecord r;
  r.generation = *DecodeBigEndian64(bytes.substr(8, 8));
  r.position = *DecodeBigEndian64(bytes.substr(16, 8));
  r.hash = std::string(bytes.substr(24, kHashBytes));
  r.anchor_id = std::string(bytes.substr(24 + kHashBytes, kIdBytes));
  return r;
}

absl::Status PwriteAll(int fd, const std::string& bytes, off_t offset, const std::string& path) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n =
        pwrite(fd, bytes.data() + done, bytes.size() - done, offset + static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus(errno, "write", path);
    done += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

// The valid record with the highest generation, read from an open descriptor.
absl::StatusOr<AnchorRecord> ReadSlots(int fd, const std::string& path) {
  std::optional<AnchorRecord> best;
  for (off_t offset : kSlotOffsets) {
    std::string bytes(kSlotBytes, '\0');
    ssize_t n;
    do {
      n = pread(fd, bytes.data(), bytes.size(), offset);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return ErrnoStatus(errno, "read", path);
    bytes.resize(static_cast<size_t>(n));
    std::optional<AnchorRecord> r = DecodeSlot(bytes);
    if (r.has_value() && (!best.has_value() || r->generation > best->generation)) best = r;
  }
  if (!best.has_value()) {
    return absl::DataLossError(absl::StrCat("anchor ", path, ": no slot holds a valid record"));
  }
  return *std::move(best);
}

absl::Status SyncDir(const std::string& dir) {
  const int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "open directory", dir);
  const int rc = fsync(fd);
  const int err = errno;
  close(fd);
  if (rc != 0) return ErrnoStatus(err, "sync directory", dir);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::optional<AnchorRecord>> AnchorFile::Read(const std::string& dir) {
  const std::string path = FilePath(dir);
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::nullopt;
    return ErrnoStatus(errno, "open", path);
  }
  absl::StatusOr<AnchorRecord> record = ReadSlots(fd, path);
  close(fd);
  if (!record.ok()) return record.status();
  return *std::move(record);
}

absl::StatusOr<AnchorFile> AnchorFile::Create(const std::string& dir, AnchorRecord record) {
  if (record.anchor_id.size() != kIdBytes || record.hash.size() != kHashBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("anchor ", FilePath(dir), ": id must be a UUID and hash 32 bytes"));
  }
  const std::string path = FilePath(dir);
  struct stat st;
  if (stat(path.c_str(), &st) == 0) {
    return absl::AlreadyExistsError(absl::StrCat("anchor ", path, ": already exists"));
  }
  const std::string temp = TempPath(dir);
  const int fd = open(temp.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus(errno, "create", temp);
  record.generation = 1;
  // Slot 1 holds the same head at generation 0, so both slots are valid from the start.
  AnchorRecord older = record;
  older.generation = 0;
  absl::Status s = PwriteAll(fd, EncodeSlot(record), kSlotOffsets[1], temp);
  if (s.ok()) s = PwriteAll(fd, EncodeSlot(older), kSlotOffsets[0], temp);
  if (s.ok() && fsync(fd) != 0) s = ErrnoStatus(errno, "sync", temp);
  close(fd);
  if (s.ok() && rename(temp.c_str(), path.c_str()) != 0) s = ErrnoStatus(errno, "rename", temp);
  if (s.ok()) s = SyncDir(dir);
  if (!s.ok()) {
    unlink(temp.c_str());
    return s;
  }
  return OpenForUpdate(dir);
}

absl::StatusOr<AnchorFile> AnchorFile::OpenForUpdate(const std::string& dir) {
  const std::string path = FilePath(dir);
  const int fd = open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return absl::NotFoundError(absl::StrCat("anchor ", path, ": missing"));
    return ErrnoStatus(errno, "open", path);
  }
  absl::StatusOr<AnchorRecord> record = ReadSlots(fd, path);
  if (!record.ok()) {
    close(fd);
    return record.status();
  }
  return AnchorFile(fd, path, *std::move(record));
}

AnchorFile::AnchorFile(AnchorFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      path_(std::move(other.path_)),
      record_(std::move(other.record_)) {}

AnchorFile& AnchorFile::operator=(AnchorFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
    record_ = std::move(other.record_);
  }
  return *this;
}

AnchorFile::~AnchorFile() {
  if (fd_ >= 0) close(fd_);
}

absl::Status AnchorFile::Write(uint64_t position, const std::string& hash) {
  if (position < record_.position) {
    return absl::InternalError(absl::StrCat("anchor ", path_, ": position ", position,
                                            " is behind the anchored ", record_.position));
  }
  AnchorRecord next = record_;
  next.generation = record_.generation + 1;
  next.position = position;
  next.hash = hash;
  // The slot of the older record: a torn write leaves the current record readable.
  absl::Status s = PwriteAll(fd_, EncodeSlot(next), kSlotOffsets[next.generation % 2], path_);
  if (!s.ok()) return s;
  if (fdatasync(fd_) != 0) return ErrnoStatus(errno, "sync", path_);
  record_ = std::move(next);
  return absl::OkStatus();
}

}  // namespace rating::eventstore
