// A grassroots org's year in the generator: its cells' plans, the members' inputs and
// self-assessments, and the cells' secret ballots.
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

// ------------------------------------------------------------------ a grassroots org's year

// Draws each rated member's design and level, then applies the cell's quota (the tally's,
// R-BAL-3, and for a grassroots cell the decision's): extra candidates for HTXSNV get HTTNV.
CellPlan Generator::PlanCell(int cell, int year, Rng& rng) {
  CellPlan plan;
  plan.cell = cell;
  int good = 0;
  std::vector<size_t> candidates;
  for (int m : orgs_[cell].members) {
    const Member& member = members_[m];
    if (!Rated(member, year)) continue;
    MemberPlan p;
    p.member = m;
    const int draw = rng.Below(1000);
    const int excellent = member.excellent_streak > 0 ? 450 : (member.posts != 0 ? 300 : 130);
    if (draw < 15) {
      p.design = rng.PerMille(400) ? Design::kFailedGrade : Design::kFailedTargets;
    } else if (draw < 125) {
      p.design = Design::kCompleted;
    } else if (draw < 125 + excellent) {
      p.design = Design::kExcellent;
    } else {
      p.design = Design::kGood;
    }
    p.level = DesignLevel(p.design);
    auto ruled = disciplined_.find(m);
    if (ruled != disciplined_.end()) ++plan.disciplined;
    // R-MEM-1: a discipline not self-remedied, or a conclusion, makes KHTNV whatever the rest.
    if ((ruled != disciplined_.end() && !ruled->second) || concluded_.count(m) > 0) {
      p.design = rng.PerMille(500) ? Design::kGood : Design::kCompleted;
      p.level = v1::LEVEL_KHTNV;
    }
    if (p.level >= v1::LEVEL_HTTNV) ++good;
    if (p.level == v1::LEVEL_HTXSNV) candidates.push_back(plan.rated.size());
    plan.rated.push_back(p);
  }
  for (size_t k = static_cast<size_t>(MaxExcellent(good)); k < candidates.size(); ++k) {
    plan.rated[candidates[k]].level = v1::LEVEL_HTTNV;
  }
  return plan;
}

absl::Status Generator::GrassrootsOrg(int org, int year) {
  Rng rng = Stream(Purpose::kLevels, year, org);
  const Org& grassroots = orgs_[org];
  const bool committee_kind = !grassroots.IsCell();
  std::vector<CellPlan> plans;
  if (committee_kind) {
    for (int cell : grassroots.cells) plans.push_back(PlanCell(cell, year, rng));
    // The members of every subordinate cell form one quota scope (C.II.2.1: per TCCSĐ).
    int good = 0;
    std::vector<MemberPlan*> excellent;
    for (CellPlan& plan : plans) {
      for (MemberPlan& p : plan.rated) {
        if (p.level >= v1::LEVEL_HTTNV) ++good;
        if (p.level == v1::LEVEL_HTXSNV) excellent.push_back(&p);
      }
    }
    for (size_t k = static_cast<size_t>(MaxExcellent(good)); k < excellent.size(); ++k) {
      excellent[k]->level = v1::LEVEL_HTTNV;
    }
  } else {
    plans.push_back(PlanCell(org, year, rng));
  }

  // The members' inputs and ballots, then one decision of the competent committee (R-DEC-1:
  // the grassroots cell's committee, on the tally; the grassroots committee for its cells).
  std::vector<Rating> ratings;
  std::vector<const MemberPlan*> decided;
  for (const CellPlan& plan : plans) {
    RATING_RETURN_IF_ERROR(MemberInputs(plan, year, rng));
    for (const MemberPlan& p : plan.rated) {
      ratings.push_back({MemberSubject(p.member), p.level});
      decided.push_back(&p);
    }
  }
  stats_.member_ratings += static_cast<int64_t>(ratings.size());
  RATING_RETURN_IF_ERROR(EmitDecisions(CommitteeOf(org), year, std::move(ratings)));
  RATING_RETURN_IF_ERROR(MemberRewards(decided, org, year, rng));
  for (const MemberPlan* p : decided) ChooseLateRuling(*p, org, year, rng);

  // The orgs: a grassroots committee first rates its cells (their own quota scope), then
  // everything of the grassroots org itself; the bloc decides it later.
  Units units;
  bool defect_below = false;
  if (committee_kind) {
    std::vector<std::pair<int, Level>> cells;
    int good = 0;
    for (const CellPlan& plan : plans) {
      if (!OrgRated(orgs_[plan.cell], year)) continue;
      Units cell_units;
      for (const MemberPlan& p : plan.rated) cell_units.Add(p.level);
      const bool d3 =
          100 * plan.disciplined > 20 * static_cast<int>(orgs_[plan.cell].members.size());
      bool defect = d3;
      RATING_ASSIGN_OR_RETURN(Level ceiling,
                              OrgInputs(plan.cell, cell_units, year, false, &defect));
      defect_below = defect_below || defect;
      if (ceiling >= v1::LEVEL_HTTNV) ++good;
      cells.emplace_back(plan.cell, ceiling);
    }
    int excellent = 0;
    std::vector<Rating> cell_ratings;
    for (auto& [cell, level] : cells) {
      if (level == v1::LEVEL_HTXSNV && ++excellent > MaxExcellent(good)) level = v1::LEVEL_HTTNV;
      units.Add(level);
      cell_ratings.push_back({absl::StrCat("org/", orgs_[cell].id), level});
    }
    RATING_RETURN_IF_ERROR(EmitDecisions(CommitteeOf(org), year, std::move(cell_ratings)));
    // Then the cells' committees, capped by their cells (R-COM-CAP), in their own quota scope.
    std::vector<Rating> committee_ratings;
    int committees_good = 0;
    for (const auto& [cell, level] : cells) {
      Level ceiling = v1::LEVEL_UNSPECIFIED;
      RATING_RETURN_IF_ERROR(CommitteeInputs(cell, level, year, CommitteeOf(org), &ceiling));
      committee_ratings.push_back(
          {absl::StrCat("committee/", orgs_[cell].id), std::min(level, ceiling)});
      if (committee_ratings.back().level >= v1::LEVEL_HTTNV) ++committees_good;
    }
    int committees_excellent = 0;
    for (Rating& r : committee_ratings) {
      if (r.level == v1::LEVEL_HTXSNV && ++committees_excellent > MaxExcellent(committees_good)) {
        r.level = v1::LEVEL_HTTNV;
      }
    }
    RATING_RETURN_IF_ERROR(EmitDecisions(CommitteeOf(org), year, std::move(committee_ratings)));
  } else {
    for (const MemberPlan& p : plans.front().rated) units.Add(p.level);
  }
  GrassrootsResult result;
  result.org = org;
  bool defect = !committee_kind &&
                100 * plans.front().disciplined > 20 * static_cast<int>(grassroots.members.size());
  RATING_ASSIGN_OR_RETURN(result.ceiling, OrgInputs(org, units, year, defect_below, &defect));
  // The bloc assesses the committees of the grassroots orgs (C.III.3).
  RATING_RETURN_IF_ERROR(
      CommitteeInputs(org, result.ceiling, year, Bloc(), &result.committee_ceiling));
  // The head is rated as a leader by the bloc (C.III.5), on the same self-assessment.
  for (const MemberPlan* p : decided) {
    if (p->member == grassroots.head) {
      result.head = p->member;
      result.head_ceiling = DesignLevel(p->design);
    }
  }
  // The dossier reaches the bloc before 15/12, a few late (R-DEADLINE).
  v1::Command dossier;
  dossier.mutable_submit_dossier()->set_org(grassroots.id);
  dossier.mutable_submit_dossier()->set_year(year);
  dossier.mutable_submit_dossier()->set_on(
      Text(Date(year, 12, rng.PerMille(60) ? rng.Between(15, 22) : rng.Between(1, 14))));
  RATING_RETURN_IF_ERROR(Emit(dossier, CommitteeOf(org)));
  results_.push_back(result);
  return absl::OkStatus();
}

absl::Status Generator::MemberInputs(const CellPlan& plan, int year, Rng& rng) {
  const v1::Principal committee = CommitteeOf(plan.cell);
  for (const MemberPlan& p : plan.rated) {
    const Member& member = members_[p.member];
    const std::string subject = MemberSubject(p.member);
    v1::Command review;
    review.mutable_record_review_completed()->set_subject(subject);
    review.mutable_record_review_completed()->set_year(year);
    RATING_RETURN_IF_ERROR(Emit(review, committee));
    // R-SUBJ-4: the temporary cell's comments (IV.4); the previous org's after 6+ months there
    // this year (IV.5); now and then the place of residence's, which no rule needs.
    std::vector<v1::CommentSource> sources;
    if (member.status == v1::MEMBER_STATUS_TEMPORARY_ELSEWHERE) {
      sources.push_back(v1::COMMENT_SOURCE_TEMPORARY_CELL);
    }
    if (member.transfer_year == year) {
      const Date from = std::max(member.previous_since, Date(year, 1, 1));
      if (from < member.transferred_on &&
          AddMonths(from, kTransferCommentMonths) <= member.transferred_on) {
        sources.push_back(v1::COMMENT_SOURCE_PREVIOUS_ORG);
      }
    }
    if (rng.PerMille(20)) sources.push_back(v1::COMMENT_SOURCE_RESIDENCE);
    for (v1::CommentSource source : sources) {
      v1::Command comments;
      comments.mutable_record_comments()->set_subject(subject);
      comments.mutable_record_comments()->set_year(year);
      comments.mutable_record_comments()->set_source(source);
      RATING_RETURN_IF_ERROR(Emit(comments, committee));
    }
    RATING_RETURN_IF_ERROR(EmitSelfAssessment(p, year, rng));
    // Leaders the bloc rates face a confidence vote of the bloc's conference (low: few).
    const int grassroots = GrassrootsOf(plan.cell);
    if (orgs_[grassroots].head == p.member) {
      v1::Command vote;
      v1::ConfidenceVote* v = vote.mutable_record_confidence_vote();
      v->set_member(MemberId(p.member));
      v->set_year(year);
      v->set_total(rng.Between(15, 35));
      v->set_low(rng.Between(0, v->total() / 10));
      RATING_RETURN_IF_ERROR(Emit(vote, Bloc()));
    }
  }
  return Ballots(plan, year);
}

absl::Status Generator::EmitSelfAssessment(const MemberPlan& plan, int year, Rng& rng) {
  const Member& member = members_[plan.member];
  v1::Command command;
  v1::SelfAssessment* a = command.mutable_submit_self_assessment();
  a->set_member(MemberId(plan.member));
  a->set_year(year);
  // Heads of an org's collective answer the leader criteria too (B.III.2.2).
  const bool leader = (member.posts & (kHeadsCell | kHeadsGrassrootsCommittee)) != 0;
  const bool late_target = plan.design == Design::kCompleted && rng.PerMille(500);
  auto grade_of = [&](bool task) -> v1::Grade {
    switch (plan.design) {
      case Design::kExcellent:  // R-MEM-2: task criteria XS, the rest TOT or better.
        return task || rng.PerMille(500) ? v1::GRADE_XS : v1::GRADE_TOT;
      case Design::kGood:  // R-MEM-3: task criteria TOT or better, the rest TB or better.
        if (task) return rng.PerMille(300) ? v1::GRADE_XS : v1::GRADE_TOT;
        return rng.PerMille(100) ? v1::GRADE_TB
                                 : (rng.PerMille(750) ? v1::GRADE_TOT : v1::GRADE_XS);
      case Design::kCompleted:  // R-MEM-4: TB or better; a task criterion TB or a late target.
        if (task && !late_target) return v1::GRADE_TB;
        return rng.PerMille(500) ? v1::GRADE_TB : v1::GRADE_TOT;
      default:
        return rng.PerMille(500) ? v1::GRADE_TB : v1::GRADE_TOT;
    }
  };
  const char* kem =
      plan.design == Design::kFailedGrade ? (rng.PerMille(500) ? "political" : "commitment") : "";
  auto add = [&](const char* criterion, bool task) {
    v1::CriterionGrade* g = a->add_grades();
    g->set_criterion(criterion);
    g->set_grade(std::string(kem) == criterion ? v1::GRADE_KEM : grade_of(task));
  };
  add("political", false);
  add("tasks", true);
  add("commitment", false);
  add("remediation", false);
  if (leader) {
    add("leadership", true);
    add("initiative", false);
    add("example", false);
  }
  v1::Targets* t = a->mutable_targets();
  const int assigned = rng.Between(2, 8);
  t->set_assigned(assigned);
  t->set_completed(assigned);
  t->set_on_time(late_target ? assigned - 1 : assigned);
  if (plan.design == Design::kExcellent) {
    t->set_exceeded(rng.Between((assigned + 1) / 2, assigned));  // R-MEM-2: at least half.
  } else {
    t->set_exceeded(rng.Between(0, (assigned - 1) / 2));
  }
  if (plan.design == Design::kFailedTargets) {  // R-MEM-1: more than half not completed.
    t->set_completed(rng.Between(0, (assigned - 1) / 2));
    t->set_on_time(t->completed());
    t->set_exceeded(0);
    a->set_not_ensured(rng.Between(1, 2));
  }
  a->set_exemplary(plan.design == Design::kExcellent);
  // The member's own proposal: the design's level, now and then one above (never read).
  Level proposed = DesignLevel(plan.design);
  if (proposed < v1::LEVEL_HTXSNV && rng.PerMille(100)) proposed = static_cast<Level>(proposed + 1);
  a->set_level(proposed);
  return Emit(command, Self(plan.member));
}

// The cell's secret ballot (C.II.3.2, R-BAL-1..4): the rated members present vote on each
// rated member; the planned level takes a strict majority of the valid ballots (R-BAL-2), the
// other marks go to a neighbouring level, a blank or a void row; now and then a spoiled ballot.
// The excellent are within the quota (PlanCell), so the tally gives every planned level.
absl::Status Generator::Ballots(const CellPlan& plan, int year) {
  if (plan.rated.empty()) return absl::OkStatus();
  Rng rng = Stream(Purpose::kBallots, year, plan.cell);
  const int subjects = static_cast<int>(plan.rated.size());
  int voters = 0;
  for (int s = 0; s < subjects; ++s) voters += rng.PerMille(40) ? 0 : 1;
  voters = std::max(1, voters);
  const bool extra_content = voters >= 5 && rng.PerMille(80);
  const bool unmarked = voters >= 5 && rng.PerMille(40);
  const int valid = voters - (extra_content ? 1 : 0) - (unmarked ? 1 : 0);
  // marks[b * subjects + s]: a level, 0 = blank, -1 = a void row.
  std::vector<int> marks(static_cast<size_t>(valid) * subjects, 0);
  auto neighbour = [&](Level level) -> int {
    switch (level) {
      case v1::LEVEL_HTXSNV:
        return v1::LEVEL_HTTNV;
      case v1::LEVEL_HTTNV:
        return rng.PerMille(400) ? v1::LEVEL_HTXSNV : v1::LEVEL_HTNV;
      case v1::LEVEL_HTNV:
        return rng.PerMille(600) ? v1::LEVEL_HTTNV : v1::LEVEL_KHTNV;
      default:
        return v1::LEVEL_HTNV;
    }
  };
  std::vector<int> order(valid);
  for (int s = 0; s < subjects; ++s) {
    const Level level = plan.rated[s].level;
    const int agree = std::min(valid, std::max(valid / 2 + 1, valid * rng.Between(72, 100) / 100));
    for (int b = 0; b < valid; ++b) order[b] = b;
    for (int b = 0; b < agree; ++b) std::swap(order[b], order[b + rng.Below(valid - b)]);
    for (int k = 0; k < valid; ++k) {
      int& mark = marks[static_cast<size_t>(order[k]) * subjects + s];
      if (k < agree) {
        mark = level;
        continue;
      }
      const int draw = rng.Below(100);
      mark = draw < 4 && subjects >= 3 ? 0 : (draw < 7 ? -1 : neighbour(level));
    }
  }
  for (int b = 0; b < valid; ++b) {  // A valid ballot marks someone (R-BAL-1).
    int* row = &marks[static_cast<size_t>(b) * subjects];
    if (std::all_of(row, row + subjects, [](int m) { return m == 0; })) {
      row[0] = neighbour(plan.rated[0].level);  // A blank is never an agreeing mark.
    }
  }

  v1::Command command;
  v1::BallotSession* session = command.mutable_record_ballots();
  session->set_session(absl::StrCat(orgs_[plan.cell].id, "-", year));
  session->set_org(orgs_[plan.cell].id);
  session->set_year(year);
  for (const MemberPlan& p : plan.rated) session->add_subjects(MemberSubject(p.member));
  const int issued = voters + (rng.PerMille(150) ? 1 : 0);  // Sometimes a spare is kept back.
  for (int i = 0; i < issued; ++i) session->add_issued(absl::StrFormat("%03d", i + 1));
  const int spoiled_at = rng.Below(valid);
  for (int b = 0, serial = 1; b < valid; ++b) {
    if ((extra_content || unmarked) && b == spoiled_at) {
      for (int kind = 0; kind < (extra_content ? 1 : 0) + (unmarked ? 1 : 0); ++kind) {
        v1::Ballot* spoiled = session->add_ballots();
        spoiled->set_serial(absl::StrFormat("%03d", serial++));
        if (extra_content && kind == 0) {
          spoiled->set_extra_content(true);  // Marks as usual, plus writing: invalid.
          v1::BallotMark* mark = spoiled->add_marks();
          mark->set_subject(session->subjects(0));
          mark->add_levels(plan.rated[0].level);
        }
      }
    }
    v1::Ballot* ballot = session->add_ballots();
    ballot->set_serial(absl::StrFormat("%03d", serial++));
    for (int s = 0; s < subjects; ++s) {
      const int mark = marks[static_cast<size_t>(b) * subjects + s];
      if (mark == 0) continue;
      v1::BallotMark* m = ballot->add_marks();
      m->set_subject(session->subjects(s));
      if (mark > 0) {
        m->add_levels(static_cast<Level>(mark));
      } else {  // Two different levels on one row: void (R-BAL-1), the ballot stands.
        m->add_levels(plan.rated[s].level);
        m->add_levels(static_cast<Level>(neighbour(plan.rated[s].level)));
      }
    }
  }
  return Emit(command, TeamOf(plan.cell));
}

}  // namespace rating::cli::generate
