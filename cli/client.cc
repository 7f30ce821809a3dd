#include "cli/client.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"

namespace rating::cli {
namespace {

// Calls `method` on `stub` with a fresh context and converts the status.
template <typename Stub, typename Request, typename Response>
absl::StatusOr<Response> Call(const Client& client, Stub& stub,
                              grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                                           Response*),
                              const Request& request, const std::string& token) {
  std::unique_ptr<grpc::ClientContext> context = client.NewContext(token);
  Response response;
  grpc::Status status = (stub.*method)(context.get(), request, &response);
  if (!status.ok()) return common::FromGrpcStatus(status);
  return response;
}

}  // namespace

Client::Client(std::shared_ptr<grpc::ChannelInterface> channel, absl::Duration timeout)
    : timeout_(timeout),
      registry_(v1::RegistryService::NewStub(channel)),
      review_(v1::ReviewService::NewStub(channel)),
      decision_(v1::DecisionService::NewStub(channel)),
      query_(v1::QueryService::NewStub(channel)),
      audit_(v1::AuditService::NewStub(channel)),
      admin_(v1::AdminService::NewStub(channel)) {}

std::unique_ptr<grpc::ClientContext> Client::NewContext(const std::string& token) const {
  auto context = std::make_unique<grpc::ClientContext>();
  if (!token.empty()) context->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  context->set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(timeout_));
  return context;
}

absl::StatusOr<v1::CommandReply> Client::Execute(const v1::Command& command,
                                                 const std::string& token) {
  using R = v1::RegistryService::Stub;
  using V = v1::ReviewService::Stub;
  using D = v1::DecisionService::Stub;
  switch (command.command_case()) {
    case v1::Command::kOpenPeriod:
      return Call(*this, *registry_, &R::OpenPeriod, command.open_period(), token);
    case v1::Command::kRegisterOrg:
      return Call(*this, *registry_, &R::RegisterOrg, command.register_org(), token);
    case v1::Command::kRestructureOrg:
      return Call(*this, *registry_, &R::RestructureOrg, command.restructure_org(), token);
    case v1::Command::kEnrollMember:
      return Call(*this, *registry_, &R::EnrollMember, command.enroll_member(), token);
    case v1::Command::kTransferMember:
      return Call(*this, *registry_, &R::TransferMember, command.transfer_member(), token);
    case v1::Command::kSetMemberStatus:
      return Call(*this, *registry_, &R::SetMemberStatus, command.set_member_status(), token);
    case v1::Command::kRecordReviewCompleted:
      return Call(*this, *review_, &V::RecordReviewCompleted, command.record_review_completed(),
                  token);
    case v1::Command::kRecordComments:
      return Call(*this, *review_, &V::RecordComments, command.record_comments(), token);
    case v1::Command::kSubmitSelfAssessment:
      return Call(*this, *review_, &V::SubmitSelfAssessment, command.submit_self_assessment(),
                  token);
    case v1::Command::kSubmitScorecard:
      return Call(*this, *review_, &V::SubmitScorecard, command.submit_scorecard(), token);
    case v1::Command::kSubmitCommitteeAssessment:
      return Call(*this, *review_, &V::SubmitCommitteeAssessment,
                  command.submit_committee_assessment(), token);
    case v1::Command::kRecordExternalRating:
      return Call(*this, *review_, &V::RecordExternalRating, command.record_external_rating(),
                  token);
    case v1::Command::kRecordUnitIncident:
      return Call(*this, *review_, &V::RecordUnitIncident, command.record_unit_incident(), token);
    case v1::Command::kRecordBallots:
      return Call(*this, *review_, &V::RecordBallots, command.record_ballots(), token);
    case v1::Command::kDecideRatings:
      return Call(*this, *decision_, &D::DecideRatings, command.decide_ratings(), token);
    case v1::Command::kRuleDiscipline:
      return Call(*this, *decision_, &D::RuleDiscipline, command.rule_discipline(), token);
    case v1::Command::kRecordConclusion:
      return Call(*this, *review_, &V::RecordConclusion, command.record_conclusion(), token);
    case v1::Command::kRecordConfidenceVote:
      return Call(*this, *review_, &V::RecordConfidenceVote, command.record_confidence_vote(),
                  token);
    case v1::Command::kRerate:
      return Call(*this, *decision_, &D::Rerate, command.rerate(), token);
    case v1::Command::kGrantReward:
      return Call(*this, *decision_, &D::GrantReward, command.grant_reward(), token);
    case v1::Command::kSubmitDossier:
      return Call(*this, *review_, &V::SubmitDossier, command.submit_dossier(), token);
    case v1::Command::COMMAND_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError("empty command");
}

absl::StatusOr<v1::RatingView> Client::GetRating(const v1::GetRatingRequest& request,
                                                 const std::string& token) {
  return Call(*this, *query_, &v1::QueryService::Stub::GetRating, request, token);
}

absl::StatusOr<v1::ListRatingsResponse> Client::ListRatings(const v1::ListRatingsRequest& request,
                                                            const std::string& token) {
  return Call(*this, *query_, &v1::QueryService::Stub::ListRatings, request, token);
}

absl::StatusOr<v1::TallyMinutes> Client::GetTally(const v1::GetTallyRequest& request,
                                                  const std::string& token) {
  return Call(*this, *query_, &v1::QueryService::Stub::GetTally, request, token);
}

absl::StatusOr<v1::ListOverridesResponse> Client::ListOverrides(
    const v1::ListOverridesRequest& request, const std::string& token) {
  return Call(*this, *query_, &v1::QueryService::Stub::ListOverrides, request, token);
}

absl::StatusOr<v1::ListDossiersResponse> Client::ListDossiers(
    const v1::ListDossiersRequest& request, const std::string& token) {
  return Call(*this, *query_, &v1::QueryService::Stub::ListDossiers, request, token);
}

absl::StatusOr<v1::ListRewardsResponse> Client::ListRewards(const v1::ListRewardsRequest& request,
                                                            const std::string& token) {
  return Call(*this, *query_, &v1::QueryService::Stub::ListRewards, request, token);
}

absl::StatusOr<v1::GetHistoryResponse> Client::GetHistory(const v1::GetHistoryRequest& request,
                                                          const std::string& token) {
  return Call(*this, *audit_, &v1::AuditService::Stub::GetHistory, request, token);
}

absl::StatusOr<v1::VerifyChainResponse> Client::VerifyChain(const v1::VerifyChainRequest& request,
                                                            const std::string& token) {
  return Call(*this, *audit_, &v1::AuditService::Stub::VerifyChain, request, token);
}

absl::StatusOr<v1::GetHeadResponse> Client::GetHead(const std::string& token) {
  return Call(*this, *audit_, &v1::AuditService::Stub::GetHead, v1::GetHeadRequest(), token);
}

absl::StatusOr<v1::CreatePrincipalResponse> Client::CreatePrincipal(
    const v1::CreatePrincipalRequest& request, const std::string& token) {
  return Call(*this, *admin_, &v1::AdminService::Stub::CreatePrincipal, request, token);
}

absl::StatusOr<v1::ListPrincipalsResponse> Client::ListPrincipals(const std::string& token) {
  return Call(*this, *admin_, &v1::AdminService::Stub::ListPrincipals, v1::ListPrincipalsRequest(),
              token);
}

}  // namespace rating::cli
