// Integration through a real ratingd process on 127.0.0.1:0, each test with its own data dir:
// authentication and roles over gRPC, subscriptions racing appends, import retried after a
// dropped stream, as-of reads, bad requests, health, and a SIGTERM restart losing nothing.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "cli/conformance/server_process.h"
#include "common/crypto.h"
#include "rating/v1/api.grpc.pb.h"
#include "tests/testing/status_matchers.h"

namespace rating {
namespace {

using ::rating::testing::IsOk;

constexpr char kAdminToken[] = "admin-token-0123456789abcdef";
constexpr char kInspectorToken[] = "inspector-token-0123456789";
constexpr char kIntegrationToken[] = "integration-token-0123456789";
constexpr char kCellToken[] = "cell-token-0123456789abcdef";

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           absl::StrCat("server_test_", common::RandomHex(8));
    std::filesystem::create_directories(dir_);
    std::ofstream config(dir_ / "auth.json");
    config << R"({"principals":[)"
           << R"({"id":"admin","role":"admin","scope":"","token":")" << kAdminToken << R"("},)"
           << R"({"id":"insp","role":"inspector","scope":"","token":")" << kInspectorToken << R"("},)"
           << R"({"id":"prov","role":"integration","scope":"","token":")" << kIntegrationToken << R"("},)"
           << R"({"id":"cell1","role":"cell_committee","scope":"c1","token":")" << kCellToken << R"("}]})";
    config.close();
    StartServer();
  }

  void TearDown() override {
    if (server_) {
      EXPECT_THAT(StopServer(), IsOk());
    }
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  void StartServer() {
    auto server = cli::ServerProcess::Start(
        RATINGD_PATH,
        {absl::StrCat("--data_dir=", (dir_ / "data").string()), "--listen=127.0.0.1:0",
         absl::StrCat("--auth_config=", (dir_ / "auth.json").string())},
        absl::Seconds(30));
    ASSERT_THAT(server, IsOk());
    server_ = *std::move(server);
    channel_ = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
    registry_ = v1::RegistryService::NewStub(channel_);
    review_ = v1::ReviewService::NewStub(channel_);
    query_ = v1::QueryService::NewStub(channel_);
    audit_ = v1::AuditService::NewStub(channel_);
    integration_ = v1::IntegrationService::NewStub(channel_);
  }

  // Closes our connection first: a server shutting down waits for connected clients to go.
  absl::Status StopServer() {
    registry_.reset();
    review_.reset();
    query_.reset();
    audit_.reset();
    integration_.reset();
    channel_.reset();
    absl::Status stopped = server_->Stop();
    server_.reset();
    return stopped;
  }

  static std::unique_ptr<grpc::ClientContext> Ctx(const std::string& token) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return ctx;
  }

  grpc::Status OpenPeriod(int year, const std::string& token = kAdminToken) {
    v1::PeriodSpec p;
    p.set_year(year);
    v1::CommandReply reply;
    return registry_->OpenPeriod(Ctx(token).get(), p, &reply);
  }

  grpc::Status Enroll(const std::string& id, const std::string& token = kAdminToken) {
    v1::MemberSpec m;
    m.set_id(id);
    m.set_org("c1");
    m.set_admitted_on("2015-03-01");
    v1::CommandReply reply;
    return registry_->EnrollMember(Ctx(token).get(), m, &reply);
  }

  void SetUpCell() {
    ASSERT_TRUE(OpenPeriod(2025).ok());
    v1::OrgSpec org;
    org.set_id("c1");
    org.set_kind(v1::ORG_KIND_GRASSROOTS_CELL);
    org.set_parent("bloc");
    org.set_founded_on("2010-01-01");
    v1::CommandReply reply;
    ASSERT_TRUE(registry_->RegisterOrg(Ctx(kAdminToken).get(), org, &reply).ok());
  }

  uint64_t Head() {
    v1::GetHeadResponse head;
    EXPECT_TRUE(audit_->GetHead(Ctx(kInspectorToken).get(), {}, &head).ok());
    return head.position();
  }

  std::filesystem::path dir_;
  std::unique_ptr<cli::ServerProcess> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::RegistryService::Stub> registry_;
  std::unique_ptr<v1::ReviewService::Stub> review_;
  std::unique_ptr<v1::QueryService::Stub> query_;
  std::unique_ptr<v1::AuditService::Stub> audit_;
  std::unique_ptr<v1::IntegrationService::Stub> integration_;
};

TEST_F(ServerTest, CallsWithoutAValidTokenAreUnauthenticated) {
  EXPECT_EQ(OpenPeriod(2025, "").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(OpenPeriod(2025, "not-a-known-token-at-all").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  v1::GetRatingRequest request;
  request.set_subject("member/m1");
  request.set_year(2025);
  v1::RatingView view;
  EXPECT_EQ(query_->GetRating(Ctx("").get(), request, &view).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(ServerTest, InspectorsAndIntegrationsReadButNeverWrite) {
  SetUpCell();
  const uint64_t head = Head();
  EXPECT_EQ(Enroll("m1", kInspectorToken).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Enroll("m1", kIntegrationToken).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(OpenPeriod(2026, kCellToken).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Head(), head);
  ASSERT_TRUE(Enroll("m1", kCellToken).ok());
  v1::ReadLogRequest read;
  v1::ReadLogResponse log;
  EXPECT_TRUE(audit_->ReadLog(Ctx(kInspectorToken).get(), read, &log).ok());
  EXPECT_EQ(log.entries_size(), static_cast<int>(Head()));
  EXPECT_EQ(audit_->ReadLog(Ctx(kCellToken).get(), read, &log).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(ServerTest, BadRequestsNameTheFieldAndWriteNothing) {
  SetUpCell();
  const uint64_t head = Head();
  v1::MemberSpec m;
  m.set_id("m 1");
  m.set_org("c1");
  m.set_admitted_on("2015-03-01");
  v1::CommandReply reply;
  grpc::Status status = registry_->EnrollMember(Ctx(kAdminToken).get(), m, &reply);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("id"), std::string::npos) << status.error_message();
  m.set_id("m1");
  m.set_admitted_on("2015-13-01");
  status = registry_->EnrollMember(Ctx(kAdminToken).get(), m, &reply);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("admitted_on"), std::string::npos);
  EXPECT_EQ(Head(), head);
}

TEST_F(ServerTest, AsOfReadsShowTheStateAsRecordedThen) {
  SetUpCell();
  ASSERT_TRUE(Enroll("m1").ok());
  const uint64_t before_review = Head();
  v1::ReviewCompletion review;
  review.set_subject("member/m1");
  review.set_year(2025);
  v1::CommandReply reply;
  ASSERT_TRUE(review_->RecordReviewCompleted(Ctx(kAdminToken).get(), review, &reply).ok());
  v1::GetRatingRequest request;
  request.set_subject("member/m1");
  request.set_year(2025);
  v1::RatingView now, then;
  ASSERT_TRUE(query_->GetRating(Ctx(kInspectorToken).get(), request, &now).ok());
  request.mutable_as_of()->set_position(before_review);
  ASSERT_TRUE(query_->GetRating(Ctx(kInspectorToken).get(), request, &then).ok());
  EXPECT_EQ(then.as_of_position(), before_review);
  EXPECT_NE(now.ceiling_rule(), "R-SUBJ-3");
  bool then_names_review = false;
  for (const auto& f : then.explanation()) then_names_review |= f.rule_id() == "R-SUBJ-3";
  EXPECT_TRUE(then_names_review);
  request.mutable_as_of()->set_position(Head() + 100);
  EXPECT_EQ(query_->GetRating(Ctx(kInspectorToken).get(), request, &then).error_code(),
            grpc::StatusCode::OUT_OF_RANGE);
}

TEST_F(ServerTest, SubscriptionDeliversEveryEventOnceWhileAppendsRace) {
  SetUpCell();
  constexpr int kWriters = 3;
  constexpr int kPerWriter = 20;
  const uint64_t start = Head();
  const uint64_t expected_head = start + kWriters * kPerWriter;
  auto ctx = Ctx(kIntegrationToken);
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  v1::SubscribeRequest request;
  request.set_after_position(0);
  request.set_checkpoint_every(7);
  auto reader = integration_->Subscribe(ctx.get(), request);

  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([this, w] {
      for (int i = 0; i < kPerWriter; ++i) {
        EXPECT_TRUE(Enroll(absl::StrCat("w", w, "-", i)).ok());
      }
    });
  }
  std::vector<uint64_t> seen;
  uint64_t last_checkpoint = 0;
  v1::SubscribeResponse response;
  while ((seen.empty() || seen.back() < expected_head) && reader->Read(&response)) {
    if (response.has_entry()) {
      seen.push_back(response.entry().envelope().position());
    } else {
      EXPECT_GE(response.checkpoint(), last_checkpoint);
      EXPECT_EQ(response.checkpoint(), seen.empty() ? 0 : seen.back());
      last_checkpoint = response.checkpoint();
    }
  }
  for (auto& t : writers) t.join();
  ctx->TryCancel();
  reader->Finish().IgnoreError();  // Cancelled by us: the status says so.
  ASSERT_EQ(seen.size(), expected_head);
  for (size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], i + 1);  // No gap, no duplicate.
}

TEST_F(ServerTest, ImportRetriedAfterADroppedStreamIsIdempotent) {
  SetUpCell();
  const uint64_t start = Head();
  std::vector<v1::ImportRequest> requests;
  for (int i = 0; i < 10; ++i) {
    v1::ImportRequest r;
    r.set_request_id(common::NewUuid());
    v1::MemberSpec* m = r.mutable_command()->mutable_enroll_member();
    m->set_id(absl::StrCat("imp", i));
    m->set_org("c1");
    m->set_admitted_on("2016-01-01");
    requests.push_back(r);
  }
  {
    // The connection drops after half the commands were sent.
    auto ctx = Ctx(kAdminToken);
    v1::ImportResponse response;
    auto writer = integration_->Import(ctx.get(), &response);
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(writer->Write(requests[i]));
    writer->WritesDone();
    EXPECT_TRUE(writer->Finish().ok());
    EXPECT_EQ(response.accepted(), 5);
  }
  {
    auto ctx = Ctx(kAdminToken);
    v1::ImportResponse response;
    auto writer = integration_->Import(ctx.get(), &response);
    for (const auto& r : requests) ASSERT_TRUE(writer->Write(r));
    writer->WritesDone();
    ASSERT_TRUE(writer->Finish().ok());
    EXPECT_EQ(response.accepted(), 10);
    EXPECT_EQ(response.rejected(), 0);
    for (int i = 0; i < 10; ++i) EXPECT_EQ(response.results(i).reply().replayed(), i < 5) << i;
  }
  EXPECT_EQ(Head(), start + 10);
}

TEST_F(ServerTest, StandardHealthServiceReportsServing) {
  // grpc.health.v1.Health/Check with an empty request (service ""), through a generic stub:
  // the response must be HealthCheckResponse{status: SERVING}, i.e. the bytes 08 01.
  grpc::GenericStub stub(channel_);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  grpc::ByteBuffer request;
  grpc::Slice empty("");
  request = grpc::ByteBuffer(&empty, 1);
  grpc::ByteBuffer response;
  grpc::Status status;
  absl::Notification done;
  stub.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                 [&](grpc::Status s) {
                   status = std::move(s);
                   done.Notify();
                 });
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(30)));
  ASSERT_TRUE(status.ok()) << status.error_message();
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(response.Dump(&slices).ok());
  std::string bytes;
  for (const auto& slice : slices) bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  EXPECT_EQ(bytes, std::string("\x08\x01", 2));
}

TEST_F(ServerTest, SigtermThenRestartLosesNothingAcknowledged) {
  SetUpCell();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(Enroll(absl::StrCat("m", i)).ok());
  const uint64_t head = Head();
  v1::GetHeadResponse before;
  ASSERT_TRUE(audit_->GetHead(Ctx(kInspectorToken).get(), {}, &before).ok());
  ASSERT_THAT(StopServer(), IsOk());
  StartServer();
  EXPECT_EQ(Head(), head);
  v1::GetHeadResponse after;
  ASSERT_TRUE(audit_->GetHead(Ctx(kInspectorToken).get(), {}, &after).ok());
  EXPECT_EQ(after.hash(), before.hash());
  v1::VerifyChainResponse verify;
  ASSERT_TRUE(audit_->VerifyChain(Ctx(kInspectorToken).get(), {}, &verify).ok());
  EXPECT_TRUE(verify.ok()) << verify.message();
  EXPECT_EQ(verify.checked(), head);
  EXPECT_EQ(Enroll("m0").error_code(), grpc::StatusCode::ALREADY_EXISTS);  // State replayed.
}

}  // namespace
}  // namespace rating

namespace rating {
namespace {

TEST(TlsServerTest, ServesTlsWithTheGivenCertificate) {
  const std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) /
                                    absl::StrCat("tls_test_", common::RandomHex(8));
  std::filesystem::create_directories(dir);
  const std::string cert = (dir / "cert.pem").string();
  const std::string key = (dir / "key.pem").string();
  const std::string command = absl::StrCat(
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -addext "
      "subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout ",
      key, " -out ", cert, " >/dev/null 2>&1");
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  {
    std::ofstream config(dir / "auth.json");
    config << R"({"principals":[{"id":"admin","role":"admin","scope":"","token":")" << kAdminToken
           << R"("}]})";
  }
  auto server = cli::ServerProcess::Start(
      RATINGD_PATH,
      {absl::StrCat("--data_dir=", (dir / "data").string()), "--listen=127.0.0.1:0",
       absl::StrCat("--auth_config=", (dir / "auth.json").string()),
       absl::StrCat("--tls_cert=", cert), absl::StrCat("--tls_key=", key)},
      absl::Seconds(30));
  ASSERT_THAT(server, IsOk());
  {
    std::ifstream in(cert);
    std::stringstream pem;
    pem << in.rdbuf();
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = pem.str();
    auto channel = grpc::CreateChannel((*server)->address(), grpc::SslCredentials(ssl));
    auto audit = v1::AuditService::NewStub(channel);
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", absl::StrCat("Bearer ", kAdminToken));
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    v1::GetHeadResponse head;
    grpc::Status status = audit->GetHead(&ctx, {}, &head);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(head.position(), 1u);  // The seeded principal.

    auto plain = v1::AuditService::NewStub(
        grpc::CreateChannel((*server)->address(), grpc::InsecureChannelCredentials()));
    grpc::ClientContext plain_ctx;
    plain_ctx.AddMetadata("authorization", absl::StrCat("Bearer ", kAdminToken));
    plain_ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    EXPECT_FALSE(plain->GetHead(&plain_ctx, {}, &head).ok());
  }
  EXPECT_THAT((*server)->Stop(), IsOk());
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

}  // namespace
}  // namespace rating
