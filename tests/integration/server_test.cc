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

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "cli/conformance/server_process.h"
#include "common/crypto.h"
#include "eventstore/snapshot_store.h"
#include "rating/v1/api.grpc.pb.h"
#include "tests/integration/ratingd_fixture.h"
#include "tests/testing/status_matchers.h"

namespace rating {
namespace {

using ::rating::testing::IsOk;

using integration::kAdminToken;
using integration::kCellToken;
using integration::kInspectorToken;
using integration::kIntegrationToken;

class ServerTest : public integration::RatingdTest {
 protected:
  void SetUp() override {
    RatingdTest::SetUp();
    StartServer();
  }

  void StartServer() { RatingdTest::StartServer(DataDir(), extra_args_); }

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

  // More ratingd flags for StartServer.
  std::vector<std::string> extra_args_;
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
  // A past read is refused before it is queued when the caller is not who they claim.
  request.mutable_as_of()->set_position(before_review);
  EXPECT_EQ(query_->GetRating(Ctx("not-a-token").get(), request, &then).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  grpc::ClientContext anonymous;
  EXPECT_EQ(query_->GetRating(&anonymous, request, &then).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
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
  {
    // A clean shutdown leaves a projection snapshot at the head (issue 8): the restart below
    // loads it and replays nothing.
    auto snapshots = eventstore::SnapshotStore::Open((dir_ / "data" / "snapshots").string());
    ASSERT_THAT(snapshots, IsOk());
    absl::StatusOr<std::vector<uint64_t>> positions = (*snapshots)->Positions(0);
    ASSERT_THAT(positions, IsOk());
    ASSERT_FALSE(positions->empty());
    EXPECT_EQ(positions->front(), head);
  }
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

// ------------------------------------------------------------------ hardening (audit findings)

// Helpers of the tests below.
class HardenedServerTest : public ServerTest {
 protected:
  // Creates a principal through the AdminService; returns its token.
  std::string CreatePrincipal(const std::string& id, v1::Role role, const std::string& scope) {
    v1::CreatePrincipalRequest request;
    request.mutable_principal()->set_id(id);
    request.mutable_principal()->set_role(role);
    request.mutable_principal()->set_scope(scope);
    request.set_token(absl::StrCat(id, "-token-0123456789abcdef"));
    v1::CreatePrincipalResponse response;
    grpc::Status status = admin_->CreatePrincipal(Ctx(kAdminToken).get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.token();
  }

  grpc::Status Revoke(const std::string& id) {
    v1::RevokePrincipalRequest request;
    request.set_principal_id(id);
    v1::CommandReply reply;
    return admin_->RevokePrincipal(Ctx(kAdminToken).get(), request, &reply);
  }

  // An import request enrolling `id` in c1.
  static v1::ImportRequest EnrollRequest(const std::string& id) {
    v1::ImportRequest r;
    r.set_request_id(common::NewUuid());
    v1::MemberSpec* m = r.mutable_command()->mutable_enroll_member();
    m->set_id(id);
    m->set_org("c1");
    m->set_admitted_on("2016-01-01");
    return r;
  }

  // Threads of the ratingd process, from /proc.
  int ServerThreads() {
    std::ifstream status(absl::StrCat("/proc/", server_->pid(), "/status"));
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
    }
    return -1;
  }

  grpc::Status Decide(const std::string& token, std::vector<std::pair<std::string, v1::Level>> r,
                      const std::string& reason = "") {
    v1::Decision d;
    d.set_year(2025);
    for (const auto& [subject, level] : r) {
      v1::SubjectLevel* row = d.add_ratings();
      row->set_subject(subject);
      row->set_level(level);
    }
    d.set_override_reason(reason);
    v1::CommandReply reply;
    auto decision = v1::DecisionService::NewStub(channel_);
    return decision->DecideRatings(Ctx(token).get(), d, &reply);
  }
};

TEST_F(HardenedServerTest, AMemberNeverReadsAnotherMembersLevelOrMarksInItsHistory) {
  SetUpCell();
  ASSERT_TRUE(Enroll("m1").ok());
  ASSERT_TRUE(Enroll("m2").ok());
  const std::string member = CreatePrincipal("self", v1::ROLE_MEMBER, "m1");
  v1::BallotSession session;
  session.set_session("c1-2025");
  session.set_org("c1");
  session.set_year(2025);
  session.add_subjects("member/m1");
  session.add_subjects("member/m2");
  session.add_issued("1");
  v1::Ballot* ballot = session.add_ballots();
  ballot->set_serial("1");
  for (const char* s : {"member/m1", "member/m2"}) {
    v1::BallotMark* mark = ballot->add_marks();
    mark->set_subject(s);
    mark->add_levels(v1::LEVEL_KHTNV);
  }
  v1::CommandReply reply;
  ASSERT_TRUE(review_->RecordBallots(Ctx(kAdminToken).get(), session, &reply).ok());
  for (const char* s : {"member/m1", "member/m2"}) {
    v1::ReviewCompletion review;
    review.set_subject(s);
    review.set_year(2025);
    ASSERT_TRUE(review_->RecordReviewCompleted(Ctx(kAdminToken).get(), review, &reply).ok());
  }
  grpc::Status decided = Decide(
      kAdminToken, {{"member/m1", v1::LEVEL_KHTNV}, {"member/m2", v1::LEVEL_HTTNV}}, "forced");
  ASSERT_TRUE(decided.ok()) << decided.error_message();

  v1::GetHistoryRequest request;
  request.set_subject("member/m1");
  request.set_year(2025);
  v1::GetHistoryResponse history;
  grpc::Status status = audit_->GetHistory(Ctx(member).get(), request, &history);
  ASSERT_TRUE(status.ok()) << status.error_message();
  int decisions = 0;
  int sessions = 0;
  for (const v1::HistoryEntry& entry : history.entries()) {
    const std::string bytes = entry.event().SerializeAsString();
    EXPECT_EQ(bytes.find("member/m2"), std::string::npos) << entry.kind();
    if (entry.event().has_ratings_decided()) {
      ++decisions;
      ASSERT_EQ(entry.event().ratings_decided().decision().ratings_size(), 1);
      EXPECT_EQ(entry.event().ratings_decided().decision().ratings(0).subject(), "member/m1");
    }
    if (entry.event().has_ballots_recorded()) {
      ++sessions;
      EXPECT_EQ(entry.event().ballots_recorded().session().ballots_size(), 0);
    }
  }
  EXPECT_EQ(decisions, 1);
  EXPECT_EQ(sessions, 1);
  // The committee of the cell reads the session whole.
  ASSERT_TRUE(audit_->GetHistory(Ctx(kCellToken).get(), request, &history).ok());
  bool whole = false;
  for (const v1::HistoryEntry& entry : history.entries()) {
    whole |= entry.event().ballots_recorded().session().ballots_size() == 1;
  }
  EXPECT_TRUE(whole);
  // And the member may not ask for m2's history at all, now or as of the past.
  request.set_subject("member/m2");
  EXPECT_EQ(audit_->GetHistory(Ctx(member).get(), request, &history).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  request.mutable_as_of()->set_position(2);
  EXPECT_EQ(audit_->GetHistory(Ctx(member).get(), request, &history).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(HardenedServerTest, TokenHashesAreNeverInTheReadableLog) {
  SetUpCell();
  for (const char* token : {kAdminToken, kInspectorToken}) {
    v1::ReadLogResponse log;
    ASSERT_TRUE(audit_->ReadLog(Ctx(token).get(), {}, &log).ok());
    int principals = 0;
    for (const v1::LogEntry& entry : log.entries()) {
      if (!entry.event().has_principal_created()) continue;
      ++principals;
      EXPECT_TRUE(entry.event().principal_created().token_sha256().empty());
      EXPECT_TRUE(entry.envelope().payload().empty());
      EXPECT_TRUE(entry.event().principal_created().from_auth_config());
    }
    EXPECT_EQ(principals, 4);
  }
  auto ctx = Ctx(kIntegrationToken);
  auto reader = integration_->Subscribe(ctx.get(), {});
  v1::SubscribeResponse response;
  int seen = 0;
  while (reader->Read(&response) && !response.has_checkpoint()) {
    ++seen;
    EXPECT_TRUE(response.entry().event().principal_created().token_sha256().empty());
    EXPECT_EQ(
        response.entry().envelope().payload().find(common::ToHex(common::Sha256(kAdminToken))),
        std::string::npos);
  }
  EXPECT_EQ(seen, static_cast<int>(Head()));
  ctx->TryCancel();
  reader->Finish().IgnoreError();  // Cancelled by us.
}

TEST_F(HardenedServerTest, ARevokedIntegrationsSubscriptionEndsUnauthenticated) {
  SetUpCell();
  const std::string prov = CreatePrincipal("prov2", v1::ROLE_INTEGRATION, "");
  auto ctx = Ctx(prov);
  auto reader = integration_->Subscribe(ctx.get(), {});
  v1::SubscribeResponse response;
  while (reader->Read(&response) && !response.has_checkpoint()) {
  }
  ASSERT_TRUE(response.has_checkpoint());  // Caught up.
  ASSERT_TRUE(Revoke("prov2").ok());
  const uint64_t revoked_at = Head();
  ASSERT_TRUE(Enroll("after").ok());
  std::vector<uint64_t> received;
  while (reader->Read(&response)) {
    if (response.has_entry()) received.push_back(response.entry().envelope().position());
  }
  const grpc::Status status = reader->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << status.error_message();
  for (uint64_t position : received) EXPECT_LT(position, revoked_at);
}

TEST_F(HardenedServerTest, ARevokedAdminsImportRunsNothingMore) {
  SetUpCell();
  const std::string ops = CreatePrincipal("ops", v1::ROLE_ADMIN, "");
  const uint64_t head = Head();
  auto ctx = Ctx(ops);
  v1::ImportResponse response;
  auto writer = integration_->Import(ctx.get(), &response);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(writer->Write(EnrollRequest(absl::StrCat("imp", i))));
  ASSERT_TRUE(Revoke("ops").ok());  // While the stream is open.
  writer->WritesDone();
  const grpc::Status status = writer->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << status.error_message();
  EXPECT_EQ(Head(), head + 1);  // Only the revocation.
}

TEST_F(HardenedServerTest, AnImportOverTheCapIsRefusedBeforeAnythingRuns) {
  SetUpCell();
  const uint64_t head = Head();
  auto ctx = Ctx(kAdminToken);
  v1::ImportResponse response;
  auto writer = integration_->Import(ctx.get(), &response);
  for (int i = 0; i <= 10000; ++i) {
    if (!writer->Write(EnrollRequest(absl::StrCat("cap", i)))) break;  // Refused mid-stream.
  }
  writer->WritesDone();
  const grpc::Status status = writer->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
  EXPECT_NE(status.error_message().find("nothing was executed"), std::string::npos);
  EXPECT_EQ(Head(), head);
}

TEST_F(HardenedServerTest, InvalidUtf8IsInvalidArgumentWithAMessage) {
  SetUpCell();
  const uint64_t head = Head();
  v1::MemberSpec m;
  m.set_id("m\xff\xfe");  // Sent as is: protobuf only logs on serialization.
  m.set_org("c1");
  m.set_admitted_on("2015-03-01");
  v1::CommandReply reply;
  grpc::Status status = registry_->EnrollMember(Ctx(kAdminToken).get(), m, &reply);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("rating.v1.MemberSpec"), std::string::npos)
      << status.error_message();
  v1::GetRatingRequest read;
  read.set_subject("member/\xc3");
  v1::RatingView view;
  EXPECT_EQ(query_->GetRating(Ctx(kAdminToken).get(), read, &view).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  // In an import, the request is named and nothing runs.
  auto ctx = Ctx(kAdminToken);
  v1::ImportResponse response;
  auto writer = integration_->Import(ctx.get(), &response);
  ASSERT_TRUE(writer->Write(EnrollRequest("fine")));
  v1::ImportRequest bad = EnrollRequest("bad");
  bad.mutable_command()->mutable_enroll_member()->set_name("\xff");
  writer->Write(bad);
  writer->WritesDone();
  status = writer->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("requests[1]"), std::string::npos)
      << status.error_message();
  EXPECT_EQ(Head(), head);
}

TEST_F(HardenedServerTest, ARequestOverFourMebibytesIsRefused) {
  SetUpCell();
  v1::MemberSpec m;
  m.set_id("big");
  m.set_org("c1");
  m.set_admitted_on("2015-03-01");
  m.set_name(std::string(5 << 20, 'n'));
  v1::CommandReply reply;
  EXPECT_EQ(registry_->EnrollMember(Ctx(kAdminToken).get(), m, &reply).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
}

TEST_F(HardenedServerTest, AnIdempotencyKeyInUpperAndLowerCaseRunsOnce) {
  SetUpCell();
  const std::string key = "0f1c2b1e-8a7d-4c1e-9a51-0e0b6b0c0aff";
  v1::MemberSpec m;
  m.set_id("once");
  m.set_org("c1");
  m.set_admitted_on("2015-03-01");
  v1::CommandReply first;
  auto ctx = Ctx(kAdminToken);
  ctx->AddMetadata("x-request-id", absl::AsciiStrToUpper(key));
  ASSERT_TRUE(registry_->EnrollMember(ctx.get(), m, &first).ok());
  const uint64_t head = Head();
  v1::CommandReply again;
  ctx = Ctx(kAdminToken);
  ctx->AddMetadata("x-request-id", key);
  ASSERT_TRUE(registry_->EnrollMember(ctx.get(), m, &again).ok());
  EXPECT_TRUE(again.replayed());
  EXPECT_EQ(Head(), head);
}

TEST_F(HardenedServerTest, ASecondServerOnTheSamePortFailsToStart) {
  const std::string port = server_->address().substr(server_->address().rfind(':') + 1);
  auto second =
      cli::ServerProcess::Start(RATINGD_PATH,
                                {absl::StrCat("--data_dir=", (dir_ / "second").string()),
                                 absl::StrCat("--listen=127.0.0.1:", port),
                                 absl::StrCat("--auth_config=", (dir_ / "auth.json").string())},
                                absl::Seconds(30));
  EXPECT_FALSE(second.ok());
  EXPECT_EQ(Head(), 4u);  // The first one still serves its own database.
}

TEST_F(HardenedServerTest, IdleSubscriptionsCostNoThreadEachAndAreCapped) {
  ASSERT_THAT(StopServer(), IsOk());
  extra_args_ = {"--max_subscriptions=60"};
  StartServer();
  const int threads_before = ServerThreads();
  ASSERT_GT(threads_before, 0);
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>>> readers;
  for (int i = 0; i < 60; ++i) {
    contexts.push_back(Ctx(kIntegrationToken));
    v1::SubscribeRequest request;
    request.set_after_position(Head());
    readers.push_back(integration_->Subscribe(contexts.back().get(), request));
  }
  // Each stream is open once it delivers the events appended now.
  SetUpCell();
  for (auto& reader : readers) {
    v1::SubscribeResponse response;
    ASSERT_TRUE(reader->Read(&response));
    EXPECT_TRUE(response.has_entry());
  }
  EXPECT_LT(ServerThreads(), threads_before + 20);  // Not one thread per stream.
  // One stream more than the cap is refused.
  auto ctx = Ctx(kIntegrationToken);
  auto refused = integration_->Subscribe(ctx.get(), {});
  v1::SubscribeResponse response;
  EXPECT_FALSE(refused->Read(&response));
  EXPECT_EQ(refused->Finish().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  for (auto& c : contexts) c->TryCancel();
  for (auto& reader : readers) reader->Finish().IgnoreError();  // Cancelled by us.
}

TEST_F(HardenedServerTest, HistoriesAndTheLogArePagedByBytes) {
  SetUpCell();
  ASSERT_TRUE(Enroll("m1").ok());
  // Three ballot sessions of about 600 KB each (their issued serials), all about member/m1.
  for (int s = 0; s < 3; ++s) {
    v1::BallotSession session;
    session.set_session(absl::StrCat("big", s));
    session.set_org("c1");
    session.set_year(2025);
    session.add_subjects("member/m1");
    for (int i = 0; i < 20000; ++i)
      session.add_issued(absl::StrCat("serial-", s, "-", i, "-xxxxxxxxxxxx"));
    v1::Ballot* ballot = session.add_ballots();
    ballot->set_serial(session.issued(0));
    v1::BallotMark* mark = ballot->add_marks();
    mark->set_subject("member/m1");
    mark->add_levels(v1::LEVEL_HTTNV);
    v1::CommandReply reply;
    grpc::Status status = review_->RecordBallots(Ctx(kAdminToken).get(), session, &reply);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  v1::GetHistoryRequest request;
  request.set_subject("member/m1");
  request.set_year(2025);
  int pages = 0;
  int entries = 0;
  do {
    v1::GetHistoryResponse page;
    ASSERT_TRUE(audit_->GetHistory(Ctx(kAdminToken).get(), request, &page).ok());
    EXPECT_LT(page.ByteSizeLong(), 2u << 20);
    EXPECT_GE(page.entries_size(), 1);
    entries += page.entries_size();
    ++pages;
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty() && pages < 10);
  EXPECT_EQ(entries, 3);
  EXPECT_GE(pages, 2);
  request.set_page_token("not-a-token");
  v1::GetHistoryResponse page;
  EXPECT_EQ(audit_->GetHistory(Ctx(kAdminToken).get(), request, &page).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  v1::ReadLogRequest read;
  read.set_limit(1000);
  uint64_t seen = 0;
  pages = 0;
  while (seen < Head() && pages < 10) {
    v1::ReadLogResponse log;
    ASSERT_TRUE(audit_->ReadLog(Ctx(kInspectorToken).get(), read, &log).ok());
    EXPECT_LT(log.ByteSizeLong(), 2u << 20);
    ASSERT_GE(log.entries_size(), 1);
    seen = log.entries(log.entries_size() - 1).envelope().position();
    EXPECT_EQ(log.next_position(), seen + 1);
    read.set_from_position(log.next_position());
    ++pages;
  }
  EXPECT_EQ(seen, Head());
  EXPECT_GE(pages, 2);
}

TEST_F(HardenedServerTest, TheAuthConfigRotatesAndRevokesAtTheNextStart) {
  SetUpCell();
  ASSERT_THAT(StopServer(), IsOk());
  constexpr char kNewCellToken[] = "cell-token-ROTATED-0123456789";
  {
    std::ofstream config(dir_ / "auth.json", std::ios::trunc);
    config << R"({"principals":[)"
           << R"({"id":"admin","role":"admin","scope":"","token":")" << kAdminToken << R"("},)"
           << R"({"id":"prov","role":"integration","scope":"","token":")" << kIntegrationToken
           << R"("},)"
           << R"({"id":"cell1","role":"cell_committee","scope":"c1","token":")" << kNewCellToken
           << R"("}]})";
  }
  StartServer();
  EXPECT_EQ(Enroll("m1", kCellToken).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(Enroll("m1", kNewCellToken).ok());
  v1::GetHeadResponse head;
  EXPECT_EQ(audit_->GetHead(Ctx(kInspectorToken).get(), {}, &head).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);  // Removed from the file: revoked.
  v1::ReadLogResponse log;
  ASSERT_TRUE(audit_->ReadLog(Ctx(kIntegrationToken).get(), {}, &log).ok());
  bool rotated = false;
  bool revoked = false;
  for (const v1::LogEntry& entry : log.entries()) {
    if (entry.event().has_principal_token_rotated()) {
      rotated = entry.event().principal_token_rotated().principal_id() == "cell1";
      EXPECT_TRUE(entry.event().principal_token_rotated().token_sha256().empty());
    }
    revoked |= entry.event().principal_revoked().principal_id() == "insp";
  }
  EXPECT_TRUE(rotated);
  EXPECT_TRUE(revoked);
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
