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
#include "cli/channel.h"
#include "cli/client.h"
#include "cli/commands.h"
#include "cli/conformance/conformance.h"
#include "cli/forms/form_command.h"
#include "cli/generate/generate_commands.h"
#include "cli/names.h"
#include "cli/offline.h"
#include "cli/output.h"
#include "cli/queries.h"
#include "cli/record/apply.h"
#include "cli/record/record_commands.h"

namespace rating::cli {
namespace {

constexpr char kUsage[] = R"(usage: ratingctl COMMAND [ARGS] [FLAGS]

Commands:
  conformance [--ratingd PATH] [--verbose] [--keep_data] FILE...
                               play scenario files, each against a fresh ratingd
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
  backup DIR                   online backup of the server's store into DIR, an absolute
                               path on the server's machine that does not exist yet
                               (admin); prints the copy's head position and hash. Restore:
                               docs/OPERATING.md
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
  form NAME ORG YEAR --format xlsx|csv|pdf [--out FILE] [--as_of POSITION]
                               a form of the guideline (bth02, bth03, tally, qd01,
                               overrides, late-dossiers); see ratingctl form --help

  apply FILE [--dry-run]       play a scenario's `do` steps (shared/conformance/FORMAT.md)
                               against the server as the caller (`as` ignored; a step
                               the scenario expects to fail is skipped); --dry-run
                               has the server check the steps as one sequence and
                               writes nothing
  demo [--dry-run]             load a small demo bloc into an empty server: a grassroots
                               committee with two cells, a grassroots cell, 20 members,
                               2025 decided, a 2026 ruling and its QĐ 01 re-rating

Flags (every command but conformance, verify --data_dir and salvage):
  --server HOST:PORT           default $RATING_SERVER, else 127.0.0.1:50051
  --token TOKEN                default $RATING_TOKEN
  --tls_ca FILE                PEM roots to check ratingd's certificate (TLS)
  --tls_cert FILE --tls_key FILE
                               a client certificate and key (mutual TLS)
  --json                       print replies (and refusals) as JSON
  --as_of POSITION             reads: the state as recorded at that log position
SUBJECT is member/ID, org/ID, committee/ORGID or leader/MEMBERID.
)";

struct Args {
  std::string command;
  std::vector<std::string> positional;
  std::map<std::string, std::string> flags;
  // A write command's field flags, in order.
  std::vector<std::pair<std::string, std::string>> fields;
};

// Flags that take a value ("--server X" or "--server=X"); the rest are switches.
bool TakesValue(const std::string& name) {
  if (name == "tls_ca" || name == "tls_cert" || name == "tls_key" || name == "as_of") return true;
  return name == "server" || name == "token" || name == "ratingd" || name == "data_dir" ||
         name == "write_to" || name == "size" || name == "members" || name == "years" ||
         name == "seed" || name == "first_year" || name == "out" || name == "format";
}

// Switches of every command ("--dry-run" is read as dry_run).
bool IsSwitch(const std::string& name) {
  return name == "verbose" || name == "keep_data" || name == "help" || name == "json" ||
         name == "dry_run" || name == "late_only";
}

bool ParseArgs(int argc, char** argv, Args& args, std::string& error) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-v") arg = "--verbose";
    if (arg == "-h") arg = "--help";
    if (arg == "--dry-run") arg = "--dry_run";
    if (arg.rfind("--", 0) == 0 && arg.size() > 2) {
      std::string name = arg.substr(2);
      // A write command's own flags are the fields of its step (cli/record/record_commands.h).
      const RecordCommand* record = FindRecordCommand(args.command);
      if (const FieldFlag* field =
              record == nullptr ? nullptr : FindField(*record, name.substr(0, name.find('=')));
          field != nullptr) {
        std::string value;
        if (name.find('=') != std::string::npos) {
          value = name.substr(name.find('=') + 1);
        } else if (field->type == FlagType::kBool) {
          // A bare switch is true; an explicit true/false may follow.
          if (i + 1 < argc &&
              (std::string(argv[i + 1]) == "true" || std::string(argv[i + 1]) == "false")) {
            value = argv[++i];
          }
        } else if (i + 1 < argc) {
          value = argv[++i];
        } else {
          error = absl::StrCat("--", field->name, " needs a value");
          return false;
        }
        args.fields.emplace_back(field->name, value);
        continue;
      }
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
      if (!TakesValue(name) && !IsSwitch(name)) {
        error = absl::StrCat("unknown flag --", name);
        if (record != nullptr) {
          absl::StrAppend(&error, " (", args.command, "'s flags: ratingctl ", args.command,
                          " --help)");
        }
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

std::string FullUsage() {
  return absl::StrCat(kUsage, "\nRead commands (--json; --as_of where shown):\n",
                      QueryCommandList(),
                      "\nWrite commands (`ratingctl COMMAND --help` for flags and an example; "
                      "--dry-run, --json):\n",
                      RecordCommandList());
}

int Usage(const std::string& error) {
  if (!error.empty()) std::cerr << "ratingctl: " << error << "\n";
  std::cerr << FullUsage();
  return 2;
}

int Run(int argc, char** argv) {
  Args args;
  std::string error;
  if (!ParseArgs(argc, argv, args, error)) return Usage(error);
  if (args.command == "form" && args.flags.count("help") > 0) {
    return forms::RunForm(args.flags, args.positional, "", "", std::cout, std::cerr);
  }
  const RecordCommand* record = FindRecordCommand(args.command);
  if (args.flags.count("help") > 0) {
    std::cout << (record != nullptr ? RecordHelp(*record) : FullUsage());
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

  std::string server = "127.0.0.1:50051";
  if (args.flags.count("server") > 0) {
    server = args.flags["server"];
  } else if (const char* env = std::getenv("RATING_SERVER"); env != nullptr && *env != '\0') {
    server = env;
  }
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
  if (args.command == "form") {
    return forms::RunForm(args.flags, pos, server, token, std::cout, std::cerr);
  }
  const bool json = args.flags.count("json") > 0;
  const bool dry_run = args.flags.count("dry_run") > 0;
  ChannelOptions channel_options;
  channel_options.server = server;
  channel_options.tls_ca = args.flags["tls_ca"];
  channel_options.tls_cert = args.flags["tls_cert"];
  channel_options.tls_key = args.flags["tls_key"];
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = MakeChannel(channel_options);
  if (!channel.ok()) return Usage(std::string(channel.status().message()));
  Client client(*channel);

  // Write commands, apply and demo (cli/record/).
  if (record != nullptr) {
    if (!pos.empty()) return Usage(absl::StrCat(args.command, " takes flags only (see --help)"));
    absl::StatusOr<v1::Command> command = CommandFromFlags(*record, args.fields);
    if (!command.ok()) {
      PrintRefusal(absl::StrCat("ratingctl ", args.command), command.status(), json, std::cout,
                   std::cerr);
      return 2;
    }
    // --dry-run: the server checks it whole (x-validate-only) and writes nothing.
    absl::StatusOr<v1::CommandReply> reply = client.Execute(*command, token, dry_run);
    if (!reply.ok()) {
      PrintRefusal(absl::StrCat("ratingctl ", args.command), reply.status(), json, std::cout,
                   std::cerr);
      return 1;
    }
    PrintReply(*reply, json, std::cout);
    return 0;
  }
  if (args.command == "apply" || args.command == "demo") {
    PlayOptions play;
    play.dry_run = dry_run;
    play.json = json;
    if (args.command == "demo") {
      if (!pos.empty()) return Usage("demo takes no arguments");
      return RunDemo(&client, token, play, std::cout, std::cerr);
    }
    if (pos.size() != 1) return Usage("apply needs one scenario FILE");
    return RunApply(pos[0], &client, token, play, std::cout, std::cerr);
  }
  if (IsQueryCommand(args.command)) {
    QueryOptions query;
    query.json = json;
    query.late_only = args.flags.count("late_only") > 0;
    if (args.flags.count("as_of") > 0 && !absl::SimpleAtoi(args.flags["as_of"], &query.as_of)) {
      return Usage(
          absl::StrCat("--as_of must be a log position, got \"", args.flags["as_of"], "\""));
    }
    if (absl::Status usage = CheckQueryArgs(args.command, pos, query); !usage.ok()) {
      return Usage(std::string(usage.message()));
    }
    absl::Status status = RunQuery(client, token, args.command, pos, query, std::cout);
    if (!status.ok()) {
      PrintRefusal(absl::StrCat("ratingctl ", args.command), status, json, std::cout, std::cerr);
      return 1;
    }
    return 0;
  }

  absl::Status status;
  if (args.command == "verify") {
    if (!pos.empty()) return Usage("verify takes no arguments");
    if (json) {
      absl::StatusOr<v1::VerifyChainResponse> verify =
          client.VerifyChain(v1::VerifyChainRequest(), token);
      status = verify.status();
      if (verify.ok()) {
        std::cout << ToJson(*verify);
        if (!verify->ok()) return 1;
      }
    } else {
      status = VerifyChain(client, token, std::cout);
    }
  } else if (args.command == "backup") {
    if (pos.size() != 1) return Usage("backup needs a DIR");
    status = Backup(client, token, pos[0], std::cout);
  } else if (args.command == "principals") {
    if (!pos.empty()) return Usage("principals takes no arguments");
    if (json) {
      absl::StatusOr<v1::ListPrincipalsResponse> list = client.ListPrincipals(token);
      status = list.status();
      if (list.ok()) std::cout << ToJson(*list);
    } else {
      status = ListPrincipals(client, token, std::cout);
    }
  } else if (args.command == "create-principal") {
    if (pos.size() < 2 || pos.size() > 3) return Usage("create-principal needs ID ROLE [SCOPE]");
    if (json) {
      absl::StatusOr<v1::Role> role = ParseRole(pos[1]);
      if (!role.ok()) return Usage(absl::StrCat("role: ", role.status().message()));
      v1::CreatePrincipalRequest request;
      request.mutable_principal()->set_id(pos[0]);
      request.mutable_principal()->set_role(*role);
      request.mutable_principal()->set_scope(pos.size() == 3 ? pos[2] : "");
      absl::StatusOr<v1::CreatePrincipalResponse> created = client.CreatePrincipal(request, token);
      status = created.status();
      if (created.ok()) std::cout << ToJson(*created);
    } else {
      status =
          CreatePrincipal(client, token, pos[0], pos[1], pos.size() == 3 ? pos[2] : "", std::cout);
    }
  } else {
    return Usage(absl::StrCat("unknown command \"", args.command, "\""));
  }
  if (!status.ok()) {
    PrintRefusal(absl::StrCat("ratingctl ", args.command), status, json, std::cout, std::cerr);
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace rating::cli

int main(int argc, char** argv) { return rating::cli::Run(argc, argv); }
