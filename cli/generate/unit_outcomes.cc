// The generator's outcomes of a year: members' rewards and late rulings, the orgs' and
// committees' inputs, and the bloc's decisions.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/generate/generator.h"
#include "common/status_macros.h"

namespace rating::cli::generate {

// Rewards of the year for some HTXSNV members (R-REW-1, C.III.6), by the grassroots org's
// committee; the five-year reward after five HTXSNV years in a row.
absl::Status Generator::MemberRewards(const std::vector<const MemberPlan*>& decided, int grassroots,
                                      int year, Rng& rng) {
  for (const MemberPlan* p : decided) {
    Member& member = members_[p->member];
    member.excellent_streak = p->level == v1::LEVEL_HTXSNV ? member.excellent_streak + 1 : 0;
    if (p->level != v1::LEVEL_HTXSNV) continue;
    for (v1::RewardKind kind : {v1::REWARD_KIND_YEARLY, v1::REWARD_KIND_FIVE_YEARS}) {
      const bool grant =
          kind == v1::REWARD_KIND_YEARLY ? rng.PerMille(300) : member.excellent_streak >= 5;
      if (!grant) continue;
      v1::Command command;
      command.mutable_grant_reward()->set_subject(MemberSubject(p->member));
      command.mutable_grant_reward()->set_year(year);
      command.mutable_grant_reward()->set_kind(kind);
      RATING_RETURN_IF_ERROR(Emit(command, CommitteeOf(grassroots)));
    }
  }
  // Members not rated this year break their streak.
  for (int cell :
       orgs_[grassroots].IsCell() ? std::vector<int>{grassroots} : orgs_[grassroots].cells) {
    for (int m : orgs_[cell].members) {
      if (!Rated(members_[m], year)) members_[m].excellent_streak = 0;
    }
  }
  return absl::OkStatus();
}

// About 2 in 1000 decided plain members (and at least one a year) will be ruled on next year
// for a violation of this year.
void Generator::ChooseLateRuling(const MemberPlan& plan, int grassroots, int year, Rng& rng) {
  const Member& member = members_[plan.member];
  const bool first_of_year = late_.empty() || late_.back().year != year;
  if (member.posts != 0 || member.ruled || member.transfer_year == year ||
      concluded_.count(plan.member) > 0 || plan.level == v1::LEVEL_KHTNV ||
      !(first_of_year || rng.PerMille(2))) {
    return;
  }
  members_[plan.member].ruled = true;
  // Only a good-or-lower rating is confirmed after a self-remedied ruling: the quota may have
  // moved since (other re-ratings lower the scope's good count).
  const bool self_remedied = plan.level != v1::LEVEL_HTXSNV && rng.PerMille(150);
  late_.push_back({plan.member, year, plan.level, grassroots, self_remedied});
}

absl::StatusOr<Level> Generator::OrgInputs(int org, const Units& units, int year, bool defect_below,
                                           bool* defect) {
  const Org& o = orgs_[org];
  Rng rng = Stream(Purpose::kOrgInputs, year, org);
  const v1::Principal committee = CommitteeOf(org);
  v1::Command review;
  review.mutable_record_review_completed()->set_subject(absl::StrCat("org/", o.id));
  review.mutable_record_review_completed()->set_year(year);
  RATING_RETURN_IF_ERROR(Emit(review, committee));

  const int draw = rng.Below(1000);
  const int excellent = o.excellent_streak > 0 ? 500 : 240;
  const OrgDesign design = draw < excellent         ? OrgDesign::kExcellent
                           : draw < excellent + 620 ? OrgDesign::kGood
                           : draw < excellent + 690 ? OrgDesign::kLowScore
                           : draw < excellent + 750 ? OrgDesign::kPlanMissed
                           : draw < excellent + 760 ? OrgDesign::kFailed
                                                    : OrgDesign::kGood;
  const Scorecard card = MakeScorecard(design, rng);
  v1::Command scorecard;
  v1::Scorecard* s = scorecard.mutable_submit_scorecard();
  s->set_org(o.id);
  s->set_year(year);
  s->set_template_id(kCardTemplate);
  for (size_t i = 0; i < card.points.size(); ++i) {
    v1::ScoreCriterion* line = s->add_criteria();
    line->set_id(kCard[i].id);
    line->set_max(PointsText(kCard[i].max));
    line->set_key(kCard[i].key);
    if (static_cast<int>(i) == kProductionLine) {
      line->mutable_quantity()->set_achieved(card.achieved);
      line->mutable_quantity()->set_plan(card.plan);
    } else {
      line->set_points(PointsText(card.points[i]));
      line->set_grade(GradeOf(card.points[i], kCard[i].max));
    }
  }
  s->set_party_building_pct(card.party_building_pct);
  s->set_production_plan_met(card.plan_met);
  s->set_exemplary(card.exemplary);
  RATING_RETURN_IF_ERROR(Emit(scorecard, committee));

  // The management board and two or three mass organizations at the same level.
  Level worst = v1::LEVEL_HTXSNV;
  const int bodies = rng.Between(2, 3);
  for (int b = 0; b <= bodies; ++b) {
    const int pick = rng.Below(1000);
    const Level level = pick < 220   ? v1::LEVEL_HTXSNV
                        : pick < 960 ? v1::LEVEL_HTTNV
                                     : v1::LEVEL_HTNV;
    worst = std::min(worst, level);
    v1::Command external;
    v1::ExternalRating* e = external.mutable_record_external_rating();
    e->set_org(o.id);
    e->set_year(year);
    e->set_body(b == 0 ? "management" : kMassOrgs[b - 1]);
    e->set_level(level);
    RATING_RETURN_IF_ERROR(Emit(external, committee));
  }
  // Now and then a violation case in a unit: D1 when disciplined and not self-remedied.
  if (rng.PerMille(25)) {
    v1::Command incident;
    v1::UnitIncident* u = incident.mutable_record_unit_incident();
    u->set_org(o.id);
    u->set_year(year);
    u->set_kind(static_cast<v1::IncidentKind>(rng.Between(1, 4)));
    u->set_disciplined(rng.PerMille(400));
    u->set_self_remedied(u->disciplined() && rng.PerMille(300));
    *defect = *defect || (u->disciplined() && !u->self_remedied());
    RATING_RETURN_IF_ERROR(Emit(incident, CommitteeOf(GrassrootsOf(org))));
  }
  // D1 reaches up: a case under a subordinate cell counts for its grassroots committee.
  return OrgCeiling(card, units, !o.IsCell(), worst, *defect || defect_below);
}

// An org's committee (C.III): its review, the assessment by `assessor` (the bloc for a
// grassroots org's, the grassroots committee for its cells'), now and then a conclusion of
// disunity (R-COM-1). `ceiling` gets its ceiling before the cap (R-COM-CAP).
absl::Status Generator::CommitteeInputs(int org, Level org_level, int year,
                                        const v1::Principal& assessor, Level* ceiling) {
  Rng rng = Stream(Purpose::kCommittee, year, org);
  const std::string& id = orgs_[org].id;
  v1::Command review;
  review.mutable_record_review_completed()->set_subject(absl::StrCat("committee/", id));
  review.mutable_record_review_completed()->set_year(year);
  RATING_RETURN_IF_ERROR(Emit(review, CommitteeOf(org)));

  // Mostly in line with the org's own results.
  const int draw = rng.Below(1000);
  Level design = org_level;
  if (org_level == v1::LEVEL_HTXSNV) {
    design = draw < 600 ? v1::LEVEL_HTXSNV : v1::LEVEL_HTTNV;
  } else if (org_level == v1::LEVEL_HTTNV) {
    design = draw < 50 ? v1::LEVEL_HTXSNV : (draw < 900 ? v1::LEVEL_HTTNV : v1::LEVEL_HTNV);
  } else if (org_level == v1::LEVEL_HTNV) {
    design = draw < 300 ? v1::LEVEL_HTTNV : v1::LEVEL_HTNV;
  } else {
    design = draw < 500 ? v1::LEVEL_HTNV : v1::LEVEL_KHTNV;
  }
  v1::Command assessment;
  v1::CommitteeAssessment* a = assessment.mutable_submit_committee_assessment();
  a->set_org(id);
  a->set_year(year);
  for (const char* criterion : {"democratic_centralism", "leadership_responsibility", "programs",
                                "results", "targets", "unit_ratings", "remediation"}) {
    const bool key = std::string(criterion) == "programs" || std::string(criterion) == "results";
    v1::Grade grade = v1::GRADE_TOT;
    switch (design) {
      case v1::LEVEL_HTXSNV:  // R-COM-3: key criteria XS, the rest TOT or better.
        grade = key || rng.PerMille(400) ? v1::GRADE_XS : v1::GRADE_TOT;
        break;
      case v1::LEVEL_HTTNV:  // R-COM-4: key criteria TOT or better, the rest TB or better.
        grade = key ? v1::GRADE_TOT : (rng.PerMille(200) ? v1::GRADE_TB : v1::GRADE_TOT);
        break;
      case v1::LEVEL_HTNV:  // R-COM-5: TB or better, the results TB.
        grade =
            std::string(criterion) == "results" || rng.PerMille(500) ? v1::GRADE_TB : v1::GRADE_TOT;
        break;
      default:  // Below R-COM-5: the results KEM.
        grade = std::string(criterion) == "results" ? v1::GRADE_KEM : v1::GRADE_TB;
        break;
    }
    v1::CriterionGrade* g = a->add_grades();
    g->set_criterion(criterion);
    g->set_grade(grade);
  }
  a->set_unit_targets_pct(rng.Between(design >= v1::LEVEL_HTTNV ? 75 : 55, 100));
  a->set_exemplary(design == v1::LEVEL_HTXSNV);
  RATING_RETURN_IF_ERROR(Emit(assessment, assessor));
  if (rng.PerMille(4)) {
    v1::Command conclusion;
    conclusion.mutable_record_conclusion()->set_subject(absl::StrCat("committee/", id));
    conclusion.mutable_record_conclusion()->set_kind(v1::CONCLUSION_KIND_DISUNITY);
    conclusion.mutable_record_conclusion()->set_year(year);
    RATING_RETURN_IF_ERROR(Emit(conclusion, assessor));
    design = v1::LEVEL_KHTNV;
  }
  *ceiling = design;
  return absl::OkStatus();
}

// ------------------------------------------------------------------ the bloc

// The bloc standing committee decides the grassroots orgs, then their committees (capped by the
// orgs, R-COM-CAP), then the leaders it rates (capped by both, R-LEAD-CAP), each within its
// bloc-wide quota, and rewards the best orgs.
absl::Status Generator::BlocDecisions(int year) {
  Rng rng = Stream(Purpose::kBloc, year, 0);
  // Keeps at most MaxExcellent(good) at HTXSNV, in a seeded order; the rest get HTTNV.
  auto apply_quota = [&](Level GrassrootsResult::*field) {
    int good = 0;
    std::vector<GrassrootsResult*> excellent;
    for (GrassrootsResult& r : results_) {
      if (r.*field >= v1::LEVEL_HTTNV) ++good;
      if (r.*field == v1::LEVEL_HTXSNV) excellent.push_back(&r);
    }
    for (size_t i = 0; i < excellent.size(); ++i) {
      std::swap(excellent[i], excellent[i + rng.Below(static_cast<int>(excellent.size() - i))]);
    }
    for (size_t k = static_cast<size_t>(MaxExcellent(good)); k < excellent.size(); ++k) {
      excellent[k]->*field = v1::LEVEL_HTTNV;
    }
  };
  for (GrassrootsResult& r : results_) r.level = r.ceiling;
  apply_quota(&GrassrootsResult::level);
  std::vector<Rating> orgs;
  for (const GrassrootsResult& r : results_) {
    orgs.push_back({absl::StrCat("org/", orgs_[r.org].id), r.level});
  }
  RATING_RETURN_IF_ERROR(EmitDecisions(Bloc(), year, std::move(orgs)));
  for (const GrassrootsResult& r : results_) {
    Org& org = orgs_[r.org];
    org.excellent_streak = r.level == v1::LEVEL_HTXSNV ? org.excellent_streak + 1 : 0;
    if (r.level != v1::LEVEL_HTXSNV) continue;
    for (v1::RewardKind kind : {v1::REWARD_KIND_YEARLY, v1::REWARD_KIND_FIVE_YEARS}) {
      const bool grant =
          kind == v1::REWARD_KIND_YEARLY ? rng.PerMille(400) : org.excellent_streak >= 5;
      if (!grant) continue;
      v1::Command command;
      command.mutable_grant_reward()->set_subject(absl::StrCat("org/", org.id));
      command.mutable_grant_reward()->set_year(year);
      command.mutable_grant_reward()->set_kind(kind);
      RATING_RETURN_IF_ERROR(Emit(command, Bloc()));
    }
  }

  for (GrassrootsResult& r : results_) r.committee_level = std::min(r.committee_ceiling, r.level);
  apply_quota(&GrassrootsResult::committee_level);
  std::vector<Rating> committees;
  for (const GrassrootsResult& r : results_) {
    committees.push_back({absl::StrCat("committee/", orgs_[r.org].id), r.committee_level});
  }
  RATING_RETURN_IF_ERROR(EmitDecisions(Bloc(), year, std::move(committees)));

  // One leader per grassroots org: within its own quota scope (R-LEAD-QUOTA) by construction.
  std::vector<Rating> leaders;
  for (const GrassrootsResult& r : results_) {
    if (r.head < 0) continue;
    leaders.push_back({absl::StrCat("leader/", MemberId(r.head)),
                       std::min({r.head_ceiling, r.level, r.committee_level})});
  }
  return EmitDecisions(Bloc(), year, std::move(leaders));
}

}  // namespace rating::cli::generate
