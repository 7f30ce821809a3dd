// What the forms read from ratingd, through its gRPC API as the caller: every list read to its
// last page, every read at the same `as_of` position. Layer: cli/forms.
#pragma once

#include <grpcpp/channel.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "rating/v1/api.grpc.pb.h"

namespace rating::cli::forms {

namespace v1 = ::rating::v1;

// Thread-compatible. Each call returns the server's status (converted once, here).
class FormReader {
 public:
  // `channel` must reach a ratingd; `token` is the caller's bearer token; `as_of_position`
  // (0 = now) is passed in the AsOf of every read; each call times out after `timeout`.
  FormReader(std::shared_ptr<grpc::ChannelInterface> channel, std::string token,
             uint64_t as_of_position, absl::Duration timeout = absl::Seconds(60));

  uint64_t as_of_position() const { return as_of_.position(); }

  // `org` and every org below it at the year's reference date (org first, then by id).
  absl::StatusOr<std::vector<v1::OrgView>> OrgsUnder(const std::string& org, int year);
  // The members of `org` and every org below it at the year's reference date, by id.
  absl::StatusOr<std::vector<v1::MemberView>> MembersUnder(const std::string& org, int year);
  absl::StatusOr<v1::ListRatingsResponse> Ratings(const std::string& org, int year);
  // The ballot sessions held by `org` in `year`, by log position.
  absl::StatusOr<v1::ListBallotSessionsResponse> Sessions(const std::string& org, int year);
  absl::StatusOr<v1::TallyMinutes> Tally(const std::string& session);
  absl::StatusOr<v1::ListOverridesResponse> Overrides(int year);
  absl::StatusOr<v1::ListDossiersResponse> Dossiers(int year, bool late_only);
  // Every entry of a rating's history (all pages).
  absl::StatusOr<std::vector<v1::HistoryEntry>> History(const std::string& subject, int year);

  // A call's context: the token, the deadline.
  std::unique_ptr<grpc::ClientContext> Context() const;

 private:

  std::string token_;
  absl::Duration timeout_;
  v1::AsOf as_of_;
  std::unique_ptr<v1::QueryService::Stub> query_;
  std::unique_ptr<v1::AuditService::Stub> audit_;
};

}  // namespace rating::cli::forms
