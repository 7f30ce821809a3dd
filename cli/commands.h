// The everyday ratingctl commands: read a rating, its history, a tally, verify the chain,
// export ratings as CSV, manage principals. Each talks to ratingd through a Client and
// writes a human-readable report (Vietnamese names, rule ids). Layer: cli.
#pragma once

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "cli/client.h"
#include "rating/v1/api.pb.h"

namespace rating::cli {

// Each command returns the server's error, or OK after writing its report to `out`.
// `token` is the bearer token of the caller.

// `ratingctl rating SUBJECT YEAR`: status, level, ceiling and the explanation.
absl::Status ShowRating(Client& client, const std::string& token, const std::string& subject,
                        int year, std::ostream& out);

// `ratingctl history SUBJECT YEAR`: every event bearing on the rating, oldest first.
absl::Status ShowHistory(Client& client, const std::string& token, const std::string& subject,
                         int year, std::ostream& out);

// `ratingctl tally SESSION`: the tally minutes (biên bản kiểm phiếu).
absl::Status ShowTally(Client& client, const std::string& token, const std::string& session,
                       std::ostream& out);

// `ratingctl verify`: DATA_LOSS when the hash chain does not verify.
absl::Status VerifyChain(Client& client, const std::string& token, std::ostream& out);

// `ratingctl export-csv ORG YEAR`: ListRatings as CSV (header included).
absl::Status ExportCsv(Client& client, const std::string& token, const std::string& org, int year,
                       std::ostream& out);

// `ratingctl principals`.
absl::Status ListPrincipals(Client& client, const std::string& token, std::ostream& out);

// `ratingctl create-principal ID ROLE [SCOPE]`: prints the token the server returns (shown
// only once). INVALID_ARGUMENT for an unknown role name.
absl::Status CreatePrincipal(Client& client, const std::string& token, const std::string& id,
                             const std::string& role, const std::string& scope, std::ostream& out);

// `ratingctl backup DIR`: an online backup of the server's store into DIR on the server's
// machine (AdminService.Backup); prints the directory and the copy's head position and hash.
// A relative DIR is refused by the server (INVALID_ARGUMENT).
absl::Status Backup(Client& client, const std::string& token, const std::string& dir,
                    std::ostream& out);

// The text report of one rating (what ShowRating prints).
std::string FormatRatingView(const v1::RatingView& view);

// The text report of a rating's history (what ShowHistory prints).
std::string FormatHistory(const std::string& subject, int year,
                          const v1::GetHistoryResponse& history);

// The tally minutes as text (what ShowTally prints).
std::string FormatTally(const v1::TallyMinutes& tally);

// The CSV of a ListRatings response: header subject,year,status,level,level_name,ceiling.
std::string RatingsCsv(const v1::ListRatingsResponse& response);

}  // namespace rating::cli
