#include "cli/client.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/byte_buffer.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/crypto.h"
#include "common/error_details.h"
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

// Calls a paged list `method` until its last page (a request with its own page_token asks
// for that one page only), with the largest page size, and returns every item in one response:
// `items` names the response's repeated field.
template <typename Stub, typename Request, typename Response, typename Items>
absl::StatusOr<Response> CallAllPages(const Client& client, Stub& stub,
                                      grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                                   const Request&, Response*),
                                      const Request& request, const std::string& token,
                                      Items* (Response::*items)()) {
  if (!request.page_token().empty()) return Call(client, stub, method, request, token);
  Request next = request;
  if (next.page_size() == 0) next.set_page_size(1000);
  Response all;
  while (true) {
    absl::StatusOr<Response> page = Call(client, stub, method, next, token);
    if (!page.ok()) return page.status();
    for (auto& item : *((*page).*items)()) *((all.*items)())->Add() = std::move(item);
    if (page->next_page_token().empty()) break;
    next.set_page_token(page->next_page_token());
  }
  return all;
}

}  // namespace

std::vector<std::string> RefusalDetailsVi(const absl::Status& status) {
  std::optional<google::rpc::Status> details = common::AttachedDetails(status);
  if (!details) return {};
  std::vector<std::string> lines;
  for (const std::string& text : common::DescribeVi(*details)) {
    for (absl::string_view line : absl::StrSplit(text, '\n')) lines.emplace_back(line);
  }
  return lines;
}

absl::StatusOr<std::string> CommandMethod(const google::protobuf::Descriptor* payload) {
  const google::protobuf::FileDescriptor* api = v1::Command::descriptor()->file();
  for (int s = 0; s < api->service_count(); ++s) {
    const google::protobuf::ServiceDescriptor* service = api->service(s);
    for (int m = 0; m < service->method_count(); ++m) {
      const google::protobuf::MethodDescriptor* method = service->method(m);
      if (method->input_type() == payload &&
          method->output_type() == v1::CommandReply::descriptor() && !method->client_streaming() &&
          !method->server_streaming()) {
        return absl::StrCat("/", service->full_name(), "/", method->name());
      }
    }
  }
  return absl::InvalidArgumentError(absl::StrCat("command: no rpc takes a ", payload->full_name()));
}

Client::Client(std::shared_ptr<grpc::ChannelInterface> channel, absl::Duration timeout)
    : timeout_(timeout),
      generic_(std::make_unique<grpc::GenericStub>(channel)),
      query_(v1::QueryService::NewStub(channel)),
      audit_(v1::AuditService::NewStub(channel)),
      admin_(v1::AdminService::NewStub(channel)),
      integration_(v1::IntegrationService::NewStub(channel)) {}

std::unique_ptr<grpc::ClientContext> Client::NewContext(const std::string& token) const {
  auto context = std::make_unique<grpc::ClientContext>();
  if (!token.empty()) context->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  context->set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(timeout_));
  return context;
}

absl::StatusOr<std::vector<absl::StatusOr<v1::CommandReply>>> Client::ValidateSequence(
    const std::vector<v1::Command>& commands, const std::string& token) {
  std::unique_ptr<grpc::ClientContext> context = NewContext(token);
  v1::ImportResponse response;
  std::unique_ptr<grpc::ClientWriter<v1::ImportRequest>> writer =
      integration_->Import(context.get(), &response);
  for (size_t i = 0; i < commands.size(); ++i) {
    v1::ImportRequest request;
    request.set_request_id(common::NewUuid());
    *request.mutable_command() = commands[i];
    request.set_validate_only(true);
    if (!writer->Write(request)) break;  // The call ended early: Finish says why.
  }
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  if (!status.ok()) return common::FromGrpcStatus(status);
  if (response.results_size() != static_cast<int>(commands.size())) {
    return absl::InternalError(absl::StrCat("import: ", response.results_size(), " results for ",
                                            commands.size(), " commands"));
  }
  std::vector<absl::StatusOr<v1::CommandReply>> out;
  for (const v1::ImportResult& result : response.results()) {
    if (result.code() == 0) {
      out.push_back(result.reply());
      continue;
    }
    absl::Status refused(static_cast<absl::StatusCode>(result.code()), result.message());
    out.push_back(common::WithDetails(std::move(refused), result.status()));
  }
  return out;
}

absl::StatusOr<v1::CommandReply> Client::Execute(const v1::Command& command,
                                                 const std::string& token, bool validate_only) {
  // The oneof case names the payload; the rpc taking that payload is found in api.proto's
  // descriptors, so a new command needs no change here.
  const google::protobuf::FieldDescriptor* field =
      v1::Command::descriptor()->FindFieldByNumber(command.command_case());
  if (field == nullptr) return absl::InvalidArgumentError("command: empty command");
  absl::StatusOr<std::string> method = CommandMethod(field->message_type());
  if (!method.ok()) return method.status();
  const google::protobuf::Message& payload = command.GetReflection()->GetMessage(command, field);
  grpc::ByteBuffer request;
  bool own_buffer = false;
  grpc::Status serialized = grpc::SerializationTraits<google::protobuf::Message>::Serialize(
      payload, &request, &own_buffer);
  if (!serialized.ok()) return common::FromGrpcStatus(serialized);
  std::unique_ptr<grpc::ClientContext> context = NewContext(token);
  if (validate_only) context->AddMetadata("x-validate-only", "true");
  grpc::CompletionQueue queue;
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> call =
      generic_->PrepareUnaryCall(context.get(), *method, request, &queue);
  call->StartCall();
  grpc::ByteBuffer response;
  grpc::Status status;
  call->Finish(&response, &status, this);
  void* tag = nullptr;
  bool ok = false;
  if (!queue.Next(&tag, &ok) || !ok) {
    return absl::UnavailableError(absl::StrCat(*method, ": the call did not complete"));
  }
  if (!status.ok()) return common::FromGrpcStatus(status);
  v1::CommandReply reply;
  grpc::Status parsed = grpc::SerializationTraits<v1::CommandReply>::Deserialize(&response, &reply);
  if (!parsed.ok()) return common::FromGrpcStatus(parsed);
  return reply;
}

absl::StatusOr<v1::RatingView> Client::GetRating(const v1::GetRatingRequest& request,
                                                 const std::string& token) {
  return Call(*this, *query_, &v1::QueryService::Stub::GetRating, request, token);
}

absl::StatusOr<v1::ListRatingsResponse> Client::ListRatings(const v1::ListRatingsRequest& request,
                                                            const std::string& token) {
  return CallAllPages(*this, *query_, &v1::QueryService::Stub::ListRatings, request, token,
                      &v1::ListRatingsResponse::mutable_ratings);
}

absl::StatusOr<v1::TallyMinutes> Client::GetTally(const v1::GetTallyRequest& request,
                                                  const std::string& token) {
  return Call(*this, *query_, &v1::QueryService::Stub::GetTally, request, token);
}

absl::StatusOr<v1::ListOverridesResponse> Client::ListOverrides(
    const v1::ListOverridesRequest& request, const std::string& token) {
  return CallAllPages(*this, *query_, &v1::QueryService::Stub::ListOverrides, request, token,
                      &v1::ListOverridesResponse::mutable_overrides);
}

absl::StatusOr<v1::ListBallotSessionsResponse> Client::ListBallotSessions(
    const v1::ListBallotSessionsRequest& request, const std::string& token) {
  return CallAllPages(*this, *query_, &v1::QueryService::Stub::ListBallotSessions, request, token,
                      &v1::ListBallotSessionsResponse::mutable_sessions);
}

absl::StatusOr<v1::ListDossiersResponse> Client::ListDossiers(
    const v1::ListDossiersRequest& request, const std::string& token) {
  return CallAllPages(*this, *query_, &v1::QueryService::Stub::ListDossiers, request, token,
                      &v1::ListDossiersResponse::mutable_dossiers);
}

absl::StatusOr<v1::ListRewardsResponse> Client::ListRewards(const v1::ListRewardsRequest& request,
                                                            const std::string& token) {
  return CallAllPages(*this, *query_, &v1::QueryService::Stub::ListRewards, request, token,
                      &v1::ListRewardsResponse::mutable_rewards);
}

absl::StatusOr<v1::GetImpactResponse> Client::GetImpact(const v1::GetImpactRequest& request,
                                                        const std::string& token) {
  return Call(*this, *query_, &v1::QueryService::Stub::GetImpact, request, token);
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

absl::StatusOr<v1::BackupResponse> Client::Backup(const v1::BackupRequest& request,
                                                  const std::string& token) {
  return Call(*this, *admin_, &v1::AdminService::Stub::Backup, request, token);
}

absl::StatusOr<v1::CreatePrincipalResponse> Client::CreatePrincipal(
    const v1::CreatePrincipalRequest& request, const std::string& token) {
  return Call(*this, *admin_, &v1::AdminService::Stub::CreatePrincipal, request, token);
}

absl::StatusOr<v1::ListPrincipalsResponse> Client::ListPrincipals(const std::string& token) {
  return CallAllPages(*this, *admin_, &v1::AdminService::Stub::ListPrincipals,
                      v1::ListPrincipalsRequest(), token,
                      &v1::ListPrincipalsResponse::mutable_principals);
}

}  // namespace rating::cli
