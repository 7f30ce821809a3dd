// A thin client of ratingd's gRPC API for ratingctl: one stub per service, bearer-token
// metadata, a deadline per call, and grpc::Status converted to absl::Status once, here.
#pragma once

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/generic/generic_stub.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "rating/v1/api.grpc.pb.h"

namespace rating::cli {

namespace v1 = ::rating::v1;

// The full name of the unary rpc that takes `payload` and returns a CommandReply
// ("/rating.v1.DecisionService/DecideRatings"), from api.proto's descriptors. INVALID_ARGUMENT
// when no rpc takes it.
absl::StatusOr<std::string> CommandMethod(const google::protobuf::Descriptor* payload);

// The details of a refusal the server sent (grpc-status-details-bin, kept by FromGrpcStatus)
// as lines in Vietnamese: the localized message, the error code, each rule and field
// violation. Empty when `status` carries none.
std::vector<std::string> RefusalDetailsVi(const absl::Status& status);

// Thread-compatible: one caller at a time per Client; the channel may be shared.
class Client {
 public:
  // `channel` must reach a ratingd. Each call fails with DEADLINE_EXCEEDED after `timeout`.
  explicit Client(std::shared_ptr<grpc::ChannelInterface> channel,
                  absl::Duration timeout = absl::Seconds(30));

  // A fresh context carrying `authorization: Bearer token` (none if `token` is empty) and the
  // deadline.
  std::unique_ptr<grpc::ClientContext> NewContext(const std::string& token) const;

  // Sends `command` to the rpc that takes its payload (CommandMethod), as `token`. The
  // server's status otherwise; INVALID_ARGUMENT for an empty command.
  // With `validate_only` the call carries x-validate-only: true (AIP-163): checked whole,
  // nothing written.
  absl::StatusOr<v1::CommandReply> Execute(const v1::Command& command, const std::string& token,
                                           bool validate_only = false);

  // Checks `commands` as a sequence, nothing written: one Import whose every request is
  // validate_only (api.proto: each command over what the ones before it would leave). One
  // result per command (the validate_only reply or the refusal, with its details); the call's
  // own failure otherwise.
  absl::StatusOr<std::vector<absl::StatusOr<v1::CommandReply>>> ValidateSequence(
      const std::vector<v1::Command>& commands, const std::string& token);

  // The query and audit rpcs the runner and the everyday commands read, as `token`. The lists
  // follow every page (api.proto's paging) and return every item, unless the request names a
  // page_token: then that one page.
  absl::StatusOr<v1::RatingView> GetRating(const v1::GetRatingRequest& request,
                                           const std::string& token);
  absl::StatusOr<v1::ListRatingsResponse> ListRatings(const v1::ListRatingsRequest& request,
                                                      const std::string& token);
  absl::StatusOr<v1::TallyMinutes> GetTally(const v1::GetTallyRequest& request,
                                            const std::string& token);
  absl::StatusOr<v1::ListOverridesResponse> ListOverrides(const v1::ListOverridesRequest& request,
                                                          const std::string& token);
  absl::StatusOr<v1::ListBallotSessionsResponse> ListBallotSessions(
      const v1::ListBallotSessionsRequest& request, const std::string& token);
  absl::StatusOr<v1::ListDossiersResponse> ListDossiers(const v1::ListDossiersRequest& request,
                                                        const std::string& token);
  absl::StatusOr<v1::ListRewardsResponse> ListRewards(const v1::ListRewardsRequest& request,
                                                      const std::string& token);
  absl::StatusOr<v1::GetImpactResponse> GetImpact(const v1::GetImpactRequest& request,
                                                  const std::string& token);
  absl::StatusOr<v1::GetHistoryResponse> GetHistory(const v1::GetHistoryRequest& request,
                                                    const std::string& token);
  absl::StatusOr<v1::VerifyChainResponse> VerifyChain(const v1::VerifyChainRequest& request,
                                                      const std::string& token);
  absl::StatusOr<v1::GetHeadResponse> GetHead(const std::string& token);
  absl::StatusOr<v1::CreatePrincipalResponse> CreatePrincipal(
      const v1::CreatePrincipalRequest& request, const std::string& token);
  absl::StatusOr<v1::BackupResponse> Backup(const v1::BackupRequest& request,
                                            const std::string& token);
  absl::StatusOr<v1::ListPrincipalsResponse> ListPrincipals(const std::string& token);

 private:
  absl::Duration timeout_;
  // Commands go through the rpc their payload names (CommandMethod), as generic calls.
  std::unique_ptr<grpc::GenericStub> generic_;
  std::unique_ptr<v1::QueryService::Stub> query_;
  std::unique_ptr<v1::AuditService::Stub> audit_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
  std::unique_ptr<v1::IntegrationService::Stub> integration_;
};

}  // namespace rating::cli
