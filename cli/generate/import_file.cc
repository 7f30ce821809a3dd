#include "cli/generate/import_file.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/delimited_message_util.h"

namespace rating::cli {

// ------------------------------------------------------------------ writer

ImportFileWriter::ImportFileWriter(std::string path, std::ofstream file)
    : path_(std::move(path)), file_(std::move(file)) {
  stream_ = std::make_unique<google::protobuf::io::OstreamOutputStream>(&file_);
}

ImportFileWriter::~ImportFileWriter() = default;

absl::StatusOr<std::unique_ptr<ImportFileWriter>> ImportFileWriter::Create(
    const std::string& path, const std::string& description) {
  if (description.find('\n') != std::string::npos) {
    return absl::InvalidArgumentError("import file: the description holds a line break");
  }
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) return absl::UnavailableError(absl::StrCat(path, ": cannot create the file"));
  file << kImportFileMagic << ' ' << description << '\n';
  if (!file) return absl::UnavailableError(absl::StrCat(path, ": cannot write the first line"));
  return std::unique_ptr<ImportFileWriter>(new ImportFileWriter(path, std::move(file)));
}

absl::Status ImportFileWriter::Append(const v1::ImportRequest& request) {
  if (!google::protobuf::util::SerializeDelimitedToZeroCopyStream(request, stream_.get())) {
    return absl::UnavailableError(absl::StrCat(path_, ": write failed"));
  }
  return absl::OkStatus();
}

absl::Status ImportFileWriter::Close() {
  stream_.reset();  // Writes out its buffer.
  file_.close();
  if (!file_) return absl::UnavailableError(absl::StrCat(path_, ": write failed"));
  return absl::OkStatus();
}

// ------------------------------------------------------------------ reader

ImportFileReader::ImportFileReader(std::string path, std::ifstream file, std::string description)
    : path_(std::move(path)), file_(std::move(file)), description_(std::move(description)) {
  // The stream reads on from the file's position: just after the first line.
  stream_ = std::make_unique<google::protobuf::io::IstreamInputStream>(&file_);
}

absl::StatusOr<std::unique_ptr<ImportFileReader>> ImportFileReader::Open(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return absl::NotFoundError(absl::StrCat(path, ": cannot open the file"));
  std::string first_line;
  const std::string magic = kImportFileMagic;
  if (!std::getline(file, first_line) || !absl::StartsWith(first_line, magic) ||
      (first_line.size() > magic.size() && first_line[magic.size()] != ' ')) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not an import file (the first line is not '", magic, " ...')"));
  }
  std::string description =
      first_line.size() > magic.size() ? first_line.substr(magic.size() + 1) : "";
  return std::unique_ptr<ImportFileReader>(
      new ImportFileReader(path, std::move(file), std::move(description)));
}

absl::StatusOr<std::optional<v1::ImportRequest>> ImportFileReader::Next() {
  v1::ImportRequest request;
  bool clean_eof = false;
  if (!google::protobuf::util::ParseDelimitedFromZeroCopyStream(&request, stream_.get(),
                                                                &clean_eof)) {
    if (clean_eof) return std::optional<v1::ImportRequest>();
    return absl::DataLossError(
        absl::StrCat(path_, ": request ", index_, " is truncated or does not parse"));
  }
  ++index_;
  return std::optional<v1::ImportRequest>(std::move(request));
}

}  // namespace rating::cli
