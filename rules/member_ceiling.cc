// Members and leaders (RULES.md §5, C.II; R-LEAD-1, C.III.5).
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "rules/ceilings.h"
#include "rules/internal/explainer.h"

namespace rating::rules {

using internal::Cat;
using internal::Holds;
using internal::MorePct;
namespace {

using rating::v1::LEVEL_HTNV;
using rating::v1::LEVEL_HTTNV;
using rating::v1::LEVEL_HTXSNV;
using rating::v1::LEVEL_KHTNV;

// R-MEM-1 (C.II.2.4): every trigger that makes the member KHTNV.
std::vector<Finding> KhtnvTriggers(const MemberFacts& facts, const MemberAssessment* a,
                                   const std::vector<CriterionInfo>& criteria,
                                   const Policy& policy) {
  std::vector<Finding> out;
  if (a != nullptr) {
    for (const CriterionInfo& c : criteria) {
      if (internal::GradeOf(a->grades, c.id) == rating::v1::GRADE_KEM) {
        out.push_back(Holds("R-MEM-1", Cat("Tiêu chí “", c.name_vi, "” bị đánh giá Kém"),
                            Cat("criterion ", c.id, " is graded KEM")));
      }
    }
  }
  std::set<ConclusionKind> concluded;
  for (ConclusionKind kind : facts.conclusions) {
    if (kind == rating::v1::CONCLUSION_KIND_DISUNITY) continue;  // Concerns committees.
    if (!concluded.insert(kind).second) continue;
    switch (kind) {
      case rating::v1::CONCLUSION_KIND_DEGRADATION:
        out.push_back(Holds("R-MEM-1",
                            "Bị cấp có thẩm quyền kết luận suy thoái, “tự diễn biến”, “tự chuyển "
                            "hóa”",
                            "a competent authority concluded degradation"));
        break;
      case rating::v1::CONCLUSION_KIND_PROHIBITED_ACT:
        out.push_back(Holds("R-MEM-1",
                            "Bị cấp có thẩm quyền kết luận vi phạm những điều đảng viên không "
                            "được làm",
                            "a competent authority concluded a prohibited act"));
        break;
      case rating::v1::CONCLUSION_KIND_EXEMPLARY_BREACH:
        out.push_back(Holds("R-MEM-1",
                            "Bị cấp có thẩm quyền kết luận vi phạm trách nhiệm nêu gương",
                            "a competent authority concluded a breach of exemplary duty"));
        break;
      default:
        break;
    }
  }
  if (a != nullptr && a->targets_assigned > 0) {
    const int missed =
        a->targets_completed < a->targets_assigned ? a->targets_assigned - a->targets_completed : 0;
    if (MorePct(missed, a->targets_assigned, policy.member_failed_targets_pct)) {
      out.push_back(
          Holds("R-MEM-1",
                Cat(missed, "/", a->targets_assigned, " chỉ tiêu, nhiệm vụ không hoàn thành (trên ",
                    policy.member_failed_targets_pct, "%)"),
                Cat(missed, " of ", a->targets_assigned, " targets not completed (more than ",
                    policy.member_failed_targets_pct, "%)")));
    }
  }
  for (const ConfidenceVoteFact& vote : facts.confidence_votes) {
    if (vote.total > 0 && MorePct(vote.low, vote.total, policy.low_confidence_pct)) {
      out.push_back(Holds("R-MEM-1",
                          Cat(vote.low, "/", vote.total, " phiếu tín nhiệm thấp (trên ",
                              policy.low_confidence_pct, "%)"),
                          Cat(vote.low, " of ", vote.total, " low-confidence votes (more than ",
                              policy.low_confidence_pct, "%)")));
    }
  }
  for (const DisciplineFact& d : facts.disciplines) {
    if (d.self_remedied) continue;  // C.II.2.4: "trừ trường hợp tự phát hiện và khắc phục".
    out.push_back(Holds("R-MEM-1",
                        Cat("Bị kỷ luật ", internal::FormVi(d.form),
                            " về vi phạm trong năm đánh giá, không tự phát hiện và khắc phục xong "
                            "hậu quả"),
                        Cat("disciplined (", internal::FormEn(d.form),
                            ") for a violation in the year, not self-remedied")));
  }
  return out;
}

// The conditions of R-MEM-2 (HTXSNV), R-MEM-3 (HTTNV) and R-MEM-4 (HTNV) that fail.
void HigherLevelConditions(internal::Explainer& ex, const MemberAssessment& a,
                           const std::vector<CriterionInfo>& criteria, const Policy& policy) {
  for (const CriterionInfo& c : criteria) {
    const bool task = c.special;  // C.II.2.1/2.2: the task criteria weigh more.
    const std::string_view kind_en = task ? "task criterion" : "criterion";
    internal::NeedGrade(ex, LEVEL_HTXSNV, "R-MEM-2", a.grades, c, "Tiêu chí", kind_en,
                        task ? rating::v1::GRADE_XS : rating::v1::GRADE_TOT);
    internal::NeedGrade(ex, LEVEL_HTTNV, "R-MEM-3", a.grades, c, "Tiêu chí", kind_en,
                        task ? rating::v1::GRADE_TOT : rating::v1::GRADE_TB);
    internal::NeedGrade(ex, LEVEL_HTNV, "R-MEM-4", a.grades, c, "Tiêu chí", "criterion",
                        rating::v1::GRADE_TB);
  }
  const int assigned = a.targets_assigned;
  const int on_time =
      a.targets_on_time < a.targets_completed ? a.targets_on_time : a.targets_completed;
  if (on_time < assigned) {
    for (auto [level, rule] :
         {std::pair{LEVEL_HTXSNV, "R-MEM-2"}, std::pair{LEVEL_HTTNV, "R-MEM-3"}}) {
      ex.Fail(level, rule,
              Cat("Chỉ ", on_time, "/", assigned, " chỉ tiêu hoàn thành đúng tiến độ, cần 100%"),
              Cat("only ", on_time, " of ", assigned, " targets completed on time, needs 100%"));
    }
  }
  if (!internal::AtLeastPct(a.targets_exceeded, assigned, policy.exceeded_targets_pct)) {
    ex.Fail(LEVEL_HTXSNV, "R-MEM-2",
            Cat(a.targets_exceeded, "/", assigned, " chỉ tiêu vượt mức, cần ít nhất ",
                policy.exceeded_targets_pct, "%"),
            Cat(a.targets_exceeded, " of ", assigned, " targets exceeded, needs at least ",
                policy.exceeded_targets_pct, "%"));
  }
  if (!a.exemplary) {
    ex.Fail(LEVEL_HTXSNV, "R-MEM-2",
            "Chưa được ghi nhận là điển hình tiên tiến, có nhiều thành tích nổi bật",
            "not exemplary");
  }
  if (a.targets_completed < assigned) {
    ex.Fail(LEVEL_HTNV, "R-MEM-4",
            Cat("Chỉ hoàn thành ", a.targets_completed, "/", assigned,
                " nhiệm vụ được giao, cần hoàn thành tất cả"),
            Cat("only ", a.targets_completed, " of ", assigned, " targets completed, needs all"));
  }
  const int n = static_cast<int>(criteria.size());
  if (MorePct(a.not_ensured, n, policy.not_ensured_pct)) {
    ex.Fail(
        LEVEL_HTNV, "R-MEM-4",
        Cat(a.not_ensured, "/", n, " tiêu chí chưa bảo đảm chất lượng, tiến độ, tối đa ",
            policy.not_ensured_pct, "%"),
        Cat(a.not_ensured, " of ", n, " criteria did not ensure quality or timeliness, at most ",
            policy.not_ensured_pct, "%"));
  }
}

}  // namespace

Ceiling MemberCeiling(const MemberFacts& facts, const Policy& policy,
                      const std::vector<Cap>& caps) {
  internal::Explainer ex;
  const std::vector<CriterionInfo> criteria = MemberCriteriaInfo(facts.leader);
  const MemberAssessment* a = facts.assessment.has_value() ? &*facts.assessment : nullptr;
  if (a == nullptr) {
    ex.Missing("self_assessment");
    ex.FailEveryLevel({"R-MEM-2", "R-MEM-3", "R-MEM-4"}, "Chưa có bản tự đánh giá, xếp loại",
                      "no self-assessment (self_assessment)");
  } else {
    HigherLevelConditions(ex, *a, criteria, policy);
  }
  std::vector<Finding> khtnv = KhtnvTriggers(facts, a, criteria, policy);

  std::vector<Finding> trailer;
  if (facts.leader) {
    trailer.push_back(Holds("R-LEAD-1",
                            "Cán bộ lãnh đạo, quản lý: xếp loại theo tiêu chuẩn đảng viên cùng "
                            "các tiêu chí về lãnh đạo, quản lý",
                            "leader: rated with the member rules and the leader criteria "
                            "leadership, initiative, example"));
  }
  Ceiling ceiling;
  if (!khtnv.empty()) {
    ceiling = ex.Finish(LEVEL_KHTNV, "R-MEM-1", std::move(khtnv), std::move(trailer));
  } else if (!ex.HasFailures(LEVEL_HTXSNV)) {
    ceiling =
        ex.Finish(LEVEL_HTXSNV, "R-MEM-2", {internal::MeetsEveryCondition("R-MEM-2", LEVEL_HTXSNV)},
                  std::move(trailer));
  } else if (!ex.HasFailures(LEVEL_HTTNV)) {
    ceiling =
        ex.Finish(LEVEL_HTTNV, "R-MEM-3", {internal::MeetsEveryCondition("R-MEM-3", LEVEL_HTTNV)},
                  std::move(trailer));
  } else if (!ex.HasFailures(LEVEL_HTNV)) {
    ceiling = ex.Finish(LEVEL_HTNV, "R-MEM-4",
                        {internal::MeetsEveryCondition("R-MEM-4", LEVEL_HTNV)}, std::move(trailer));
  } else {
    ceiling =
        ex.Finish(LEVEL_KHTNV, "R-MEM-1", {internal::FallsShortOfCompleted("R-MEM-1", "R-MEM-4")},
                  std::move(trailer));
  }
  return ApplyCaps(std::move(ceiling), caps);
}

}  // namespace rating::rules
