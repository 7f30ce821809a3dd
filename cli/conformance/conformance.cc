#include "cli/conformance/conformance.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "cli/client.h"
#include "cli/conformance/scenario.h"
#include "cli/conformance/scenario_player.h"
#include "cli/conformance/server_process.h"
#include "common/crypto.h"
#include "common/status_macros.h"
#include "nlohmann/json.hpp"

namespace rating::cli {
namespace {

// A temp directory removed with everything in it when this goes out of scope.
class TempDir {
 public:
  static absl::StatusOr<TempDir> Create() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern =
        absl::StrCat(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp", "/ratingctl-XXXXXX");
    if (::mkdtemp(pattern.data()) == nullptr) {
      return absl::InternalError(absl::StrCat("mkdtemp ", pattern, ": ", std::strerror(errno)));
    }
    return TempDir(std::move(pattern));
  }
  TempDir(TempDir&& other) noexcept : path_(std::exchange(other.path_, "")), keep_(other.keep_) {}
  TempDir& operator=(TempDir&&) = delete;
  ~TempDir() {
    if (path_.empty() || keep_) return;
    std::error_code error;  // Best effort: a leftover temp dir is not worth failing a run.
    std::filesystem::remove_all(path_, error);
  }
  const std::string& path() const { return path_; }
  void Keep() { keep_ = true; }

 private:
  explicit TempDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
  bool keep_ = false;
};

// Writes ratingd's bootstrap auth config: one admin principal `id` with `token`, mode 0600.
absl::Status WriteAuthConfig(const std::string& path, const std::string& id,
                             const std::string& token) {
  nlohmann::json config = {
      {"principals",
       nlohmann::json::array({{{"id", id}, {"role", "admin"}, {"scope", ""}, {"token", token}}})}};
  {
    std::ofstream out(path, std::ios::trunc);
    if (!out) return absl::InternalError(absl::StrCat(path, ": cannot create"));
    out << config.dump(2) << "\n";
    if (!out.flush()) return absl::InternalError(absl::StrCat(path, ": write error"));
  }
  ::chmod(path.c_str(), 0600);  // The file holds a bearer token; failing leaves it 0644 in tmp.
  return absl::OkStatus();
}

struct FileOutcome {
  PlayResult result;
  // Not OK when the file could not be played to the end.
  absl::Status error;
};

FileOutcome RunFile(const ConformanceOptions& options, const std::string& ratingd,
                    const std::string& file, std::ostream& out) {
  FileOutcome outcome;
  absl::StatusOr<Scenario> scenario = LoadScenario(file);
  if (!scenario.ok()) {
    outcome.error = scenario.status();
    return outcome;
  }
  absl::StatusOr<TempDir> dir = TempDir::Create();
  if (!dir.ok()) {
    outcome.error = dir.status();
    return outcome;
  }
  if (options.keep_data) {
    dir->Keep();
    out << "note: " << file << ": data kept in " << dir->path() << "\n";
  }
  const std::string data_dir = absl::StrCat(dir->path(), "/data");
  const std::string auth_config = absl::StrCat(dir->path(), "/auth.json");
  const std::string admin_token = common::RandomHex(24);
  std::error_code mkdir_error;
  std::filesystem::create_directory(data_dir, mkdir_error);
  if (mkdir_error) {
    outcome.error = absl::InternalError(absl::StrCat(data_dir, ": ", mkdir_error.message()));
    return outcome;
  }
  // The bootstrap administrator is "admin", unless the scenario names a principal so.
  std::string admin_id = "admin";
  for (const ScenarioPrincipal& principal : scenario->principals) {
    if (principal.id == admin_id) admin_id = "ratingctl-admin";
  }
  if (absl::Status written = WriteAuthConfig(auth_config, admin_id, admin_token); !written.ok()) {
    outcome.error = written;
    return outcome;
  }

  absl::StatusOr<std::unique_ptr<ServerProcess>> server =
      ServerProcess::Start(ratingd,
                           {absl::StrCat("--data_dir=", data_dir), "--listen=127.0.0.1:0",
                            absl::StrCat("--auth_config=", auth_config)},
                           options.startup_timeout);
  if (!server.ok()) {
    outcome.error = server.status();
    return outcome;
  }
  ServerProcess& process = **server;
  {
    std::shared_ptr<grpc::Channel> channel =
        grpc::CreateChannel(process.address(), grpc::InsecureChannelCredentials());
    if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10))) {
      outcome.error =
          absl::UnavailableError(absl::StrCat("cannot connect to ratingd at ", process.address(),
                                              " (", process.ExitDescription(), ")"));
      return outcome;
    }
    Client client(channel, options.rpc_timeout);
    ScenarioPlayer player(
        client, admin_token, file, out, [&process] { return process.Running(); }, options.verbose);
    outcome.error = player.CreatePrincipals(*scenario);
    if (outcome.error.ok()) outcome.error = player.Play(*scenario, outcome.result);
  }
  if (absl::Status stopped = process.Stop(); !stopped.ok()) {
    out << "WARN " << file << ": " << stopped.message() << "\n";
  }
  return outcome;
}

}  // namespace

int RunConformance(const ConformanceOptions& options, const std::vector<std::string>& files,
                   std::ostream& out) {
  int passed = 0;
  int failed = 0;
  int file_errors = 0;
  std::string ratingd = options.ratingd;
  if (ratingd.empty()) {
    absl::StatusOr<std::string> found = FindRatingd();
    if (!found.ok()) {
      out << "ERROR " << found.status().message() << "\n";
      out << "0 passed, 0 failed\n";
      return 1;
    }
    ratingd = *found;
  }
  for (const std::string& file : files) {
    FileOutcome outcome = RunFile(options, ratingd, file, out);
    passed += outcome.result.passed;
    failed += outcome.result.failed;
    const int total = outcome.result.passed + outcome.result.failed;
    if (!outcome.error.ok()) {
      ++file_errors;
      out << "ERROR " << file << ": " << outcome.error.message() << "\n";
    }
    if (outcome.result.failed == 0 && outcome.error.ok()) {
      out << "PASS " << file << " (" << total << " expectations)\n";
    } else if (total == 0 && !outcome.error.ok()) {
      out << "FAIL " << file << " (not played)\n";
    } else {
      out << "FAIL " << file << " (" << outcome.result.failed << " of " << total
          << " expectations failed" << (outcome.error.ok() ? "" : "; stopped early") << ")\n";
    }
    out.flush();
  }
  out << passed << " passed, " << failed << " failed\n";
  out.flush();
  return failed == 0 && file_errors == 0 ? 0 : 1;
}

}  // namespace rating::cli
