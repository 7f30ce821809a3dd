#include "cli/generate/importer.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/error_details.h"
#include "common/grpc_status.h"

namespace rating::cli {

Importer::Importer(std::shared_ptr<grpc::ChannelInterface> channel, std::string token,
                   ImporterOptions options, std::ostream& progress)
    : client_(channel, options.batch_timeout),
      stub_(v1::IntegrationService::NewStub(channel)),
      token_(std::move(token)),
      options_(options),
      progress_(progress),
      start_(absl::Now()) {}

absl::Status Importer::Add(v1::ImportRequest request) {
  batch_bytes_ += request.ByteSizeLong();
  batch_.push_back(std::move(request));
  if (static_cast<int>(batch_.size()) >= options_.batch_size ||
      batch_bytes_ >= options_.batch_bytes) {
    return Flush();
  }
  return absl::OkStatus();
}

absl::Status Importer::Flush() {
  if (batch_.empty()) return absl::OkStatus();
  std::unique_ptr<grpc::ClientContext> context = client_.NewContext(token_);
  v1::ImportResponse response;
  std::unique_ptr<grpc::ClientWriter<v1::ImportRequest>> writer =
      stub_->Import(context.get(), &response);
  for (const v1::ImportRequest& request : batch_) {
    if (!writer->Write(request)) break;  // The call ended early: Finish says why.
  }
  writer->WritesDone();
  const absl::Status status = common::FromGrpcStatus(writer->Finish());
  if (!status.ok()) {
    return absl::Status(
        status.code(), absl::StrCat("import of commands ", summary_.commands, "..",
                                    summary_.commands + batch_.size() - 1, ": ", status.message()));
  }
  int64_t refused = 0;
  for (int i = 0; i < response.results_size(); ++i) {
    const v1::ImportResult& result = response.results(i);
    if (result.code() == 0) {
      if (result.reply().replayed()) ++summary_.replayed;
      continue;
    }
    ++refused;
    const v1::Command& command = batch_[i].command();
    progress_ << "refused: command " << summary_.commands + i << " ("
              << v1::Command::descriptor()->FindFieldByNumber(command.command_case())->name()
              << ", request " << result.request_id()
              << "): " << absl::StatusCodeToString(static_cast<absl::StatusCode>(result.code()))
              << ": " << result.message() << "\n";
    if (result.has_status()) {
      for (const std::string& text : common::DescribeVi(result.status())) {
        for (absl::string_view line : absl::StrSplit(text, '\n')) {
          progress_ << "  " << line << "\n";
        }
      }
    }
  }
  summary_.commands += static_cast<int64_t>(batch_.size());
  summary_.accepted += response.accepted();
  summary_.refused += refused;
  summary_.seconds = absl::ToDoubleSeconds(absl::Now() - start_);
  progress_ << "import: " << FormatImportSummary(summary_) << "\n";
  batch_.clear();
  batch_bytes_ = 0;
  if (refused > 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        refused, " command(s) refused; the import stopped after command ", summary_.commands - 1));
  }
  return absl::OkStatus();
}

std::string FormatImportSummary(const ImportSummary& summary) {
  return absl::StrFormat("%d commands: %d accepted (%d replayed), %d refused in %.1f s",
                         summary.commands, summary.accepted, summary.replayed, summary.refused,
                         summary.seconds);
}

}  // namespace rating::cli
