// ratingctl: the command-line client of ratingd (gRPC), the conformance runner, and the
// offline operator commands (verify --data_dir, salvage), which read a store directly.
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <cstdlib>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "cli/client.h"
#include "cli/commands.h"
#include "cli/conformance/conformance.h"
#include "cli/generate/generate_commands.h"
#include "cli/offline.h"

namespace rating::cli {
namespace {

constexpr char kUsage[] = R"(usage: ratingctl COMMAND [ARGS] [FLAGS]

Commands:
  conformance [--ratingd PATH] [--verbose] [--keep_data] FILE...
                               play scenario files, each against a fresh ratingd
  rating SUBJECT YEAR          a rating: status, level, ceiling, explanation
  history SUBJECT YEAR         every event bearing on a rating
  tally SESSION                the tally minutes of a ballot session
  verify                       verify the event log's hash chain (through the server)
  verify --data_dir DIR        offline: verify a store with no server running (anchor,
                               table checksums, hash chain); exit status 1 if damaged,
                               naming the first bad position
  salvage --data_dir DIR [--write_to OUT_DIR]
                               offline: open a damaged store read-only, report what is
                               lost (anchor vs head, first bad position, what recovery
                               would drop); with --write_to, write the intact prefix of
                               the chain to OUT_DIR as a working, anchored store.
                               Exit status 1 if anything is lost or damaged
  export-csv ORG YEAR          the ratings of an org and year as CSV
  principals                   list principals
  create-principal ID ROLE [SCOPE]
                               create a principal; prints its token once
  generate [--size small|province|nation-slice] [--members N] [--years Y]
           [--seed S] [--first_year YYYY] (--out FILE | --server HOST:PORT)
                               a deterministic synthetic history (small: 1k members x
                               3 years, province: 30k x 5, nation-slice: 300k x 5;
                               explicit flags override), written to an import file or
                               played into ratingd; exit status 1 if a command is refused
  import FILE                  play an import file through IntegrationService.Import
                               (batches of 1000, as the caller); exit status 1 if a
                               command is refused

Flags (every command but conformance, verify --data_dir and salvage):
  --server HOST:PORT           default 127.0.0.1:50051
  --token TOKEN                default $RATING_TOKEN
SUBJECT is member/ID, org/ID, committee/ORGID or leader/MEMBERID.
)";

struct Args {
  std::string command;
  std::vector<std::string> positional;
  std::map<std::string, std::string> flags;
};

// Flags that take a value ("--server X" or "--server=X"); the rest are switches.
bool TakesValue(const std::string& name) {
  return name == "server" || name == "token" || name == "ratingd" || name == "data_dir" ||
         name == "write_to" || name == "size" || name == "members" || name == "years" ||
         name == "seed" || name == "first_year" || name == "out";
}

bool ParseArgs(int argc, char** argv, Args& args, std::string& error) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-v") arg = "--verbose";
    if (arg == "-h") arg = "--help";
    if (arg.rfind("--", 0) == 0 && arg.size() > 2) {
      std::string name = arg.substr(2);
      std::string value;
      const size_t eq = name.find('=');
      if (eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
      } else if (TakesValue(name)) {
        if (i + 1 >= argc) {
          error = absl::StrCat("--", name, " needs a value");
          return false;
        }
        value = argv[++i];
      }
      if (!TakesValue(name) && name != "verbose" && name != "keep_data" && name != "help") {
        error = absl::StrCat("unknown flag --", name);
        return false;
      }
      args.flags[name] = value;
    } else if (args.command.empty()) {
      args.command = arg;
    } else {
      args.positional.push_back(arg);
    }
  }
  return true;
}

int Usage(const std::string& error) {
  if (!error.empty()) std::cerr << "ratingctl: " << error << "\n";
  std::cerr << kUsage;
  return 2;
}

int Run(int argc, char** argv) {
  Args args;
  std::string error;
  if (!ParseArgs(argc, argv, args, error)) return Usage(error);
  if (args.flags.count("help") > 0) {
    std::cout << kUsage;
    return 0;
  }
  if (args.command.empty()) return Usage("");
  const auto& pos = args.positional;

  if (args.command == "conformance") {
    if (pos.empty()) return Usage("conformance needs at least one scenario FILE");
    ConformanceOptions options;
    options.ratingd = args.flags.count("ratingd") > 0 ? args.flags["ratingd"] : "";
    options.verbose = args.flags.count("verbose") > 0;
    options.keep_data = args.flags.count("keep_data") > 0;
    return RunConformance(options, pos, std::cout);
  }

  // The offline commands: no server, the store's directory itself.
  if (args.command == "salvage" || (args.command == "verify" && args.flags.count("data_dir") > 0)) {
    if (!pos.empty()) return Usage(absl::StrCat(args.command, " takes no arguments"));
    if (args.flags["data_dir"].empty()) {
      return Usage(absl::StrCat(args.command, " needs --data_dir DIR"));
    }
    if (args.command == "verify" && args.flags.count("write_to") > 0) {
      return Usage("--write_to goes with salvage");
    }
    absl::StatusOr<OfflineVerdict> verdict =
        args.command == "verify"
            ? VerifyOffline(args.flags["data_dir"], std::cout)
            : Salvage(args.flags["data_dir"],
                      args.flags.count("write_to") > 0 ? args.flags["write_to"] : "", std::cout);
    if (!verdict.ok()) {
      std::cerr << "ratingctl " << args.command << ": "
                << absl::StatusCodeToString(verdict.status().code()) << ": "
                << verdict.status().message() << "\n";
      return 1;
    }
    return *verdict == OfflineVerdict::kIntact ? 0 : 1;
  }
  if (args.flags.count("data_dir") > 0 || args.flags.count("write_to") > 0) {
    return Usage("--data_dir and --write_to go with verify and salvage");
  }

  const std::string server =
      args.flags.count("server") > 0 ? args.flags["server"] : "127.0.0.1:50051";
  std::string token;
  if (args.flags.count("token") > 0) {
    token = args.flags["token"];
  } else if (const char* env = std::getenv("RATING_TOKEN"); env != nullptr) {
    token = env;
  }
  if (args.command == "generate") {
    return RunGenerate(args.flags, pos, args.flags.count("server") > 0 ? server : "", token,
                       std::cout, std::cerr);
  }
  if (args.command == "import") return RunImport(pos, server, token, std::cout, std::cerr);
  Client client(grpc::CreateChannel(server, grpc::InsecureChannelCredentials()));

  auto year_arg = [&](size_t index, int& year) {
    if (!absl::SimpleAtoi(pos[index], &year)) {
      error = absl::StrCat("YEAR must be a number, got \"", pos[index], "\"");
      return false;
    }
    return true;
  };
  absl::Status status;
  int year = 0;
  if (args.command == "rating" || args.command == "history" || args.command == "export-csv") {
    if (pos.size() != 2) return Usage(absl::StrCat(args.command, " needs 2 arguments"));
    if (!year_arg(1, year)) return Usage(error);
    if (args.command == "rating") {
      status = ShowRating(client, token, pos[0], year, std::cout);
    } else if (args.command == "history") {
      status = ShowHistory(client, token, pos[0], year, std::cout);
    } else {
      status = ExportCsv(client, token, pos[0], year, std::cout);
    }
  } else if (args.command == "tally") {
    if (pos.size() != 1) return Usage("tally needs a SESSION");
    status = ShowTally(client, token, pos[0], std::cout);
  } else if (args.command == "verify") {
    if (!pos.empty()) return Usage("verify takes no arguments");
    status = VerifyChain(client, token, std::cout);
  } else if (args.command == "principals") {
    if (!pos.empty()) return Usage("principals takes no arguments");
    status = ListPrincipals(client, token, std::cout);
  } else if (args.command == "create-principal") {
    if (pos.size() < 2 || pos.size() > 3) return Usage("create-principal needs ID ROLE [SCOPE]");
    status =
        CreatePrincipal(client, token, pos[0], pos[1], pos.size() == 3 ? pos[2] : "", std::cout);
  } else {
    return Usage(absl::StrCat("unknown command \"", args.command, "\""));
  }
  if (!status.ok()) {
    std::cerr << "ratingctl " << args.command << ": " << absl::StatusCodeToString(status.code())
              << ": " << status.message() << "\n";
    for (const std::string& line : RefusalDetailsVi(status)) std::cerr << "  " << line << "\n";
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace rating::cli

int main(int argc, char** argv) { return rating::cli::Run(argc, argv); }
