// A deterministic, realistic synthetic rating history for load tests and demos (`ratingctl
// generate`): a bloc of grassroots committees with subordinate cells and grassroots cells,
// members with posts, transfers, status changes and admissions over several years, and each
// year the whole flow of the guideline (RULES.md): reviews, comments, self-assessments, secret
// ballots, scorecards, committee assessments, external ratings, decisions bottom-up within
// the quotas and caps, rulings in the year and late ones followed by a QĐ 01 re-rating,
// rewards and dossiers. Every command is one the engine accepts, issued by the competent
// principal. Layer: cli (talks to nothing; commands go to a sink).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rating/v1/api.pb.h"

namespace rating::cli {

namespace v1 = ::rating::v1;

// What to generate. The same options always give the same commands, in the same order.
struct HistoryOptions {
  // Members enrolled at the start (the history admits more in later years).
  int members = 1000;
  // Years rated: first_year .. first_year + years - 1.
  int years = 3;
  uint64_t seed = 1;
  int first_year = 2021;
};

// The --size presets: "small" (1k members x 3 years), "province" (30k x 5), "nation-slice"
// (300k x 5), with the default seed and first year. INVALID_ARGUMENT for another name.
absl::StatusOr<HistoryOptions> SizePreset(std::string_view size);

// INVALID_ARGUMENT naming the option when `options` is out of range: members 30..5000000,
// years 1..20, first_year 2000..2099 with the last year (and the epilogue's rulings, dated
// the year after) at most 2100.
absl::Status CheckHistoryOptions(const HistoryOptions& options);

// "members=1000 years=3 seed=1 first_year=2021": the options in one line (import files carry it).
std::string DescribeOptions(const HistoryOptions& options);

// The idempotency key of the `sequence`-th command (0-based) of the history `options`
// describe: a name-based UUID of the options and the sequence number, so that a history imported
// twice is replayed, not doubled.
std::string HistoryRequestId(const HistoryOptions& options, uint64_t sequence);

// What a generated history holds.
struct HistoryStats {
  int64_t commands = 0;
  // Per command kind, by the Command oneof field name ("decide_ratings").
  std::map<std::string, int64_t> by_kind;
  int64_t members_enrolled = 0;  // The initial members and those admitted later.
  int64_t member_ratings = 0;    // member/ subjects decided, over all years.
  int64_t transfers = 0;         // Members moved between cells (dated).
  int64_t rulings_in_year = 0;   // Rulings on a violation of the year being rated.
  int64_t late_rulings = 0;      // Rulings on a decided year, each followed by a QĐ 01.
  int64_t reratings = 0;         // QĐ 01 re-ratings.
};

// Receives each command, in history order, with the principal competent to issue it (role and
// scope as the server's command table requires; the id is derived from them). An
// administrator may play every command instead (IntegrationService.Import runs each as the
// caller). A non-OK status stops the generation, and GenerateHistory returns it.
using CommandSink =
    std::function<absl::Status(const v1::Command& command, const v1::Principal& issuer)>;

// Generates the history of `options` into `sink`, year by year and, within a year, grassroots
// org by grassroots org. Memory is bounded by the model of the registry (tens of bytes per
// member and org) and the plan of one grassroots org: no command is kept once the sink has it.
// Decisions rate at most 1000 subjects each. Returns what was generated; INVALID_ARGUMENT for
// bad options (CheckHistoryOptions); the sink's first error. Not thread-safe per call.
absl::StatusOr<HistoryStats> GenerateHistory(const HistoryOptions& options,
                                             const CommandSink& sink);

}  // namespace rating::cli
