#include "projections/period_view.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace rating::projections {

const PeriodInfo* PeriodView::Find(int year) const {
  auto it = periods_.find(year);
  return it == periods_.end() ? nullptr : &it->second;
}

absl::Status PeriodView::OnPeriodOpened(const v1::PeriodSpec& spec, uint64_t position) {
  std::vector<std::pair<std::string, std::string>> overrides;
  for (const auto& o : spec.policy_overrides()) overrides.emplace_back(o.key(), o.value());
  absl::StatusOr<rules::Policy> policy = rules::LoadPolicy(spec.policy_version(), overrides);
  if (!policy.ok()) {
    return absl::InternalError(
        absl::StrCat("position ", position, ": ", policy.status().message()));
  }
  PeriodInfo info;
  info.spec = spec;
  info.year = spec.year();
  info.policy = *std::move(policy);
  info.reference_date =
      rules::Date(spec.year(), info.policy.reference_month, info.policy.reference_day);
  if (auto ref = rules::ParseDate(spec.reference_date()); ref.ok()) info.reference_date = *ref;
  info.position = position;
  periods_[spec.year()] = std::move(info);
  return absl::OkStatus();
}

namespace {

// Every number and choice of a policy, so that a change to a released version shows in a
// replay's dump.
std::string PolicyDump(const rules::Policy& p) {
  std::string out = absl::StrCat(
      p.version, " scores ", p.score_excellent, "/", p.score_good, "/", p.score_pass, " bands ",
      p.band_xs_pct, "/", p.band_tot_pct, "/", p.band_tb_pct, " quota ", p.quota_pct, "/",
      p.quota_min_group, "/", p.quota_small, "/", static_cast<int>(p.quota_base), " shares ",
      p.excellent_good_share_pct, "/", p.good_good_share_pct, "/", p.defect_disciplined_pct,
      " targets ", p.min_targets_pct, "/", p.member_failed_targets_pct, "/", p.low_confidence_pct,
      "/", p.exceeded_targets_pct, "/", p.not_ensured_pct, " months ", p.member_admission_months,
      "/", p.org_age_months, "/", p.transfer_comment_months, " denominator ",
      static_cast<int>(p.ballot_denominator), " ref ", p.reference_month, "-", p.reference_day,
      " due ", p.dossier_due_month, "-", p.dossier_due_day);
  for (const auto& [kind, card] : p.scorecards) {
    absl::StrAppend(&out, " card ", static_cast<int>(kind), "=", card.id, ":");
    for (const auto& c : card.criteria) {
      absl::StrAppend(&out, c.id, "/", c.max, "/", c.key, "/", c.quantitative, ",");
    }
  }
  return out;
}

}  // namespace

std::string PeriodView::Dump() const {
  std::string out;
  for (const auto& [year, p] : periods_) {
    absl::StrAppend(&out, "period ", year, " ref ", rules::FormatDate(p.reference_date), " @",
                    p.position, " policy ", PolicyDump(p.policy), "\n");
  }
  return out;
}

}  // namespace rating::projections
