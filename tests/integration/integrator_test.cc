// The integrator's contract through a real ratingd (127.0.0.1:0, its own data dir per test):
// refusals carry google.rpc.Status details (AIP-193), commands validate only (AIP-163), every
// list pages, subscriptions filter, and a server shutting down ends a stream with
// UNAVAILABLE / SERVER_SHUTDOWN.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cli/conformance/server_process.h"
#include "common/crypto.h"
#include "common/error_details.h"
#include "rating/v1/api.grpc.pb.h"
#include "tests/integration/ratingd_fixture.h"
#include "tests/testing/status_matchers.h"

namespace rating {
namespace {

using ::rating::testing::IsOk;

using integration::kAdminToken;
using integration::kIntegrationToken;

class IntegratorTest : public integration::RatingdTest {
 protected:
  void SetUp() override {
    RatingdTest::SetUp();
    StartServer(DataDir());
  }

  // A period 2025, the grassroots cell c1 and members m0..m{members-1}.
  void SetUpCell(int members) {
    v1::CommandReply reply;
    v1::PeriodSpec period;
    period.set_year(2025);
    ASSERT_TRUE(registry_->OpenPeriod(Ctx().get(), period, &reply).ok());
    v1::OrgSpec org;
    org.set_id("c1");
    org.set_kind(v1::ORG_KIND_GRASSROOTS_CELL);
    org.set_parent("bloc");
    org.set_founded_on("2010-01-01");
    ASSERT_TRUE(registry_->RegisterOrg(Ctx().get(), org, &reply).ok());
    for (int i = 0; i < members; ++i) {
      v1::MemberSpec m;
      m.set_id(absl::StrCat("m", i));
      m.set_org("c1");
      m.set_admitted_on("2015-03-01");
      ASSERT_TRUE(registry_->EnrollMember(Ctx().get(), m, &reply).ok());
    }
  }

  uint64_t Head() {
    v1::GetHeadResponse head;
    EXPECT_TRUE(audit_->GetHead(Ctx().get(), {}, &head).ok());
    return head.position();
  }

  static v1::Decision ExcellentM0() {
    v1::Decision d;
    d.set_year(2025);
    v1::SubjectLevel* rating = d.add_ratings();
    rating->set_subject("member/m0");
    rating->set_level(v1::LEVEL_HTXSNV);
    return d;
  }

  static common::ReadableDetails DetailsOf(const grpc::Status& status) {
    google::rpc::Status details;
    EXPECT_TRUE(details.ParseFromString(status.error_details()));
    EXPECT_EQ(details.code(), static_cast<int>(status.error_code()));
    return common::Unpack(details);
  }
};

TEST_F(IntegratorTest, RefusedDecisionCarriesTheRuleInItsDetails) {
  SetUpCell(1);
  v1::CommandReply reply;
  const grpc::Status status = decision_->DecideRatings(Ctx().get(), ExcellentM0(), &reply);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  const common::ReadableDetails details = DetailsOf(status);
  ASSERT_TRUE(details.error_info.has_value());
  // No review yet: R-SUBJ-3 speaks first.
  EXPECT_EQ(details.error_info->reason(), "R-SUBJ-3");
  EXPECT_EQ(details.error_info->domain(), "rating.v1");
  EXPECT_EQ(details.error_info->metadata().at("subject"), "member/m0");
  EXPECT_EQ(details.error_info->metadata().at("year"), "2025");
  ASSERT_TRUE(details.precondition_failure.has_value());
  ASSERT_GE(details.precondition_failure->violations_size(), 1);
  for (const auto& v : details.precondition_failure->violations()) {
    EXPECT_TRUE(absl::StartsWith(v.type(), "R-")) << v.type();
    EXPECT_EQ(v.subject(), "member/m0");
  }
  EXPECT_EQ(details.precondition_failure->violations(0).type(), "R-SUBJ-3");
  ASSERT_TRUE(details.localized_message.has_value());
  EXPECT_EQ(details.localized_message->locale(), "vi-VN");
  // The rule's Vietnamese name, from rules/rule_texts.cc.
  EXPECT_TRUE(absl::StrContains(details.localized_message->message(), "hoàn thành kiểm điểm"))
      << details.localized_message->message();
}

TEST_F(IntegratorTest, InvalidFieldGivesABadRequest) {
  SetUpCell(0);
  v1::MemberSpec m;
  m.set_id("m9");
  m.set_org("c1");
  m.set_admitted_on("not-a-date");
  v1::CommandReply reply;
  const grpc::Status status = registry_->EnrollMember(Ctx().get(), m, &reply);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  const common::ReadableDetails details = DetailsOf(status);
  ASSERT_TRUE(details.bad_request.has_value());
  ASSERT_EQ(details.bad_request->field_violations_size(), 1);
  EXPECT_EQ(details.bad_request->field_violations(0).field(), "admitted_on");
  // The description for developers, its Vietnamese for people.
  EXPECT_EQ(details.bad_request->field_violations(0).description(),
            "'not-a-date' is not a date YYYY-MM-DD");
  EXPECT_EQ(details.bad_request->field_violations(0).localized_message().message(),
            "'not-a-date' không phải ngày dạng YYYY-MM-DD");
  EXPECT_EQ(details.error_info->reason(), "INVALID_ARGUMENT");
  EXPECT_TRUE(details.localized_message.has_value());

  // A refused command of a year names it in its ErrorInfo, whatever refused it.
  v1::ReviewCompletion review;
  review.set_subject("member/m0");
  review.set_year(2031);
  const grpc::Status closed = review_->RecordReviewCompleted(Ctx().get(), review, &reply);
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(DetailsOf(closed).error_info->metadata().at("year"), "2031");
}

TEST_F(IntegratorTest, EveryRefusalCarriesAnErrorInfo) {
  v1::GetRatingRequest request;
  request.set_subject("member/nobody");
  request.set_year(2025);
  v1::RatingView view;
  const grpc::Status missing = query_->GetRating(Ctx().get(), request, &view);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(DetailsOf(missing).error_info->domain(), "rating.v1");
  const grpc::Status unauthenticated =
      query_->GetRating(Ctx("wrong-token-000000").get(), request, &view);
  ASSERT_EQ(unauthenticated.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(DetailsOf(unauthenticated).error_info->reason(), "UNAUTHENTICATED");
}

TEST_F(IntegratorTest, ImportResultCarriesTheRefusalDetails) {
  SetUpCell(1);
  auto ctx = Ctx();
  v1::ImportResponse response;
  auto writer = integration_->Import(ctx.get(), &response);
  v1::ImportRequest request;
  request.set_request_id("6f1c1c8e-5b8a-4c1e-9a7e-0d2b1f7e4a10");
  *request.mutable_command()->mutable_decide_ratings() = ExcellentM0();
  ASSERT_TRUE(writer->Write(request));
  ASSERT_TRUE(writer->WritesDone());
  ASSERT_TRUE(writer->Finish().ok());
  ASSERT_EQ(response.results_size(), 1);
  const v1::ImportResult& result = response.results(0);
  EXPECT_EQ(result.code(), static_cast<int>(grpc::StatusCode::FAILED_PRECONDITION));
  const common::ReadableDetails details = common::Unpack(result.status());
  ASSERT_TRUE(details.error_info.has_value());
  EXPECT_EQ(details.error_info->reason(), "R-SUBJ-3");
  ASSERT_TRUE(details.precondition_failure.has_value());
  EXPECT_EQ(details.precondition_failure->violations(0).subject(), "member/m0");
}

TEST_F(IntegratorTest, ValidateOnlyChecksFullyAndWritesNothing) {
  SetUpCell(1);
  const uint64_t head = Head();
  // An accepted command: the events it would append, nothing written.
  v1::ReviewCompletion review;
  review.set_subject("member/m0");
  review.set_year(2025);
  auto ctx = Ctx();
  ctx->AddMetadata("x-validate-only", "true");
  v1::CommandReply reply;
  ASSERT_TRUE(review_->RecordReviewCompleted(ctx.get(), review, &reply).ok());
  EXPECT_TRUE(reply.validate_only());
  ASSERT_EQ(reply.planned_events_size(), 1);
  EXPECT_TRUE(reply.planned_events(0).has_review_completed());
  EXPECT_EQ(reply.first_position(), 0u);
  EXPECT_EQ(Head(), head);

  // A refused one: the same refusal as a real run.
  auto refused_ctx = Ctx();
  refused_ctx->AddMetadata("x-validate-only", "true");
  const grpc::Status refused = decision_->DecideRatings(refused_ctx.get(), ExcellentM0(), &reply);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(DetailsOf(refused).error_info->reason(), "R-SUBJ-3");

  // Authorization is part of the check: the integration role is read-only.
  auto denied_ctx = Ctx(kIntegrationToken);
  denied_ctx->AddMetadata("x-validate-only", "true");
  EXPECT_EQ(review_->RecordReviewCompleted(denied_ctx.get(), review, &reply).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // A bad value of the header is named.
  auto bad_ctx = Ctx();
  bad_ctx->AddMetadata("x-validate-only", "maybe");
  const grpc::Status bad = review_->RecordReviewCompleted(bad_ctx.get(), review, &reply);
  ASSERT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(DetailsOf(bad).bad_request->field_violations(0).field(), "x-validate-only");

  // Through Import too.
  auto import_ctx = Ctx();
  v1::ImportResponse response;
  auto writer = integration_->Import(import_ctx.get(), &response);
  v1::ImportRequest request;
  request.set_request_id("0a3c7d52-1c55-4f0e-8d0c-9b6b4f3e2a11");
  *request.mutable_command()->mutable_record_review_completed() = review;
  request.set_validate_only(true);
  ASSERT_TRUE(writer->Write(request));
  ASSERT_TRUE(writer->WritesDone());
  ASSERT_TRUE(writer->Finish().ok());
  ASSERT_EQ(response.results_size(), 1);
  EXPECT_TRUE(response.results(0).reply().validate_only());
  EXPECT_EQ(response.results(0).reply().planned_events_size(), 1);
  EXPECT_EQ(Head(), head);

  // Run for real, the same command writes.
  ASSERT_TRUE(review_->RecordReviewCompleted(Ctx().get(), review, &reply).ok());
  EXPECT_FALSE(reply.validate_only());
  EXPECT_EQ(Head(), head + 1);
}

TEST_F(IntegratorTest, ValidateOnlyNamesTheRulesAnOverrideForces) {
  SetUpCell(1);
  v1::CommandReply reply;
  v1::ReviewCompletion review;
  review.set_subject("member/m0");
  review.set_year(2025);
  ASSERT_TRUE(review_->RecordReviewCompleted(Ctx().get(), review, &reply).ok());
  const uint64_t head = Head();
  // No ballot in a grassroots cell (R-BAL-5), forced past with a reason.
  v1::Decision decision = ExcellentM0();
  decision.set_override_reason("test: forced");
  auto ctx = Ctx();
  ctx->AddMetadata("x-validate-only", "1");
  const grpc::Status status = decision_->DecideRatings(ctx.get(), decision, &reply);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_TRUE(reply.validate_only());
  ASSERT_EQ(reply.planned_events_size(), 1);
  ASSERT_TRUE(reply.planned_events(0).has_ratings_decided());
  ASSERT_GE(reply.rule_ids_size(), 1);
  for (const std::string& rule : reply.planned_events(0).ratings_decided().overridden_rules()) {
    EXPECT_NE(std::find(reply.rule_ids().begin(), reply.rule_ids().end(), rule),
              reply.rule_ids().end())
        << rule;
  }
  EXPECT_EQ(Head(), head);
}

TEST_F(IntegratorTest, AllPagesTogetherAreTheWholeList) {
  SetUpCell(7);
  v1::ListRatingsRequest request;
  request.set_org("c1");
  request.set_year(2025);
  request.set_page_size(1000);
  v1::ListRatingsResponse whole;
  ASSERT_TRUE(query_->ListRatings(Ctx().get(), request, &whole).ok());
  ASSERT_GE(whole.ratings_size(), 7);
  EXPECT_TRUE(whole.next_page_token().empty());

  request.set_page_size(3);
  std::vector<std::string> paged;
  int pages = 0;
  std::string first_token;
  do {
    v1::ListRatingsResponse page;
    const grpc::Status status = query_->ListRatings(Ctx().get(), request, &page);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_LE(page.ratings_size(), 3);
    for (const v1::RatingView& v : page.ratings()) paged.push_back(v.subject());
    request.set_page_token(page.next_page_token());
    if (pages == 0) first_token = page.next_page_token();
    ++pages;
  } while (!request.page_token().empty() && pages < 100);
  std::vector<std::string> all;
  for (const v1::RatingView& v : whole.ratings()) all.push_back(v.subject());
  EXPECT_EQ(paged, all);
  EXPECT_EQ(pages, (whole.ratings_size() + 2) / 3);

  // A token of another request (another year) or another list is refused, naming the field.
  request.set_page_token(first_token);
  request.set_year(2026);
  v1::ListRatingsResponse out;
  const grpc::Status other_year = query_->ListRatings(Ctx().get(), request, &out);
  ASSERT_EQ(other_year.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(DetailsOf(other_year).bad_request->field_violations(0).field(), "page_token");
  v1::ListPrincipalsRequest principals;
  principals.set_page_token(first_token);
  v1::ListPrincipalsResponse principals_out;
  EXPECT_EQ(admin_->ListPrincipals(Ctx().get(), principals, &principals_out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  principals.set_page_token("not a token");
  EXPECT_EQ(admin_->ListPrincipals(Ctx().get(), principals, &principals_out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  principals.clear_page_token();
  principals.set_page_size(1001);
  EXPECT_EQ(admin_->ListPrincipals(Ctx().get(), principals, &principals_out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(IntegratorTest, DossierPagesTogetherAreTheWholeList) {
  SetUpCell(0);
  v1::CommandReply reply;
  for (int i = 2; i <= 6; ++i) {
    v1::OrgSpec org;
    org.set_id(absl::StrCat("c", i));
    org.set_kind(v1::ORG_KIND_GRASSROOTS_CELL);
    org.set_parent("bloc");
    org.set_founded_on("2010-01-01");
    ASSERT_TRUE(registry_->RegisterOrg(Ctx().get(), org, &reply).ok());
  }
  for (int i = 1; i <= 6; ++i) {
    v1::DossierSubmission dossier;
    dossier.set_org(absl::StrCat("c", i));
    dossier.set_year(2025);
    dossier.set_on(i % 2 == 0 ? "2025-12-20" : "2025-12-01");
    ASSERT_TRUE(review_->SubmitDossier(Ctx().get(), dossier, &reply).ok());
  }
  v1::ListDossiersRequest request;
  request.set_year(2025);
  v1::ListDossiersResponse whole;
  ASSERT_TRUE(query_->ListDossiers(Ctx().get(), request, &whole).ok());
  ASSERT_EQ(whole.dossiers_size(), 6);
  request.set_page_size(4);
  std::vector<std::string> paged;
  do {
    v1::ListDossiersResponse page;
    ASSERT_TRUE(query_->ListDossiers(Ctx().get(), request, &page).ok());
    for (const v1::DossierView& d : page.dossiers()) paged.push_back(d.org());
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty() && paged.size() < 100);
  std::vector<std::string> all;
  for (const v1::DossierView& d : whole.dossiers()) all.push_back(d.org());
  EXPECT_EQ(paged, all);
  // A filter is part of the request a token belongs to.
  request.set_page_size(1);
  v1::ListDossiersResponse first;
  ASSERT_TRUE(query_->ListDossiers(Ctx().get(), request, &first).ok());
  request.set_page_token(first.next_page_token());
  request.set_late_only(true);
  EXPECT_EQ(query_->ListDossiers(Ctx().get(), request, &first).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(IntegratorTest, PagesReadTheStateOfTheFirstPage) {
  SetUpCell(0);
  v1::ListPrincipalsRequest request;
  request.set_page_size(1);
  v1::ListPrincipalsResponse first;
  ASSERT_TRUE(admin_->ListPrincipals(Ctx().get(), request, &first).ok());
  ASSERT_EQ(first.principals_size(), 1);
  ASSERT_FALSE(first.next_page_token().empty());
  // A principal created between pages is not in this listing (it reads the first page's state).
  v1::CreatePrincipalRequest create;
  create.mutable_principal()->set_id("aaa-new");
  create.mutable_principal()->set_role(v1::ROLE_INSPECTOR);
  v1::CreatePrincipalResponse created;
  ASSERT_TRUE(admin_->CreatePrincipal(Ctx().get(), create, &created).ok());
  std::vector<std::string> ids = {first.principals(0).id()};
  request.set_page_token(first.next_page_token());
  while (!request.page_token().empty()) {
    v1::ListPrincipalsResponse page;
    ASSERT_TRUE(admin_->ListPrincipals(Ctx().get(), request, &page).ok());
    for (const v1::Principal& p : page.principals()) ids.push_back(p.id());
    request.set_page_token(page.next_page_token());
  }
  EXPECT_EQ(std::count(ids.begin(), ids.end(), "aaa-new"), 0);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), "admin"), 1);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), "prov"), 1);
}

// Reads `reader` until a checkpoint at `until` or later; returns the entries read.
std::vector<v1::LogEntry> ReadUntilCheckpoint(grpc::ClientReader<v1::SubscribeResponse>& reader,
                                              uint64_t until, uint64_t* checkpoint) {
  std::vector<v1::LogEntry> entries;
  v1::SubscribeResponse response;
  *checkpoint = 0;
  while (reader.Read(&response)) {
    if (response.has_entry()) entries.push_back(response.entry());
    if (response.item_case() == v1::SubscribeResponse::kCheckpoint) {
      *checkpoint = response.checkpoint();
      if (*checkpoint >= until) break;
    }
  }
  return entries;
}

TEST_F(IntegratorTest, SubscriptionsFilterByKindAndStreamAndCheckpointsPassFilteredEvents) {
  SetUpCell(3);
  const uint64_t head = Head();
  {
    auto ctx = Ctx(kIntegrationToken);
    v1::SubscribeRequest request;
    request.add_event_kinds("member_enrolled");
    auto reader = integration_->Subscribe(ctx.get(), request);
    uint64_t checkpoint = 0;
    const std::vector<v1::LogEntry> entries = ReadUntilCheckpoint(*reader, head, &checkpoint);
    EXPECT_EQ(checkpoint, head);
    ASSERT_EQ(entries.size(), 3u);
    for (const v1::LogEntry& e : entries) EXPECT_TRUE(e.event().has_member_enrolled());
    ctx->TryCancel();
    (void)reader->Finish();
  }
  {
    auto ctx = Ctx(kIntegrationToken);
    v1::SubscribeRequest request;
    request.add_stream_prefixes("principals");
    auto reader = integration_->Subscribe(ctx.get(), request);
    uint64_t checkpoint = 0;
    const std::vector<v1::LogEntry> entries = ReadUntilCheckpoint(*reader, head, &checkpoint);
    EXPECT_EQ(checkpoint, head);
    ASSERT_FALSE(entries.empty());
    for (const v1::LogEntry& e : entries) EXPECT_EQ(e.envelope().stream(), "principals");
    ctx->TryCancel();
    (void)reader->Finish();
  }
  {
    auto ctx = Ctx(kIntegrationToken);
    v1::SubscribeRequest request;
    request.add_event_kinds("no_such_kind");
    auto reader = integration_->Subscribe(ctx.get(), request);
    v1::SubscribeResponse response;
    EXPECT_FALSE(reader->Read(&response));
    const grpc::Status status = reader->Finish();
    ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(DetailsOf(status).bad_request->field_violations(0).field(), "event_kinds[0]");
  }
}

TEST_F(IntegratorTest, ServerShutdownEndsAStreamWithServerShutdown) {
  SetUpCell(0);
  const uint64_t head = Head();
  auto ctx = Ctx(kIntegrationToken);
  auto reader = integration_->Subscribe(ctx.get(), {});
  uint64_t checkpoint = 0;
  ReadUntilCheckpoint(*reader, head, &checkpoint);
  ASSERT_EQ(checkpoint, head);
  // Stop the server while the stream is open; the stream ends first.
  std::thread stopper([this] { EXPECT_THAT(server_->Stop(), IsOk()); });
  v1::SubscribeResponse response;
  while (reader->Read(&response)) {
  }
  const grpc::Status status = reader->Finish();
  stopper.join();
  server_.reset();
  ASSERT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  EXPECT_EQ(DetailsOf(status).error_info->reason(), "SERVER_SHUTDOWN");
}

}  // namespace
}  // namespace rating
