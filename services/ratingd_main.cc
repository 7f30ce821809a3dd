// ratingd: the ratings server. Opens the RocksDB event store, replays it into the
// projections, seeds principals, and serves the gRPC API (plus health and reflection) until
// SIGTERM or SIGINT, then shuts down cleanly: every acknowledged append is already durable.
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/crypto.h"
#include "eventstore/rocksdb_event_store.h"
#include "nlohmann/json.hpp"
#include "services/auth.h"
#include "eventstore/snapshot_store.h"
#include "services/engine.h"
#include "services/grpc_services.h"

ABSL_FLAG(std::string, data_dir, "./data", "RocksDB directory of the event store");
ABSL_FLAG(std::string, listen, "127.0.0.1:50051", "host:port to serve on (port 0 = any free)");
ABSL_FLAG(std::string, auth_config, "",
          "JSON file {\"principals\":[{\"id\",\"role\",\"scope\",\"token\"}]}, authoritative at "
          "start: missing principals are created, changed tokens rotated, principals it created "
          "and no longer lists revoked");
ABSL_FLAG(std::string, tls_cert, "", "PEM certificate chain (with --tls_key: serve TLS)");
ABSL_FLAG(std::string, tls_key, "", "PEM private key");
ABSL_FLAG(bool, sync, true, "sync the WAL before acknowledging (keep true in production)");
ABSL_FLAG(int, max_subscriptions, 256,
          "Subscribe streams served at once; one more is RESOURCE_EXHAUSTED");
ABSL_FLAG(int64_t, subscription_buffer_bytes, 1 << 20,
          "bytes of log entries one Subscribe stream holds ready to send (at least one entry)");
ABSL_FLAG(std::string, snapshot_dir, "",
          "RocksDB directory of the projection snapshots (default DATA_DIR/snapshots; \"off\" = "
          "none: every start replays the whole log)");
ABSL_FLAG(int64_t, snapshot_every, 100000,
          "write a projection snapshot every this many events (0 = only at a clean shutdown)");
ABSL_FLAG(int, max_request_bytes, 4 << 20,
          "largest request message accepted; larger is RESOURCE_EXHAUSTED");

namespace {

using rating::services::Engine;

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot be read"));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Makes the principals match the auth config file (Engine::ApplyAuthConfig) and says what
// changed. INVALID_ARGUMENT naming the entry and field.
absl::Status SeedFromConfig(Engine& engine, const std::string& path) {
  auto text = ReadFile(path);
  if (!text.ok()) return text.status();
  nlohmann::json config = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (config.is_discarded() || !config.is_object() || !config.contains("principals") ||
      !config["principals"].is_array()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": expected {\"principals\": [...]} in JSON"));
  }
  int index = 0;
  std::vector<rating::services::ConfiguredPrincipal> principals;
  for (const nlohmann::json& entry : config["principals"]) {
    const std::string where = absl::StrCat(path, ": principals[", index++, "]");
    auto field = [&](const char* name) -> std::string {
      return entry.is_object() && entry.contains(name) && entry[name].is_string()
                 ? entry[name].get<std::string>()
                 : std::string();
    };
    auto role = rating::services::ParseRole(field("role"));
    if (!role.ok()) return absl::InvalidArgumentError(absl::StrCat(where, ".", role.status().message()));
    rating::services::ConfiguredPrincipal& p = principals.emplace_back();
    p.principal.set_id(field("id"));
    p.principal.set_role(*role);
    p.principal.set_scope(field("scope"));
    p.token = field("token");
  }
  auto changes = engine.ApplyAuthConfig(principals);
  if (!changes.ok()) {
    return absl::Status(changes.status().code(),
                        absl::StrCat(path, ": ", changes.status().message()));
  }
  auto say = [](const char* what, const std::vector<std::string>& ids) {
    if (ids.empty()) return;
    std::printf("ratingd: auth config %s: %s\n", what, absl::StrJoin(ids, ", ").c_str());
  };
  say("created", changes->created);
  say("rotated the token of", changes->rotated);
  say("revoked (no longer listed)", changes->revoked);
  say("lists principals revoked earlier, which stay revoked", changes->kept_revoked);
  return absl::OkStatus();
}

// Development default: an admin principal whose token is kept in DATA_DIR/dev-admin-token.
absl::Status EnsureDevAdmin(Engine& engine, const std::string& data_dir) {
  const std::string path = data_dir + "/dev-admin-token";
  auto existing = ReadFile(path);
  std::string token = existing.ok() ? *existing : rating::common::RandomHex(24);
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  rating::v1::Principal admin;
  admin.set_id("dev-admin");
  admin.set_role(rating::v1::ROLE_ADMIN);
  auto created = engine.SeedPrincipal(admin, token);
  if (!created.ok()) return created.status();
  if (*created) {
    std::ofstream out(path, std::ios::trunc);
    out << token << "\n";
    out.close();
    chmod(path.c_str(), 0600);
  } else if (!existing.ok() || !engine.Authenticate(token).ok()) {
    std::printf("ratingd: dev-admin exists but %s is missing; use --auth_config\n", path.c_str());
    return absl::OkStatus();
  }
  std::printf("development admin token: %s\n", token.c_str());
  return absl::OkStatus();
}

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "ratingd: %s\n", std::string(status.ToString()).c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("ratingd --data_dir=./data --listen=127.0.0.1:50051");
  absl::ParseCommandLine(argc, argv);

  // Block the stop signals in every thread; the main thread waits for them below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  const std::string data_dir = absl::GetFlag(FLAGS_data_dir);
  rating::eventstore::RocksDbEventStore::Options options;
  options.sync = absl::GetFlag(FLAGS_sync);
  auto store = rating::eventstore::RocksDbEventStore::Open(
      data_dir, rating::common::SystemClock::Get(), options);
  if (!store.ok()) return Fail(store.status());
  // Projection snapshots: a restart loads the newest fit one and replays only the tail.
  std::string snapshot_dir = absl::GetFlag(FLAGS_snapshot_dir);
  if (snapshot_dir.empty()) snapshot_dir = data_dir + "/snapshots";
  if (absl::GetFlag(FLAGS_snapshot_every) < 0) {
    return Fail(absl::InvalidArgumentError("--snapshot_every must be >= 0"));
  }
  std::unique_ptr<rating::eventstore::SnapshotStore> snapshot_store;
  rating::services::SnapshotOptions snapshots;
  if (snapshot_dir != "off") {
    auto opened = rating::eventstore::SnapshotStore::Open(snapshot_dir);
    if (opened.ok()) {
      snapshot_store = *std::move(opened);
      snapshots.store = snapshot_store.get();
      snapshots.every = static_cast<uint64_t>(absl::GetFlag(FLAGS_snapshot_every));
    } else {
      // Snapshots only save time: without them the log is replayed whole.
      std::printf("ratingd: snapshots off: %s\n", std::string(opened.status().message()).c_str());
    }
  }
  auto engine = Engine::Open(**store, snapshots);
  if (!engine.ok()) return Fail(engine.status());
  const rating::services::OpenReport& opened = (*engine)->open_report();
  for (const std::string& note : opened.discarded) std::printf("ratingd: %s\n", note.c_str());
  std::printf("ratingd: projections from %s, %llu events replayed\n",
              opened.snapshot_position == 0
                  ? "the start of the log"
                  : absl::StrCat("the snapshot at position ", opened.snapshot_position).c_str(),
              static_cast<unsigned long long>(opened.replayed));

  if (!absl::GetFlag(FLAGS_auth_config).empty()) {
    absl::Status seeded = SeedFromConfig(**engine, absl::GetFlag(FLAGS_auth_config));
    if (!seeded.ok()) return Fail(seeded);
  } else {
    absl::Status dev = EnsureDevAdmin(**engine, data_dir);
    if (!dev.ok()) return Fail(dev);
  }

  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
  if (!absl::GetFlag(FLAGS_tls_cert).empty() || !absl::GetFlag(FLAGS_tls_key).empty()) {
    auto cert = ReadFile(absl::GetFlag(FLAGS_tls_cert));
    auto key = ReadFile(absl::GetFlag(FLAGS_tls_key));
    if (!cert.ok()) return Fail(cert.status());
    if (!key.ok()) return Fail(key.status());
    grpc::SslServerCredentialsOptions ssl;
    ssl.pem_key_cert_pairs.push_back({*key, *cert});
    credentials = grpc::SslServerCredentials(ssl);
  }

  rating::services::ServiceOptions service_options;
  service_options.max_subscriptions = absl::GetFlag(FLAGS_max_subscriptions);
  service_options.subscription_buffer_bytes =
      static_cast<size_t>(std::max<int64_t>(1, absl::GetFlag(FLAGS_subscription_buffer_bytes)));
  service_options.max_request_bytes = absl::GetFlag(FLAGS_max_request_bytes);
  if (service_options.max_subscriptions < 0 || service_options.max_request_bytes <= 0) {
    return Fail(
        absl::InvalidArgumentError("--max_subscriptions must be >= 0 and --max_request_bytes > 0"));
  }

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  rating::services::ConfigureServerBuilder(builder, service_options);
  int port = 0;
  const std::string listen = absl::GetFlag(FLAGS_listen);
  builder.AddListeningPort(listen, credentials, &port);
  auto services = rating::services::MakeServices(**engine, service_options);
  for (auto& service : services) builder.RegisterService(service.get());
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    return Fail(absl::UnavailableError(absl::StrCat("cannot listen on ", listen)));
  }
  const std::string host = listen.substr(0, listen.rfind(':'));
  std::printf("ratingd: %llu events in %s\n",
              static_cast<unsigned long long>((*store)->HeadPosition()), data_dir.c_str());
  std::printf("ratingd listening on %s:%d\n", host.c_str(), port);
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  std::printf("ratingd: signal %d, shutting down\n", signal_number);
  std::fflush(stdout);
  (*store)->Shutdown();  // Ends subscriptions.
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  server->Wait();
  if (snapshots.store != nullptr) {
    // A clean shutdown leaves a snapshot at the head, so the next start replays nothing.
    absl::StatusOr<uint64_t> written = (*engine)->WriteSnapshot();
    if (written.ok()) {
      std::printf("ratingd: snapshot at position %llu\n",
                  static_cast<unsigned long long>(*written));
    } else {
      std::printf("ratingd: no snapshot: %s\n", std::string(written.status().message()).c_str());
    }
  }
  return 0;
}
