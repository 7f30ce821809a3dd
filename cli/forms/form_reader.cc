#include "cli/forms/form_reader.h"

#include <grpcpp/client_context.h>

#include "common/grpc_status.h"

namespace rating::cli::forms {

FormReader::FormReader(std::shared_ptr<grpc::ChannelInterface> channel, std::string token,
                       uint64_t as_of_position, absl::Duration timeout)
    : token_(std::move(token)),
      timeout_(timeout),
      query_(v1::QueryService::NewStub(channel)),
      audit_(v1::AuditService::NewStub(channel)) {
  as_of_.set_position(as_of_position);
}

std::unique_ptr<grpc::ClientContext> FormReader::Context() const {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (!token_.empty()) ctx->AddMetadata("authorization", "Bearer " + token_);
  ctx->set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
  return ctx;
}

// Every page of a list rpc, its items gathered into the first reply.
template <typename Request, typename Response, typename Items>
absl::StatusOr<Response> AllPages(
    const FormReader& reader,
    grpc::Status (v1::QueryService::Stub::*rpc)(grpc::ClientContext*, const Request&, Response*),
    v1::QueryService::Stub& stub, Request request, Items* (Response::*items)()) {
  request.set_page_size(1000);
  Response whole;
  do {
    Response page;
    grpc::Status status = (stub.*rpc)(reader.Context().get(), request, &page);
    if (!status.ok()) return common::FromGrpcStatus(status);
    for (auto& item : *(page.*items)()) *(whole.*items)()->Add() = std::move(item);
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  return whole;
}

absl::StatusOr<std::vector<v1::OrgView>> FormReader::OrgsUnder(const std::string& org, int year) {
  v1::ListOrgsRequest request;
  request.set_parent(org);
  request.set_subtree(true);
  request.set_include_parent(true);
  request.set_year(year);
  request.set_page_size(1000);
  *request.mutable_as_of() = as_of_;
  std::vector<v1::OrgView> out;
  do {
    v1::ListOrgsResponse response;
    grpc::Status status = query_->ListOrgs(Context().get(), request, &response);
    if (!status.ok()) return common::FromGrpcStatus(status);
    for (v1::OrgView& v : *response.mutable_orgs()) {
      // The org itself first.
      if (v.id() == org) {
        out.insert(out.begin(), std::move(v));
      } else {
        out.push_back(std::move(v));
      }
    }
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  return out;
}

absl::StatusOr<std::vector<v1::MemberView>> FormReader::MembersUnder(const std::string& org,
                                                                     int year) {
  v1::ListMembersRequest request;
  request.set_org(org);
  request.set_subtree(true);
  request.set_year(year);
  request.set_page_size(1000);
  *request.mutable_as_of() = as_of_;
  std::vector<v1::MemberView> out;
  do {
    v1::ListMembersResponse response;
    grpc::Status status = query_->ListMembers(Context().get(), request, &response);
    if (!status.ok()) return common::FromGrpcStatus(status);
    for (v1::MemberView& v : *response.mutable_members()) out.push_back(std::move(v));
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  return out;
}

absl::StatusOr<v1::ListRatingsResponse> FormReader::Ratings(const std::string& org, int year) {
  v1::ListRatingsRequest request;
  request.set_org(org);
  request.set_year(year);
  *request.mutable_as_of() = as_of_;
  return AllPages(*this, &v1::QueryService::Stub::ListRatings, *query_, request,
                  &v1::ListRatingsResponse::mutable_ratings);
}

absl::StatusOr<v1::ListBallotSessionsResponse> FormReader::Sessions(const std::string& org,
                                                                    int year) {
  v1::ListBallotSessionsRequest request;
  request.set_org(org);
  request.set_year(year);
  *request.mutable_as_of() = as_of_;
  return AllPages(*this, &v1::QueryService::Stub::ListBallotSessions, *query_, request,
                  &v1::ListBallotSessionsResponse::mutable_sessions);
}

absl::StatusOr<v1::TallyMinutes> FormReader::Tally(const std::string& session) {
  v1::GetTallyRequest request;
  request.set_session(session);
  *request.mutable_as_of() = as_of_;
  v1::TallyMinutes response;
  grpc::Status status = query_->GetTally(Context().get(), request, &response);
  if (!status.ok()) return common::FromGrpcStatus(status);
  return response;
}

absl::StatusOr<v1::ListOverridesResponse> FormReader::Overrides(int year) {
  v1::ListOverridesRequest request;
  request.set_year(year);
  *request.mutable_as_of() = as_of_;
  return AllPages(*this, &v1::QueryService::Stub::ListOverrides, *query_, request,
                  &v1::ListOverridesResponse::mutable_overrides);
}

absl::StatusOr<v1::ListDossiersResponse> FormReader::Dossiers(int year, bool late_only) {
  v1::ListDossiersRequest request;
  request.set_year(year);
  request.set_late_only(late_only);
  *request.mutable_as_of() = as_of_;
  return AllPages(*this, &v1::QueryService::Stub::ListDossiers, *query_, request,
                  &v1::ListDossiersResponse::mutable_dossiers);
}

absl::StatusOr<std::vector<v1::HistoryEntry>> FormReader::History(const std::string& subject,
                                                                  int year) {
  v1::GetHistoryRequest request;
  request.set_subject(subject);
  request.set_year(year);
  *request.mutable_as_of() = as_of_;
  std::vector<v1::HistoryEntry> out;
  do {
    v1::GetHistoryResponse response;
    grpc::Status status = audit_->GetHistory(Context().get(), request, &response);
    if (!status.ok()) return common::FromGrpcStatus(status);
    for (v1::HistoryEntry& e : *response.mutable_entries()) out.push_back(std::move(e));
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  return out;
}

}  // namespace rating::cli::forms
