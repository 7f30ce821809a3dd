// The operator's kit through a real ratingd process on 127.0.0.1:0, each test with its own data
// dir: integrity at start (a tampered event or a deleted tail: reads served, writes
// FAILED_PRECONDITION naming the position, health NOT_SERVING for the write services; a clean
// restart moves the last-verified mark), the access log, Prometheus metrics over HTTP, and an
// online backup restored into a second server with the same chain head.
#include <arpa/inet.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "cli/conformance/server_process.h"
#include "common/clock.h"
#include "common/crypto.h"
#include "eventstore/rocksdb_event_store.h"
#include "rating/v1/api.grpc.pb.h"
#include "rating/v1/envelope.pb.h"
#include "tests/eventstore/raw_db.h"
#include "tests/integration/ratingd_fixture.h"
#include "tests/testing/status_matchers.h"

namespace rating {
namespace {

using ::rating::testing::IsOk;

using integration::kAdminToken;
using integration::kInspectorToken;
using integration::kIntegrationToken;

// Health status values of grpc.health.v1.HealthCheckResponse.
constexpr int kServing = 1;
constexpr int kNotServing = 2;

class OperationsTest : public integration::RatingdTest {
 protected:
  grpc::Status OpenPeriod(int year) {
    v1::PeriodSpec p;
    p.set_year(year);
    v1::CommandReply reply;
    return registry_->OpenPeriod(Ctx(kAdminToken).get(), p, &reply);
  }

  grpc::Status RegisterCell(const std::string& id) {
    v1::OrgSpec org;
    org.set_id(id);
    org.set_kind(v1::ORG_KIND_GRASSROOTS_CELL);
    org.set_parent("bloc");
    org.set_founded_on("2010-01-01");
    v1::CommandReply reply;
    return registry_->RegisterOrg(Ctx(kAdminToken).get(), org, &reply);
  }

  grpc::Status Enroll(const std::string& id, v1::RegistryService::Stub& stub) {
    v1::MemberSpec m;
    m.set_id(id);
    m.set_org("c1");
    m.set_admitted_on("2015-03-01");
    v1::CommandReply reply;
    return stub.EnrollMember(Ctx(kAdminToken).get(), m, &reply);
  }

  // A period, a cell and `members` members.
  void Populate(int members) {
    ASSERT_TRUE(OpenPeriod(2025).ok());
    ASSERT_TRUE(RegisterCell("c1").ok());
    for (int i = 0; i < members; ++i) ASSERT_TRUE(Enroll(absl::StrCat("m", i), *registry_).ok());
  }

  v1::GetHeadResponse Head() {
    v1::GetHeadResponse head;
    grpc::Status status = audit_->GetHead(Ctx(kInspectorToken).get(), {}, &head);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return head;
  }

  // grpc.health.v1.Health/Check for `service`: the status number, or -1 when the call fails.
  int Health(const std::string& service) {
    grpc::GenericStub stub(channel_);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    std::string request_bytes;
    if (!service.empty()) {  // HealthCheckRequest{service}: field 1, length-delimited.
      request_bytes.push_back('\x0a');
      request_bytes.push_back(static_cast<char>(service.size()));
      request_bytes += service;
    }
    grpc::Slice slice(request_bytes);
    grpc::ByteBuffer request(&slice, 1);
    grpc::ByteBuffer response;
    grpc::Status status;
    absl::Notification done;
    stub.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                   [&](grpc::Status s) {
                     status = std::move(s);
                     done.Notify();
                   });
    if (!done.WaitForNotificationWithTimeout(absl::Seconds(30)) || !status.ok()) return -1;
    std::vector<grpc::Slice> slices;
    if (!response.Dump(&slices).ok()) return -1;
    std::string bytes;
    for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
    if (bytes.size() != 2 || bytes[0] != '\x08') return bytes.empty() ? 0 : -1;
    return bytes[1];
  }

  // Opens the stopped server's store read-only.
  std::unique_ptr<eventstore::RocksDbEventStore> OpenStopped(const std::string& data_dir) {
    eventstore::RocksDbEventStore::Options options;
    options.read_only = true;
    auto store = eventstore::RocksDbEventStore::Open(data_dir, common::SystemClock::Get(), options);
    EXPECT_THAT(store.status(), IsOk());
    return store.ok() ? *std::move(store) : nullptr;
  }
};

TEST_F(OperationsTest, TamperedEventServesReadsRefusesWritesAndHealthSaysNotServing) {
  StartServer(DataDir());
  Populate(5);
  const v1::GetHeadResponse before = Head();
  ASSERT_THAT(StopServer(), IsOk());
  {
    // Someone edits the actor of event 4 behind the store's back (its hash is left alone).
    eventstore::testing::RawDb raw(DataDir());
    ASSERT_TRUE(raw.status().ok()) << raw.status().ToString();
    v1::Envelope envelope;
    ASSERT_TRUE(envelope.ParseFromString(raw.GetEvent(4)));
    envelope.set_actor("mallory");
    raw.PutEvent(4, envelope.SerializeAsString());
  }
  StartServer(DataDir());

  // Reads work.
  EXPECT_EQ(Head().position(), before.position());
  v1::GetRatingRequest rating;
  rating.set_subject("member/m1");
  rating.set_year(2025);
  v1::RatingView view;
  grpc::Status read = query_->GetRating(Ctx(kAdminToken).get(), rating, &view);
  EXPECT_TRUE(read.ok()) << read.error_message();
  v1::VerifyChainResponse verify;
  ASSERT_TRUE(audit_->VerifyChain(Ctx(kInspectorToken).get(), {}, &verify).ok());
  EXPECT_FALSE(verify.ok());
  EXPECT_EQ(verify.first_bad_position(), 4u);

  // Every write is refused, naming the position.
  grpc::Status write = Enroll("m9", *registry_);
  EXPECT_EQ(write.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(absl::StrContains(write.error_message(), "position 4")) << write.error_message();
  v1::CreatePrincipalRequest create;
  create.mutable_principal()->set_id("p2");
  create.mutable_principal()->set_role(v1::ROLE_INSPECTOR);
  v1::CreatePrincipalResponse created;
  write = admin_->CreatePrincipal(Ctx(kAdminToken).get(), create, &created);
  EXPECT_EQ(write.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(absl::StrContains(write.error_message(), "position 4")) << write.error_message();
  EXPECT_EQ(Head().position(), before.position());

  // Health: the write services are NOT_SERVING, the read services SERVING.
  EXPECT_EQ(Health(""), kServing);
  for (const char* name :
       {"rating.v1.RegistryService", "rating.v1.ReviewService", "rating.v1.DecisionService",
        "rating.v1.IntegrationService/Import", "rating.v1.AdminService/CreatePrincipal",
        "rating.v1.AdminService/RevokePrincipal"}) {
    EXPECT_EQ(Health(name), kNotServing) << name;
  }
  for (const char* name : {"rating.v1.QueryService", "rating.v1.AuditService",
                           "rating.v1.IntegrationService", "rating.v1.AdminService"}) {
    EXPECT_EQ(Health(name), kServing) << name;
  }
}

TEST_F(OperationsTest, DeletedTailIsRefusedForWritesNamingTheAnchoredPosition) {
  StartServer(DataDir());
  Populate(3);
  const uint64_t head = Head().position();
  ASSERT_THAT(StopServer(), IsOk());
  {
    eventstore::testing::RawDb raw(DataDir());
    ASSERT_TRUE(raw.status().ok()) << raw.status().ToString();
    raw.DeleteEvent(head);
    raw.Flush();
  }
  StartServer(DataDir());
  EXPECT_EQ(Head().position(), head - 1);  // Reads serve what is left.
  grpc::Status write = OpenPeriod(2026);
  EXPECT_EQ(write.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(absl::StrContains(write.error_message(), absl::StrCat("position ", head)))
      << write.error_message();
  EXPECT_EQ(Health("rating.v1.RegistryService"), kNotServing);
  EXPECT_EQ(Health("rating.v1.AuditService"), kServing);
}

TEST_F(OperationsTest, CleanRestartsVerifyOnlyTheTailAndMoveTheMark) {
  StartServer(DataDir());
  Populate(3);
  const uint64_t first = Head().position();
  EXPECT_EQ(Health("rating.v1.RegistryService"), kServing);
  ASSERT_THAT(StopServer(), IsOk());
  StartServer(DataDir());  // Verifies 1..first and marks it.
  EXPECT_EQ(Health("rating.v1.RegistryService"), kServing);
  ASSERT_TRUE(Enroll("m7", *registry_).ok());
  const uint64_t second = Head().position();
  ASSERT_THAT(StopServer(), IsOk());
  {
    auto store = OpenStopped(DataDir());
    ASSERT_NE(store, nullptr);
    auto mark = store->LastVerified();
    ASSERT_THAT(mark.status(), IsOk());
    ASSERT_TRUE(mark->has_value());
    EXPECT_EQ((*mark)->first, first);
  }
  StartServer(DataDir());  // Verifies first+1..second only, and moves the mark.
  EXPECT_TRUE(Enroll("m8", *registry_).ok());
  ASSERT_THAT(StopServer(), IsOk());
  auto store = OpenStopped(DataDir());
  ASSERT_NE(store, nullptr);
  auto mark = store->LastVerified();
  ASSERT_THAT(mark.status(), IsOk());
  ASSERT_TRUE(mark->has_value());
  EXPECT_EQ((*mark)->first, second);
}

TEST_F(OperationsTest, AccessLogHasOneLinePerRpcWithoutTokens) {
  const std::string log = (dir_ / "access.log").string();
  StartServer(DataDir(), {absl::StrCat("--access_log=", log)});
  ASSERT_TRUE(OpenPeriod(2025).ok());
  ASSERT_EQ(OpenPeriod(2025).error_code(), grpc::StatusCode::ALREADY_EXISTS);  // Already open.
  v1::GetHeadResponse head;
  EXPECT_EQ(audit_->GetHead(Ctx("not-a-token-of-anyone-here").get(), {}, &head).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", absl::StrCat("Bearer ", kIntegrationToken));
    v1::SubscribeRequest request;
    auto reader = integration_->Subscribe(&ctx, request);
    v1::SubscribeResponse response;
    ASSERT_TRUE(reader->Read(&response));
    ctx.TryCancel();
    while (reader->Read(&response)) {
    }
    reader->Finish().IgnoreError();
  }
  ASSERT_THAT(StopServer(), IsOk());

  std::ifstream in(log);
  std::string line;
  int open_period = 0, open_period_ok = 0, open_period_exists = 0, subscribe = 0, get_head = 0;
  while (std::getline(in, line)) {
    EXPECT_TRUE(absl::StartsWith(line, "{\"ts\":\"") && absl::EndsWith(line, "}")) << line;
    for (const char* token : {kAdminToken, kInspectorToken, kIntegrationToken}) {
      EXPECT_FALSE(absl::StrContains(line, token)) << line;
    }
    EXPECT_TRUE(absl::StrContains(line, "\"latency_ms\":")) << line;
    EXPECT_TRUE(absl::StrContains(line, "\"peer\":\"ipv")) << line;
    if (absl::StrContains(line, "\"/rating.v1.RegistryService/OpenPeriod\"")) {
      // A line is written as the call's status is sent: counted by code, not by order.
      EXPECT_TRUE(absl::StrContains(line, "\"principal\":\"admin\"")) << line;
      open_period_ok += absl::StrContains(line, "\"code\":\"OK\"") ? 1 : 0;
      open_period_exists += absl::StrContains(line, "\"code\":\"ALREADY_EXISTS\"") ? 1 : 0;
      ++open_period;
    }
    if (absl::StrContains(line, "\"/rating.v1.AuditService/GetHead\"")) {
      EXPECT_TRUE(absl::StrContains(line, "\"principal\":\"-\",\"code\":\"UNAUTHENTICATED\""))
          << line;
      ++get_head;
    }
    if (absl::StrContains(line, "\"/rating.v1.IntegrationService/Subscribe\"")) {
      EXPECT_TRUE(absl::StrContains(line, "\"principal\":\"prov\"")) << line;
      ++subscribe;
    }
  }
  EXPECT_EQ(open_period, 2);
  EXPECT_EQ(open_period_ok, 1);
  EXPECT_EQ(open_period_exists, 1);
  EXPECT_EQ(get_head, 1);
  EXPECT_EQ(subscribe, 1);
}

// A free loopback port (bound and released: the server binds it right after).
int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t size = sizeof(address);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

// GET `path` from 127.0.0.1:`port` over HTTP/1.0: the response body ("" on failure).
std::string HttpGet(int port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  timeval timeout{30, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  std::string response;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0) {
    const std::string request = absl::StrCat("GET ", path, " HTTP/1.0\r\nHost: localhost\r\n\r\n");
    if (::write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
      char buffer[4096];
      ssize_t n;
      while ((n = ::read(fd, buffer, sizeof(buffer))) > 0) response.append(buffer, n);
    }
  }
  ::close(fd);
  const size_t body = response.find("\r\n\r\n");
  return body == std::string::npos ? "" : response.substr(body + 4);
}

// The value of the sample whose line starts with `series` followed by a space, or -1.
double Sample(const std::string& metrics, const std::string& series) {
  for (absl::string_view line : absl::StrSplit(metrics, '\n')) {
    if (absl::StartsWith(line, series + " ")) {
      double value = 0;
      if (absl::SimpleAtod(line.substr(series.size() + 1), &value)) return value;
    }
  }
  return -1;
}

TEST_F(OperationsTest, MetricsServeRpcAppendAndLogSeriesOverHttp) {
  const int port = FreePort();
  ASSERT_NE(port, 0);
  StartServer(DataDir(), {absl::StrCat("--metrics_listen=127.0.0.1:", port)});
  Populate(2);
  EXPECT_EQ(OpenPeriod(2025).error_code(), grpc::StatusCode::ALREADY_EXISTS);
  const uint64_t head = Head().position();
  // One open subscription, caught up.
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", absl::StrCat("Bearer ", kIntegrationToken));
  auto reader = integration_->Subscribe(&ctx, v1::SubscribeRequest());
  v1::SubscribeResponse response;
  uint64_t seen = 0;
  while (seen < head && reader->Read(&response)) {
    if (response.has_entry()) seen = response.entry().envelope().position();
  }
  ASSERT_EQ(seen, head);

  const std::string metrics = HttpGet(port, "/metrics");
  ASSERT_FALSE(metrics.empty());
  EXPECT_EQ(
      Sample(metrics,
             "rating_rpc_total{code=\"OK\",method=\"/rating.v1.RegistryService/OpenPeriod\"}"),
      1);
  EXPECT_EQ(Sample(metrics,
                   "rating_rpc_total{code=\"ALREADY_EXISTS\",method=\"/"
                   "rating.v1.RegistryService/OpenPeriod\"}"),
            1);
  EXPECT_EQ(Sample(metrics,
                   "rating_rpc_total{code=\"OK\",method=\"/"
                   "rating.v1.RegistryService/EnrollMember\"}"),
            2);
  EXPECT_EQ(Sample(metrics,
                   "rating_rpc_duration_seconds_count{code=\"OK\",method=\"/"
                   "rating.v1.RegistryService/EnrollMember\"}"),
            2);
  EXPECT_GT(Sample(metrics,
                   "rating_rpc_duration_seconds_sum{code=\"OK\",method=\"/"
                   "rating.v1.RegistryService/EnrollMember\"}"),
            0);
  // Principals from the auth config, the period, the cell, two members.
  EXPECT_GE(Sample(metrics, "rating_append_duration_seconds_count{outcome=\"ok\"}"), 4);
  EXPECT_GE(Sample(metrics, "rating_wal_write_duration_seconds_count"), 4);
  EXPECT_GE(Sample(metrics, "rating_anchor_sync_duration_seconds_count"), 4);
  EXPECT_GT(Sample(metrics, "rating_wal_write_duration_seconds_sum"), 0);
  EXPECT_EQ(Sample(metrics, "rating_events_total"), static_cast<double>(head));
  EXPECT_EQ(Sample(metrics, "rating_head_position"), static_cast<double>(head));
  EXPECT_EQ(Sample(metrics, "rating_projection_lag_events"), 0);
  EXPECT_EQ(Sample(metrics, "rating_subscriptions_open"), 1);
  EXPECT_EQ(Sample(metrics, "rating_subscription_lag_max_events"), 0);
  EXPECT_EQ(Sample(metrics, "rating_writes_fenced"), 0);
  ctx.TryCancel();
  while (reader->Read(&response)) {
  }
  reader->Finish().IgnoreError();
}

TEST_F(OperationsTest, BackupWhileWritingRestoresToTheSameChainHead) {
  StartServer(DataDir());
  Populate(2);
  // Writers keep appending on their own channel while the backup runs.
  std::atomic<bool> stop{false};
  absl::Notification writing;  // Five writes are in, or the writer gave up.
  std::thread writer([&] {
    auto channel = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
    auto stub = v1::RegistryService::NewStub(channel);
    int written = 0;
    for (int i = 0; !stop.load() && i < 2000; ++i) {
      if (Enroll(absl::StrCat("w", i), *stub).ok() && ++written == 5) writing.Notify();
    }
    if (!writing.HasBeenNotified()) writing.Notify();
  });
  ASSERT_TRUE(writing.WaitForNotificationWithTimeout(absl::Seconds(60)));
  const std::string backup_dir = (dir_ / "backup").string();
  v1::BackupRequest request;
  request.set_dir(backup_dir);
  v1::BackupResponse backup;
  grpc::Status status = admin_->Backup(Ctx(kAdminToken).get(), request, &backup);
  stop = true;
  writer.join();
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(backup.dir(), backup_dir);
  EXPECT_GT(backup.head_position(), 0u);
  EXPECT_LE(backup.head_position(), Head().position());
  EXPECT_EQ(backup.head_hash().size(), 64u);
  const uint64_t backup_head = backup.head_position();
  const std::string backup_hash = backup.head_hash();

  // Refusals: not an admin, a relative or existing directory.
  v1::BackupRequest other = request;
  other.set_dir((dir_ / "backup2").string());
  EXPECT_EQ(admin_->Backup(Ctx(kInspectorToken).get(), other, &backup).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  other.set_dir("relative/backup");
  EXPECT_EQ(admin_->Backup(Ctx(kAdminToken).get(), other, &backup).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(admin_->Backup(Ctx(kAdminToken).get(), request, &backup).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  ASSERT_THAT(StopServer(), IsOk());

  // Restore: the backup directory becomes a server's data dir.
  StartServer(backup_dir);
  const v1::GetHeadResponse restored = Head();
  EXPECT_EQ(restored.position(), backup_head);
  EXPECT_EQ(restored.hash(), backup_hash);
  v1::VerifyChainResponse verify;
  ASSERT_TRUE(audit_->VerifyChain(Ctx(kInspectorToken).get(), {}, &verify).ok());
  EXPECT_TRUE(verify.ok()) << verify.message();
  EXPECT_EQ(verify.head_position(), backup_head);
  // The restored server takes writes.
  EXPECT_TRUE(OpenPeriod(2026).ok());
}

// Runs ratingd with `args` until it is ready, then stops it: what it printed on stdout up to
// its "listening" line ("" if it never got there).
std::string StartupOutput(const std::vector<std::string>& args) {
  int fds[2];
  if (::pipe(fds) != 0) return "";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  std::vector<std::string> all = {RATINGD_PATH};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = ::posix_spawn(&pid, RATINGD_PATH, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  std::string out;
  if (spawned == 0) {
    char buffer[1024];
    ssize_t n;
    while (!absl::StrContains(out, "listening on") &&
           (n = ::read(fds[0], buffer, sizeof(buffer))) > 0) {
      out.append(buffer, n);
    }
    ::kill(pid, SIGTERM);
    int status = 0;
    ::waitpid(pid, &status, 0);
  }
  ::close(fds[0]);
  return absl::StrContains(out, "listening on") ? out : "";
}

TEST_F(OperationsTest, TheDevelopmentAdminTokenIsPrintedOnlyWhenCreated) {
  const std::vector<std::string> args = {absl::StrCat("--data_dir=", DataDir()),
                                         "--listen=127.0.0.1:0"};
  const std::string first = StartupOutput(args);
  ASSERT_FALSE(first.empty());
  std::ifstream file(dir_ / "data" / "dev-admin-token");
  std::string token;
  ASSERT_TRUE(std::getline(file, token));
  ASSERT_GE(token.size(), 16u);
  EXPECT_TRUE(absl::StrContains(first, token)) << first;
  const std::string second = StartupOutput(args);
  ASSERT_FALSE(second.empty());
  EXPECT_FALSE(absl::StrContains(second, token)) << second;
  EXPECT_TRUE(absl::StrContains(second, "token exists, kept in")) << second;
  EXPECT_TRUE(absl::StrContains(second, "dev-admin-token")) << second;
}

}  // namespace
}  // namespace rating
