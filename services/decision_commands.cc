// Commands that decide: a decision document (R-DEC-1..3, R-ORDER, R-QUOTA, R-BAL-5, caps), a
// QĐ 01 re-rating (R-RETRO-2, with the rewards that fall and the reviews it suggests) and a
// reward (R-REW-1). The rules decide; these gather the facts (RatingFacts) and write down what
// the rules found.
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/error_details.h"
#include "common/status_macros.h"
#include "projections/rating_facts.h"
#include "rules/engine.h"
#include "services/internal/commands.h"
#include "services/internal/retro_plans.h"

namespace rating::services::internal {
namespace {

using projections::Overlay;
using projections::RatingFacts;
using rules::Subject;

// FAILED_PRECONDITION for a refused decision or re-rating of `year`: the message names every
// broken rule (DecisionCheck::Summary), the details carry one violation per rule and subject
// (a batch-wide R-QUOTA breach names its scope as "scope/ID").
absl::Status DecisionRefusal(const rules::DecisionCheck& check, int year) {
  std::vector<common::RuleBreach> breaches;
  for (const rules::Violation& v : check.violations) {
    breaches.push_back(common::RuleBreach{
        v.rule_id, v.subject.empty() ? absl::StrCat("scope/", v.scope) : v.subject, v.message});
  }
  return common::RuleRefusal(absl::StatusCode::kFailedPrecondition, check.Summary(), breaches,
                             year);
}

// The rating subjects of a decision document, checked (field names ratings[i]).
absl::StatusOr<std::vector<Subject>> CheckRatings(
    const RatingState& state, const google::protobuf::RepeatedPtrField<v1::SubjectLevel>& ratings) {
  if (ratings.empty()) return Invalid("ratings", "a decision rates at least one subject");
  if (ratings.size() > 10000) return Invalid("ratings", "at most 10000 ratings per decision");
  std::vector<Subject> subjects;
  std::set<std::string> seen;
  for (int i = 0; i < ratings.size(); ++i) {
    const std::string field = absl::StrCat("ratings[", i, "]");
    RATING_ASSIGN_OR_RETURN(Subject subject, CheckSubject(state, field, ratings[i].subject()));
    if (!seen.insert(subject.ToString()).second) {
      return Invalid(field, absl::StrCat(subject.ToString(), " appears twice"));
    }
    RATING_RETURN_IF_ERROR(CheckLevel(absl::StrCat(field, ".level"), ratings[i].level()));
    subjects.push_back(std::move(subject));
  }
  return subjects;
}

// The counts outside `exclude` of every quota scope the items' subjects fall in.
std::map<std::string, rules::QuotaScopeCounts> ScopeCounts(const RatingFacts& facts,
                                                           const std::vector<Subject>& subjects,
                                                           const std::set<std::string>& exclude) {
  std::map<std::string, rules::QuotaScopeCounts> counts;
  for (const Subject& subject : subjects) {
    const rules::QuotaScope scope = rules::QuotaScopeOf(facts.PlacementOf(subject));
    if (counts.count(scope.id) == 0) counts[scope.id] = facts.CountScope(scope, exclude);
  }
  return counts;
}

// What an accepted check forced past, per subject (R-DEC-2: the record of an override).
void AddForced(const rules::DecisionCheck& check,
               google::protobuf::RepeatedPtrField<v1::Breach>* forced) {
  for (const rules::Violation& v : check.violations) {
    v1::Breach* b = forced->Add();
    b->set_rule_id(v.rule_id);
    b->set_subject(v.subject);
    b->set_scope(v.scope);
    b->set_message(v.message);
  }
}

}  // namespace

// ------------------------------------------------------------------ decide

absl::Status AuthorizeDecide(const AuthContext& auth, const v1::Decision& d) {
  if (auth.caller.role() != v1::ROLE_CELL_COMMITTEE &&
      auth.caller.role() != v1::ROLE_GRASSROOTS_COMMITTEE &&
      auth.caller.role() != v1::ROLE_BLOC_COMMITTEE) {
    return Denied(auth.caller, "decide ratings (R-DEC-1)");
  }
  const projections::PeriodInfo* period = auth.state.FindPeriod(d.year());
  if (period == nullptr) return absl::OkStatus();  // NOT_FOUND from the plan.
  const RatingFacts facts(auth.state, *period);
  for (const v1::SubjectLevel& r : d.ratings()) {
    auto subject = rules::ParseSubject(r.subject());
    if (!subject.ok()) continue;  // INVALID_ARGUMENT from the plan.
    const std::string authority = rules::CompetentAuthority(facts.PlacementOf(*subject));
    if (authority != auth.caller.scope()) {
      return Denied(auth.caller,
                    absl::StrCat("decide ", subject->ToString(),
                                 ": R-DEC-1 gives it to the committee of ", authority));
    }
  }
  return absl::OkStatus();
}

namespace {

// The optional number, date and signer of a decision document (QĐ): bounded texts and a
// date YYYY-MM-DD when given. INVALID_ARGUMENT naming the field.
absl::Status CheckDocument(const std::string& number, const std::string& on,
                           const std::string& signer) {
  RATING_RETURN_IF_ERROR(CheckText("decision_no", number, 128));
  if (!on.empty()) RATING_RETURN_IF_ERROR(CheckDate("decided_on", on).status());
  return CheckText("signer", signer, 512);
}

}  // namespace

absl::StatusOr<Plan> PlanDecide(const RatingState& state, const v1::Decision& d) {
  RATING_ASSIGN_OR_RETURN(const projections::PeriodInfo* period, CheckPeriod(state, d.year()));
  RATING_ASSIGN_OR_RETURN(std::vector<Subject> subjects, CheckRatings(state, d.ratings()));
  RATING_RETURN_IF_ERROR(CheckText("override_reason", d.override_reason(), 4096));
  RATING_RETURN_IF_ERROR(CheckDocument(d.decision_no(), d.decided_on(), d.signer()));
  // R-ORDER: within one decision the ceilings and the order read the levels it gives.
  Overlay overlay;
  std::set<std::string> batch;
  for (size_t i = 0; i < subjects.size(); ++i) {
    overlay.decided[subjects[i].ToString()] = d.ratings(static_cast<int>(i)).level();
    batch.insert(subjects[i].ToString());
  }
  const RatingFacts facts(state, *period, &overlay);
  std::vector<rules::DecisionItem> items;
  std::string authority;
  for (size_t i = 0; i < subjects.size(); ++i) {
    items.push_back(facts.DecisionItemFor(subjects[i], d.ratings(static_cast<int>(i)).level()));
    // The event records the authority when the whole document has one (an administrator may
    // record subjects of several authorities at once).
    const std::string a = rules::CompetentAuthority(facts.PlacementOf(subjects[i]));
    authority = i == 0 ? a : (a == authority ? authority : "");
  }
  const rules::DecisionCheck check = rules::CheckDecision(
      items, ScopeCounts(facts, subjects, batch), !d.override_reason().empty(), period->policy);
  if (!check.accepted) return DecisionRefusal(check, d.year());
  Plan plan{StreamForYear(d.year()), {}};
  v1::RatingsDecided* decided = plan.events.emplace_back().mutable_ratings_decided();
  *decided->mutable_decision() = d;
  decided->set_authority(authority);
  for (const std::string& rule : check.overridden_rules) decided->add_overridden_rules(rule);
  if (!check.overridden_rules.empty()) AddForced(check, decided->mutable_forced());
  return plan;
}

// ------------------------------------------------------------------ rerate (QĐ 01)

absl::Status AuthorizeRerate(const AuthContext& auth, const v1::Rerating& r) {
  if (auth.caller.role() != v1::ROLE_CELL_COMMITTEE &&
      auth.caller.role() != v1::ROLE_GRASSROOTS_COMMITTEE &&
      auth.caller.role() != v1::ROLE_BLOC_COMMITTEE) {
    return Denied(auth.caller, "re-rate (R-RETRO-2)");
  }
  const projections::PeriodInfo* period = auth.state.FindPeriod(r.year());
  auto subject = rules::ParseSubject(r.subject());
  if (period == nullptr || !subject.ok()) return absl::OkStatus();  // Refused by the plan.
  const RatingFacts facts(auth.state, *period);
  const std::string authority = rules::RerateAuthority(facts.PlacementOf(*subject));
  if (authority == auth.caller.scope()) return absl::OkStatus();
  return Denied(auth.caller, absl::StrCat("re-rate ", subject->ToString(),
                                          ": R-RETRO-2 gives it to the committee of ", authority));
}

absl::StatusOr<Plan> PlanRerate(const RatingState& state, const v1::Rerating& r) {
  RATING_ASSIGN_OR_RETURN(const projections::PeriodInfo* period, CheckPeriod(state, r.year()));
  RATING_ASSIGN_OR_RETURN(Subject subject, CheckSubject(state, "subject", r.subject()));
  RATING_RETURN_IF_ERROR(CheckLevel("level", r.level()));
  if (r.decision_no().empty() || r.decision_no().size() > 128) {
    return Invalid("decision_no", "the QĐ 01 decision number is required (1..128 bytes)");
  }
  RATING_RETURN_IF_ERROR(CheckText("override_reason", r.override_reason(), 4096));
  RATING_RETURN_IF_ERROR(CheckDocument(r.decision_no(), r.decided_on(), r.signer()));
  const std::string key = subject.ToString();
  const RatingFacts facts(state, *period);
  const std::optional<rules::Level> previous = facts.DecidedLevel(subject);
  if (!previous) {
    const std::string message =
        absl::StrCat(key, " has no decided rating for ", r.year(), " to annul");
    return common::RuleRefusal(absl::StatusCode::kFailedPrecondition,
                               absl::StrCat("R-RETRO-2: ", message), {{"R-RETRO-2", key, message}},
                               r.year());
  }
  // The new level is checked like a decision (R-DEC-2, quota, caps); eligibility, order and
  // the cell's ballot were settled when it was first decided.
  rules::DecisionItem item = facts.DecisionItemFor(subject, r.level());
  item.already_decided = false;
  item.tally_required = false;
  item.undecided_prerequisites.clear();
  item.eligibility = rules::Eligibility{};
  const rules::DecisionCheck check = rules::CheckDecision(
      {item}, ScopeCounts(facts, {subject}, {key}), !r.override_reason().empty(), period->policy);
  if (!check.accepted) return DecisionRefusal(check, r.year());

  Plan plan{StreamForYear(r.year()), {}};
  v1::Rerated* rerated = plan.events.emplace_back().mutable_rerated();
  *rerated->mutable_rerating() = r;
  rerated->set_previous_level(*previous);
  rerated->set_authority(rules::RerateAuthority(facts.PlacementOf(subject)));
  for (const std::string& rule : check.overridden_rules) rerated->add_overridden_rules(rule);
  if (!check.overridden_rules.empty()) AddForced(check, rerated->mutable_forced());
  // R-REW-1: rewards resting on the annulled rating fall unless it stays HTXSNV.
  for (const projections::RewardRecord* reward : state.rewards().OfSubject(key)) {
    if (reward->annulled_position != 0) continue;
    if (!rules::RewardFalls(reward->grant.kind(), reward->grant.year(), r.year(), r.level())) {
      continue;
    }
    v1::RewardAnnulled* a = plan.events.emplace_back().mutable_reward_annulled();
    a->set_subject(key);
    a->set_year(reward->grant.year());
    a->set_kind(reward->grant.kind());
    a->set_rule("R-REW-1");
    a->set_cause_year(r.year());
  }
  // R-RETRO-3: what reads the annulled rating is recomputed with the new level.
  Overlay after;
  after.decided[key] = r.level();
  const RatingFacts facts_after(state, *period, &after);
  const std::vector<std::string> reached =
      rules::AnnulmentReach(facts_after.ReachFactsOf(subject, ""));
  AppendReviewSuggestions(facts_after, reached,
                          absl::StrCat("Hủy kết quả xếp loại năm ", r.year(), " của ", key,
                                       " theo quyết định ", r.decision_no()),
                          plan.events);
  return plan;
}

// ------------------------------------------------------------------ reward

absl::Status AuthorizeReward(const AuthContext& auth, const v1::RewardGrant& g) {
  return RequireCommitteeOver(auth, OrgOfSubject(auth.state, g.subject(), g.year()),
                              DateOfYear(auth.state, g.year()), "grant rewards");
}

absl::StatusOr<Plan> PlanReward(const RatingState& state, const v1::RewardGrant& g) {
  RATING_RETURN_IF_ERROR(CheckPeriod(state, g.year()).status());
  RATING_ASSIGN_OR_RETURN(Subject subject, CheckSubject(state, "subject", g.subject()));
  if (g.kind() == v1::REWARD_KIND_UNSPECIFIED || !v1::RewardKind_IsValid(g.kind())) {
    return Invalid("kind", "yearly or five_years");
  }
  const std::string key = subject.ToString();
  for (const projections::RewardRecord* r : state.rewards().OfSubject(key)) {
    if (r->annulled_position == 0 && r->grant.year() == g.year() && r->grant.kind() == g.kind()) {
      return absl::AlreadyExistsError(
          absl::StrCat("reward for ", key, " in ", g.year(), ": already granted"));
    }
  }
  // R-REW-1 reads each year's decided level and the flag on it.
  std::map<int, rules::YearRating> ratings;
  for (int y = g.year() - 4; y <= g.year(); ++y) {
    const projections::SubjectYear* sy = state.ratings().Find(key, y);
    if (sy == nullptr) continue;
    ratings[y] =
        rules::YearRating{sy->decided(), sy->flag() != nullptr ? sy->flag()->flag.status
                                                               : v1::RATING_STATUS_UNSPECIFIED};
  }
  if (absl::Status refused = rules::CheckReward(g.kind(), g.year(), ratings); !refused.ok()) {
    if (refused.code() != absl::StatusCode::kFailedPrecondition) return refused;
    return common::RuleRefusal(refused.code(), refused.message(),
                               {{"R-REW-1", key, std::string(refused.message())}}, g.year());
  }
  v1::RewardGrant stored = g;
  stored.set_subject(key);
  return OneEvent(StreamForYear(g.year()), &v1::Event::mutable_reward_granted, stored);
}

}  // namespace rating::services::internal
