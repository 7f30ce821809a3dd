// Grassroots and subordinate orgs (RULES.md §4, C.I): R-ORG-1..6 with the defects D1..D4.
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

bool IsCommitteeKind(OrgKind kind) {
  return kind == rating::v1::ORG_KIND_GRASSROOTS_COMMITTEE ||
         kind == rating::v1::ORG_KIND_SUB_COMMITTEE;
}

// How the units of an org are named in running text.
struct UnitWords {
  std::string_view vi;
  std::string_view en;
};
UnitWords WordsFor(bool committee_kind) {
  if (committee_kind) return {"tổ chức đảng trực thuộc", "subordinate orgs"};
  return {"đảng viên được xếp loại", "rated members"};
}
// D3 counts people and orgs, rated or not.
UnitWords D3Words(bool committee_kind) {
  if (committee_kind) return {"tổ chức đảng trực thuộc", "subordinate orgs"};
  return {"đảng viên", "members"};
}

// "Tổng điểm 49.99 dưới 50 điểm" / "total score 49.99 is below 50" (or "từ ... trở lên" / "is
// at least").
Finding ScoreAgainst(std::string_view rule_id, bool holds, CentiPoints total,
                     CentiPoints threshold) {
  const bool below = total < threshold;
  return Finding{std::string(rule_id), holds,
                 Cat("Tổng điểm ", FormatPoints(total), below ? " dưới " : " từ ",
                     FormatPoints(threshold), below ? " điểm" : " điểm trở lên"),
                 Cat("total score ", FormatPoints(total), below ? " is below " : " is at least ",
                     FormatPoints(threshold))};
}

// "“Công tác chính trị tư tưởng”" or the criterion id when the card names none.
std::string LineName(const ScoreLine& line) {
  return Cat("“", line.name_vi.empty() ? line.id : line.name_vi, "”");
}

// The percentages of R-ORG-4/5 over the units: NOT_SUBJECT ones are left out; undecided ones
// fail the conditions that need them and are named.
struct UnitCounts {
  int counted = 0;
  int good = 0;  // >= HTTNV
  std::vector<std::string> unrated;
  std::vector<std::string> below_pass;
};
UnitCounts CountUnits(const std::vector<UnitRating>& units) {
  UnitCounts out;
  for (const UnitRating& unit : units) {
    if (unit.not_subject) continue;
    ++out.counted;
    if (!unit.level.has_value() || *unit.level == rating::v1::LEVEL_UNSPECIFIED) {
      out.unrated.push_back(unit.subject);
      continue;
    }
    if (*unit.level < LEVEL_HTNV) out.below_pass.push_back(unit.subject);
    if (*unit.level >= LEVEL_HTTNV) ++out.good;
  }
  return out;
}

// D1..D4 (C.I.2.3, C.I.2.4): each defect found, as an R-ORG-3 finding.
std::vector<Finding> Defects(const OrgFacts& facts, const Policy& policy) {
  const UnitWords words = D3Words(IsCommitteeKind(facts.kind));
  std::vector<Finding> defects;
  // D1: a disciplined case anywhere under O, unless self-remedied.
  for (const SubOrgDiscipline& d : facts.suborg_disciplines) {
    if (d.discipline.self_remedied) continue;
    defects.push_back(Holds(
        "R-ORG-3",
        Cat("D1: tổ chức đảng cấp dưới ", d.org, " bị kỷ luật ",
            internal::FormVi(d.discipline.form), ", không tự phát hiện và khắc phục xong hậu quả"),
        Cat("D1: the org ", d.org, " below was disciplined (", internal::FormEn(d.discipline.form),
            "), not self-remedied")));
  }
  for (const IncidentFact& incident : facts.incidents) {
    if (!incident.disciplined || incident.self_remedied) continue;
    defects.push_back(Holds("R-ORG-3",
                            Cat("D1: đơn vị ", incident.org,
                                " xảy ra vụ việc vi phạm bị xử lý kỷ luật, không tự khắc phục"),
                            Cat("D1: a unit had a violation case that was disciplined, not "
                                "self-remedied (recorded on ",
                                incident.org, ")")));
  }
  // D2: party-building targets or the production plan (only what the card asserts).
  const ScorecardFacts* card = facts.scorecard.has_value() ? &*facts.scorecard : nullptr;
  if (card != nullptr && !card->force_majeure) {
    if (card->party_building_pct.has_value() &&
        *card->party_building_pct < policy.min_targets_pct) {
      defects.push_back(Holds(
          "R-ORG-3",
          Cat("D2: chỉ hoàn thành ", *card->party_building_pct,
              "% chỉ tiêu xây dựng Đảng được giao, dưới ", policy.min_targets_pct, "%"),
          Cat("D2: only ", *card->party_building_pct,
              "% of the party-building targets completed, under ", policy.min_targets_pct, "%")));
    }
    if (card->production_plan_met.has_value() && !*card->production_plan_met) {
      defects.push_back(Holds("R-ORG-3", "D2: không hoàn thành kế hoạch sản xuất kinh doanh",
                              "D2: the production/business plan was not met"));
    }
  }
  // D3: more than 20% of the people or orgs disciplined in the year.
  const D3Count d3 = CountD3(facts.d3);
  if (d3.whole > 0 && MorePct(d3.disciplined, d3.whole, policy.defect_disciplined_pct)) {
    defects.push_back(
        Holds("R-ORG-3",
              Cat("D3: ", d3.disciplined, "/", d3.whole, " ", words.vi,
                  " bị kỷ luật trong năm (trên ", policy.defect_disciplined_pct, "%)"),
              Cat("D3: ", d3.disciplined, " of ", d3.whole, " ", words.en,
                  " disciplined in the year (more than ", policy.defect_disciplined_pct, "%)")));
  }
  // D4: a committee member disciplined, unless self-remedied.
  for (const DisciplineFact& d : facts.committee_member_disciplines) {
    if (d.self_remedied) continue;
    defects.push_back(Holds("R-ORG-3",
                            Cat("D4: cấp ủy viên bị kỷ luật ", internal::FormVi(d.form),
                                ", không tự phát hiện và khắc phục xong hậu quả"),
                            Cat("D4: a committee member was disciplined (",
                                internal::FormEn(d.form), "), not self-remedied")));
  }
  return defects;
}

// The conditions of R-ORG-4 (HTXSNV), R-ORG-5 (HTTNV), R-ORG-6 (HTNV) that fail.
void HigherLevelConditions(internal::Explainer& ex, const OrgFacts& facts, const Policy& policy,
                           CentiPoints total, const UnitCounts& units, UnitWords words) {
  const bool committee_kind = IsCommitteeKind(facts.kind);
  const ScorecardFacts* card = facts.scorecard.has_value() ? &*facts.scorecard : nullptr;
  if (card == nullptr) {
    ex.FailEveryLevel({"R-ORG-4", "R-ORG-5", "R-ORG-6"}, "Chưa có biểu chấm điểm", "no scorecard");
  } else {
    auto need_score = [&](Level level, std::string_view rule, CentiPoints threshold) {
      if (total >= threshold) return;
      Finding fails = ScoreAgainst(rule, false, total, threshold);
      ex.Fail(level, rule, std::move(fails.text_vi), std::move(fails.text_en));
    };
    need_score(LEVEL_HTXSNV, "R-ORG-4", policy.score_excellent);
    need_score(LEVEL_HTTNV, "R-ORG-5", policy.score_good);
    need_score(LEVEL_HTNV, "R-ORG-6", policy.score_pass);
    for (const ScoreLine& line : card->lines) {
      const Grade grade = line.grade != rating::v1::GRADE_UNSPECIFIED
                              ? line.grade
                              : GradeOfPoints(line.points, line.max, policy);
      auto need = [&](Level level, std::string_view rule, Grade needed) {
        if (grade >= needed) return;
        const std::string points = Cat(FormatPoints(line.points), "/", FormatPoints(line.max));
        ex.Fail(level, rule,
                Cat(line.key ? "Tiêu chí trọng tâm " : "Tiêu chí ", LineName(line), " đạt mức ",
                    internal::GradeVi(grade), " (", points, " điểm), cần đạt mức ",
                    internal::GradeVi(needed)),
                Cat(line.key ? "key criterion " : "criterion ", line.id, " is ", GradeCode(grade),
                    " (", points, "), needs ", GradeCode(needed)));
      };
      need(LEVEL_HTXSNV, "R-ORG-4", line.key ? rating::v1::GRADE_XS : rating::v1::GRADE_TOT);
      need(LEVEL_HTTNV, "R-ORG-5", line.key ? rating::v1::GRADE_TOT : rating::v1::GRADE_TB);
    }
    if (!card->exemplary) {
      ex.Fail(LEVEL_HTXSNV, "R-ORG-4", "Chưa có nhiều thành tích nổi bật, là điển hình",
              "not exemplary");
    }
  }
  // Units: 100% >= HTNV (R-ORG-4 always; R-ORG-5 for committee kinds), shares >= HTTNV.
  for (const std::string& subject : units.unrated) {
    ex.Missing(Cat(subject, " rating"));
    for (auto [level, rule] :
         {std::pair{LEVEL_HTXSNV, "R-ORG-4"}, std::pair{LEVEL_HTTNV, "R-ORG-5"}}) {
      ex.Fail(level, rule, Cat(subject, " chưa được xếp loại"), Cat(subject, " is not rated yet"));
    }
  }
  if (!units.below_pass.empty()) {
    const std::string vi = Cat(units.below_pass.size(), " ", words.vi,
                               " dưới mức Hoàn thành nhiệm vụ; cần 100% đạt Hoàn thành nhiệm vụ "
                               "trở lên");
    const std::string en = Cat(units.below_pass.size(), " ", words.en,
                               " below completed, needs 100% completed or better");
    ex.Fail(LEVEL_HTXSNV, "R-ORG-4", vi, en);
    if (committee_kind) ex.Fail(LEVEL_HTTNV, "R-ORG-5", vi, en);
  }
  auto need_share = [&](Level level, std::string_view rule, int pct) {
    if (units.counted == 0 || internal::AtLeastPct(units.good, units.counted, pct)) return;
    ex.Fail(level, rule,
            Cat(units.good, "/", units.counted, " ", words.vi,
                " đạt Hoàn thành tốt nhiệm vụ trở lên, cần ít nhất ", pct, "%"),
            Cat(units.good, " of ", units.counted, " ", words.en,
                " good or better, needs at least ", pct, "%"));
  };
  need_share(LEVEL_HTXSNV, "R-ORG-4", policy.excellent_good_share_pct);
  need_share(LEVEL_HTTNV, "R-ORG-5", policy.good_good_share_pct);
  // External collectives: the management board and every same-level mass org.
  auto need_external = [&](Level level, std::string_view rule, Level needed) {
    if (!facts.management.has_value() || *facts.management == rating::v1::LEVEL_UNSPECIFIED) {
      ex.Missing("management rating");
      ex.Fail(level, rule, "Chưa có kết quả xếp loại của tập thể lãnh đạo đơn vị",
              "the management board's rating is not recorded");
    } else if (*facts.management < needed) {
      ex.Fail(level, rule,
              Cat("Tập thể lãnh đạo đơn vị xếp loại ", LevelNameVi(*facts.management), ", cần ",
                  LevelNameVi(needed), " trở lên"),
              Cat("the management board is rated ", LevelCode(*facts.management), ", needs ",
                  LevelCode(needed), " or better"));
    }
    for (const auto& [name, mass_level] : facts.mass_orgs) {
      if (mass_level == rating::v1::LEVEL_UNSPECIFIED) {
        ex.Missing(Cat("mass_org:", name, " rating"));
        ex.Fail(level, rule, Cat("Chưa có kết quả xếp loại của đoàn thể ", name),
                Cat("mass org ", name, "'s rating is not recorded"));
        continue;
      }
      if (mass_level >= needed) continue;
      ex.Fail(level, rule,
              Cat("Đoàn thể ", name, " xếp loại ", LevelNameVi(mass_level), ", cần ",
                  LevelNameVi(needed), " trở lên"),
              Cat("mass org ", name, " is rated ", LevelCode(mass_level), ", needs ",
                  LevelCode(needed), " or better"));
    }
  };
  need_external(LEVEL_HTXSNV, "R-ORG-4", LEVEL_HTTNV);
  need_external(LEVEL_HTTNV, "R-ORG-5", LEVEL_HTNV);
  if (!facts.committee_member_disciplines.empty()) {
    ex.Fail(LEVEL_HTXSNV, "R-ORG-4",
            Cat("Có ", facts.committee_member_disciplines.size(),
                " lượt cấp ủy viên bị kỷ luật trong năm"),
            Cat(facts.committee_member_disciplines.size(),
                " discipline(s) of committee members in the year"));
  }
}

}  // namespace

D3Count CountD3(const D3Facts& facts) {
  std::set<std::string> whole(facts.whole.begin(), facts.whole.end());
  const std::set<std::string> disciplined(facts.disciplined.begin(), facts.disciplined.end());
  whole.insert(disciplined.begin(), disciplined.end());  // Those who have since left count too.
  return D3Count{static_cast<int>(disciplined.size()), static_cast<int>(whole.size())};
}

Ceiling OrgCeiling(const OrgFacts& facts, const Policy& policy) {
  internal::Explainer ex;
  const UnitWords words = WordsFor(IsCommitteeKind(facts.kind));
  const ScorecardFacts* card = facts.scorecard.has_value() ? &*facts.scorecard : nullptr;
  if (card == nullptr) ex.Missing("scorecard");

  // R-ORG-1 (C.I.2.4): O or its committee disciplined.
  std::vector<Finding> org1;
  bool committee_self_remedied = false;
  for (const DisciplineFact& d : facts.org_disciplines) {
    org1.push_back(Holds("R-ORG-1", Cat("Tổ chức đảng bị kỷ luật ", internal::FormVi(d.form)),
                         Cat("the org was disciplined (", internal::FormEn(d.form), ")")));
  }
  for (const DisciplineFact& d : facts.committee_disciplines) {
    if (d.self_remedied) {
      committee_self_remedied = true;
      continue;
    }
    org1.push_back(Holds(
        "R-ORG-1",
        Cat("Cấp ủy bị kỷ luật ", internal::FormVi(d.form),
            ", không tự phát hiện và khắc phục xong hậu quả"),
        Cat("the committee was disciplined (", internal::FormEn(d.form), "), not self-remedied")));
  }

  CentiPoints total = 0;
  if (card != nullptr) {
    for (const ScoreLine& line : card->lines) total += line.points;
  }
  const UnitCounts units = CountUnits(facts.units);
  std::vector<Finding> defects = Defects(facts, policy);
  HigherLevelConditions(ex, facts, policy, total, units, words);

  // The rules in order: the first that decides wins.
  Ceiling ceiling;
  if (!org1.empty()) {
    ceiling = ex.Finish(LEVEL_KHTNV, "R-ORG-1", std::move(org1));
  } else if (card == nullptr) {
    ceiling = ex.Finish(LEVEL_KHTNV, "R-ORG-2",
                        {Holds("R-ORG-2", "Chưa có biểu chấm điểm nên chưa có tổng điểm",
                               "no scorecard: the total score is unknown")});
  } else if (total < policy.score_pass) {
    ceiling = ex.Finish(LEVEL_KHTNV, "R-ORG-2",
                        {ScoreAgainst("R-ORG-2", true, total, policy.score_pass)});
  } else if (!defects.empty()) {
    const bool at_least_good = total >= policy.score_good;
    defects.front().text_vi +=
        Cat("; tổng điểm ", FormatPoints(total), at_least_good ? ", đạt từ " : ", dưới ",
            FormatPoints(policy.score_good), at_least_good ? " điểm trở lên" : " điểm");
    defects.front().text_en +=
        Cat("; total score ", FormatPoints(total), at_least_good ? " at least " : " below ",
            FormatPoints(policy.score_good));
    ceiling = ex.Finish(at_least_good ? LEVEL_HTNV : LEVEL_KHTNV, "R-ORG-3", std::move(defects));
  } else if (!ex.HasFailures(LEVEL_HTXSNV)) {
    ceiling = ex.Finish(LEVEL_HTXSNV, "R-ORG-4",
                        {internal::MeetsEveryCondition("R-ORG-4", LEVEL_HTXSNV)});
  } else if (!ex.HasFailures(LEVEL_HTTNV)) {
    ceiling =
        ex.Finish(LEVEL_HTTNV, "R-ORG-5", {internal::MeetsEveryCondition("R-ORG-5", LEVEL_HTTNV)});
  } else {
    ceiling =
        ex.Finish(LEVEL_HTNV, "R-ORG-6", {ScoreAgainst("R-ORG-6", true, total, policy.score_pass)});
  }
  // R-ORG-1 [choice]: a self-remedied committee discipline caps the org at HTNV (C.III.3.3).
  if (committee_self_remedied && ceiling.level > LEVEL_HTNV) {
    ceiling.findings.insert(ceiling.findings.begin(),
                            Holds("R-ORG-1",
                                  "Cấp ủy bị kỷ luật nhưng đã tự phát hiện và khắc phục xong hậu "
                                  "quả: tối đa Hoàn thành nhiệm vụ",
                                  "the committee was disciplined but self-remedied: at most "
                                  "completed"));
    ceiling.level = LEVEL_HTNV;
    ceiling.rule_id = "R-ORG-1";
  }
  return ceiling;
}

}  // namespace rating::rules
