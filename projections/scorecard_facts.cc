#include "projections/scorecard_facts.h"

#include <set>
#include <string>

#include "absl/strings/str_cat.h"

namespace rating::projections {
namespace {

absl::Status Bad(const std::string& field, const std::string& id, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": criterion ", id, ": ", reason));
}

}  // namespace

absl::StatusOr<rules::ScorecardFacts> ScorecardToFacts(const v1::Scorecard& scorecard,
                                                       const rules::Policy& policy) {
  rules::ScorecardFacts out;
  if (scorecard.criteria().empty()) {
    return absl::InvalidArgumentError("criteria: a scorecard needs at least one criterion");
  }
  std::set<std::string> seen;
  for (int i = 0; i < scorecard.criteria_size(); ++i) {
    const v1::ScoreCriterion& c = scorecard.criteria(i);
    const std::string field = absl::StrCat("criteria[", i, "]");
    if (c.id().empty() || c.id().size() > 64) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".id: 1..64 characters"));
    }
    if (!seen.insert(c.id()).second) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".id: duplicate criterion ", c.id()));
    }
    auto max = rules::ParsePoints(c.max());
    if (!max.ok() || *max <= 0) {
      return Bad(field + ".max", c.id(), "standard points must be a decimal > 0");
    }
    rules::ScoreLine line;
    line.id = c.id();
    line.max = *max;
    line.key = c.key();
    for (const auto& [kind, card] : policy.scorecards) {
      for (const rules::TemplateCriterion& t : card.criteria) {
        if (t.id == c.id() && line.name_vi.empty()) line.name_vi = t.name_vi;
      }
    }
    switch (c.award_case()) {
      case v1::ScoreCriterion::kPoints: {
        auto points = rules::ParsePoints(c.points());
        if (!points.ok()) return Bad(field + ".points", c.id(), points.status().message());
        if (*points > *max) {
          return Bad(field + ".points", c.id(), absl::StrCat(c.points(), " exceeds max ", c.max()));
        }
        line.points = *points;
        break;
      }
      case v1::ScoreCriterion::kQuantity: {
        auto points = rules::QuantitativePoints(*max, c.quantity().achieved(), c.quantity().plan());
        if (!points.ok()) return Bad(field + ".quantity", c.id(), points.status().message());
        line.points = *points;
        break;
      }
      default:
        return Bad(field, c.id(), "needs points or achieved/plan");
    }
    if (c.grade() != v1::GRADE_UNSPECIFIED) {
      if (!v1::Grade_IsValid(c.grade())) return Bad(field + ".grade", c.id(), "unknown grade");
      if (!rules::PointsInBand(line.points, line.max, c.grade(), policy)) {
        return Bad(field + ".points", c.id(),
                   absl::StrCat(rules::FormatPoints(line.points), " of ",
                                rules::FormatPoints(line.max), " is outside the band of grade ",
                                std::string(rules::GradeCode(c.grade())), " (C.I.1.4)"));
      }
      line.grade = c.grade();
    }
    out.lines.push_back(std::move(line));
  }
  if (scorecard.has_party_building_pct()) {
    if (scorecard.party_building_pct() < 0 || scorecard.party_building_pct() > 100) {
      return absl::InvalidArgumentError("party_building_pct: must be 0..100");
    }
    out.party_building_pct = scorecard.party_building_pct();
  }
  if (scorecard.has_production_plan_met())
    out.production_plan_met = scorecard.production_plan_met();
  out.force_majeure = scorecard.force_majeure();
  out.exemplary = scorecard.exemplary();
  return out;
}

}  // namespace rating::projections
