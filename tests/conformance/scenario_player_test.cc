// The scenario player against an in-process fake ratingd on 127.0.0.1:0: it sends each step to
// its rpc with the right token, counts expectations, and explains failures.
#include "cli/conformance/scenario_player.h"

#include <grpcpp/grpcpp.h>

#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "cli/client.h"
#include "cli/conformance/scenario.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace rating::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// What the fake saw: rpc name, bearer token and (for reads) the as_of position.
struct Call {
  std::string rpc;
  std::string token;
  uint64_t as_of = 0;
};

class Recorder {
 public:
  void Record(const std::string& rpc, grpc::ServerContext* context, uint64_t as_of = 0) {
    std::string token;
    auto it = context->client_metadata().find("authorization");
    if (it != context->client_metadata().end()) {
      token = std::string(it->second.data(), it->second.size());
    }
    std::lock_guard<std::mutex> lock(mu_);
    calls_.push_back(Call{rpc, token, as_of});
  }
  uint64_t NextPosition() {
    std::lock_guard<std::mutex> lock(mu_);
    return ++head_;
  }
  uint64_t head() {
    std::lock_guard<std::mutex> lock(mu_);
    return head_;
  }
  std::vector<Call> calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }
  void AddToken(const std::string& id, const std::string& token) {
    std::lock_guard<std::mutex> lock(mu_);
    tokens_[id] = token;
  }
  std::string TokenOf(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    return tokens_[id];
  }

 private:
  std::mutex mu_;
  std::vector<Call> calls_;
  std::map<std::string, std::string> tokens_;
  uint64_t head_ = 0;
};

class FakeRegistry final : public v1::RegistryService::Service {
 public:
  explicit FakeRegistry(Recorder& recorder) : recorder_(recorder) {}
  grpc::Status OpenPeriod(grpc::ServerContext* context, const v1::PeriodSpec* request,
                          v1::CommandReply* reply) override {
    recorder_.Record("OpenPeriod", context);
    if (request->year() == 2025 && opened_2025_) {
      return grpc::Status(grpc::StatusCode::ALREADY_EXISTS, "period 2025: already open");
    }
    if (request->year() == 2025) opened_2025_ = true;
    reply->set_first_position(recorder_.NextPosition());
    reply->set_last_position(reply->first_position());
    return grpc::Status::OK;
  }

 private:
  Recorder& recorder_;
  bool opened_2025_ = false;  // Calls come one at a time from the single-threaded player.
};

class FakeDecision final : public v1::DecisionService::Service {
 public:
  explicit FakeDecision(Recorder& recorder) : recorder_(recorder) {}
  grpc::Status DecideRatings(grpc::ServerContext* context, const v1::Decision* request,
                             v1::CommandReply* reply) override {
    recorder_.Record("DecideRatings", context);
    if (request->override_reason().empty()) {
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          "decision refused: R-QUOTA quota 1 exceeded; R-BAL-5 member/m2");
    }
    reply->set_first_position(recorder_.NextPosition());
    return grpc::Status::OK;
  }

 private:
  Recorder& recorder_;
};

class FakeQuery final : public v1::QueryService::Service {
 public:
  explicit FakeQuery(Recorder& recorder) : recorder_(recorder) {}
  grpc::Status GetRating(grpc::ServerContext* context, const v1::GetRatingRequest* request,
                         v1::RatingView* view) override {
    recorder_.Record("GetRating", context, request->as_of().position());
    view->set_subject(request->subject());
    view->set_year(request->year());
    view->set_status(v1::RATING_STATUS_DECIDED);
    // As of an earlier position the subject stood at HTXSNV; now at HTTNV.
    view->set_level(request->as_of().position() != 0 ? v1::LEVEL_HTXSNV : v1::LEVEL_HTTNV);
    view->set_ceiling(v1::LEVEL_HTTNV);
    view->set_ceiling_rule("R-MEM-3");
    v1::Finding* finding = view->add_explanation();
    finding->set_rule_id("R-MEM-2");
    finding->set_holds(false);
    finding->set_text_vi("nhiệm vụ chưa xuất sắc");
    return grpc::Status::OK;
  }
  grpc::Status GetTally(grpc::ServerContext* context, const v1::GetTallyRequest* request,
                        v1::TallyMinutes* tally) override {
    recorder_.Record("GetTally", context);
    if (request->session() != "s1") {
      return grpc::Status(grpc::StatusCode::NOT_FOUND, "session " + request->session());
    }
    tally->set_session("s1");
    tally->set_valid(8);
    tally->set_invalid(4);
    v1::SubjectTally* m1 = tally->add_subjects();
    m1->set_subject("member/m1");
    m1->set_level(v1::LEVEL_HTXSNV);
    v1::SubjectTally* m2 = tally->add_subjects();
    m2->set_subject("member/m2");
    m2->set_tie_at_quota(true);
    return grpc::Status::OK;
  }
  grpc::Status ListRewards(grpc::ServerContext* context, const v1::ListRewardsRequest* request,
                           v1::ListRewardsResponse* response) override {
    recorder_.Record("ListRewards", context);
    v1::RewardView* reward = response->add_rewards();
    reward->set_subject(request->subject());
    reward->set_year(request->year());
    reward->set_kind(v1::REWARD_KIND_YEARLY);
    reward->set_status("annulled");
    return grpc::Status::OK;
  }
  grpc::Status ListDossiers(grpc::ServerContext* context, const v1::ListDossiersRequest*,
                            v1::ListDossiersResponse* response) override {
    recorder_.Record("ListDossiers", context);
    v1::DossierView* dossier = response->add_dossiers();
    dossier->set_org("c1");
    dossier->set_year(2025);
    dossier->set_late(true);
    return grpc::Status::OK;
  }
  grpc::Status ListOverrides(grpc::ServerContext* context, const v1::ListOverridesRequest*,
                             v1::ListOverridesResponse* response) override {
    recorder_.Record("ListOverrides", context);
    response->add_overrides()->set_subject("member/m1");
    return grpc::Status::OK;
  }

 private:
  Recorder& recorder_;
};

class FakeAudit final : public v1::AuditService::Service {
 public:
  explicit FakeAudit(Recorder& recorder) : recorder_(recorder) {}
  grpc::Status GetHead(grpc::ServerContext* context, const v1::GetHeadRequest*,
                       v1::GetHeadResponse* response) override {
    recorder_.Record("GetHead", context);
    response->set_position(recorder_.head());
    return grpc::Status::OK;
  }
  grpc::Status GetHistory(grpc::ServerContext* context, const v1::GetHistoryRequest*,
                          v1::GetHistoryResponse* response) override {
    recorder_.Record("GetHistory", context);
    v1::HistoryEntry* first = response->add_entries();
    first->set_actor("admin");
    first->set_recorded_at_micros(1);
    v1::HistoryEntry* second = response->add_entries();
    second->set_actor("");  // A system event without an actor.
    second->set_recorded_at_micros(2);
    return grpc::Status::OK;
  }
  grpc::Status VerifyChain(grpc::ServerContext* context, const v1::VerifyChainRequest*,
                           v1::VerifyChainResponse* response) override {
    recorder_.Record("VerifyChain", context);
    response->set_ok(true);
    return grpc::Status::OK;
  }

 private:
  Recorder& recorder_;
};

class FakeAdmin final : public v1::AdminService::Service {
 public:
  explicit FakeAdmin(Recorder& recorder) : recorder_(recorder) {}
  grpc::Status CreatePrincipal(grpc::ServerContext* context,
                               const v1::CreatePrincipalRequest* request,
                               v1::CreatePrincipalResponse* response) override {
    recorder_.Record("CreatePrincipal", context);
    recorder_.AddToken(request->principal().id(), request->token());
    *response->mutable_principal() = request->principal();
    response->set_token(request->token());
    return grpc::Status::OK;
  }

 private:
  Recorder& recorder_;
};

class ScenarioPlayerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    for (grpc::Service* service :
         std::vector<grpc::Service*>{&registry_, &decision_, &query_, &audit_, &admin_}) {
      builder.RegisterService(service);
    }
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    client_ = std::make_unique<Client>(grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                                                           grpc::InsecureChannelCredentials()),
                                       absl::Seconds(10));
  }

  void TearDown() override { server_->Shutdown(); }

  // Parses and plays `json`; the report lands in report_.
  PlayResult Play(const std::string& json) {
    absl::StatusOr<Scenario> scenario = ParseScenario(json);
    EXPECT_TRUE(scenario.ok()) << scenario.status();
    PlayResult result;
    if (!scenario.ok()) return result;
    ScenarioPlayer player(*client_, "admin-token", "case.json", report_);
    EXPECT_TRUE(player.CreatePrincipals(*scenario).ok());
    EXPECT_TRUE(player.Play(*scenario, result).ok());
    return result;
  }

  Recorder recorder_;
  FakeRegistry registry_{recorder_};
  FakeDecision decision_{recorder_};
  FakeQuery query_{recorder_};
  FakeAudit audit_{recorder_};
  FakeAdmin admin_{recorder_};
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<Client> client_;
  std::ostringstream report_;
};

TEST_F(ScenarioPlayerTest, RefusedStepFollowedByItsErrorExpectationPasses) {
  PlayResult result = Play(R"({"steps": [
    {"do": "decide", "year": 2025, "ratings": {"member/m1": "HTXSNV"}},
    {"expect": "error", "code": "FAILED_PRECONDITION", "rules": ["R-QUOTA", "R-BAL-5"]}]})");
  EXPECT_EQ(result.passed, 1);
  EXPECT_EQ(result.failed, 0) << report_.str();
}

TEST_F(ScenarioPlayerTest, ErrorExpectationFailsOnAnotherCodeOrAMissingRule) {
  PlayResult result = Play(R"({"steps": [
    {"do": "decide", "year": 2025, "ratings": {"member/m1": "HTXSNV"}},
    {"expect": "error", "code": "PERMISSION_DENIED"},
    {"do": "decide", "year": 2025, "ratings": {"member/m1": "HTXSNV"}},
    {"expect": "error", "code": "FAILED_PRECONDITION", "rules": ["R-DEC-2", "R-BAL-5"]},
    {"do": "decide", "year": 2025, "ratings": {"member/m1": "HTXSNV"}},
    {"expect": "error", "code": "FAILED_PRECONDITION", "rules": ["R-BAL"]}]})");
  EXPECT_EQ(result.passed, 0);
  EXPECT_EQ(result.failed, 3);
  EXPECT_THAT(report_.str(), HasSubstr("FAIL case.json step 2: expect error PERMISSION_DENIED"));
  EXPECT_THAT(report_.str(), HasSubstr("got: FAILED_PRECONDITION: decision refused"));
  EXPECT_THAT(report_.str(), HasSubstr("does not name: R-DEC-2"));
  EXPECT_THAT(report_.str(), Not(HasSubstr("does not name: R-DEC-2, R-BAL-5")));
  EXPECT_THAT(report_.str(), HasSubstr("does not name: R-BAL\n"));
}

TEST_F(ScenarioPlayerTest, UnexpectedFailureCountsAsAFailedExpectation) {
  PlayResult result = Play(R"({"steps": [
    {"do": "decide", "year": 2025, "ratings": {"member/m1": "HTXSNV"}},
    {"expect": "verify"}]})");
  EXPECT_EQ(result.passed, 1);
  EXPECT_EQ(result.failed, 1);
  EXPECT_THAT(report_.str(), HasSubstr("FAIL case.json step 1: do decide: expected success"));
  EXPECT_THAT(report_.str(), HasSubstr("R-QUOTA quota 1 exceeded"));
}

TEST_F(ScenarioPlayerTest, ErrorExpectationAfterASuccessFails) {
  PlayResult result = Play(R"({"steps": [
    {"do": "open_period", "year": 2025},
    {"expect": "error", "code": "ALREADY_EXISTS"},
    {"do": "open_period", "year": 2025},
    {"expect": "error", "code": "ALREADY_EXISTS"}]})");
  EXPECT_EQ(result.passed, 1);
  EXPECT_EQ(result.failed, 1);
  EXPECT_THAT(report_.str(), HasSubstr("step 2: expect error ALREADY_EXISTS\n    got: step 1 "
                                       "succeeded"));
}

TEST_F(ScenarioPlayerTest, StepsRunWithTheirPrincipalsToken) {
  Play(R"({"principals": {"cell1": {"role": "cell_committee", "scope": "c1"}},
           "steps": [
    {"do": "decide", "as": "cell1", "year": 2025, "ratings": {}, "override_reason": "x"},
    {"do": "open_period", "year": 2025},
    {"expect": "rating", "as": "cell1", "subject": "member/m1", "year": 2025, "level": "HTTNV"}
  ]})");
  const std::string cell_token = recorder_.TokenOf("cell1");
  ASSERT_FALSE(cell_token.empty());
  std::vector<std::string> seen;
  for (const Call& call : recorder_.calls()) seen.push_back(call.rpc + " " + call.token);
  EXPECT_THAT(
      seen, ElementsAre("CreatePrincipal Bearer admin-token", "DecideRatings Bearer " + cell_token,
                        "OpenPeriod Bearer admin-token", "GetRating Bearer " + cell_token));
}

TEST_F(ScenarioPlayerTest, LabelsReadAsOfThePositionAfterTheStep) {
  PlayResult result = Play(R"({"steps": [
    {"do": "open_period", "year": 2025},
    {"do": "open_period", "year": 2026, "label": "second"},
    {"do": "open_period", "year": 2027},
    {"expect": "rating", "subject": "member/m1", "year": 2025, "level": "HTXSNV",
     "as_of": "second"},
    {"expect": "rating", "subject": "member/m1", "year": 2025, "level": "HTTNV"}]})");
  EXPECT_EQ(result.failed, 0) << report_.str();
  EXPECT_EQ(result.passed, 2);
  std::vector<uint64_t> as_of;
  for (const Call& call : recorder_.calls()) {
    if (call.rpc == "GetRating") as_of.push_back(call.as_of);
  }
  EXPECT_THAT(as_of, ElementsAre(2u, 0u));
}

TEST_F(ScenarioPlayerTest, UnknownLabelFailsTheExpectation) {
  PlayResult result = Play(R"({"steps": [
    {"expect": "rating", "subject": "member/m1", "year": 2025, "level": "HTTNV",
     "as_of": "later"},
    {"do": "open_period", "year": 2025, "label": "later"}]})");
  EXPECT_EQ(result.failed, 1);
  EXPECT_THAT(report_.str(), HasSubstr("unknown label \"later\""));
}

TEST_F(ScenarioPlayerTest, RatingFailureShowsTheExplanation) {
  PlayResult result = Play(R"({"steps": [
    {"expect": "rating", "subject": "member/m1", "year": 2025, "level": "HTXSNV"},
    {"expect": "rating", "subject": "member/m1", "year": 2025, "status": "PENDING"}]})");
  EXPECT_EQ(result.failed, 2);
  EXPECT_THAT(report_.str(),
              HasSubstr("FAIL case.json step 1: expect rating member/m1 2025 level HTXSNV"));
  EXPECT_THAT(report_.str(), HasSubstr("got: level HTTNV, status DECIDED"));
  EXPECT_THAT(report_.str(), HasSubstr("R-MEM-2 fails: nhiệm vụ chưa xuất sắc"));
}

TEST_F(ScenarioPlayerTest, CeilingNeedsTheLevelAndEveryRule) {
  PlayResult result = Play(R"({"steps": [
    {"expect": "ceiling", "subject": "member/m1", "year": 2025, "level": "HTTNV",
     "rules": ["R-MEM-3", "R-MEM-2"]},
    {"expect": "ceiling", "subject": "member/m1", "year": 2025, "level": "HTTNV",
     "rules": ["R-MEM-4"]},
    {"expect": "ceiling", "subject": "member/m1", "year": 2025, "level": "HTNV"}]})");
  EXPECT_EQ(result.passed, 1);
  EXPECT_EQ(result.failed, 2);
  EXPECT_THAT(report_.str(), HasSubstr("rules not in the explanation: R-MEM-4"));
}

TEST_F(ScenarioPlayerTest, TallyChecksCountsLevelsAndTies) {
  PlayResult result = Play(R"({"steps": [
    {"expect": "tally", "session": "s1", "valid": 8, "invalid": 4},
    {"expect": "tally", "session": "s1", "subject": "member/m1", "level": "HTXSNV"},
    {"expect": "tally", "session": "s1", "subject": "member/m2", "level": "TIE_AT_QUOTA"},
    {"expect": "tally", "session": "s1", "subject": "member/m2", "level": "HTXSNV"},
    {"expect": "tally", "session": "s1", "subject": "member/m3", "level": "HTNV"},
    {"expect": "tally", "session": "s2", "valid": 1}]})");
  EXPECT_EQ(result.passed, 3);
  EXPECT_EQ(result.failed, 3);
  EXPECT_THAT(report_.str(), HasSubstr("member/m3 not in the tally"));
  EXPECT_THAT(report_.str(), HasSubstr("got: NOT_FOUND: session s2"));
}

TEST_F(ScenarioPlayerTest, RewardLateOverridesHistoryAndVerify) {
  PlayResult result = Play(R"({"steps": [
    {"expect": "reward", "subject": "member/m1", "year": 2025, "kind": "yearly",
     "status": "annulled"},
    {"expect": "reward", "subject": "member/m1", "year": 2025, "kind": "five_years",
     "status": "active"},
    {"expect": "late", "org": "c1", "year": 2025, "value": true},
    {"expect": "late", "org": "c9", "year": 2025, "value": false},
    {"expect": "overrides", "count": 1},
    {"expect": "history", "subject": "member/m1", "year": 2025, "min_events": 1},
    {"expect": "verify"}]})");
  EXPECT_EQ(result.passed, 5);
  EXPECT_EQ(result.failed, 2);
  EXPECT_THAT(report_.str(), HasSubstr("got: no FIVE_YEARS reward"));
  EXPECT_THAT(report_.str(), HasSubstr("got: 2 events, 1 without actor or time"));
}

TEST_F(ScenarioPlayerTest, MalformedStepsFailAndThePlayGoesOn) {
  PlayResult result = Play(R"({"steps": [
    {"do": "open_period"},
    {"do": "fly", "year": 2025},
    {"expect": "error", "code": "INVALID_ARGUMENT"},
    {"expect": "rating", "subject": "member/m1"},
    {"expect": "verify"}]})");
  EXPECT_EQ(result.passed, 1);
  EXPECT_EQ(result.failed, 3);
  EXPECT_THAT(report_.str(), HasSubstr("FAIL case.json step 1: malformed do open_period: field "
                                       "\"year\": missing\n"));
  EXPECT_THAT(report_.str(), HasSubstr("step 3: expect error INVALID_ARGUMENT\n    got: step 2 "
                                       "was never sent"));
  EXPECT_THAT(report_.str(), HasSubstr("step 4: malformed expect rating: field \"year\""));
}

TEST_F(ScenarioPlayerTest, MalformedStepBeforeAnErrorExpectationIsSentForTheServerToRefuse) {
  PlayResult result = Play(R"({"steps": [
    {"do": "decide", "year": 2025, "ratings": {"member/m1": "EXCELLENT"}},
    {"expect": "error", "code": "FAILED_PRECONDITION"}]})");
  EXPECT_EQ(result.passed, 1);
  EXPECT_EQ(result.failed, 0) << report_.str();
  EXPECT_THAT(report_.str(), HasSubstr("NOTE case.json step 1: malformed do decide"));
  std::vector<std::string> rpcs;
  for (const Call& call : recorder_.calls()) rpcs.push_back(call.rpc);
  EXPECT_THAT(rpcs, ElementsAre("DecideRatings"));
}

TEST_F(ScenarioPlayerTest, DeadServerStopsThePlay) {
  absl::StatusOr<Scenario> scenario = ParseScenario(R"({"steps": [
    {"do": "open_period", "year": 2025}, {"expect": "verify"}, {"expect": "verify"}]})");
  ASSERT_TRUE(scenario.ok());
  server_->Shutdown();
  ScenarioPlayer player(*client_, "admin-token", "case.json", report_, [] { return false; });
  PlayResult result;
  absl::Status status = player.Play(*scenario, result);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(status.message()), HasSubstr("step 1"));
  EXPECT_EQ(result.passed + result.failed, 1);
}

}  // namespace
}  // namespace rating::cli
