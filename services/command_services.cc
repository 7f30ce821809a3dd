// The three command services (Registry, Review, Decision): every rpc hands its request to the
// command table through RunCommand; they differ only in which rpcs they list (api.proto).
#include "services/internal/grpc_common.h"

namespace rating::services::internal {
namespace {

class RegistryServiceImpl final : public v1::RegistryService::Service {
 public:
  explicit RegistryServiceImpl(Engine& engine) : engine_(engine) {}
  RATING_COMMAND_RPC(OpenPeriod, PeriodSpec)
  RATING_COMMAND_RPC(RegisterOrg, OrgSpec)
  RATING_COMMAND_RPC(RestructureOrg, OrgRestructuring)
  RATING_COMMAND_RPC(EnrollMember, MemberSpec)
  RATING_COMMAND_RPC(TransferMember, MemberTransfer)
  RATING_COMMAND_RPC(SetMemberStatus, MemberStatusChange)
  RATING_COMMAND_RPC(ChangeMemberPosts, MemberPosts)

 private:
  Engine& engine_;
};

class ReviewServiceImpl final : public v1::ReviewService::Service {
 public:
  explicit ReviewServiceImpl(Engine& engine) : engine_(engine) {}
  RATING_COMMAND_RPC(RecordReviewCompleted, ReviewCompletion)
  RATING_COMMAND_RPC(RecordComments, CommentsReceipt)
  RATING_COMMAND_RPC(SubmitSelfAssessment, SelfAssessment)
  RATING_COMMAND_RPC(SubmitScorecard, Scorecard)
  RATING_COMMAND_RPC(SubmitCommitteeAssessment, CommitteeAssessment)
  RATING_COMMAND_RPC(RecordExternalRating, ExternalRating)
  RATING_COMMAND_RPC(RecordUnitIncident, UnitIncident)
  RATING_COMMAND_RPC(RecordConclusion, Conclusion)
  RATING_COMMAND_RPC(RecordConfidenceVote, ConfidenceVote)
  RATING_COMMAND_RPC(SubmitDossier, DossierSubmission)
  RATING_COMMAND_RPC(RecordBallots, BallotSession)

 private:
  Engine& engine_;
};

class DecisionServiceImpl final : public v1::DecisionService::Service {
 public:
  explicit DecisionServiceImpl(Engine& engine) : engine_(engine) {}
  RATING_COMMAND_RPC(DecideRatings, Decision)
  RATING_COMMAND_RPC(RuleDiscipline, DisciplineRuling)
  RATING_COMMAND_RPC(Rerate, Rerating)
  RATING_COMMAND_RPC(GrantReward, RewardGrant)

 private:
  Engine& engine_;
};

}  // namespace

std::unique_ptr<grpc::Service> MakeRegistryService(Engine& engine) {
  return std::make_unique<RegistryServiceImpl>(engine);
}
std::unique_ptr<grpc::Service> MakeReviewService(Engine& engine) {
  return std::make_unique<ReviewServiceImpl>(engine);
}
std::unique_ptr<grpc::Service> MakeDecisionService(Engine& engine) {
  return std::make_unique<DecisionServiceImpl>(engine);
}

}  // namespace rating::services::internal
