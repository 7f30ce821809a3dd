// Committees (RULES.md §6, C.III: R-COM-1..5) and the caps (R-COM-CAP, R-LEAD-CAP).
#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "rules/ceilings.h"
#include "rules/internal/explainer.h"

namespace rating::rules {

using internal::Cat;
using internal::Holds;
namespace {

using rating::v1::LEVEL_HTNV;
using rating::v1::LEVEL_HTTNV;
using rating::v1::LEVEL_HTXSNV;
using rating::v1::LEVEL_KHTNV;

bool Has(const std::vector<ConclusionKind>& kinds, ConclusionKind kind) {
  return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

// R-COM-1 (C.III.3.4): every trigger that makes the committee KHTNV.
std::vector<Finding> KhtnvTriggers(const CommitteeFacts& facts, const CommitteeAssessmentFacts* a,
                                   const Policy& policy) {
  std::vector<Finding> out;
  // Disunity may be concluded on the committee or on its org: both speak of the committee.
  if (Has(facts.committee_conclusions, rating::v1::CONCLUSION_KIND_DISUNITY) ||
      Has(facts.org_conclusions, rating::v1::CONCLUSION_KIND_DISUNITY)) {
    out.push_back(Holds("R-COM-1", "Cấp có thẩm quyền kết luận cấp ủy mất đoàn kết nội bộ",
                        "a competent authority concluded disunity in the committee"));
  }
  if (Has(facts.committee_conclusions, rating::v1::CONCLUSION_KIND_DEGRADATION) ||
      Has(facts.member_conclusions, rating::v1::CONCLUSION_KIND_DEGRADATION)) {
    out.push_back(Holds("R-COM-1",
                        "Cấp có thẩm quyền kết luận có cấp ủy viên suy thoái, “tự diễn biến”, "
                        "“tự chuyển hóa”",
                        "a competent authority concluded that a committee member degraded"));
  }
  if (a != nullptr && !a->force_majeure && a->unit_targets_pct.has_value() &&
      *a->unit_targets_pct < policy.min_targets_pct) {
    out.push_back(Holds("R-COM-1",
                        Cat("Đơn vị chỉ hoàn thành ", *a->unit_targets_pct, "% chỉ tiêu, dưới ",
                            policy.min_targets_pct, "%"),
                        Cat("the unit led completed only ", *a->unit_targets_pct,
                            "% of its targets, under ", policy.min_targets_pct, "%")));
  }
  for (const DisciplineFact& d : facts.committee_disciplines) {
    if (d.self_remedied) continue;  // R-COM-2 instead.
    out.push_back(Holds("R-COM-1", Cat("Tập thể cấp ủy bị kỷ luật ", internal::FormVi(d.form)),
                        Cat("the committee was disciplined (", internal::FormEn(d.form), ")")));
  }
  std::set<std::string> violations;  // One violation counts once (C.III.3.4).
  for (const DisciplineFact& d : facts.committee_member_disciplines) {
    if (d.form < rating::v1::DISCIPLINE_FORM_WARNING) continue;
    if (!d.violation_key.empty() && !violations.insert(d.violation_key).second) continue;
    out.push_back(
        Holds("R-COM-1",
              Cat("Cấp ủy viên bị kỷ luật ", internal::FormVi(d.form), " (từ cảnh cáo trở lên)"),
              Cat("a committee member was disciplined (", internal::FormEn(d.form),
                  ", warning or heavier)")));
  }
  return out;
}

}  // namespace

Ceiling CommitteeCeiling(const CommitteeFacts& facts, const Policy& policy,
                         const std::vector<Cap>& caps) {
  internal::Explainer ex;
  const CommitteeAssessmentFacts* a = facts.assessment.has_value() ? &*facts.assessment : nullptr;
  if (a == nullptr) {
    ex.Missing("committee_assessment");
    ex.FailEveryLevel({"R-COM-3", "R-COM-4", "R-COM-5"}, "Chưa có kết quả đánh giá tập thể cấp ủy",
                      "no committee assessment (committee_assessment)");
  } else {
    // R-COM-3 (HTXSNV), R-COM-4 (HTTNV), R-COM-5 (HTNV).
    for (const CriterionInfo& c : CommitteeCriteriaInfo()) {
      const std::string_view kind_vi = c.special ? "Tiêu chí trọng tâm" : "Tiêu chí";
      const std::string_view kind_en = c.special ? "key criterion" : "criterion";
      internal::NeedGrade(ex, LEVEL_HTXSNV, "R-COM-3", a->grades, c, kind_vi, kind_en,
                          c.special ? rating::v1::GRADE_XS : rating::v1::GRADE_TOT);
      internal::NeedGrade(ex, LEVEL_HTTNV, "R-COM-4", a->grades, c, kind_vi, kind_en,
                          c.special ? rating::v1::GRADE_TOT : rating::v1::GRADE_TB);
      internal::NeedGrade(ex, LEVEL_HTNV, "R-COM-5", a->grades, c, kind_vi, kind_en,
                          rating::v1::GRADE_TB);
    }
    if (!a->exemplary) {
      ex.Fail(LEVEL_HTXSNV, "R-COM-3", "Chưa được ghi nhận là điển hình", "not exemplary");
    }
  }
  std::vector<Finding> khtnv = KhtnvTriggers(facts, a, policy);
  const bool self_remedied =
      std::any_of(facts.committee_disciplines.begin(), facts.committee_disciplines.end(),
                  [](const DisciplineFact& d) { return d.self_remedied; });

  Ceiling ceiling;
  if (!khtnv.empty()) {
    ceiling = ex.Finish(LEVEL_KHTNV, "R-COM-1", std::move(khtnv));
  } else if (!ex.HasFailures(LEVEL_HTXSNV)) {
    ceiling = ex.Finish(LEVEL_HTXSNV, "R-COM-3",
                        {internal::MeetsEveryCondition("R-COM-3", LEVEL_HTXSNV)});
  } else if (!ex.HasFailures(LEVEL_HTTNV)) {
    ceiling =
        ex.Finish(LEVEL_HTTNV, "R-COM-4", {internal::MeetsEveryCondition("R-COM-4", LEVEL_HTTNV)});
  } else if (!ex.HasFailures(LEVEL_HTNV)) {
    ceiling =
        ex.Finish(LEVEL_HTNV, "R-COM-5", {internal::MeetsEveryCondition("R-COM-5", LEVEL_HTNV)});
  } else {
    ceiling =
        ex.Finish(LEVEL_KHTNV, "R-COM-1", {internal::FallsShortOfCompleted("R-COM-1", "R-COM-5")});
  }
  // R-COM-2 (C.III.3.3): disciplined but self-remedied -> at most HTNV.
  if (self_remedied && ceiling.level > LEVEL_HTNV) {
    ceiling.findings.insert(ceiling.findings.begin(),
                            Holds("R-COM-2",
                                  "Tập thể cấp ủy bị kỷ luật nhưng đã tự phát hiện và khắc phục "
                                  "xong hậu quả: tối đa Hoàn thành nhiệm vụ",
                                  "the committee was disciplined but self-remedied: at most "
                                  "completed"));
    ceiling.level = LEVEL_HTNV;
    ceiling.rule_id = "R-COM-2";
  }
  return ApplyCaps(std::move(ceiling), caps);
}

Ceiling ApplyCaps(Ceiling ceiling, const std::vector<Cap>& caps) {
  for (const Cap& cap : caps) {
    if (!cap.level.has_value() || *cap.level == rating::v1::LEVEL_UNSPECIFIED) {
      // The capping rating is unknown: the cap cannot be checked; name the missing input.
      const std::string missing = Cat(cap.source, " rating");
      if (std::find(ceiling.missing_inputs.begin(), ceiling.missing_inputs.end(), missing) ==
          ceiling.missing_inputs.end()) {
        ceiling.missing_inputs.push_back(missing);
      }
      ceiling.findings.push_back(Finding{
          cap.rule_id, false, Cat("Chưa biết mức xếp loại của ", cap.source, " để áp mức trần"),
          Cat("the rating of ", cap.source, " is unknown, the cap cannot be checked")});
      continue;
    }
    if (*cap.level >= ceiling.level) continue;
    ceiling.findings.insert(
        ceiling.findings.begin(),
        Holds(
            cap.rule_id,
            Cat("Không cao hơn mức xếp loại của ", cap.source, " (", LevelNameVi(*cap.level), ")"),
            Cat("not above the rating of ", cap.source, " (", LevelCode(*cap.level), ")")));
    ceiling.level = *cap.level;
    ceiling.rule_id = cap.rule_id;
    ceiling.capped_by = cap.source;
  }
  return ceiling;
}

std::vector<Cap> CapSourcesOf(const Subject& subject, const std::vector<std::string>& headed_orgs) {
  std::vector<Cap> caps;
  if (subject.kind == SubjectKind::kCommittee) {
    caps.push_back(Cap{"R-COM-CAP", Subject{SubjectKind::kOrg, subject.id}.ToString(), {}});
  } else if (subject.kind == SubjectKind::kLeader) {
    for (const std::string& org : headed_orgs) {
      caps.push_back(Cap{"R-LEAD-CAP", Subject{SubjectKind::kOrg, org}.ToString(), {}});
      caps.push_back(Cap{"R-LEAD-CAP", Subject{SubjectKind::kCommittee, org}.ToString(), {}});
    }
  }
  return caps;
}

}  // namespace rating::rules
