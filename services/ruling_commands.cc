// A discipline ruling (R-ATTR-1) and what it reaches in every year its violation touches:
// the subject's own decided ratings (R-RETRO-1: flags that never soften) and the ratings that
// read them (R-RETRO-3). The state is never copied: the ruling and its flags are laid over it.
#include "absl/strings/str_cat.h"
#include "common/names.h"
#include "common/status_macros.h"
#include "projections/discipline_view.h"
#include "projections/rating_facts.h"
#include "rules/engine.h"
#include "services/internal/commands.h"
#include "services/internal/retro_plans.h"

namespace rating::services::internal {
namespace {

using projections::Overlay;
using projections::RatingFacts;
using rules::Subject;

// "Quyết định kỷ luật khiển trách ngày 2025-11-01 về vi phạm từ 2025-04-01 đến 2025-04-30".
std::string RulingText(const v1::DisciplineRuling& r) {
  std::string form(common::NameVi(r.form()));
  if (!form.empty() && form[0] >= 'A' && form[0] <= 'Z') form[0] = static_cast<char>(form[0] + 32);
  std::string out =
      absl::StrCat(r.increases() ? "Quyết định tăng nặng kỷ luật " : "Quyết định kỷ luật ", form,
                   " ngày ", r.decided_on(), " về vi phạm từ ", r.violation_from());
  if (!r.violation_to().empty() && r.violation_to() != r.violation_from()) {
    absl::StrAppend(&out, " đến ", r.violation_to());
  }
  return out;
}

std::string FlagReason(const v1::DisciplineRuling& r, int year, const rules::Flag& flag) {
  if (flag.status == v1::RATING_STATUS_RERATING_REQUIRED) {
    return absl::StrCat(RulingText(r), ": phải xếp loại lại năm ", year,
                        " ở mức Không hoàn thành nhiệm vụ (IV.9)");
  }
  return absl::StrCat(RulingText(r), ", đã tự phát hiện và khắc phục xong hậu quả: cấp ủy cấp ",
                      "trên trực tiếp xem xét xếp loại lại năm ", year, " (IV.9)");
}

// The flags and suggestions of the ruling for one year.
void PlanYear(const RatingState& state, const projections::PeriodInfo& period,
              const Subject& subject, const projections::DisciplineRecord& record,
              std::vector<v1::Event>& events) {
  Overlay with_ruling;
  with_ruling.ruling = record;
  const RatingFacts facts(state, period, &with_ruling);
  const rules::Reach reach = rules::RulingReach(facts.ReachFactsOf(subject, record.attributed_org));
  // R-RETRO-1: the subject's own decided ratings.
  Overlay with_flags = with_ruling;
  for (const std::string& key : reach.ruled) {
    auto rated = rules::ParseSubject(key);
    if (!rated.ok()) continue;
    const std::optional<rules::Level> decided = facts.DecidedLevel(*rated);
    if (!decided) continue;
    const std::optional<rules::Flag> flag =
        rules::FlagForRuling(*decided, facts.FlagOf(*rated), record.ruling.self_remedied(),
                             facts.CeilingOf(*rated).level);
    if (!flag) continue;
    events.push_back(
        FlagEvent(key, period.year, *flag, FlagReason(record.ruling, period.year, *flag)));
    with_flags.flags[key] = *flag;
  }
  // R-RETRO-3: what reads them, with the flags just set in place.
  const RatingFacts flagged(state, period, &with_flags);
  AppendReviewSuggestions(flagged, reach.reviewed,
                          absl::StrCat(RulingText(record.ruling), " đối với ", subject.ToString()),
                          events);
}

}  // namespace

absl::Status AuthorizeDiscipline(const AuthContext& auth, const v1::DisciplineRuling& r) {
  // The subject's current org (rulings may arrive years later, for any year).
  return RequireCommitteeOver(auth, OrgOfSubject(auth.state, r.subject(), 0),
                              projections::kEndOfTime, "rule on discipline");
}

absl::StatusOr<Plan> PlanDiscipline(const RatingState& state, const v1::DisciplineRuling& r) {
  RATING_ASSIGN_OR_RETURN(Subject subject, CheckSubject(state, "subject", r.subject()));
  if (r.form() == v1::DISCIPLINE_FORM_UNSPECIFIED || !v1::DisciplineForm_IsValid(r.form())) {
    return Invalid("form", "reprimand, warning, removal, expulsion or dissolution");
  }
  RATING_ASSIGN_OR_RETURN(rules::Date decided_on, CheckDate("decided_on", r.decided_on()));
  RATING_ASSIGN_OR_RETURN(rules::Date from, CheckDate("violation_from", r.violation_from()));
  rules::Date to = from;
  if (!r.violation_to().empty()) {
    RATING_ASSIGN_OR_RETURN(to, CheckDate("violation_to", r.violation_to()));
  }
  if (to < from) return Invalid("violation_to", "before violation_from");
  if (decided_on < from) return Invalid("decided_on", "before the violation began");
  if (to.year() - from.year() > 50) return Invalid("violation_to", "a period of over 50 years");
  if (!r.at_org().empty()) {
    RATING_RETURN_IF_ERROR(CheckOrg(state, "at_org", r.at_org(), false).status());
  }
  // R-ATTR-1: against the org where the violation happened, for every year it touches.
  std::vector<rules::MembershipSpan> memberships;
  if (subject.IsPerson()) memberships = state.registry().FindMember(subject.id)->memberships;
  projections::DisciplineRecord record;
  record.ruling = r;
  record.attributed_org = rules::AttributedOrg(subject, r.at_org(), memberships, from);
  record.years = rules::YearsTouched(from, to);
  record.fact = projections::DisciplineFactOf(r);

  Plan plan{kDisciplineStream, {}};
  v1::DisciplineRuled* ruled = plan.events.emplace_back().mutable_discipline_ruled();
  *ruled->mutable_ruling() = r;
  ruled->set_attributed_org(record.attributed_org);
  for (int year : record.years) ruled->add_years(year);
  for (int year : record.years) {
    const projections::PeriodInfo* period = state.FindPeriod(year);
    if (period != nullptr) PlanYear(state, *period, subject, record, plan.events);
  }
  return plan;
}

}  // namespace rating::services::internal
