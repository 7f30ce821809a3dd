// ratingd: the ratings server. Opens the RocksDB event store, verifies the chain since the last
// verified mark (a store that fails it, or fails its anchor, is served read-only: reads work,
// writes are FAILED_PRECONDITION naming the position, and health says NOT_SERVING for the
// write services), replays it into the projections, seeds principals, and serves the gRPC API
// (plus per-service health, reflection, an optional access log and Prometheus metrics) until
// SIGTERM or SIGINT, then shuts down cleanly: every acknowledged append is already durable.
// docs/OPERATING.md describes every flag.
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/crypto.h"
#include "eventstore/rocksdb_event_store.h"
#include "nlohmann/json.hpp"
#include "services/auth.h"
#include "eventstore/snapshot_store.h"
#include "services/backup.h"
#include "services/engine.h"
#include "services/grpc_services.h"
#include "services/observability.h"

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
ABSL_FLAG(std::string, access_log, "",
          "access log, one JSON line per RPC (method, principal, code, latency, peer): "
          "a file to append to, '-' for stderr, empty for none");
ABSL_FLAG(std::string, metrics_listen, "",
          "HOST:PORT to serve Prometheus metrics on (GET /metrics); empty = off");
ABSL_FLAG(int64_t, max_info_log_bytes, 4 << 20,
          "RocksDB's info log DIR/LOG is renamed to LOG.old past this size (at most twice it "
          "on disk)");
ABSL_FLAG(int64_t, max_wal_bytes, 0,
          "RocksDB's max_total_wal_size: the WAL on disk is flushed away past this, and a new "
          "WAL file preallocates at most this (0 = 4 x the 32 MiB write buffer)");

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
    // The only time the token is printed: later starts say where it is kept.
    std::printf("development admin token (created, kept in %s): %s\n", path.c_str(), token.c_str());
  } else if (!existing.ok() || !engine.Authenticate(token).ok()) {
    std::printf("ratingd: dev-admin exists but %s is missing; use --auth_config\n", path.c_str());
  } else {
    std::printf("ratingd: the development admin token exists, kept in %s\n", path.c_str());
  }
  return absl::OkStatus();
}

// Opens the store for serving. A store refused for DATA_LOSS (behind or off its anchor, a
// damaged WAL before the anchor, see eventstore/FORMAT.md) is opened read-only instead, with
// the anchor reported rather than enforced (and, for a damaged WAL, what point-in-time
// recovery keeps), so reads can be served; `damage` then holds why.
absl::StatusOr<std::unique_ptr<rating::eventstore::RocksDbEventStore>> OpenStore(
    const std::string& data_dir, rating::eventstore::RocksDbEventStore::Options options,
    absl::Status& damage) {
  using rating::eventstore::RocksDbEventStore;
  auto store = RocksDbEventStore::Open(data_dir, rating::common::SystemClock::Get(), options);
  if (store.ok() || !absl::IsDataLoss(store.status())) return store;
  damage = store.status();
  std::fprintf(stderr, "ratingd: %s\nratingd: opening read-only to serve reads\n",
               std::string(damage.message()).c_str());
  options.read_only = true;
  options.enforce_anchor = false;
  store = RocksDbEventStore::Open(data_dir, rating::common::SystemClock::Get(), options);
  if (store.ok() || !absl::IsDataLoss(store.status())) return store;
  options.wal_recovery = rating::eventstore::WalRecovery::kPointInTime;
  return RocksDbEventStore::Open(data_dir, rating::common::SystemClock::Get(), options);
}

// Verifies the chain since the last verified mark and moves the mark to the head (writable
// stores). Returns why writes must be refused (OK if nothing is wrong); fails only when the
// check itself cannot run.
absl::StatusOr<absl::Status> VerifyAtStart(rating::eventstore::RocksDbEventStore& store) {
  absl::StatusOr<rating::eventstore::VerifyResult> verified =
      rating::eventstore::VerifyTail(store, /*record=*/!store.IsReadOnly());
  if (absl::IsDataLoss(verified.status())) return verified.status();
  if (!verified.ok()) return verified.status();
  if (!verified->ok) {
    return absl::DataLossError(absl::StrCat("the chain breaks at position ",
                                            verified->first_bad_position, ": ", verified->message));
  }
  std::printf("ratingd: chain verified (%llu events checked since the last mark), head %llu\n",
              static_cast<unsigned long long>(verified->checked),
              static_cast<unsigned long long>(store.HeadPosition()));
  return absl::OkStatus();
}

// The health service's names: each service, plus the write methods of the services that
// also read (their service name stays SERVING for the reads).
const char* const kReadServices[] = {"rating.v1.QueryService", "rating.v1.AuditService",
                                     "rating.v1.IntegrationService", "rating.v1.AdminService"};
const char* const kWriteServices[] = {"rating.v1.RegistryService",
                                      "rating.v1.ReviewService",
                                      "rating.v1.DecisionService",
                                      "rating.v1.IntegrationService/Import",
                                      "rating.v1.AdminService/CreatePrincipal",
                                      "rating.v1.AdminService/RevokePrincipal"};

void SetHealth(grpc::HealthCheckServiceInterface& health, bool writes_ok) {
  health.SetServingStatus("", true);
  for (const char* name : kReadServices) health.SetServingStatus(name, true);
  for (const char* name : kWriteServices) health.SetServingStatus(name, writes_ok);
}

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "ratingd: %s\n", std::string(status.ToString()).c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("ratingd --data_dir=./data --listen=127.0.0.1:50051");
  absl::ParseCommandLine(argc, argv);
  // Debian's Abseil is built without NDEBUG, so every Mutex::Lock would also record the lock
  // order in a global graph (deadlock detection, a debugging aid) under one process-wide
  // spin lock: off for the server. Tests keep it on.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  // Block the stop signals in every thread; the main thread waits for them below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  const std::string data_dir = absl::GetFlag(FLAGS_data_dir);
  // Metrics first: the store reports its commits to them.
  std::unique_ptr<rating::services::Metrics> metrics;
  // Set once the engine exists; the scrape reads through it.
  std::atomic<Engine*> served_engine{nullptr};
  rating::services::SubscriptionProbe subscriptions;
  if (!absl::GetFlag(FLAGS_metrics_listen).empty()) {
    auto started = rating::services::Metrics::Start(
        absl::GetFlag(FLAGS_metrics_listen), [&served_engine, &subscriptions] {
          rating::services::ServerFigures figures;
          Engine* engine = served_engine.load();
          if (engine == nullptr) return figures;
          figures.applied_position = engine->applied_position();
          figures.head_position = engine->store().HeadPosition();
          figures.subscription_positions = subscriptions.Positions();
          figures.writes_fenced = !engine->write_fence().ok();
          return figures;
        });
    if (!started.ok()) return Fail(started.status());
    metrics = *std::move(started);
  }
  std::unique_ptr<rating::services::AccessLog> access_log;
  if (!absl::GetFlag(FLAGS_access_log).empty()) {
    auto opened = rating::services::AccessLog::Open(absl::GetFlag(FLAGS_access_log));
    if (!opened.ok()) return Fail(opened.status());
    access_log = *std::move(opened);
  }

  rating::eventstore::RocksDbEventStore::Options options;
  options.sync = absl::GetFlag(FLAGS_sync);
  if (absl::GetFlag(FLAGS_max_info_log_bytes) < 64 << 10 ||
      absl::GetFlag(FLAGS_max_wal_bytes) < 0) {
    return Fail(absl::InvalidArgumentError(
        "--max_info_log_bytes must be >= 65536 and --max_wal_bytes >= 0"));
  }
  options.max_info_log_bytes = static_cast<size_t>(absl::GetFlag(FLAGS_max_info_log_bytes));
  options.max_total_wal_bytes = static_cast<uint64_t>(absl::GetFlag(FLAGS_max_wal_bytes));
  options.commit_observer = metrics.get();
  absl::Status damage;
  auto store = OpenStore(data_dir, options, damage);
  if (!store.ok()) return Fail(store.status());
  if (damage.ok()) {
    auto verified = VerifyAtStart(**store);
    if (!verified.ok()) return Fail(verified.status());
    damage = *verified;
  }
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
  if (!damage.ok()) {
    (*engine)->FenceWrites(damage);
    std::fprintf(stderr, "ratingd: serving reads only: %s\n",
                 std::string((*engine)->write_fence().message()).c_str());
  }
  if (metrics != nullptr) {
    rating::services::Metrics* m = metrics.get();
    (*engine)->set_append_observer(
        [m](absl::Duration latency, const absl::Status& status) { m->OnAppend(latency, status); });
  }
  served_engine.store(engine->get());

  // Principals are events: with writes refused they cannot change, and the server serves the
  // principals it has.
  auto warn_if_fenced = [&](const absl::Status& status) {
    if (status.ok() || (*engine)->write_fence().ok()) return status;
    std::fprintf(stderr, "ratingd: principals not updated (writes are refused): %s\n",
                 std::string(status.message()).c_str());
    return absl::OkStatus();
  };
  if (!absl::GetFlag(FLAGS_auth_config).empty()) {
    absl::Status seeded =
        warn_if_fenced(SeedFromConfig(**engine, absl::GetFlag(FLAGS_auth_config)));
    if (!seeded.ok()) return Fail(seeded);
  } else {
    absl::Status dev = warn_if_fenced(EnsureDevAdmin(**engine, data_dir));
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
  service_options.backup =
      rating::services::MakeCheckpointBackup(**store, rating::common::SystemClock::Get());
  service_options.subscriptions = &subscriptions;
  rating::services::RpcObservers observers;
  if (access_log != nullptr) observers.Add(access_log.get());
  if (metrics != nullptr) observers.Add(metrics.get());
  if (!observers.empty()) service_options.rpc_observer = &observers;
  if (service_options.max_subscriptions < 0 || service_options.max_request_bytes <= 0) {
    return Fail(
        absl::InvalidArgumentError("--max_subscriptions must be >= 0 and --max_request_bytes > 0"));
  }

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  rating::services::ConfigureServerBuilder(builder, service_options, **engine);
  int port = 0;
  const std::string listen = absl::GetFlag(FLAGS_listen);
  builder.AddListeningPort(listen, credentials, &port);
  auto services = rating::services::MakeServices(**engine, service_options);
  for (auto& service : services) builder.RegisterService(service.get());
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    return Fail(absl::UnavailableError(absl::StrCat("cannot listen on ", listen)));
  }
  // Per-service health: the write services follow the engine's write fence.
  grpc::HealthCheckServiceInterface* health = server->GetHealthCheckService();
  if (health != nullptr) {
    (*engine)->set_fence_observer([health](const absl::Status&) { SetHealth(*health, false); });
    SetHealth(*health, (*engine)->write_fence().ok());
  }
  if (metrics != nullptr) {
    std::printf("ratingd: metrics on port %d (GET /metrics)\n", metrics->port());
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
  if (snapshots.store != nullptr && (*engine)->write_fence().ok()) {
    // A clean shutdown leaves a snapshot at the head, so the next start replays nothing.
    absl::StatusOr<uint64_t> written = (*engine)->WriteSnapshot();
    if (written.ok()) {
      std::printf("ratingd: snapshot at position %llu\n",
                  static_cast<unsigned long long>(*written));
    } else {
      std::printf("ratingd: no snapshot: %s\n", std::string(written.status().message()).c_str());
    }
  }
  (*engine)->set_fence_observer(nullptr);
  services.clear();  // Joins the services' threads (imports, subscriptions).
  served_engine.store(nullptr);
  metrics.reset();  // Stops the scrapes before the engine and store go.
  return 0;
}
