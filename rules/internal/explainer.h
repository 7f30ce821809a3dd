// Internal helpers shared by the ceilings (member_ceiling.cc, org_ceiling.cc,
// committee_ceiling.cc): the explanation under construction and the wording of common
// conditions. Not part of the API.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rules/criteria.h"
#include "rules/internal/finding_util.h"
#include "rules/internal/text_util.h"
#include "rules/types.h"

namespace rating::rules::internal {

// Collects the explanation of one ceiling: failed conditions per level, missing inputs.
class Explainer {
 public:
  // A condition of `level` (decided by `rule_id`) that fails.
  void Fail(Level level, std::string_view rule_id, std::string vi, std::string en) {
    failed_[level].push_back(Finding{std::string(rule_id), false, std::move(vi), std::move(en)});
  }
  // An input the rules needed and did not have (named once).
  void Missing(std::string name) {
    if (missing_set_.insert(name).second) missing_.push_back(std::move(name));
  }
  // The same condition of HTXSNV, HTTNV and HTNV fails (decided by `rule_ids`, in that order):
  // an input all three need is missing.
  void FailEveryLevel(const std::array<std::string_view, 3>& rule_ids, std::string_view vi,
                      std::string_view en);
  bool HasFailures(Level level) const {
    auto it = failed_.find(level);
    return it != failed_.end() && !it->second.empty();
  }
  // The ceiling at `level`: `deciding` (the deciding rule's findings, all holding; the first
  // names `rule_id`), then every failed condition of each higher level, then `trailer`.
  Ceiling Finish(Level level, std::string_view rule_id, std::vector<Finding> deciding,
                 std::vector<Finding> trailer = {});

 private:
  std::map<Level, std::vector<Finding>> failed_;
  std::vector<std::string> missing_;
  std::set<std::string> missing_set_;
};

// "a is at least pct% of b" and "a is more than pct% of b" (RULES.md §2: cross-multiplied).
inline bool AtLeastPct(int64_t a, int64_t b, int pct) { return 100 * a >= pct * b; }
inline bool MorePct(int64_t a, int64_t b, int pct) { return 100 * a > pct * b; }

// A discipline form in running text: "khiển trách" / "reprimand".
std::string FormVi(rating::v1::DisciplineForm form);
std::string FormEn(rating::v1::DisciplineForm form);

// A grade in running text: "Xuất sắc" / "excellent".
std::string GradeVi(Grade grade);
std::string GradeEn(Grade grade);

// The grade of `criterion`, or nullopt when it is not graded.
std::optional<Grade> GradeOf(const std::map<std::string, Grade>& grades,
                             std::string_view criterion);

// Condition "criterion >= needed" of `level`'s rule `rule_id`: in Vietnamese with the
// criterion's name and the grade's name ("Tiêu chí “…” đạt mức Tốt, cần đạt mức Xuất sắc";
// `kind_vi` "Tiêu chí" or "Tiêu chí trọng tâm"), in English with the ids and codes the API uses
// ("task criterion tasks is TOT, needs XS"; `kind_en` "criterion", "task criterion", "key
// criterion"). A missing grade fails and is named as the input "grade:<id>".
void NeedGrade(Explainer& ex, Level level, std::string_view rule_id,
               const std::map<std::string, Grade>& grades, const CriterionInfo& criterion,
               std::string_view kind_vi, std::string_view kind_en, Grade needed);

// "Đạt mọi điều kiện của mức Hoàn thành tốt nhiệm vụ" / "meets every condition of good".
Finding MeetsEveryCondition(std::string_view rule_id, Level level);
// "Không đạt các điều kiện của mức Hoàn thành nhiệm vụ (R-MEM-4)": the KHTNV fallback.
Finding FallsShortOfCompleted(std::string_view rule_id, std::string_view pass_rule);

}  // namespace rating::rules::internal
