#include "cli/conformance/scenario_player.h"

#include <cctype>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/names.h"
#include "common/crypto.h"

namespace rating::cli {
namespace {

std::string StatusLine(const absl::Status& status) {
  return absl::StrCat(absl::StatusCodeToString(status.code()), ": ", status.message());
}

std::string LevelOrNone(v1::Level level) {
  return level == v1::LEVEL_UNSPECIFIED ? "(none)" : LevelCode(level);
}

// "do decide as cell1" / "expect rating member/m1 2025 level HTTNV".
std::string DescribeStep(const Step& step) {
  std::string out;
  if (!step.is_do && step.error.ok()) {
    out = absl::StrCat("expect ", DescribeExpectation(step.expectation));
  } else {
    out = absl::StrCat(step.is_do ? "do " : "expect ", step.kind.empty() ? "?" : step.kind);
  }
  if (!step.as.empty()) absl::StrAppend(&out, " as ", step.as);
  return out;
}

}  // namespace

bool NamesRule(absl::string_view text, absl::string_view rule_id) {
  if (rule_id.empty()) return false;
  for (size_t pos = text.find(rule_id); pos != absl::string_view::npos;
       pos = text.find(rule_id, pos + 1)) {
    const size_t end = pos + rule_id.size();
    const bool ends_id =
        end == text.size() || !(std::isalnum(static_cast<unsigned char>(text[end])) ||
                                text[end] == '-' || text[end] == '_');
    const bool starts_id = pos == 0 || !(std::isalnum(static_cast<unsigned char>(text[pos - 1])) ||
                                         text[pos - 1] == '-' || text[pos - 1] == '_');
    if (starts_id && ends_id) return true;
  }
  return false;
}

std::vector<std::string> DescribeRatingView(const v1::RatingView& view) {
  std::vector<std::string> lines;
  lines.push_back(absl::StrCat(
      "rating ", view.subject(), " ", view.year(), ": status ", RatingStatusCode(view.status()),
      ", level ", LevelOrNone(view.level()), ", ceiling ", LevelOrNone(view.ceiling()),
      view.ceiling_rule().empty() ? "" : " by ", view.ceiling_rule(),
      view.proposed_level() == v1::LEVEL_UNSPECIFIED ? "" : ", proposed ",
      view.proposed_level() == v1::LEVEL_UNSPECIFIED ? "" : LevelCode(view.proposed_level()),
      ", as of position ", view.as_of_position()));
  if (!view.missing_inputs().empty()) {
    lines.push_back(absl::StrCat("missing inputs: ", absl::StrJoin(view.missing_inputs(), ", ")));
  }
  if (!view.override_reason().empty()) {
    lines.push_back(absl::StrCat("override reason: ", view.override_reason()));
  }
  for (const std::string& note : view.notes()) lines.push_back(absl::StrCat("note: ", note));
  if (view.explanation().empty()) lines.push_back("explanation: (none)");
  for (const v1::Finding& finding : view.explanation()) {
    std::string line = absl::StrCat(finding.rule_id(),
                                    finding.holds() ? " holds: " : " fails: ", finding.text_vi());
    if (!finding.text_en().empty()) absl::StrAppend(&line, " / ", finding.text_en());
    lines.push_back(std::move(line));
  }
  return lines;
}

ScenarioPlayer::ScenarioPlayer(Client& client, std::string admin_token, std::string file,
                               std::ostream& out, std::function<bool()> server_alive, bool verbose)
    : client_(client),
      admin_token_(std::move(admin_token)),
      file_(std::move(file)),
      out_(out),
      server_alive_(std::move(server_alive)),
      verbose_(verbose) {}

absl::Status ScenarioPlayer::CreatePrincipals(const Scenario& scenario) {
  for (const ScenarioPrincipal& principal : scenario.principals) {
    v1::CreatePrincipalRequest request;
    request.mutable_principal()->set_id(principal.id);
    request.mutable_principal()->set_role(principal.role);
    request.mutable_principal()->set_scope(principal.scope);
    request.set_token(common::RandomHex(16));
    absl::StatusOr<v1::CreatePrincipalResponse> response =
        client_.CreatePrincipal(request, admin_token_);
    if (!response.ok()) {
      return absl::Status(
          response.status().code(),
          absl::StrCat("creating principal ", principal.id, " (", RoleCode(principal.role), " ",
                       principal.scope, "): ", response.status().message()));
    }
    // The server echoes the token; keep ours if it sends none.
    tokens_[principal.id] = response->token().empty() ? request.token() : response->token();
  }
  return absl::OkStatus();
}

const std::string& ScenarioPlayer::TokenFor(const std::string& as) const {
  if (as.empty()) return admin_token_;
  auto it = tokens_.find(as);
  // ParseScenario rejects unknown principals, and CreatePrincipals made every known one.
  return it == tokens_.end() ? admin_token_ : it->second;
}

bool ScenarioPlayer::ServerDied(const absl::Status& status) {
  if (server_died_) return true;
  if (status.code() != absl::StatusCode::kUnavailable &&
      status.code() != absl::StatusCode::kDeadlineExceeded) {
    return false;
  }
  if (server_alive_ && !server_alive_()) server_died_ = true;
  return server_died_;
}

void ScenarioPlayer::ReportFailure(const Step& step, absl::string_view what, const Check& check) {
  out_ << "FAIL " << file_ << " step " << step.number << ": " << what << "\n";
  if (!check.got.empty()) out_ << "    got: " << check.got << "\n";
  for (const std::string& line : check.details) out_ << "      " << line << "\n";
}

void ScenarioPlayer::RememberLabel(const Step& step) {
  if (step.label.empty()) return;
  absl::StatusOr<v1::GetHeadResponse> head = client_.GetHead(admin_token_);
  if (!head.ok()) {
    ServerDied(head.status());
    out_ << "WARN " << file_ << " step " << step.number << ": label \"" << step.label
         << "\" not recorded: AuditService.GetHead: " << StatusLine(head.status()) << "\n";
    return;
  }
  labels_[step.label] = head->position();
}

absl::Status ScenarioPlayer::Play(const Scenario& scenario, PlayResult& result) {
  const std::vector<Step>& steps = scenario.steps;
  for (size_t i = 0; i < steps.size(); ++i) {
    const Step& step = steps[i];
    const bool next_is_error =
        i + 1 < steps.size() && !steps[i + 1].is_do && steps[i + 1].kind == "error";
    for (const std::string& field : step.unknown_fields) {
      out_ << "WARN " << file_ << " step " << step.number << ": unknown field \"" << field
           << "\" ignored\n";
    }
    if (step.is_do) {
      if (!step.error.ok() && next_is_error && step.sendable) {
        // The scenario expects a refusal: let the server refuse what it is sent, with the
        // unreadable field left unset.
        out_ << "NOTE " << file_ << " step " << step.number << ": malformed " << DescribeStep(step)
             << " (" << step.error.message() << "); sent with that field unset\n";
        absl::StatusOr<v1::CommandReply> reply = client_.Execute(step.command, TokenFor(step.as));
        last_do_ = DoOutcome{step.number, /*sent=*/true, reply.status()};
        if (!reply.ok() && ServerDied(reply.status())) {
          return absl::UnavailableError(absl::StrCat("ratingd died at step ", step.number));
        }
      } else if (!step.error.ok()) {
        last_do_ = DoOutcome{step.number, /*sent=*/false, step.error};
        // With an `error` expectation next, that expectation fails instead (never sent).
        if (!next_is_error) {
          ++result.failed;
          ReportFailure(step,
                        absl::StrCat("malformed ", DescribeStep(step), ": ", step.error.message()),
                        Check{});
        }
      } else {
        absl::StatusOr<v1::CommandReply> reply = client_.Execute(step.command, TokenFor(step.as));
        last_do_ = DoOutcome{step.number, /*sent=*/true, reply.status()};
        if (!reply.ok() && !next_is_error) {
          ++result.failed;
          ReportFailure(step, absl::StrCat(DescribeStep(step), ": expected success"),
                        Check{false, StatusLine(reply.status()), {}});
        } else if (verbose_) {
          out_ << "ok   " << file_ << " step " << step.number << ": " << DescribeStep(step)
               << (reply.ok() ? "" : absl::StrCat(" -> ", StatusLine(reply.status()))) << "\n";
        }
        if (!reply.ok() && ServerDied(reply.status())) {
          return absl::UnavailableError(absl::StrCat("ratingd died at step ", step.number));
        }
      }
    } else if (!step.error.ok()) {
      ++result.failed;
      ReportFailure(step,
                    absl::StrCat("malformed ", DescribeStep(step), ": ", step.error.message()),
                    Check{});
    } else {
      Check check = Evaluate(step);
      if (check.ok) {
        ++result.passed;
        if (verbose_) {
          out_ << "ok   " << file_ << " step " << step.number << ": " << DescribeStep(step) << "\n";
        }
      } else {
        ++result.failed;
        ReportFailure(step, DescribeStep(step), check);
      }
    }
    if (server_died_) {
      return absl::UnavailableError(absl::StrCat("ratingd died at step ", step.number));
    }
    RememberLabel(step);
  }
  return absl::OkStatus();
}

ScenarioPlayer::Check ScenarioPlayer::Evaluate(const Step& step) {
  const Expectation& e = step.expectation;
  const std::string& token = TokenFor(step.as);
  v1::AsOf as_of;
  if (!e.as_of.empty()) {
    auto it = labels_.find(e.as_of);
    if (it == labels_.end()) {
      std::vector<std::string> known;
      for (const auto& [label, position] : labels_) known.push_back(label);
      return Check{
          false,
          absl::StrCat("unknown label \"", e.as_of, "\""),
          {absl::StrCat("labels so far: ", known.empty() ? "(none)" : absl::StrJoin(known, ", "))}};
    }
    as_of.set_position(it->second);
  }
  switch (e.kind) {
    case ExpectKind::kRating:
      return CheckRating(e, token, as_of);
    case ExpectKind::kCeiling:
      return CheckCeiling(e, token, as_of);
    case ExpectKind::kTally:
      return CheckTally(e, token, as_of);
    case ExpectKind::kError:
      return CheckError(e);
    case ExpectKind::kReward:
      return CheckReward(e, token, as_of);
    case ExpectKind::kLate:
      return CheckLate(e, token, as_of);
    case ExpectKind::kOverrides:
      return CheckOverrides(e, token, as_of);
    case ExpectKind::kHistory:
      return CheckHistory(e, token, as_of);
    case ExpectKind::kVerify:
      return CheckVerify(token, as_of);
  }
  return Check{false, "unknown expectation kind", {}};
}

ScenarioPlayer::Check ScenarioPlayer::ReadFailed(const absl::Status& status) {
  ServerDied(status);
  return Check{false, StatusLine(status), {}};
}

absl::StatusOr<v1::RatingView> ScenarioPlayer::GetRating(const Expectation& e,
                                                         const std::string& token,
                                                         const v1::AsOf& as_of) {
  v1::GetRatingRequest request;
  request.set_subject(e.subject);
  request.set_year(e.year);
  *request.mutable_as_of() = as_of;
  return client_.GetRating(request, token);
}

ScenarioPlayer::Check ScenarioPlayer::CheckRating(const Expectation& e, const std::string& token,
                                                  const v1::AsOf& as_of) {
  absl::StatusOr<v1::RatingView> view = GetRating(e, token, as_of);
  if (!view.ok()) return ReadFailed(view.status());
  Check check;
  check.ok = true;
  if (e.level != v1::LEVEL_UNSPECIFIED && view->level() != e.level) check.ok = false;
  if (e.status && view->status() != *e.status) check.ok = false;
  check.got = absl::StrCat("level ", LevelOrNone(view->level()), ", status ",
                           RatingStatusCode(view->status()));
  check.details = DescribeRatingView(*view);
  return check;
}

ScenarioPlayer::Check ScenarioPlayer::CheckCeiling(const Expectation& e, const std::string& token,
                                                   const v1::AsOf& as_of) {
  absl::StatusOr<v1::RatingView> view = GetRating(e, token, as_of);
  if (!view.ok()) return ReadFailed(view.status());
  Check check;
  check.ok = view->ceiling() == e.level;
  std::vector<std::string> missing;
  for (const std::string& rule : e.rules) {
    bool found = view->ceiling_rule() == rule;
    for (const v1::Finding& finding : view->explanation()) found |= finding.rule_id() == rule;
    if (!found) missing.push_back(rule);
  }
  if (!missing.empty()) check.ok = false;
  check.got = absl::StrCat("ceiling ", LevelOrNone(view->ceiling()), " by ",
                           view->ceiling_rule().empty() ? "(no rule)" : view->ceiling_rule());
  if (!missing.empty()) {
    absl::StrAppend(&check.got, "; rules not in the explanation: ", absl::StrJoin(missing, ", "));
  }
  check.details = DescribeRatingView(*view);
  return check;
}

ScenarioPlayer::Check ScenarioPlayer::CheckTally(const Expectation& e, const std::string& token,
                                                 const v1::AsOf& as_of) {
  v1::GetTallyRequest request;
  request.set_session(e.session);
  *request.mutable_as_of() = as_of;
  absl::StatusOr<v1::TallyMinutes> tally = client_.GetTally(request, token);
  if (!tally.ok()) return ReadFailed(tally.status());
  Check check;
  check.ok = true;
  std::vector<std::string> got;
  if (e.valid || e.invalid) {
    if (e.valid && tally->valid() != *e.valid) check.ok = false;
    if (e.invalid && tally->invalid() != *e.invalid) check.ok = false;
    got.push_back(absl::StrCat("valid ", tally->valid(), ", invalid ", tally->invalid()));
  }
  if (!e.tally_subject.empty()) {
    const v1::SubjectTally* row = nullptr;
    for (const v1::SubjectTally& subject : tally->subjects()) {
      if (subject.subject() == e.tally_subject) row = &subject;
    }
    if (row == nullptr) {
      check.ok = false;
      got.push_back(absl::StrCat(e.tally_subject, " not in the tally"));
    } else {
      const bool match =
          e.tie_at_quota ? row->tie_at_quota() : !row->tie_at_quota() && row->level() == e.level;
      if (!match) check.ok = false;
      got.push_back(absl::StrCat(e.tally_subject, " ",
                                 row->tie_at_quota() ? "TIE_AT_QUOTA" : LevelOrNone(row->level())));
    }
  }
  check.got = absl::StrJoin(got, "; ");
  check.details.push_back(absl::StrCat(
      "session ", tally->session(), " org ", tally->org(), " ", tally->year(), ": issued ",
      tally->issued(), ", returned ", tally->returned(), ", valid ", tally->valid(), ", invalid ",
      tally->invalid(), ", quota ", tally->quota(), ", void rows ", tally->void_rows()));
  for (const v1::InvalidBallot& ballot : tally->invalid_ballots()) {
    check.details.push_back(absl::StrCat("invalid ballot ", ballot.serial(), " (", ballot.rule_id(),
                                         "): ", ballot.reason()));
  }
  for (const v1::SubjectTally& row : tally->subjects()) {
    check.details.push_back(absl::StrCat(
        row.subject(), ": HTXSNV ", row.htxsnv(), ", HTTNV ", row.httnv(), ", HTNV ", row.htnv(),
        ", KHTNV ", row.khtnv(), "; majority ", LevelOrNone(row.majority_level()), ", result ",
        row.tie_at_quota() ? "TIE_AT_QUOTA" : LevelOrNone(row.level())));
  }
  return check;
}

ScenarioPlayer::Check ScenarioPlayer::CheckError(const Expectation& e) {
  if (!last_do_) return Check{false, "no `do` step before this expectation", {}};
  const DoOutcome& outcome = *last_do_;
  if (!outcome.sent) {
    return Check{false,
                 absl::StrCat("step ", outcome.step, " was never sent (malformed)"),
                 {std::string(outcome.status.message())}};
  }
  if (outcome.status.ok()) {
    return Check{false, absl::StrCat("step ", outcome.step, " succeeded"), {}};
  }
  Check check;
  check.got = StatusLine(outcome.status);
  check.ok = outcome.status.code() == e.code;
  std::vector<std::string> missing;
  for (const std::string& rule : e.rules) {
    if (!NamesRule(outcome.status.message(), rule)) missing.push_back(rule);
  }
  if (!missing.empty()) {
    check.ok = false;
    check.details.push_back(
        absl::StrCat("the message does not name: ", absl::StrJoin(missing, ", ")));
  }
  return check;
}

ScenarioPlayer::Check ScenarioPlayer::CheckReward(const Expectation& e, const std::string& token,
                                                  const v1::AsOf& as_of) {
  v1::ListRewardsRequest request;
  request.set_subject(e.subject);
  request.set_year(e.year);
  *request.mutable_as_of() = as_of;
  absl::StatusOr<v1::ListRewardsResponse> rewards = client_.ListRewards(request, token);
  if (!rewards.ok()) return ReadFailed(rewards.status());
  // The latest grant of that kind decides (a reward may be granted again after an annulment).
  const v1::RewardView* found = nullptr;
  Check check;
  for (const v1::RewardView& reward : rewards->rewards()) {
    check.details.push_back(absl::StrCat(
        "reward ", reward.subject(), " ", reward.year(), " ", RewardKindCode(reward.kind()), ": ",
        reward.status(), " (granted at ", reward.granted_at_position(),
        reward.annulled_at_position() == 0 ? "" : ", annulled at ",
        reward.annulled_at_position() == 0 ? "" : absl::StrCat(reward.annulled_at_position()),
        ")"));
    if (reward.subject() != e.subject || reward.year() != e.year ||
        reward.kind() != e.reward_kind) {
      continue;
    }
    if (found == nullptr || reward.granted_at_position() >= found->granted_at_position()) {
      found = &reward;
    }
  }
  if (found == nullptr) {
    check.got = absl::StrCat("no ", RewardKindCode(e.reward_kind), " reward");
    return check;
  }
  check.ok = found->status() == e.reward_status;
  check.got = found->status().empty() ? "(empty status)" : found->status();
  return check;
}

ScenarioPlayer::Check ScenarioPlayer::CheckLate(const Expectation& e, const std::string& token,
                                                const v1::AsOf& as_of) {
  v1::ListDossiersRequest request;
  request.set_year(e.year);
  *request.mutable_as_of() = as_of;
  absl::StatusOr<v1::ListDossiersResponse> dossiers = client_.ListDossiers(request, token);
  if (!dossiers.ok()) return ReadFailed(dossiers.status());
  const v1::DossierView* found = nullptr;
  Check check;
  for (const v1::DossierView& dossier : dossiers->dossiers()) {
    if (dossier.org() != e.org || dossier.year() != e.year) continue;
    found = &dossier;  // The last submission listed stands.
    check.details.push_back(absl::StrCat("dossier ", dossier.org(), " ", dossier.year(),
                                         ": submitted ", dossier.submitted_on(), ", due ",
                                         dossier.due(), dossier.late() ? ", late" : ", on time"));
  }
  const bool late = found != nullptr && found->late();
  check.ok = late == e.late;
  check.got = found == nullptr ? "no dossier (not late)" : (late ? "late" : "not late");
  return check;
}

ScenarioPlayer::Check ScenarioPlayer::CheckOverrides(const Expectation& e, const std::string& token,
                                                     const v1::AsOf& as_of) {
  v1::ListOverridesRequest request;
  *request.mutable_as_of() = as_of;
  absl::StatusOr<v1::ListOverridesResponse> overrides = client_.ListOverrides(request, token);
  if (!overrides.ok()) return ReadFailed(overrides.status());
  Check check;
  check.ok = overrides->overrides_size() == e.count;
  check.got = absl::StrCat(overrides->overrides_size(), " overrides");
  for (const v1::OverrideRecord& record : overrides->overrides()) {
    check.details.push_back(absl::StrCat(record.subject(), " ", record.year(), " ",
                                         LevelOrNone(record.level()), " past [",
                                         absl::StrJoin(record.overridden_rules(), ", "), "] by ",
                                         record.actor(), ": ", record.reason()));
  }
  return check;
}

ScenarioPlayer::Check ScenarioPlayer::CheckHistory(const Expectation& e, const std::string& token,
                                                   const v1::AsOf& as_of) {
  v1::GetHistoryRequest request;
  request.set_subject(e.subject);
  request.set_year(e.year);
  *request.mutable_as_of() = as_of;
  absl::StatusOr<v1::GetHistoryResponse> history = client_.GetHistory(request, token);
  if (!history.ok()) return ReadFailed(history.status());
  Check check;
  int incomplete = 0;
  for (const v1::HistoryEntry& entry : history->entries()) {
    const bool complete = !entry.actor().empty() && entry.recorded_at_micros() != 0;
    if (!complete) ++incomplete;
    check.details.push_back(absl::StrCat("#", entry.position(), " ", entry.kind(), " by ",
                                         entry.actor().empty() ? "(no actor)" : entry.actor(),
                                         entry.recorded_at_micros() == 0 ? " (no time)" : "",
                                         entry.summary().empty() ? "" : ": ", entry.summary()));
  }
  check.ok = history->entries_size() >= e.min_events && incomplete == 0;
  check.got = absl::StrCat(history->entries_size(), " events");
  if (incomplete > 0) absl::StrAppend(&check.got, ", ", incomplete, " without actor or time");
  return check;
}

ScenarioPlayer::Check ScenarioPlayer::CheckVerify(const std::string& token, const v1::AsOf& as_of) {
  v1::VerifyChainRequest request;
  request.set_to_position(as_of.position());
  absl::StatusOr<v1::VerifyChainResponse> verify = client_.VerifyChain(request, token);
  if (!verify.ok()) return ReadFailed(verify.status());
  Check check;
  check.ok = verify->ok();
  check.got = verify->ok() ? absl::StrCat("ok, ", verify->checked(), " events checked")
                           : absl::StrCat("broken at position ", verify->first_bad_position());
  if (!verify->message().empty()) check.details.push_back(verify->message());
  return check;
}

}  // namespace rating::cli
