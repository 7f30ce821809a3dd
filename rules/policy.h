// Every number and [choice] of RULES.md as data, under a version name (RULES.md §9).
// Layer: rules (pure). A stored period names its version and overrides; replaying it years
// later loads the same policy, so versions are never edited once released: add new ones.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rules/types.h"

namespace rating::rules {

// R-QUOTA's reading of g.
enum class QuotaBase { kGoodOrBetter, kGoodOnly };
// R-BAL-2's denominator N.
enum class BallotDenominator { kValidBallots, kReturnedBallots, kIssuedBallots };

// One line of a scorecard template (C.I.1).
struct TemplateCriterion {
  std::string id;
  std::string name_vi;
  CentiPoints max = 0;
  bool key = false;
  bool quantitative = false;
};

// A scorecard template for one org kind (BIỂU ĐIỂM 01/02/03 or the shipped sample).
struct ScorecardTemplate {
  std::string id;
  std::string name_vi;
  bool sample = false;  // True for the shipped sample built from C.I.1 (not an official card).
  std::vector<TemplateCriterion> criteria;
};

struct Policy {
  std::string version;  // e.g. "hd19-2024"
  // Score thresholds (C.I.2), centi-points.
  CentiPoints score_excellent = 8500;
  CentiPoints score_good = 7000;
  CentiPoints score_pass = 5000;
  // Criterion grade bands, percent of standard points (C.I.1.4).
  int band_xs_pct = 85;
  int band_tot_pct = 70;
  int band_tb_pct = 50;
  // R-QUOTA: excellent <= quota_pct% of g; under quota_min_group subjects, quota_small.
  int quota_pct = 20;
  int quota_min_group = 5;
  int quota_small = 1;
  QuotaBase quota_base = QuotaBase::kGoodOrBetter;
  // R-ORG-4/5 ratios.
  int excellent_good_share_pct = 80;
  int good_good_share_pct = 50;
  // D3: more than this percent disciplined.
  int defect_disciplined_pct = 20;
  // D2 / R-COM-1: fewer than this percent of targets completed.
  int min_targets_pct = 50;
  // R-MEM-1: more than this percent of task targets not completed; low-confidence share.
  int member_failed_targets_pct = 50;
  int low_confidence_pct = 50;
  // R-MEM-2: at least this percent of targets exceeded.
  int exceeded_targets_pct = 50;
  // R-MEM-4: at most this percent of criteria not ensured.
  int not_ensured_pct = 20;
  // R-SUBJ-1 / R-SUBJ-2 / R-SUBJ-4 windows, calendar months.
  int member_admission_months = 6;
  int org_age_months = 6;
  int transfer_comment_months = 6;
  BallotDenominator ballot_denominator = BallotDenominator::kValidBallots;
  // Default reference date (month, day) of year Y; dossier due date (R-DEADLINE).
  int reference_month = 12;
  int reference_day = 15;
  int dossier_due_month = 12;
  int dossier_due_day = 15;
  // Scorecard templates by org kind.
  std::map<rating::v1::OrgKind, ScorecardTemplate> scorecards;
};

// The default policy's version name (the guideline's numbers).
inline constexpr std::string_view kDefaultPolicyVersion = "hd19-2024";

// The policy `version` ("" = default) with `overrides` applied (key, value in text: e.g.
// {"quota_base", "good_only"}, {"score_excellent", "85"}, {"ballot_denominator",
// "returned"}). INVALID_ARGUMENT naming an unknown version, key or bad value.
absl::StatusOr<Policy> LoadPolicy(
    std::string_view version, const std::vector<std::pair<std::string, std::string>>& overrides);

// The known policy versions, and every key LoadPolicy accepts in overrides: each Policy field
// by its snake_case name, plus "scorecard.<org kind>" (e.g. "scorecard.grassroots_cell") whose
// value is a template text in ParseScorecardTemplate's form.
std::vector<std::string> PolicyVersions();
std::vector<std::string> PolicyOverrideKeys();

// Loads a scorecard template from its text form (one criterion a line:
// `id|max|key|quantitative|name`; '#' comments) so a real BIỂU ĐIỂM loads without code.
absl::StatusOr<ScorecardTemplate> ParseScorecardTemplate(std::string_view id,
                                                         std::string_view text);

// Checks a submitted scorecard's lines (id, max, key) against `card`: every template criterion
// exactly once, no other ids, same standard points and key flag. INVALID_ARGUMENT naming the
// criterion otherwise.
absl::Status CheckAgainstTemplate(const ScorecardTemplate& card,
                                  const std::vector<TemplateCriterion>& criteria);

// The grade of awarded `points` out of `max` (C.I.1.4): XS if 100p >= 85max, ...
Grade GradeOfPoints(CentiPoints points, CentiPoints max, const Policy& policy);
// Quantitative points: floor(max * min(achieved, plan) / plan). INVALID_ARGUMENT if
// plan <= 0 or achieved < 0.
absl::StatusOr<CentiPoints> QuantitativePoints(CentiPoints max, int64_t achieved, int64_t plan);
// True if `points` lies in `grade`'s band of `max`.
bool PointsInBand(CentiPoints points, CentiPoints max, Grade grade, const Policy& policy);

}  // namespace rating::rules
