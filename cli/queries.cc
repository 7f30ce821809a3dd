#include "cli/queries.h"

#include <functional>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/commands.h"
#include "cli/names.h"
#include "cli/output.h"
#include "common/status_macros.h"

namespace rating::cli {
namespace {

struct QueryArgs {
  const std::vector<std::string>& args;
  const QueryOptions& options;
};

using QueryFn =
    std::function<absl::Status(Client&, const std::string&, const QueryArgs&, std::ostream&)>;

// One read command: its argument counts, whether it reads a past moment, and how it runs.
struct QuerySpec {
  const char* usage;
  size_t min_args;
  size_t max_args;
  bool reads_as_of;
  const char* summary;
  QueryFn run;
};

absl::StatusOr<int> Year(const std::string& text) {
  int year = 0;
  if (!absl::SimpleAtoi(text, &year)) {
    return absl::InvalidArgumentError(absl::StrCat("YEAR must be a number, got \"", text, "\""));
  }
  return year;
}

template <typename Request>
void SetAsOf(const QueryOptions& options, Request& request) {
  if (options.as_of != 0) request.mutable_as_of()->set_position(options.as_of);
}

std::string LevelOrDash(v1::Level level) {
  return level == v1::LEVEL_UNSPECIFIED ? "—" : LevelCode(level);
}

absl::Status Rating(Client& client, const std::string& token, const QueryArgs& q,
                    std::ostream& out) {
  v1::GetRatingRequest request;
  request.set_subject(q.args[0]);
  RATING_ASSIGN_OR_RETURN(int year, Year(q.args[1]));
  request.set_year(year);
  SetAsOf(q.options, request);
  RATING_ASSIGN_OR_RETURN(v1::RatingView view, client.GetRating(request, token));
  out << (q.options.json ? ToJson(view) : FormatRatingView(view));
  return absl::OkStatus();
}

absl::Status History(Client& client, const std::string& token, const QueryArgs& q,
                     std::ostream& out) {
  v1::GetHistoryRequest request;
  request.set_subject(q.args[0]);
  RATING_ASSIGN_OR_RETURN(int year, Year(q.args[1]));
  request.set_year(year);
  SetAsOf(q.options, request);
  // Every page, gathered into one response.
  v1::GetHistoryResponse all;
  while (true) {
    RATING_ASSIGN_OR_RETURN(v1::GetHistoryResponse page, client.GetHistory(request, token));
    for (auto& entry : *page.mutable_entries()) *all.add_entries() = std::move(entry);
    if (page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  out << (q.options.json ? ToJson(all) : FormatHistory(q.args[0], year, all));
  return absl::OkStatus();
}

absl::Status Tally(Client& client, const std::string& token, const QueryArgs& q,
                   std::ostream& out) {
  v1::GetTallyRequest request;
  request.set_session(q.args[0]);
  SetAsOf(q.options, request);
  RATING_ASSIGN_OR_RETURN(v1::TallyMinutes tally, client.GetTally(request, token));
  out << (q.options.json ? ToJson(tally) : FormatTally(tally));
  return absl::OkStatus();
}

absl::Status ExportCsv(Client& client, const std::string& token, const QueryArgs& q,
                       std::ostream& out) {
  v1::ListRatingsRequest request;
  request.set_org(q.args[0]);
  RATING_ASSIGN_OR_RETURN(int year, Year(q.args[1]));
  request.set_year(year);
  SetAsOf(q.options, request);
  RATING_ASSIGN_OR_RETURN(v1::ListRatingsResponse ratings, client.ListRatings(request, token));
  out << (q.options.json ? ToJson(ratings) : RatingsCsv(ratings));
  return absl::OkStatus();
}

absl::Status Overrides(Client& client, const std::string& token, const QueryArgs& q,
                       std::ostream& out) {
  v1::ListOverridesRequest request;
  if (!q.args.empty()) {
    RATING_ASSIGN_OR_RETURN(int year, Year(q.args[0]));
    request.set_year(year);
  }
  SetAsOf(q.options, request);
  RATING_ASSIGN_OR_RETURN(v1::ListOverridesResponse list, client.ListOverrides(request, token));
  if (q.options.json) {
    out << ToJson(list);
    return absl::OkStatus();
  }
  out << "Quyết định vượt mức: " << list.overrides_size() << "\n";
  for (const v1::OverrideRecord& record : list.overrides()) {
    std::vector<std::string> ratings;
    for (const v1::SubjectLevel& rating : record.ratings()) {
      ratings.push_back(absl::StrCat(rating.subject(), "=", LevelCode(rating.level())));
    }
    if (ratings.empty()) {
      ratings.push_back(absl::StrCat(record.subject(), "=", LevelCode(record.level())));
    }
    out << "#" << record.position() << "  " << record.year() << "  " << record.kind() << "  "
        << (record.actor().empty() ? "(hệ thống)" : record.actor()) << "  "
        << absl::StrJoin(ratings, ", ");
    if (!record.decision_no().empty()) out << "  QĐ " << record.decision_no();
    out << "\n    vượt: " << absl::StrJoin(record.overridden_rules(), ", ")
        << "\n    lý do: " << record.reason() << "\n";
  }
  return absl::OkStatus();
}

absl::Status Dossiers(Client& client, const std::string& token, const QueryArgs& q,
                      std::ostream& out) {
  v1::ListDossiersRequest request;
  if (!q.args.empty()) {
    RATING_ASSIGN_OR_RETURN(int year, Year(q.args[0]));
    request.set_year(year);
  }
  request.set_late_only(q.options.late_only);
  SetAsOf(q.options, request);
  RATING_ASSIGN_OR_RETURN(v1::ListDossiersResponse list, client.ListDossiers(request, token));
  if (q.options.json) {
    out << ToJson(list);
    return absl::OkStatus();
  }
  for (const v1::DossierView& dossier : list.dossiers()) {
    out << dossier.org() << "\t" << dossier.year() << "\tnộp " << dossier.submitted_on() << "\thạn "
        << dossier.due() << (dossier.late() ? "\tMUỘN (R-DEADLINE)" : "\tđúng hạn") << "\n";
  }
  return absl::OkStatus();
}

absl::Status Sessions(Client& client, const std::string& token, const QueryArgs& q,
                      std::ostream& out) {
  v1::ListBallotSessionsRequest request;
  if (!q.args.empty()) request.set_org(q.args[0]);
  if (q.args.size() > 1) {
    RATING_ASSIGN_OR_RETURN(int year, Year(q.args[1]));
    request.set_year(year);
  }
  SetAsOf(q.options, request);
  RATING_ASSIGN_OR_RETURN(v1::ListBallotSessionsResponse list,
                          client.ListBallotSessions(request, token));
  if (q.options.json) {
    out << ToJson(list);
    return absl::OkStatus();
  }
  for (const v1::BallotSessionView& s : list.sessions()) {
    out << s.session() << "\t" << s.org() << "\t" << s.year() << "\t" << s.subjects_size()
        << " đối tượng\tphát ra " << s.issued() << ", thu về " << s.returned() << ", hợp lệ "
        << s.valid() << ", không hợp lệ " << s.invalid()
        << (s.from_totals() ? "\tsố liệu tổng hợp" : "\ttừng phiếu") << "\t#" << s.position()
        << "\n";
  }
  return absl::OkStatus();
}

absl::Status Rewards(Client& client, const std::string& token, const QueryArgs& q,
                     std::ostream& out) {
  v1::ListRewardsRequest request;
  if (!q.args.empty()) request.set_subject(q.args[0]);
  if (q.args.size() > 1) {
    RATING_ASSIGN_OR_RETURN(int year, Year(q.args[1]));
    request.set_year(year);
  }
  SetAsOf(q.options, request);
  RATING_ASSIGN_OR_RETURN(v1::ListRewardsResponse list, client.ListRewards(request, token));
  if (q.options.json) {
    out << ToJson(list);
    return absl::OkStatus();
  }
  for (const v1::RewardView& reward : list.rewards()) {
    out << reward.subject() << "\t" << reward.year() << "\t" << RewardKindCode(reward.kind())
        << "\t" << reward.status() << "\tcấp tại #" << reward.granted_at_position();
    if (reward.annulled_at_position() != 0) {
      out << ", hủy tại #" << reward.annulled_at_position();
    }
    out << "\n";
  }
  return absl::OkStatus();
}

absl::Status Impact(Client& client, const std::string& token, const QueryArgs& q,
                    std::ostream& out) {
  v1::GetImpactRequest request;
  uint64_t position = 0;
  if (!absl::SimpleAtoi(q.args[0], &position) || position == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("POSITION must be a positive number, got \"", q.args[0], "\""));
  }
  request.set_position(position);
  RATING_ASSIGN_OR_RETURN(v1::GetImpactResponse impact, client.GetImpact(request, token));
  if (q.options.json) {
    out << ToJson(impact);
    return absl::OkStatus();
  }
  out << "Ảnh hưởng của sự kiện #" << position << ": " << impact.items_size() << "\n";
  for (const v1::ImpactItem& item : impact.items()) {
    out << "  " << item.subject() << " " << item.year() << ": " << RatingStatusNameVi(item.flag())
        << " (" << RatingStatusCode(item.flag()) << "), mức đề xuất "
        << LevelOrDash(item.proposed_level()) << " [" << absl::StrJoin(item.rules(), ", ") << "]";
    if (!item.reason().empty()) out << " — " << item.reason();
    out << "\n";
  }
  return absl::OkStatus();
}

absl::Status Head(Client& client, const std::string& token, const QueryArgs& q, std::ostream& out) {
  RATING_ASSIGN_OR_RETURN(v1::GetHeadResponse head, client.GetHead(token));
  out << (q.options.json ? ToJson(head) : absl::StrCat(head.position(), " ", head.hash(), "\n"));
  return absl::OkStatus();
}

const std::map<std::string, QuerySpec>& Queries() {
  static const auto* const queries = new std::map<std::string, QuerySpec>{
      {"rating",
       {"SUBJECT YEAR", 2, 2, true, "a rating: status, level, ceiling, explanation", &Rating}},
      {"history", {"SUBJECT YEAR", 2, 2, true, "every event bearing on a rating", &History}},
      {"tally", {"SESSION", 1, 1, true, "the tally minutes of a ballot session", &Tally}},
      {"sessions",
       {"[ORG [YEAR]]", 0, 2, true, "ballot sessions with their counts (papers or totals)",
        &Sessions}},
      {"export-csv", {"ORG YEAR", 2, 2, true, "the ratings of an org and year as CSV", &ExportCsv}},
      {"overrides",
       {"[YEAR]", 0, 1, true, "decisions an override reason forced past broken rules", &Overrides}},
      {"dossiers",
       {"[YEAR] [--late_only]", 0, 1, true, "dossiers and their lateness (R-DEADLINE)", &Dossiers}},
      {"rewards", {"[SUBJECT [YEAR]]", 0, 2, true, "rewards and their status", &Rewards}},
      {"impact",
       {"POSITION", 1, 1, false, "what a ruling or re-rating at POSITION flagged or annulled",
        &Impact}},
      {"head", {"", 0, 0, false, "the log's head: POSITION HASH", &Head}},
  };
  return *queries;
}

}  // namespace

bool IsQueryCommand(const std::string& command) { return Queries().count(command) > 0; }

absl::Status CheckQueryArgs(const std::string& command, const std::vector<std::string>& args,
                            const QueryOptions& options) {
  auto it = Queries().find(command);
  if (it == Queries().end()) {
    return absl::InvalidArgumentError(absl::StrCat("unknown read command \"", command, "\""));
  }
  const QuerySpec& spec = it->second;
  if (args.size() < spec.min_args || args.size() > spec.max_args) {
    return absl::InvalidArgumentError(absl::StrCat(command, " takes ", spec.usage));
  }
  if (options.as_of != 0 && !spec.reads_as_of) {
    return absl::InvalidArgumentError(absl::StrCat(command, " reads only now: no --as_of"));
  }
  if (options.late_only && command != "dossiers") {
    return absl::InvalidArgumentError("--late_only goes with dossiers");
  }
  return absl::OkStatus();
}

absl::Status RunQuery(Client& client, const std::string& token, const std::string& command,
                      const std::vector<std::string>& args, const QueryOptions& options,
                      std::ostream& out) {
  RATING_RETURN_IF_ERROR(CheckQueryArgs(command, args, options));
  return Queries().at(command).run(client, token, QueryArgs{args, options}, out);
}

std::string QueryCommandList() {
  std::string out;
  for (const auto& [name, spec] : Queries()) {
    const std::string left = absl::StrCat(name, " ", spec.usage);
    absl::StrAppend(&out, "  ", left, std::string(left.size() < 27 ? 29 - left.size() - 2 : 2, ' '),
                    spec.summary, spec.reads_as_of ? " [--as_of POSITION]" : "", "\n");
  }
  return out;
}

}  // namespace rating::cli
