// Import files: a stream of rating.v1.ImportRequest for IntegrationService.Import, written by
// `ratingctl generate --out FILE` and played by `ratingctl import FILE`. Layer: cli.
//
// Format (version 1):
//   line 1   "RATING-IMPORT/1 rating.v1.ImportRequest varint-delimited" then, after one space,
//            a free description (the generator's options), ending with '\n'; ASCII, no other
//            '\n' in it;
//   then     each request as protobuf's length-delimited form: its size as a varint, then its
//            serialized bytes (google::protobuf::util::SerializeDelimitedToOstream), in play
//            order, up to the end of the file.
// Each request carries its idempotency key (a UUID) and one Command; a file is played in order
// by one caller.
#pragma once

#include <fstream>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/io/zero_copy_stream_impl.h"
#include "rating/v1/api.pb.h"

namespace rating::cli {

namespace v1 = ::rating::v1;

// The first line's fixed start (before the description).
inline constexpr char kImportFileMagic[] =
    "RATING-IMPORT/1 rating.v1.ImportRequest varint-delimited";

// Writes an import file. Not thread-safe. Nothing is guaranteed on disk before Close().
class ImportFileWriter {
 public:
  // Creates (or truncates) `path` and writes the first line with `description` (which must
  // not hold '\n': INVALID_ARGUMENT). UNAVAILABLE when the file cannot be created.
  static absl::StatusOr<std::unique_ptr<ImportFileWriter>> Create(const std::string& path,
                                                                  const std::string& description);
  ~ImportFileWriter();
  ImportFileWriter(const ImportFileWriter&) = delete;
  ImportFileWriter& operator=(const ImportFileWriter&) = delete;

  // Appends one request. UNAVAILABLE on a write error.
  absl::Status Append(const v1::ImportRequest& request);
  // Flushes and closes the file. UNAVAILABLE when a write failed. Call once.
  absl::Status Close();

 private:
  ImportFileWriter(std::string path, std::ofstream file);

  const std::string path_;
  std::ofstream file_;
  std::unique_ptr<google::protobuf::io::OstreamOutputStream> stream_;
};

// Reads an import file in order. Not thread-safe.
class ImportFileReader {
 public:
  // Opens `path` and reads its first line. NOT_FOUND when it cannot be opened; INVALID_ARGUMENT
  // when the first line is not an import file's.
  static absl::StatusOr<std::unique_ptr<ImportFileReader>> Open(const std::string& path);
  ImportFileReader(const ImportFileReader&) = delete;
  ImportFileReader& operator=(const ImportFileReader&) = delete;

  // The first line's description (what follows the magic and one space).
  const std::string& description() const { return description_; }

  // The next request, or nullopt at the end of the file. DATA_LOSS naming the request's index
  // when the file ends inside a request or a request does not parse.
  absl::StatusOr<std::optional<v1::ImportRequest>> Next();

 private:
  ImportFileReader(std::string path, std::ifstream file, std::string description);

  const std::string path_;
  std::ifstream file_;
  const std::string description_;
  std::unique_ptr<google::protobuf::io::IstreamInputStream> stream_;
  int64_t index_ = 0;
};

}  // namespace rating::cli
