// Ceilings with explanations: members and leaders (RULES.md §5, R-LEAD-1), grassroots orgs
// (§4, R-ORG-1..6 with D1..D4), committees (§6, R-COM-1..5) and caps (R-COM-CAP, R-LEAD-CAP).
#include <array>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rules/engine.h"
#include "rules/finding_util.h"
#include "rules/text_util.h"

namespace rating::rules {

using internal::Cat;
using internal::Holds;
namespace {

using rating::v1::LEVEL_HTNV;
using rating::v1::LEVEL_HTTNV;
using rating::v1::LEVEL_HTXSNV;
using rating::v1::LEVEL_KHTNV;

// Collects the explanation of one ceiling: failed conditions per level, missing inputs.
class Explainer {
 public:
  // A condition of `level` (decided by `rule_id`) that fails.
  void Fail(Level level, std::string_view rule_id, std::string vi, std::string en) {
    failed_[level].push_back(Finding{std::string(rule_id), false, std::move(vi), std::move(en)});
  }
  void Missing(std::string name) {
    if (missing_set_.insert(name).second) missing_.push_back(std::move(name));
  }
  // The same condition of HTXSNV, HTTNV and HTNV fails (decided by `rule_ids`, in that order):
  // an input all three need is missing.
  void FailEveryLevel(const std::array<std::string_view, 3>& rule_ids, std::string_view vi,
                      std::string_view en) {
    const Level levels[] = {LEVEL_HTXSNV, LEVEL_HTTNV, LEVEL_HTNV};
    for (size_t i = 0; i < rule_ids.size(); ++i) {
      Fail(levels[i], rule_ids[i], std::string(vi), std::string(en));
    }
  }
  bool HasFailures(Level level) const {
    auto it = failed_.find(level);
    return it != failed_.end() && !it->second.empty();
  }
  // `deciding` holds the deciding rule's findings (all holding); the first names `rule_id`.
  Ceiling Finish(Level level, std::string_view rule_id, std::vector<Finding> deciding,
                 std::vector<Finding> trailer = {}) {
    Ceiling ceiling;
    ceiling.level = level;
    ceiling.rule_id = std::string(rule_id);
    ceiling.findings = std::move(deciding);
    for (Level higher : {LEVEL_HTXSNV, LEVEL_HTTNV, LEVEL_HTNV}) {
      if (higher <= level) break;
      auto it = failed_.find(higher);
      if (it == failed_.end()) continue;
      for (Finding& finding : it->second) ceiling.findings.push_back(std::move(finding));
    }
    for (Finding& finding : trailer) ceiling.findings.push_back(std::move(finding));
    ceiling.missing_inputs = std::move(missing_);
    return ceiling;
  }

 private:
  std::map<Level, std::vector<Finding>> failed_;
  std::vector<std::string> missing_;
  std::set<std::string> missing_set_;
};

std::string_view FormVi(rating::v1::DisciplineForm form) {
  switch (form) {
    case rating::v1::DISCIPLINE_FORM_REPRIMAND:
      return "khiển trách";
    case rating::v1::DISCIPLINE_FORM_WARNING:
      return "cảnh cáo";
    case rating::v1::DISCIPLINE_FORM_REMOVAL:
      return "cách chức";
    case rating::v1::DISCIPLINE_FORM_EXPULSION:
      return "khai trừ";
    case rating::v1::DISCIPLINE_FORM_DISSOLUTION:
      return "giải tán";
    default:
      return "kỷ luật";
  }
}

std::string_view FormEn(rating::v1::DisciplineForm form) {
  switch (form) {
    case rating::v1::DISCIPLINE_FORM_REPRIMAND:
      return "reprimand";
    case rating::v1::DISCIPLINE_FORM_WARNING:
      return "warning";
    case rating::v1::DISCIPLINE_FORM_REMOVAL:
      return "removal";
    case rating::v1::DISCIPLINE_FORM_EXPULSION:
      return "expulsion";
    case rating::v1::DISCIPLINE_FORM_DISSOLUTION:
      return "dissolution";
    default:
      return "discipline";
  }
}

// The grade of `criterion`, or nullopt when it is not graded.
std::optional<Grade> GradeOf(const std::map<std::string, Grade>& grades,
                             std::string_view criterion) {
  auto it = grades.find(std::string(criterion));
  if (it == grades.end() || it->second == rating::v1::GRADE_UNSPECIFIED) return std::nullopt;
  return it->second;
}

// Condition "criterion >= needed" of `level`'s rule. `kind_vi`/`kind_en` name the kind of
// criterion ("tiêu chí nhiệm vụ" / "task criterion"). Missing grades fail and are named.
void NeedGrade(Explainer& ex, Level level, std::string_view rule_id,
               const std::map<std::string, Grade>& grades, std::string_view criterion, Grade needed,
               std::string_view kind_vi, std::string_view kind_en) {
  const std::optional<Grade> grade = GradeOf(grades, criterion);
  if (!grade.has_value()) {
    ex.Fail(level, rule_id,
            Cat(kind_vi, " ", criterion, " chưa được đánh giá, cần ", GradeCode(needed)),
            Cat(kind_en, " ", criterion, " is not graded, needs ", GradeCode(needed)));
    ex.Missing(Cat("grade:", criterion));
    return;
  }
  if (*grade < needed) {
    ex.Fail(level, rule_id,
            Cat(kind_vi, " ", criterion, " đạt ", GradeCode(*grade), ", cần ", GradeCode(needed)),
            Cat(kind_en, " ", criterion, " is ", GradeCode(*grade), ", needs ", GradeCode(needed)));
  }
}

// "a is at least pct% of b" (RULES.md §2: cross-multiplied).
bool AtLeastPct(int64_t a, int64_t b, int pct) { return 100 * a >= pct * b; }
// "a is more than pct% of b".
bool MorePct(int64_t a, int64_t b, int pct) { return 100 * a > pct * b; }

// ------------------------------------------------------------------ members

constexpr std::array<std::string_view, 4> kMemberCriteria = {"political", "tasks", "commitment",
                                                             "remediation"};
constexpr std::array<std::string_view, 3> kLeaderCriteria = {"leadership", "initiative", "example"};

std::vector<std::string_view> CriteriaOf(bool leader) {
  std::vector<std::string_view> out(kMemberCriteria.begin(), kMemberCriteria.end());
  if (leader) out.insert(out.end(), kLeaderCriteria.begin(), kLeaderCriteria.end());
  return out;
}

bool IsTaskCriterion(std::string_view criterion, bool leader) {
  return criterion == "tasks" || (leader && criterion == "leadership");
}

// ------------------------------------------------------------------ committees

struct CommitteeCriterion {
  std::string_view id;
  bool key;
};
constexpr std::array<CommitteeCriterion, 7> kCommitteeCriteria = {{
    {"democratic_centralism", false},
    {"leadership_responsibility", false},
    {"programs", true},
    {"results", true},
    {"targets", false},
    {"unit_ratings", false},
    {"remediation", false},
}};

}  // namespace

std::vector<std::string> MemberCriteria(bool leader) {
  std::vector<std::string> out;
  for (std::string_view c : CriteriaOf(leader)) out.emplace_back(c);
  return out;
}

std::vector<std::string> MemberTaskCriteria(bool leader) {
  std::vector<std::string> out = {"tasks"};
  if (leader) out.emplace_back("leadership");
  return out;
}

std::vector<std::string> CommitteeCriteria() {
  std::vector<std::string> out;
  for (const CommitteeCriterion& c : kCommitteeCriteria) out.emplace_back(c.id);
  return out;
}

std::vector<std::string> CommitteeKeyCriteria() {
  std::vector<std::string> out;
  for (const CommitteeCriterion& c : kCommitteeCriteria) {
    if (c.key) out.emplace_back(c.id);
  }
  return out;
}

Ceiling MemberCeiling(const MemberFacts& facts, const Policy& policy,
                      const std::vector<Cap>& caps) {
  Explainer ex;
  const bool leader = facts.leader;
  const std::vector<std::string_view> criteria = CriteriaOf(leader);
  const MemberAssessment* a = facts.assessment.has_value() ? &*facts.assessment : nullptr;
  if (a == nullptr) ex.Missing("self_assessment");

  // R-MEM-1 (C.II.2.4): any trigger makes the member KHTNV.
  std::vector<Finding> khtnv;
  if (a != nullptr) {
    for (std::string_view c : criteria) {
      if (GradeOf(a->grades, c) == rating::v1::GRADE_KEM) {
        khtnv.push_back(Holds("R-MEM-1", Cat("tiêu chí ", c, " bị đánh giá Kém"),
                              Cat("criterion ", c, " is graded KEM")));
      }
    }
  }
  std::set<ConclusionKind> concluded;
  for (ConclusionKind kind : facts.conclusions) {
    if (!concluded.insert(kind).second) continue;
    switch (kind) {
      case rating::v1::CONCLUSION_KIND_DEGRADATION:
        khtnv.push_back(Holds("R-MEM-1",
                              "bị cấp có thẩm quyền kết luận suy thoái, “tự diễn biến”, “tự "
                              "chuyển hóa”",
                              "a competent authority concluded degradation"));
        break;
      case rating::v1::CONCLUSION_KIND_PROHIBITED_ACT:
        khtnv.push_back(Holds("R-MEM-1", "bị kết luận vi phạm những điều đảng viên không được làm",
                              "a competent authority concluded a prohibited act"));
        break;
      case rating::v1::CONCLUSION_KIND_EXEMPLARY_BREACH:
        khtnv.push_back(Holds("R-MEM-1", "bị kết luận vi phạm trách nhiệm nêu gương",
                              "a competent authority concluded a breach of exemplary duty"));
        break;
      default:
        break;  // Disunity concerns committees (R-COM-1).
    }
  }
  if (a != nullptr && a->targets_assigned > 0) {
    const int missed =
        a->targets_completed < a->targets_assigned ? a->targets_assigned - a->targets_completed : 0;
    if (MorePct(missed, a->targets_assigned, policy.member_failed_targets_pct)) {
      khtnv.push_back(
          Holds("R-MEM-1",
                Cat(missed, "/", a->targets_assigned, " chỉ tiêu không hoàn thành (trên ",
                    policy.member_failed_targets_pct, "%)"),
                Cat(missed, " of ", a->targets_assigned, " targets not completed (more than ",
                    policy.member_failed_targets_pct, "%)")));
    }
  }
  for (const ConfidenceVoteFact& vote : facts.confidence_votes) {
    if (vote.total > 0 && MorePct(vote.low, vote.total, policy.low_confidence_pct)) {
      khtnv.push_back(Holds("R-MEM-1",
                            Cat(vote.low, "/", vote.total, " phiếu tín nhiệm thấp (trên ",
                                policy.low_confidence_pct, "%)"),
                            Cat(vote.low, " of ", vote.total, " low-confidence votes (more than ",
                                policy.low_confidence_pct, "%)")));
    }
  }
  for (const DisciplineFact& d : facts.disciplines) {
    if (d.self_remedied) continue;  // C.II.2.4: "trừ trường hợp tự phát hiện và khắc phục".
    khtnv.push_back(
        Holds("R-MEM-1",
              Cat("bị kỷ luật ", FormVi(d.form),
                  " trong năm đánh giá, không tự phát hiện và khắc phục xong hậu quả"),
              Cat("disciplined (", FormEn(d.form), ") for the year, not self-remedied")));
  }

  // Conditions of R-MEM-2 (HTXSNV), R-MEM-3 (HTTNV), R-MEM-4 (HTNV).
  if (a == nullptr) {
    ex.FailEveryLevel({"R-MEM-2", "R-MEM-3", "R-MEM-4"}, "thiếu bản tự đánh giá (self_assessment)",
                      "no self-assessment (self_assessment)");
  } else {
    for (std::string_view c : criteria) {
      const bool task = IsTaskCriterion(c, leader);
      NeedGrade(ex, LEVEL_HTXSNV, "R-MEM-2", a->grades, c,
                task ? rating::v1::GRADE_XS : rating::v1::GRADE_TOT,
                task ? "tiêu chí nhiệm vụ" : "tiêu chí", task ? "task criterion" : "criterion");
      NeedGrade(ex, LEVEL_HTTNV, "R-MEM-3", a->grades, c,
                task ? rating::v1::GRADE_TOT : rating::v1::GRADE_TB,
                task ? "tiêu chí nhiệm vụ" : "tiêu chí", task ? "task criterion" : "criterion");
      NeedGrade(ex, LEVEL_HTNV, "R-MEM-4", a->grades, c, rating::v1::GRADE_TB, "tiêu chí",
                "criterion");
    }
    const int assigned = a->targets_assigned;
    const int on_time =
        a->targets_on_time < a->targets_completed ? a->targets_on_time : a->targets_completed;
    if (on_time < assigned) {
      for (auto [level, rule] :
           {std::pair{LEVEL_HTXSNV, "R-MEM-2"}, std::pair{LEVEL_HTTNV, "R-MEM-3"}}) {
        ex.Fail(level, rule,
                Cat("chỉ ", on_time, "/", assigned, " chỉ tiêu hoàn thành đúng tiến độ, cần 100%"),
                Cat("only ", on_time, " of ", assigned, " targets completed on time, needs 100%"));
      }
    }
    if (!AtLeastPct(a->targets_exceeded, assigned, policy.exceeded_targets_pct)) {
      ex.Fail(LEVEL_HTXSNV, "R-MEM-2",
              Cat(a->targets_exceeded, "/", assigned, " chỉ tiêu vượt mức, cần ít nhất ",
                  policy.exceeded_targets_pct, "%"),
              Cat(a->targets_exceeded, " of ", assigned, " targets exceeded, needs at least ",
                  policy.exceeded_targets_pct, "%"));
    }
    if (!a->exemplary) {
      ex.Fail(LEVEL_HTXSNV, "R-MEM-2", "không phải điển hình tiên tiến (exemplary)",
              "not exemplary");
    }
    if (a->targets_completed < assigned) {
      ex.Fail(
          LEVEL_HTNV, "R-MEM-4",
          Cat("chỉ hoàn thành ", a->targets_completed, "/", assigned,
              " nhiệm vụ, cần hoàn thành tất cả"),
          Cat("only ", a->targets_completed, " of ", assigned, " targets completed, needs all"));
    }
    const int n = static_cast<int>(criteria.size());
    if (MorePct(a->not_ensured, n, policy.not_ensured_pct)) {
      ex.Fail(
          LEVEL_HTNV, "R-MEM-4",
          Cat(a->not_ensured, "/", n, " tiêu chí chưa bảo đảm chất lượng, tiến độ, tối đa ",
              policy.not_ensured_pct, "%"),
          Cat(a->not_ensured, " of ", n, " criteria did not ensure quality or timeliness, at most ",
              policy.not_ensured_pct, "%"));
    }
  }

  std::vector<Finding> trailer;
  if (leader) {
    trailer.push_back(Holds("R-LEAD-1",
                            "cán bộ lãnh đạo: thêm các tiêu chí leadership, initiative, example",
                            "leader: rated with the leader criteria leadership, initiative, "
                            "example"));
  }
  Ceiling ceiling;
  if (!khtnv.empty()) {
    ceiling = ex.Finish(LEVEL_KHTNV, "R-MEM-1", std::move(khtnv), std::move(trailer));
  } else if (!ex.HasFailures(LEVEL_HTXSNV)) {
    ceiling = ex.Finish(LEVEL_HTXSNV, "R-MEM-2",
                        {Holds("R-MEM-2", "đạt mọi điều kiện Hoàn thành xuất sắc nhiệm vụ",
                               "meets every condition of excellent")},
                        std::move(trailer));
  } else if (!ex.HasFailures(LEVEL_HTTNV)) {
    ceiling = ex.Finish(LEVEL_HTTNV, "R-MEM-3",
                        {Holds("R-MEM-3", "đạt mọi điều kiện Hoàn thành tốt nhiệm vụ",
                               "meets every condition of good")},
                        std::move(trailer));
  } else if (!ex.HasFailures(LEVEL_HTNV)) {
    ceiling = ex.Finish(LEVEL_HTNV, "R-MEM-4",
                        {Holds("R-MEM-4", "đạt mọi điều kiện Hoàn thành nhiệm vụ",
                               "meets every condition of completed")},
                        std::move(trailer));
  } else {
    ceiling = ex.Finish(LEVEL_KHTNV, "R-MEM-1",
                        {Holds("R-MEM-1", "không đạt mức Hoàn thành nhiệm vụ (R-MEM-4)",
                               "does not reach completed (R-MEM-4 fails)")},
                        std::move(trailer));
  }
  return ApplyCaps(std::move(ceiling), caps);
}

Ceiling OrgCeiling(const OrgFacts& facts, const Policy& policy) {
  Explainer ex;
  const bool committee_kind = facts.kind == rating::v1::ORG_KIND_GRASSROOTS_COMMITTEE ||
                              facts.kind == rating::v1::ORG_KIND_SUB_COMMITTEE;
  const std::string_view units_vi = committee_kind ? "tổ chức đảng trực thuộc" : "đảng viên";
  const std::string_view units_en = committee_kind ? "subordinate orgs" : "rated members";
  const ScorecardFacts* card = facts.scorecard.has_value() ? &*facts.scorecard : nullptr;
  if (card == nullptr) ex.Missing("scorecard");

  // ---- R-ORG-1 (C.I.2.4): O or its committee disciplined.
  std::vector<Finding> org1;
  bool org1_self_remedied_only = false;
  for (const DisciplineFact& d : facts.org_disciplines) {
    org1.push_back(Holds("R-ORG-1", Cat("tổ chức đảng bị kỷ luật ", FormVi(d.form)),
                         Cat("the org was disciplined (", FormEn(d.form), ")")));
  }
  for (const DisciplineFact& d : facts.committee_disciplines) {
    if (d.self_remedied) {
      org1_self_remedied_only = true;
      continue;
    }
    org1.push_back(Holds(
        "R-ORG-1", Cat("cấp ủy bị kỷ luật ", FormVi(d.form), ", không tự phát hiện và khắc phục"),
        Cat("the committee was disciplined (", FormEn(d.form), "), not self-remedied")));
  }

  // ---- The total score and criterion grades.
  CentiPoints total = 0;
  if (card != nullptr) {
    for (const ScoreLine& line : card->lines) total += line.points;
  }
  auto grade_of = [&](const ScoreLine& line) {
    return line.grade != rating::v1::GRADE_UNSPECIFIED
               ? line.grade
               : GradeOfPoints(line.points, line.max, policy);
  };

  // ---- Units: percentages leave NOT_SUBJECT ones out; unrated ones fail and are named.
  int counted = 0;
  int good = 0;  // >= HTTNV
  int disciplined = 0;
  std::vector<std::string> unrated;
  std::vector<std::string> below_pass;
  for (const UnitRating& unit : facts.units) {
    if (unit.not_subject) continue;
    ++counted;
    if (unit.disciplined) ++disciplined;
    if (!unit.level.has_value() || *unit.level == rating::v1::LEVEL_UNSPECIFIED) {
      unrated.push_back(unit.subject);
      ex.Missing(Cat(unit.subject, " rating"));
      continue;
    }
    if (*unit.level < LEVEL_HTNV) below_pass.push_back(unit.subject);
    if (*unit.level >= LEVEL_HTTNV) ++good;
  }

  // ---- Defects D1..D4 (C.I.2.3, C.I.2.4).
  std::vector<Finding> defects;
  if (committee_kind) {
    for (const UnitRating& unit : facts.units) {
      if (unit.disciplined_not_remedied) {
        defects.push_back(Holds("R-ORG-3",
                                Cat("D1: đơn vị trực thuộc ", unit.subject,
                                    " có vi phạm bị xử lý kỷ luật, không tự khắc phục"),
                                Cat("D1: unit ", unit.subject,
                                    " disciplined for a violation, not "
                                    "self-remedied")));
      }
    }
  }
  for (const IncidentFact& incident : facts.incidents) {
    if (incident.disciplined && !incident.self_remedied) {
      defects.push_back(Holds("R-ORG-3",
                              "D1: đơn vị trực thuộc xảy ra vụ việc vi phạm bị xử lý kỷ luật",
                              "D1: a unit had a violation case that was disciplined"));
    }
  }
  if (card != nullptr && !card->force_majeure) {
    if (card->party_building_pct < policy.min_targets_pct) {
      defects.push_back(Holds(
          "R-ORG-3",
          Cat("D2: chỉ hoàn thành ", card->party_building_pct, "% chỉ tiêu xây dựng Đảng, dưới ",
              policy.min_targets_pct, "%"),
          Cat("D2: only ", card->party_building_pct,
              "% of the party-building targets completed, under ", policy.min_targets_pct, "%")));
    }
    if (!card->production_plan_met) {
      defects.push_back(Holds("R-ORG-3", "D2: kế hoạch sản xuất kinh doanh không đạt",
                              "D2: the production/business plan was not met"));
    }
  }
  if (counted > 0 && MorePct(disciplined, counted, policy.defect_disciplined_pct)) {
    defects.push_back(Holds("R-ORG-3",
                            Cat("D3: ", disciplined, "/", counted, " ", units_vi,
                                " bị kỷ luật (trên ", policy.defect_disciplined_pct, "%)"),
                            Cat("D3: ", disciplined, " of ", counted, " ", units_en,
                                " disciplined (more than ", policy.defect_disciplined_pct, "%)")));
  }
  for (const DisciplineFact& d : facts.committee_member_disciplines) {
    if (d.self_remedied) continue;
    defects.push_back(Holds(
        "R-ORG-3", Cat("D4: cấp ủy viên bị kỷ luật ", FormVi(d.form), ", không tự khắc phục"),
        Cat("D4: a committee member was disciplined (", FormEn(d.form), "), not self-remedied")));
  }

  // ---- Conditions of R-ORG-4 (HTXSNV), R-ORG-5 (HTTNV), R-ORG-6 (HTNV).
  if (card == nullptr) {
    ex.FailEveryLevel({"R-ORG-4", "R-ORG-5", "R-ORG-6"}, "thiếu biểu chấm điểm (scorecard)",
                      "no scorecard");
  } else {
    const std::string score = FormatPoints(total);
    auto need_score = [&](Level level, std::string_view rule, CentiPoints threshold) {
      if (total < threshold) {
        ex.Fail(level, rule, Cat("tổng điểm ", score, " dưới ", FormatPoints(threshold)),
                Cat("total score ", score, " is below ", FormatPoints(threshold)));
      }
    };
    need_score(LEVEL_HTXSNV, "R-ORG-4", policy.score_excellent);
    need_score(LEVEL_HTTNV, "R-ORG-5", policy.score_good);
    need_score(LEVEL_HTNV, "R-ORG-6", policy.score_pass);
    for (const ScoreLine& line : card->lines) {
      const Grade grade = grade_of(line);
      auto need = [&](Level level, std::string_view rule, Grade needed) {
        if (grade >= needed) return;
        ex.Fail(level, rule,
                Cat(line.key ? "tiêu chí trọng tâm " : "tiêu chí ", line.id, " đạt ",
                    GradeCode(grade), " (", FormatPoints(line.points), "/", FormatPoints(line.max),
                    "), cần ", GradeCode(needed)),
                Cat(line.key ? "key criterion " : "criterion ", line.id, " is ", GradeCode(grade),
                    " (", FormatPoints(line.points), "/", FormatPoints(line.max), "), needs ",
                    GradeCode(needed)));
      };
      need(LEVEL_HTXSNV, "R-ORG-4", line.key ? rating::v1::GRADE_XS : rating::v1::GRADE_TOT);
      need(LEVEL_HTTNV, "R-ORG-5", line.key ? rating::v1::GRADE_TOT : rating::v1::GRADE_TB);
    }
    if (!card->exemplary) {
      ex.Fail(LEVEL_HTXSNV, "R-ORG-4", "không có nhiều thành tích nổi bật, điển hình (exemplary)",
              "not exemplary");
    }
  }
  // Units: 100% >= HTNV (R-ORG-4 always; R-ORG-5 for committee kinds), shares >= HTTNV.
  for (const std::string& subject : unrated) {
    for (auto [level, rule] :
         {std::pair{LEVEL_HTXSNV, "R-ORG-4"}, std::pair{LEVEL_HTTNV, "R-ORG-5"}}) {
      ex.Fail(level, rule, Cat(subject, " chưa được xếp loại"), Cat(subject, " is not rated yet"));
    }
  }
  if (!below_pass.empty()) {
    const std::string text_vi =
        Cat(below_pass.size(), " ", units_vi,
            " dưới mức Hoàn thành nhiệm vụ, cần 100% đạt Hoàn thành nhiệm vụ trở lên");
    const std::string text_en =
        Cat(below_pass.size(), " ", units_en, " below completed, needs 100% completed or better");
    ex.Fail(LEVEL_HTXSNV, "R-ORG-4", text_vi, text_en);
    if (committee_kind) ex.Fail(LEVEL_HTTNV, "R-ORG-5", text_vi, text_en);
  }
  auto need_share = [&](Level level, std::string_view rule, int pct) {
    if (counted == 0 || AtLeastPct(good, counted, pct)) return;
    ex.Fail(
        level, rule,
        Cat(good, "/", counted, " ", units_vi, " đạt Hoàn thành tốt nhiệm vụ trở lên, cần ít nhất ",
            pct, "%"),
        Cat(good, " of ", counted, " ", units_en, " good or better, needs at least ", pct, "%"));
  };
  need_share(LEVEL_HTXSNV, "R-ORG-4", policy.excellent_good_share_pct);
  need_share(LEVEL_HTTNV, "R-ORG-5", policy.good_good_share_pct);
  // External collectives: the management board and every same-level mass org.
  auto need_external = [&](Level level, std::string_view rule, Level needed) {
    if (!facts.management.has_value() || *facts.management == rating::v1::LEVEL_UNSPECIFIED) {
      ex.Missing("management rating");
      ex.Fail(level, rule, "chưa có kết quả xếp loại tập thể lãnh đạo đơn vị (management)",
              "the management board's rating is not recorded");
    } else if (*facts.management < needed) {
      ex.Fail(level, rule,
              Cat("tập thể lãnh đạo đơn vị xếp loại ", LevelCode(*facts.management), ", cần ",
                  LevelCode(needed), " trở lên"),
              Cat("the management board is rated ", LevelCode(*facts.management), ", needs ",
                  LevelCode(needed), " or better"));
    }
    for (const auto& [name, mass_level] : facts.mass_orgs) {
      if (mass_level == rating::v1::LEVEL_UNSPECIFIED) {
        ex.Missing(Cat("mass_org:", name, " rating"));
        ex.Fail(level, rule, Cat("chưa có kết quả xếp loại của đoàn thể ", name),
                Cat("mass org ", name, "'s rating is not recorded"));
      } else if (mass_level < needed) {
        ex.Fail(level, rule,
                Cat("đoàn thể ", name, " xếp loại ", LevelCode(mass_level), ", cần ",
                    LevelCode(needed), " trở lên"),
                Cat("mass org ", name, " is rated ", LevelCode(mass_level), ", needs ",
                    LevelCode(needed), " or better"));
      }
    }
  };
  need_external(LEVEL_HTXSNV, "R-ORG-4", LEVEL_HTTNV);
  need_external(LEVEL_HTTNV, "R-ORG-5", LEVEL_HTNV);
  if (!facts.committee_member_disciplines.empty()) {
    ex.Fail(
        LEVEL_HTXSNV, "R-ORG-4",
        Cat(facts.committee_member_disciplines.size(), " lượt cấp ủy viên bị kỷ luật trong năm"),
        Cat(facts.committee_member_disciplines.size(),
            " discipline(s) of committee members in the year"));
  }

  // ---- The rules in order: the first that decides wins.
  Ceiling ceiling;
  if (!org1.empty()) {
    ceiling = ex.Finish(LEVEL_KHTNV, "R-ORG-1", std::move(org1));
  } else if (card == nullptr) {
    ceiling = ex.Finish(LEVEL_KHTNV, "R-ORG-2",
                        {Holds("R-ORG-2", "thiếu biểu chấm điểm: tổng điểm chưa xác định",
                               "no scorecard: the total score is unknown")});
  } else if (total < policy.score_pass) {
    ceiling = ex.Finish(
        LEVEL_KHTNV, "R-ORG-2",
        {Holds("R-ORG-2",
               Cat("tổng điểm ", FormatPoints(total), " dưới ", FormatPoints(policy.score_pass)),
               Cat("total score ", FormatPoints(total), " is below ",
                   FormatPoints(policy.score_pass)))});
  } else if (!defects.empty()) {
    const bool at_least_good = total >= policy.score_good;
    defects.front().text_vi +=
        Cat("; tổng điểm ", FormatPoints(total), at_least_good ? " từ " : " dưới ",
            FormatPoints(policy.score_good));
    defects.front().text_en +=
        Cat("; total score ", FormatPoints(total), at_least_good ? " at least " : " below ",
            FormatPoints(policy.score_good));
    ceiling = ex.Finish(at_least_good ? LEVEL_HTNV : LEVEL_KHTNV, "R-ORG-3", std::move(defects));
  } else if (!ex.HasFailures(LEVEL_HTXSNV)) {
    ceiling = ex.Finish(LEVEL_HTXSNV, "R-ORG-4",
                        {Holds("R-ORG-4", "đạt mọi điều kiện Hoàn thành xuất sắc nhiệm vụ",
                               "meets every condition of excellent")});
  } else if (!ex.HasFailures(LEVEL_HTTNV)) {
    ceiling = ex.Finish(LEVEL_HTTNV, "R-ORG-5",
                        {Holds("R-ORG-5", "đạt mọi điều kiện Hoàn thành tốt nhiệm vụ",
                               "meets every condition of good")});
  } else {
    ceiling = ex.Finish(LEVEL_HTNV, "R-ORG-6",
                        {Holds("R-ORG-6",
                               Cat("tổng điểm ", FormatPoints(total), " từ ",
                                   FormatPoints(policy.score_pass), " trở lên"),
                               Cat("total score ", FormatPoints(total), " is at least ",
                                   FormatPoints(policy.score_pass)))});
  }
  // R-ORG-1 [choice]: a self-remedied committee discipline caps the org at HTNV (C.III.3.3).
  if (org1_self_remedied_only && ceiling.level > LEVEL_HTNV) {
    Finding cap = Holds("R-ORG-1",
                        "cấp ủy bị kỷ luật nhưng tự phát hiện và khắc phục xong hậu quả: tối đa "
                        "Hoàn thành nhiệm vụ",
                        "the committee was disciplined but self-remedied: at most completed");
    ceiling.findings.insert(ceiling.findings.begin(), std::move(cap));
    ceiling.level = LEVEL_HTNV;
    ceiling.rule_id = "R-ORG-1";
  }
  return ceiling;
}

Ceiling CommitteeCeiling(const CommitteeFacts& facts, const Policy& policy,
                         const std::vector<Cap>& caps) {
  Explainer ex;
  const CommitteeAssessmentFacts* a = facts.assessment.has_value() ? &*facts.assessment : nullptr;
  if (a == nullptr) ex.Missing("committee_assessment");

  // R-COM-1 (C.III.3.4).
  std::vector<Finding> khtnv;
  if (facts.disunity_concluded) {
    khtnv.push_back(Holds("R-COM-1", "cấp có thẩm quyền kết luận mất đoàn kết nội bộ",
                          "a competent authority concluded disunity"));
  }
  if (facts.member_degradation_concluded) {
    khtnv.push_back(Holds("R-COM-1",
                          "cấp có thẩm quyền kết luận có thành viên suy thoái, “tự diễn biến”, "
                          "“tự chuyển hóa”",
                          "a competent authority concluded that a committee member degraded"));
  }
  if (a != nullptr && !a->force_majeure && a->unit_targets_pct < policy.min_targets_pct) {
    khtnv.push_back(Holds("R-COM-1",
                          Cat("đơn vị chỉ hoàn thành ", a->unit_targets_pct, "% chỉ tiêu, dưới ",
                              policy.min_targets_pct, "%"),
                          Cat("the unit led completed only ", a->unit_targets_pct,
                              "% of its targets, "
                              "under ",
                              policy.min_targets_pct, "%")));
  }
  bool self_remedied = false;
  for (const DisciplineFact& d : facts.committee_disciplines) {
    if (d.self_remedied) {
      self_remedied = true;
      continue;
    }
    khtnv.push_back(Holds("R-COM-1", Cat("tập thể cấp ủy bị kỷ luật ", FormVi(d.form)),
                          Cat("the committee was disciplined (", FormEn(d.form), ")")));
  }
  std::set<std::string> violations;  // One violation counts once (C.III.3.4).
  for (const DisciplineFact& d : facts.committee_member_disciplines) {
    if (d.form < rating::v1::DISCIPLINE_FORM_WARNING) continue;
    if (!d.violation_key.empty() && !violations.insert(d.violation_key).second) continue;
    khtnv.push_back(Holds(
        "R-COM-1", Cat("cấp ủy viên bị kỷ luật ", FormVi(d.form), " (từ cảnh cáo trở lên)"),
        Cat("a committee member was disciplined (", FormEn(d.form), ", warning or heavier)")));
  }

  // R-COM-3 (HTXSNV), R-COM-4 (HTTNV), R-COM-5 (HTNV).
  if (a == nullptr) {
    ex.FailEveryLevel({"R-COM-3", "R-COM-4", "R-COM-5"},
                      "thiếu kết quả đánh giá cấp ủy (committee_assessment)",
                      "no committee assessment (committee_assessment)");
  } else {
    for (const CommitteeCriterion& c : kCommitteeCriteria) {
      const std::string_view kind_vi = c.key ? "tiêu chí trọng tâm" : "tiêu chí";
      const std::string_view kind_en = c.key ? "key criterion" : "criterion";
      NeedGrade(ex, LEVEL_HTXSNV, "R-COM-3", a->grades, c.id,
                c.key ? rating::v1::GRADE_XS : rating::v1::GRADE_TOT, kind_vi, kind_en);
      NeedGrade(ex, LEVEL_HTTNV, "R-COM-4", a->grades, c.id,
                c.key ? rating::v1::GRADE_TOT : rating::v1::GRADE_TB, kind_vi, kind_en);
      NeedGrade(ex, LEVEL_HTNV, "R-COM-5", a->grades, c.id, rating::v1::GRADE_TB, kind_vi, kind_en);
    }
    if (!a->exemplary) {
      ex.Fail(LEVEL_HTXSNV, "R-COM-3", "không phải điển hình (exemplary)", "not exemplary");
    }
  }

  Ceiling ceiling;
  if (!khtnv.empty()) {
    ceiling = ex.Finish(LEVEL_KHTNV, "R-COM-1", std::move(khtnv));
  } else if (!ex.HasFailures(LEVEL_HTXSNV)) {
    ceiling = ex.Finish(LEVEL_HTXSNV, "R-COM-3",
                        {Holds("R-COM-3", "đạt mọi điều kiện Hoàn thành xuất sắc nhiệm vụ",
                               "meets every condition of excellent")});
  } else if (!ex.HasFailures(LEVEL_HTTNV)) {
    ceiling = ex.Finish(LEVEL_HTTNV, "R-COM-4",
                        {Holds("R-COM-4", "đạt mọi điều kiện Hoàn thành tốt nhiệm vụ",
                               "meets every condition of good")});
  } else if (!ex.HasFailures(LEVEL_HTNV)) {
    ceiling = ex.Finish(LEVEL_HTNV, "R-COM-5",
                        {Holds("R-COM-5", "các tiêu chí đạt Trung bình trở lên",
                               "every criterion is average or better")});
  } else {
    ceiling = ex.Finish(LEVEL_KHTNV, "R-COM-1",
                        {Holds("R-COM-1", "không đạt mức Hoàn thành nhiệm vụ (R-COM-5)",
                               "does not reach completed (R-COM-5 fails)")});
  }
  // R-COM-2 (C.III.3.3): disciplined but self-remedied -> at most HTNV.
  if (self_remedied && ceiling.level > LEVEL_HTNV) {
    ceiling.findings.insert(
        ceiling.findings.begin(),
        Holds("R-COM-2",
              "tập thể cấp ủy bị kỷ luật nhưng tự phát hiện và khắc phục xong hậu quả: tối đa "
              "Hoàn thành nhiệm vụ",
              "the committee was disciplined but self-remedied: at most completed"));
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
      bool named = false;
      for (const std::string& m : ceiling.missing_inputs) named = named || m == missing;
      if (!named) ceiling.missing_inputs.push_back(missing);
      ceiling.findings.push_back(Finding{
          cap.rule_id, false, Cat("chưa biết mức xếp loại của ", cap.source, " để áp mức trần"),
          Cat("the rating of ", cap.source, " is unknown, the cap cannot be checked")});
      continue;
    }
    if (*cap.level >= ceiling.level) continue;
    ceiling.findings.insert(
        ceiling.findings.begin(),
        Holds(cap.rule_id,
              Cat("không cao hơn mức xếp loại của ", cap.source, " (", LevelCode(*cap.level), ")"),
              Cat("not above the rating of ", cap.source, " (", LevelCode(*cap.level), ")")));
    ceiling.level = *cap.level;
    ceiling.rule_id = cap.rule_id;
  }
  return ceiling;
}

}  // namespace rating::rules
