// Properties over random facts (seeded, deterministic): making any fact worse never raises a
// ceiling, and the same facts always give the same explanation.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "rules/engine.h"
#include "tests/rules/rules_testing.h"

namespace rating::rules::testing {
namespace {

constexpr int kCases = 3000;

class Random {
 public:
  explicit Random(uint32_t seed) : rng_(seed) {}
  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  // An index into a non-empty container of `size` elements.
  int Index(size_t size) { return Int(0, static_cast<int>(size) - 1); }
  bool Chance(int percent) { return Int(1, 100) <= percent; }
  Grade AnyGrade() { return static_cast<Grade>(Int(1, 4)); }
  Level AnyLevel() { return static_cast<Level>(Int(1, 4)); }
  // Points out of `max`, often right at or one centi-point below a band boundary.
  CentiPoints Points(CentiPoints max) {
    switch (Int(0, 3)) {
      case 0:
        return Int(0, static_cast<int>(max));
      case 1: {
        const int pct[] = {85, 70, 50, 100};
        const CentiPoints at = max * pct[Int(0, 3)] / 100;
        return Chance(50) ? at : (at > 0 ? at - 1 : 0);
      }
      default:
        return Int(static_cast<int>(max) / 2, static_cast<int>(max));
    }
  }
  DisciplineFact Discipline() {
    DisciplineFact d;
    d.form = static_cast<rating::v1::DisciplineForm>(Int(1, 5));
    d.self_remedied = Chance(40);
    d.violation_key = "v" + std::to_string(Int(1, 3));
    return d;
  }
  ConfidenceVoteFact ConfidenceVote() {
    ConfidenceVoteFact v;
    v.total = Int(1, 10);
    v.low = Int(0, v.total);
    return v;
  }

 private:
  std::mt19937 rng_;
};

// One level lower; KHTNV, the lowest, stays.
Level OneLower(Level level) {
  return level > rating::v1::LEVEL_KHTNV ? static_cast<Level>(level - 1) : level;
}

// Lowers one random grade of `grades` (if any) by a step; KEM, the lowest, stays.
std::string LowerAGrade(std::map<std::string, Grade>* grades, Random& r) {
  if (grades == nullptr || grades->empty()) return "none";
  auto it = grades->begin();
  std::advance(it, r.Index(grades->size()));
  if (it->second > rating::v1::GRADE_KEM) it->second = static_cast<Grade>(it->second - 1);
  return "lower grade " + it->first;
}

// What every worsening keeps: the ceiling does not rise, the same facts (recomputed from a copy)
// give the same ceiling, and the new ceiling is well formed.
void ExpectNotRaised(int i, const std::string& change, const Ceiling& old_ceiling,
                     const Ceiling& new_ceiling, const Ceiling& recomputed) {
  ASSERT_LE(new_ceiling.level, old_ceiling.level)
      << "case " << i << " (" << change << ")\nbefore: " << Describe(old_ceiling)
      << "after: " << Describe(new_ceiling);
  ASSERT_EQ(recomputed, old_ceiling) << "case " << i;
  ExpectWellFormed(new_ceiling);
}

// ------------------------------------------------------------------ members

MemberFacts RandomMember(Random& r) {
  MemberFacts f;
  f.leader = r.Chance(30);
  if (r.Chance(92)) {
    MemberAssessment a;
    for (const std::string& c : MemberCriteria(f.leader)) {
      if (r.Chance(97)) a.grades[c] = r.Chance(60) ? static_cast<Grade>(r.Int(3, 4)) : r.AnyGrade();
    }
    a.targets_assigned = r.Int(0, 6);
    a.targets_completed = r.Chance(70) ? a.targets_assigned : r.Int(0, a.targets_assigned);
    a.targets_on_time = r.Chance(70) ? a.targets_completed : r.Int(0, a.targets_completed);
    a.targets_exceeded = r.Int(0, a.targets_completed);
    a.not_ensured = r.Chance(70) ? 0 : r.Int(0, 3);
    a.exemplary = r.Chance(60);
    f.assessment = a;
  }
  if (r.Chance(5)) f.conclusions.push_back(static_cast<ConclusionKind>(r.Int(1, 4)));
  if (r.Chance(20)) f.confidence_votes.push_back(r.ConfidenceVote());
  if (r.Chance(10)) f.disciplines.push_back(r.Discipline());
  return f;
}

// One random change that makes the member's facts worse (or leaves them as they are).
std::string WorsenMember(MemberFacts& f, Random& r) {
  MemberAssessment* a = f.assessment.has_value() ? &*f.assessment : nullptr;
  switch (r.Int(0, 10)) {
    case 0:
      return LowerAGrade(a != nullptr ? &a->grades : nullptr, r);
    case 1:
      if (a != nullptr && a->targets_completed > 0) {
        --a->targets_completed;  // A missed target.
        a->targets_on_time = std::min(a->targets_on_time, a->targets_completed);
        a->targets_exceeded = std::min(a->targets_exceeded, a->targets_completed);
        return "missed target";
      }
      return "none";
    case 2:
      if (a != nullptr && a->targets_on_time > 0) --a->targets_on_time;
      return "late target";
    case 3:
      if (a != nullptr && a->targets_exceeded > 0) --a->targets_exceeded;
      return "fewer exceeded";
    case 4:
      if (a != nullptr) ++a->not_ensured;
      return "one more not ensured";
    case 5:
      if (a != nullptr) a->exemplary = false;
      return "not exemplary";
    case 6:
      f.disciplines.push_back(r.Discipline());
      return "new discipline";
    case 7:
      f.conclusions.push_back(static_cast<ConclusionKind>(r.Int(1, 4)));
      return "new conclusion";
    case 8:
      f.confidence_votes.push_back(r.ConfidenceVote());
      return "new confidence vote";
    case 9:
      if (a != nullptr && !a->grades.empty()) a->grades.erase(a->grades.begin());
      return "grade missing";
    default:
      f.assessment.reset();
      return "self-assessment missing";
  }
}

TEST(PropertyTest, WorseMemberFactsNeverRaiseTheCeiling) {
  const Policy policy = DefaultPolicy();
  Random r(20250101);
  for (int i = 0; i < kCases; ++i) {
    const MemberFacts before = RandomMember(r);
    std::vector<Cap> caps;
    if (before.leader && r.Chance(30)) caps.push_back({"R-LEAD-CAP", "org/o", r.AnyLevel()});
    MemberFacts after = before;
    std::string change = WorsenMember(after, r);
    if (r.Chance(30)) change += ", " + WorsenMember(after, r);
    std::vector<Cap> worse_caps = caps;
    if (!worse_caps.empty() && worse_caps[0].level > rating::v1::LEVEL_KHTNV && r.Chance(30)) {
      worse_caps[0].level = OneLower(*worse_caps[0].level);
      change += ", lower cap";
    }
    const Ceiling old_ceiling = MemberCeiling(before, policy, caps);
    const Ceiling new_ceiling = MemberCeiling(after, policy, worse_caps);
    ExpectNotRaised(i, change, old_ceiling, new_ceiling,
                    MemberCeiling(MemberFacts(before), policy, caps));
    if (HasFatalFailure() || HasNonfatalFailure()) FAIL() << "case " << i;
  }
}

// ------------------------------------------------------------------ orgs

OrgFacts RandomOrg(Random& r, const Policy& policy) {
  OrgFacts f;
  f.kind = static_cast<OrgKind>(r.Int(2, 5));
  if (r.Chance(92)) {
    ScorecardFacts card;
    for (const TemplateCriterion& c : policy.scorecards.at(f.kind).criteria) {
      card.lines.push_back({c.id, c.max, r.Points(c.max), c.key});
    }
    card.party_building_pct = r.Chance(80) ? 100 : r.Int(30, 100);
    card.production_plan_met = r.Chance(90);
    card.force_majeure = r.Chance(10);
    card.exemplary = r.Chance(60);
    f.scorecard = card;
  }
  const int units = r.Int(0, 6);
  for (int i = 0; i < units; ++i) {
    UnitRating u;
    u.subject = "unit/u" + std::to_string(i);
    u.not_subject = r.Chance(10);
    if (!u.not_subject && r.Chance(96)) {
      u.level = r.Chance(60) ? static_cast<Level>(r.Int(3, 4)) : r.AnyLevel();
    }
    f.d3.whole.push_back(u.subject);
    if (r.Chance(10)) {
      f.d3.disciplined.push_back(u.subject);
      if (r.Chance(50)) f.suborg_disciplines.push_back({u.subject, r.Discipline()});
    }
    f.units.push_back(u);
  }
  if (r.Chance(95)) f.management = r.Chance(70) ? static_cast<Level>(r.Int(3, 4)) : r.AnyLevel();
  const int mass = r.Int(0, 2);
  for (int i = 0; i < mass; ++i) {
    f.mass_orgs["m" + std::to_string(i)] =
        r.Chance(70) ? static_cast<Level>(r.Int(3, 4)) : r.AnyLevel();
  }
  if (r.Chance(3)) f.org_disciplines.push_back(r.Discipline());
  if (r.Chance(5)) f.committee_disciplines.push_back(r.Discipline());
  if (r.Chance(10)) f.incidents.push_back({r.Chance(70), r.Chance(40)});
  if (r.Chance(10)) f.committee_member_disciplines.push_back(r.Discipline());
  return f;
}

std::string WorsenOrg(OrgFacts& f, Random& r) {
  ScorecardFacts* card = f.scorecard.has_value() ? &*f.scorecard : nullptr;
  switch (r.Int(0, 14)) {
    case 0:
      if (card != nullptr && !card->lines.empty()) {
        ScoreLine& line = card->lines[r.Index(card->lines.size())];
        line.points -= r.Chance(50) ? std::min<CentiPoints>(1, line.points)
                                    : r.Int(0, static_cast<int>(line.points));
        return "fewer points on " + line.id;
      }
      return "none";
    case 1:
      if (!f.units.empty()) {
        UnitRating& u = f.units[r.Index(f.units.size())];
        if (u.level.has_value()) u.level = OneLower(*u.level);
        return "worse unit level " + u.subject;
      }
      return "none";
    case 2:
      if (!f.units.empty()) {
        UnitRating& u = f.units[r.Index(f.units.size())];
        f.d3.disciplined.push_back(u.subject);
        if (r.Chance(50)) f.suborg_disciplines.push_back({u.subject, r.Discipline()});
        return "unit disciplined " + u.subject;
      }
      return "none";
    case 3:
      f.incidents.push_back({true, r.Chance(30)});
      return "new incident";
    case 4:
      f.committee_member_disciplines.push_back(r.Discipline());
      return "committee member disciplined";
    case 5:
      f.committee_disciplines.push_back(r.Discipline());
      return "committee disciplined";
    case 6:
      f.org_disciplines.push_back(r.Discipline());
      return "org disciplined";
    case 7:
      if (card != nullptr)
        card->party_building_pct = r.Int(0, card->party_building_pct.value_or(100));
      return "fewer party-building targets";
    case 8:
      if (card != nullptr) card->production_plan_met = false;
      return "plan not met";
    case 9:
      if (card != nullptr) card->force_majeure = false;
      return "no force majeure";
    case 10:
      if (card != nullptr) card->exemplary = false;
      return "not exemplary";
    case 11:
      if (f.management.has_value()) f.management = OneLower(*f.management);
      return "worse management";
    case 12:
      if (!f.mass_orgs.empty()) {
        Level& level = f.mass_orgs.begin()->second;
        level = OneLower(level);
      }
      return "worse mass org";
    case 13:
      if (!f.units.empty()) f.units[r.Index(f.units.size())].level.reset();
      return "unit rating missing";
    default:
      f.scorecard.reset();
      return "scorecard missing";
  }
}

TEST(PropertyTest, WorseOrgFactsNeverRaiseTheCeiling) {
  const Policy policy = DefaultPolicy();
  Random r(20250202);
  for (int i = 0; i < kCases; ++i) {
    const OrgFacts before = RandomOrg(r, policy);
    OrgFacts after = before;
    std::string change = WorsenOrg(after, r);
    if (r.Chance(30)) change += ", " + WorsenOrg(after, r);
    const Ceiling old_ceiling = OrgCeiling(before, policy);
    const Ceiling new_ceiling = OrgCeiling(after, policy);
    ExpectNotRaised(i, change, old_ceiling, new_ceiling, OrgCeiling(OrgFacts(before), policy));
    if (HasFatalFailure() || HasNonfatalFailure()) FAIL() << "case " << i;
  }
}

// ------------------------------------------------------------------ committees

CommitteeFacts RandomCommittee(Random& r) {
  CommitteeFacts f;
  if (r.Chance(92)) {
    CommitteeAssessmentFacts a;
    for (const std::string& c : CommitteeCriteria()) {
      if (r.Chance(97)) a.grades[c] = r.Chance(60) ? static_cast<Grade>(r.Int(3, 4)) : r.AnyGrade();
    }
    a.unit_targets_pct = r.Chance(80) ? 100 : r.Int(30, 100);
    a.force_majeure = r.Chance(10);
    a.exemplary = r.Chance(60);
    f.assessment = a;
  }
  if (r.Chance(4)) f.committee_conclusions.push_back(rating::v1::CONCLUSION_KIND_DISUNITY);
  if (r.Chance(4)) f.member_conclusions.push_back(rating::v1::CONCLUSION_KIND_DEGRADATION);
  if (r.Chance(10)) f.committee_disciplines.push_back(r.Discipline());
  if (r.Chance(15)) f.committee_member_disciplines.push_back(r.Discipline());
  return f;
}

std::string WorsenCommittee(CommitteeFacts& f, std::vector<Cap>& caps, Random& r) {
  CommitteeAssessmentFacts* a = f.assessment.has_value() ? &*f.assessment : nullptr;
  switch (r.Int(0, 9)) {
    case 0:
      return LowerAGrade(a != nullptr ? &a->grades : nullptr, r);
    case 1:
      if (a != nullptr) a->unit_targets_pct = r.Int(0, a->unit_targets_pct.value_or(100));
      return "fewer unit targets";
    case 2:
      if (a != nullptr) a->force_majeure = false;
      return "no force majeure";
    case 3:
      if (a != nullptr) a->exemplary = false;
      return "not exemplary";
    case 4:
      f.org_conclusions.push_back(rating::v1::CONCLUSION_KIND_DISUNITY);
      return "disunity";
    case 5:
      f.member_conclusions.push_back(rating::v1::CONCLUSION_KIND_DEGRADATION);
      return "degradation";
    case 6:
      f.committee_disciplines.push_back(r.Discipline());
      return "committee disciplined";
    case 7:
      f.committee_member_disciplines.push_back(r.Discipline());
      return "member disciplined";
    case 8:
      if (!caps.empty() && caps[0].level.has_value()) caps[0].level = OneLower(*caps[0].level);
      return "worse org rating";
    default:
      f.assessment.reset();
      return "assessment missing";
  }
}

TEST(PropertyTest, WorseCommitteeFactsNeverRaiseTheCeiling) {
  const Policy policy = DefaultPolicy();
  Random r(20250303);
  for (int i = 0; i < kCases; ++i) {
    const CommitteeFacts before = RandomCommittee(r);
    std::vector<Cap> caps;
    if (r.Chance(60)) caps.push_back({"R-COM-CAP", "org/o", r.AnyLevel()});
    CommitteeFacts after = before;
    std::vector<Cap> worse_caps = caps;
    std::string change = WorsenCommittee(after, worse_caps, r);
    if (r.Chance(30)) change += ", " + WorsenCommittee(after, worse_caps, r);
    const Ceiling old_ceiling = CommitteeCeiling(before, policy, caps);
    const Ceiling new_ceiling = CommitteeCeiling(after, policy, worse_caps);
    ExpectNotRaised(i, change, old_ceiling, new_ceiling,
                    CommitteeCeiling(CommitteeFacts(before), policy, caps));
    if (HasFatalFailure() || HasNonfatalFailure()) FAIL() << "case " << i;
  }
}

// ------------------------------------------------------------------ ballots

TEST(PropertyTest, SameBallotsGiveTheSameTally) {
  const Policy policy = DefaultPolicy();
  Random r(20250404);
  for (int i = 0; i < 300; ++i) {
    TallyInput in;
    const int subjects = r.Int(1, 8);
    for (int s = 0; s < subjects; ++s) in.subjects.push_back("member/s" + std::to_string(s));
    const int issued = r.Int(1, 15);
    for (int b = 1; b <= issued; ++b) in.issued.push_back(std::to_string(b));
    const int returned = r.Int(0, issued + 2);
    for (int b = 0; b < returned; ++b) {
      BallotInput ballot;
      ballot.serial = std::to_string(r.Int(1, issued + 1));
      for (const std::string& s : in.subjects) {
        if (r.Chance(90)) ballot.marks.push_back({s, {r.AnyLevel()}});
      }
      ballot.extra_content = r.Chance(5);
      in.ballots.push_back(ballot);
    }
    absl::StatusOr<TallyResult> a = CountBallots(in, policy);
    absl::StatusOr<TallyResult> b = CountBallots(TallyInput(in), policy);
    ASSERT_TRUE(a.ok() && b.ok());
    ASSERT_EQ(a->valid + a->invalid, a->returned);
    int selected = 0;
    int good = 0;
    for (size_t s = 0; s < a->subjects.size(); ++s) {
      ASSERT_EQ(a->subjects[s].level, b->subjects[s].level);
      ASSERT_EQ(a->subjects[s].tie_at_quota, b->subjects[s].tie_at_quota);
      selected += a->subjects[s].level == rating::v1::LEVEL_HTXSNV;
      good += a->subjects[s].majority_level >= rating::v1::LEVEL_HTTNV;
    }
    // R-QUOTA: the tally never selects more than the quota.
    ASSERT_TRUE(WithinQuota(selected, good, policy)) << "case " << i;
  }
}

}  // namespace
}  // namespace rating::rules::testing
