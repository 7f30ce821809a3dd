#include "rules/internal/explainer.h"

#include "common/names.h"

namespace rating::rules::internal {
namespace {

// Lower-cases the first letter when it is ASCII ("Khiển trách" -> "khiển trách"); the display
// names start with a capital for headings, running text wants it small.
std::string LowerFirst(std::string_view text) {
  std::string out(text);
  if (!out.empty() && out[0] >= 'A' && out[0] <= 'Z')
    out[0] = static_cast<char>(out[0] - 'A' + 'a');
  return out;
}

}  // namespace

void Explainer::FailEveryLevel(const std::array<std::string_view, 3>& rule_ids, std::string_view vi,
                               std::string_view en) {
  const Level levels[] = {rating::v1::LEVEL_HTXSNV, rating::v1::LEVEL_HTTNV,
                          rating::v1::LEVEL_HTNV};
  for (size_t i = 0; i < rule_ids.size(); ++i) {
    Fail(levels[i], rule_ids[i], std::string(vi), std::string(en));
  }
}

Ceiling Explainer::Finish(Level level, std::string_view rule_id, std::vector<Finding> deciding,
                          std::vector<Finding> trailer) {
  Ceiling ceiling;
  ceiling.level = level;
  ceiling.rule_id = std::string(rule_id);
  ceiling.findings = std::move(deciding);
  for (Level higher : {rating::v1::LEVEL_HTXSNV, rating::v1::LEVEL_HTTNV, rating::v1::LEVEL_HTNV}) {
    if (higher <= level) break;
    auto it = failed_.find(higher);
    if (it == failed_.end()) continue;
    for (Finding& finding : it->second) ceiling.findings.push_back(std::move(finding));
  }
  for (Finding& finding : trailer) ceiling.findings.push_back(std::move(finding));
  ceiling.missing_inputs = std::move(missing_);
  return ceiling;
}

std::string FormVi(rating::v1::DisciplineForm form) { return LowerFirst(common::NameVi(form)); }
std::string FormEn(rating::v1::DisciplineForm form) { return std::string(common::NameEn(form)); }
std::string GradeVi(Grade grade) { return std::string(common::NameVi(grade)); }
std::string GradeEn(Grade grade) { return std::string(common::NameEn(grade)); }

std::optional<Grade> GradeOf(const std::map<std::string, Grade>& grades,
                             std::string_view criterion) {
  auto it = grades.find(std::string(criterion));
  if (it == grades.end() || it->second == rating::v1::GRADE_UNSPECIFIED) return std::nullopt;
  return it->second;
}

void NeedGrade(Explainer& ex, Level level, std::string_view rule_id,
               const std::map<std::string, Grade>& grades, const CriterionInfo& criterion,
               std::string_view kind_vi, std::string_view kind_en, Grade needed) {
  const std::string what_vi = Cat(kind_vi, " “", criterion.name_vi, "”");
  const std::string what_en = Cat(kind_en, " ", criterion.id);
  const std::optional<Grade> grade = GradeOf(grades, criterion.id);
  if (!grade.has_value()) {
    ex.Fail(level, rule_id, Cat(what_vi, " chưa được đánh giá, cần đạt mức ", GradeVi(needed)),
            Cat(what_en, " is not graded, needs ", GradeCode(needed)));
    ex.Missing(Cat("grade:", criterion.id));
    return;
  }
  if (*grade < needed) {
    ex.Fail(level, rule_id,
            Cat(what_vi, " đạt mức ", GradeVi(*grade), ", cần đạt mức ", GradeVi(needed)),
            Cat(what_en, " is ", GradeCode(*grade), ", needs ", GradeCode(needed)));
  }
}

Finding MeetsEveryCondition(std::string_view rule_id, Level level) {
  return Holds(rule_id, Cat("Đạt mọi điều kiện của mức ", LevelNameVi(level)),
               Cat("meets every condition of ", LevelNameEn(level)));
}

Finding FallsShortOfCompleted(std::string_view rule_id, std::string_view pass_rule) {
  return Holds(rule_id,
               Cat("Không đạt các điều kiện của mức Hoàn thành nhiệm vụ (", pass_rule, ")"),
               Cat("does not reach completed (", pass_rule, " fails)"));
}

}  // namespace rating::rules::internal
