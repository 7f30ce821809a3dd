#include "eventstore/wal_scan.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>

#include "absl/strings/str_cat.h"
#include "eventstore/keys.h"
#include "rocksdb/write_batch.h"

namespace rating::eventstore {
namespace {

// RocksDB's WAL format (db/log_format.h, non-recyclable records): 32 KiB blocks of records,
// each a header of masked CRC32C (4 bytes, little-endian, over the type byte and the payload),
// payload length (2 bytes, little-endian) and type (1 byte), then the payload. A write batch
// spans one FULL record or a FIRST, MIDDLEs and a LAST.
constexpr size_t kBlockSize = 32768;
constexpr size_t kHeaderSize = 7;
enum RecordType : uint8_t { kFull = 1, kFirst = 2, kMiddle = 3, kLast = 4 };

const std::array<uint32_t, 256>& Crc32cTable() {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  return table;
}

uint32_t Crc32c(const char* data, size_t n, uint32_t crc = 0) {
  const auto& table = Crc32cTable();
  crc = ~crc;
  for (size_t i = 0; i < n; ++i) {
    crc = table[(crc ^ static_cast<uint8_t>(data[i])) & 0xff] ^ (crc >> 8);
  }
  return ~crc;
}

uint32_t Unmask(uint32_t masked) {
  const uint32_t rot = masked - 0xa282ead8u;
  return (rot >> 17) | (rot << 15);
}

uint32_t DecodeFixed32(const char* p) {
  return static_cast<uint32_t>(static_cast<uint8_t>(p[0])) |
         (static_cast<uint32_t>(static_cast<uint8_t>(p[1])) << 8) |
         (static_cast<uint32_t>(static_cast<uint8_t>(p[2])) << 16) |
         (static_cast<uint32_t>(static_cast<uint8_t>(p[3])) << 24);
}

// Collects the events of one write batch: puts whose key is a position and whose value is an
// envelope of that position.
class EventCollector final : public rocksdb::WriteBatch::Handler {
 public:
  explicit EventCollector(std::vector<rating::v1::Envelope>* out) : out_(out) {}
  rocksdb::Status PutCF(uint32_t, const rocksdb::Slice& key, const rocksdb::Slice& value) override {
    std::optional<uint64_t> position = DecodeBigEndian64(key.ToStringView());
    rating::v1::Envelope envelope;
    if (position.has_value() &&
        envelope.ParseFromArray(value.data(), static_cast<int>(value.size())) &&
        envelope.position() == *position && !envelope.hash().empty()) {
      out_->push_back(std::move(envelope));
    }
    return rocksdb::Status::OK();
  }
  rocksdb::Status DeleteCF(uint32_t, const rocksdb::Slice&) override {
    return rocksdb::Status::OK();
  }

 private:
  std::vector<rating::v1::Envelope>* out_;
};

void ScanFile(const std::string& bytes, WalScan& scan) {
  std::string batch;
  bool in_batch = false;
  size_t pos = 0;
  while (pos < bytes.size()) {
    const size_t block_end = std::min(bytes.size(), (pos / kBlockSize + 1) * kBlockSize);
    if (block_end - pos < kHeaderSize) {  // A block's zero trailer, or the torn end.
      scan.unreadable_bytes += block_end - pos;
      pos = block_end;
      continue;
    }
    const char* h = bytes.data() + pos;
    const size_t length =
        static_cast<uint8_t>(h[4]) | (static_cast<size_t>(static_cast<uint8_t>(h[5])) << 8);
    const uint8_t type = static_cast<uint8_t>(h[6]);
    const bool valid = type >= kFull && type <= kLast && pos + kHeaderSize + length <= block_end &&
                       Unmask(DecodeFixed32(h)) == Crc32c(h + 6, 1 + length);
    if (!valid) {
      // Resync: try the next byte as a header.
      ++scan.unreadable_bytes;
      in_batch = false;
      ++pos;
      continue;
    }
    const char* payload = h + kHeaderSize;
    switch (type) {
      case kFull:
        batch.assign(payload, length);
        in_batch = false;
        {
          EventCollector collector(&scan.events);
          rocksdb::WriteBatch(batch).Iterate(&collector).PermitUncheckedError();
        }
        break;
      case kFirst:
        batch.assign(payload, length);
        in_batch = true;
        break;
      case kMiddle:
        if (in_batch) batch.append(payload, length);
        break;
      case kLast:
        if (in_batch) {
          batch.append(payload, length);
          EventCollector collector(&scan.events);
          rocksdb::WriteBatch(batch).Iterate(&collector).PermitUncheckedError();
        }
        in_batch = false;
        break;
    }
    pos += kHeaderSize + length;
  }
}

}  // namespace

absl::StatusOr<WalScan> ScanWal(const std::string& dir) {
  WalScan scan;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".log") scan.files.push_back(entry.path().string());
  }
  if (ec) return absl::UnavailableError(absl::StrCat("scan WAL in ", dir, ": ", ec.message()));
  // RocksDB numbers files in creation order, zero-padded to the same width.
  std::sort(scan.files.begin(), scan.files.end());
  for (const std::string& file : scan.files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return absl::UnavailableError(absl::StrCat("scan WAL: cannot read ", file));
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ScanFile(bytes, scan);
  }
  return scan;
}

}  // namespace rating::eventstore
