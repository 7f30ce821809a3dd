#include "cli/generate/generate_commands.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <memory>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "cli/generate/history_generator.h"
#include "cli/generate/import_file.h"
#include "cli/generate/importer.h"
#include "common/status_macros.h"

namespace rating::cli {
namespace {

int Fail(std::ostream& err, const std::string& command, const absl::Status& status) {
  err << "ratingctl " << command << ": " << absl::StatusCodeToString(status.code()) << ": "
      << status.message() << "\n";
  return 1;
}

int Usage(std::ostream& err, const std::string& message) {
  err << "ratingctl: " << message << " (ratingctl --help)\n";
  return 2;
}

// The options from --size, then the explicit flags. INVALID_ARGUMENT naming the flag.
absl::StatusOr<HistoryOptions> OptionsFromFlags(const std::map<std::string, std::string>& flags) {
  HistoryOptions options;
  if (auto it = flags.find("size"); it != flags.end()) {
    RATING_ASSIGN_OR_RETURN(options, SizePreset(it->second));
  }
  auto number = [&](const char* name, auto* value) -> absl::Status {
    auto it = flags.find(name);
    if (it == flags.end()) return absl::OkStatus();
    if (!absl::SimpleAtoi(it->second, value)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", name, ": '", it->second.substr(0, 64), "' is not a number"));
    }
    return absl::OkStatus();
  };
  RATING_RETURN_IF_ERROR(number("members", &options.members));
  RATING_RETURN_IF_ERROR(number("years", &options.years));
  RATING_RETURN_IF_ERROR(number("seed", &options.seed));
  RATING_RETURN_IF_ERROR(number("first_year", &options.first_year));
  RATING_RETURN_IF_ERROR(CheckHistoryOptions(options));
  return options;
}

void PrintStats(const HistoryStats& stats, double seconds, std::ostream& out) {
  out << absl::StrFormat(
      "generated %d commands in %.1f s: %d members enrolled, %d member ratings decided, %d "
      "transfers, %d rulings in the year, %d late rulings, %d QĐ 01 re-ratings\n",
      stats.commands, seconds, stats.members_enrolled, stats.member_ratings, stats.transfers,
      stats.rulings_in_year, stats.late_rulings, stats.reratings);
  for (const auto& [kind, count] : stats.by_kind) out << "  " << kind << ": " << count << "\n";
}

std::shared_ptr<grpc::Channel> Connect(const std::string& server) {
  return grpc::CreateChannel(server, grpc::InsecureChannelCredentials());
}

}  // namespace

int RunGenerate(const std::map<std::string, std::string>& flags,
                const std::vector<std::string>& positional, const std::string& server,
                const std::string& token, std::ostream& out, std::ostream& err) {
  if (!positional.empty()) return Usage(err, "generate takes no arguments");
  const bool to_file = flags.count("out") > 0;
  if (to_file == !server.empty()) return Usage(err, "generate needs --out FILE or --server");
  absl::StatusOr<HistoryOptions> options = OptionsFromFlags(flags);
  if (!options.ok()) return Usage(err, std::string(options.status().message()));

  const absl::Time start = absl::Now();
  uint64_t sequence = 0;
  auto request_of = [&](const v1::Command& command) {
    v1::ImportRequest request;
    request.set_request_id(HistoryRequestId(*options, sequence++));
    *request.mutable_command() = command;
    return request;
  };
  absl::StatusOr<HistoryStats> stats;
  if (to_file) {
    absl::StatusOr<std::unique_ptr<ImportFileWriter>> writer =
        ImportFileWriter::Create(flags.at("out"), DescribeOptions(*options));
    if (!writer.ok()) return Fail(err, "generate", writer.status());
    stats = GenerateHistory(*options, [&](const v1::Command& command, const v1::Principal&) {
      return (*writer)->Append(request_of(command));
    });
    const absl::Status closed = (*writer)->Close();
    if (!stats.ok()) return Fail(err, "generate", stats.status());
    if (!closed.ok()) return Fail(err, "generate", closed);
    PrintStats(*stats, absl::ToDoubleSeconds(absl::Now() - start), out);
    out << "wrote " << flags.at("out") << " (" << DescribeOptions(*options) << ")\n";
    return 0;
  }
  Importer importer(Connect(server), token, ImporterOptions(), out);
  stats = GenerateHistory(*options, [&](const v1::Command& command, const v1::Principal&) {
    return importer.Add(request_of(command));
  });
  const absl::Status flushed = stats.ok() ? importer.Flush() : stats.status();
  out << "summary: " << FormatImportSummary(importer.summary()) << "\n";
  if (!flushed.ok()) return Fail(err, "generate", flushed);
  PrintStats(*stats, absl::ToDoubleSeconds(absl::Now() - start), out);
  return 0;
}

int RunImport(const std::vector<std::string>& positional, const std::string& server,
              const std::string& token, std::ostream& out, std::ostream& err) {
  if (positional.size() != 1) return Usage(err, "import needs one FILE");
  absl::StatusOr<std::unique_ptr<ImportFileReader>> reader = ImportFileReader::Open(positional[0]);
  if (!reader.ok()) return Fail(err, "import", reader.status());
  out << "importing " << positional[0] << " (" << (*reader)->description() << ") into " << server
      << "\n";
  Importer importer(Connect(server), token, ImporterOptions(), out);
  absl::Status status;
  while (status.ok()) {
    absl::StatusOr<std::optional<v1::ImportRequest>> request = (*reader)->Next();
    if (!request.ok()) {
      status = request.status();
    } else if (!request->has_value()) {
      status = importer.Flush();
      break;
    } else {
      status = importer.Add(**std::move(request));
    }
  }
  out << "summary: " << FormatImportSummary(importer.summary()) << "\n";
  return status.ok() ? 0 : Fail(err, "import", status);
}

}  // namespace rating::cli
