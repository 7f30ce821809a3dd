#include "bench/synthetic_history.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "eventstore/in_memory_event_store.h"
#include "eventstore/rocksdb_event_store.h"
#include "projections/rating_state.h"

namespace rating::bench {

// N/30 cells: for every six, one grassroots committee holding five subordinate cells; the rest
// grassroots cells. Cell sizes vary around 30 (seeded), summing to `members`.
Layout MakeLayout(int members, std::mt19937& rng) {
  Layout layout;
  const int cells = std::max(6, (members + 15) / 30);
  const int committees = cells / 6;
  for (int g = 0; g < committees; ++g) {
    const std::string gc = absl::StrFormat("gc%04d", g);
    layout.committees.push_back(gc);
    for (int s = 0; s < kCellsPerCommittee; ++s) {
      layout.cells.push_back({absl::StrFormat("%s-sc%d", gc, s), gc, {}});
    }
  }
  for (int c = static_cast<int>(layout.cells.size()); c < cells; ++c) {
    layout.cells.push_back({absl::StrFormat("gcell%04d", c), "", {}});
  }
  std::vector<int> sizes(cells, members / cells);
  for (int c = 0; c < members % cells; ++c) ++sizes[c];
  std::uniform_int_distribution<int> shift(0, 5);
  for (int c = 0; c + 1 < cells; c += 2) {  // Move a few members between neighbours.
    const int d = std::min(shift(rng), sizes[c] - kCommitteeSeats - 5);
    sizes[c] -= d;
    sizes[c + 1] += d;
  }
  int next = 0;
  for (int c = 0; c < cells; ++c) {
    for (int k = 0; k < sizes[c]; ++k) {
      layout.cells[c].members.push_back(absl::StrFormat("m%06d", next++));
    }
  }
  return layout;
}

v1::Principal Principal(const std::string& id, v1::Role role, const std::string& scope) {
  v1::Principal p;
  p.set_id(id);
  p.set_role(role);
  p.set_scope(scope);
  return p;
}

v1::Principal Admin() { return Principal("bench-admin", v1::ROLE_ADMIN, ""); }
v1::Principal GrassrootsCommittee(const std::string& org) {
  return Principal(absl::StrCat("gc-", org), v1::ROLE_GRASSROOTS_COMMITTEE, org);
}
v1::Principal CellCommittee(const std::string& org) {
  return Principal(absl::StrCat("cc-", org), v1::ROLE_CELL_COMMITTEE, org);
}
v1::Principal Bloc() { return Principal("bloc-committee", v1::ROLE_BLOC_COMMITTEE, "bloc"); }

std::string MemberSubject(const std::string& id) { return absl::StrCat("member/", id); }

void AddGrade(google::protobuf::RepeatedPtrField<v1::CriterionGrade>* grades, const char* criterion,
              v1::Grade grade) {
  v1::CriterionGrade* g = grades->Add();
  g->set_criterion(criterion);
  g->set_grade(grade);
}

v1::Command SelfAssessment(const std::string& member, bool good) {
  v1::Command c;
  v1::SelfAssessment* a = c.mutable_submit_self_assessment();
  a->set_member(member);
  a->set_year(kYear);
  for (const char* criterion : {"political", "tasks", "commitment", "remediation"}) {
    AddGrade(a->mutable_grades(), criterion, v1::GRADE_TOT);
  }
  // HTTNV needs every target on time (R-MEM-3); one late target leaves HTNV (R-MEM-4).
  a->mutable_targets()->set_assigned(3);
  a->mutable_targets()->set_completed(3);
  a->mutable_targets()->set_on_time(good ? 3 : 2);
  a->set_level(good ? v1::LEVEL_HTTNV : v1::LEVEL_HTNV);
  return c;
}

v1::Command Scorecard(const std::string& org) {
  v1::Command c;
  v1::Scorecard* s = c.mutable_submit_scorecard();
  s->set_org(org);
  s->set_year(kYear);
  struct Line {
    const char* id;
    const char* max;
    bool key;
    const char* points;
  };
  for (const Line& l :
       {Line{"political_ideology", "15", false, "13"},
        Line{"organization_cadres", "15", false, "12"}, Line{"party_programs", "20", true, "17"},
        Line{"remediation", "20", false, "15"}}) {
    v1::ScoreCriterion* line = s->add_criteria();
    line->set_id(l.id);
    line->set_max(l.max);
    line->set_key(l.key);
    line->set_points(l.points);
  }
  v1::ScoreCriterion* production = s->add_criteria();
  production->set_id("production_business");
  production->set_max("30");
  production->set_key(true);
  production->mutable_quantity()->set_achieved(105);
  production->mutable_quantity()->set_plan(100);
  s->set_party_building_pct(90);
  s->set_production_plan_met(true);
  return c;
}

v1::Command ExternalRating(const std::string& org, const char* body) {
  v1::Command c;
  v1::ExternalRating* e = c.mutable_record_external_rating();
  e->set_org(org);
  e->set_year(kYear);
  e->set_body(body);
  e->set_level(v1::LEVEL_HTTNV);
  return c;
}

v1::Command Review(const std::string& subject) {
  v1::Command c;
  c.mutable_record_review_completed()->set_subject(subject);
  c.mutable_record_review_completed()->set_year(kYear);
  return c;
}

v1::Command CommitteeAssessment(const std::string& org) {
  v1::Command c;
  v1::CommitteeAssessment* a = c.mutable_submit_committee_assessment();
  a->set_org(org);
  a->set_year(kYear);
  for (const char* criterion : {"democratic_centralism", "leadership_responsibility", "programs",
                                "results", "targets", "unit_ratings", "remediation"}) {
    AddGrade(a->mutable_grades(), criterion, v1::GRADE_TOT);
  }
  a->set_unit_targets_pct(90);
  return c;
}

// A cell's ballot session: every member votes on every member; most marks give the member's
// intended level, the rest the other of HTTNV / HTNV (the majority never flips).
v1::Command Ballots(const Cell& cell, const std::map<std::string, bool>& good, std::mt19937& rng) {
  v1::Command c;
  v1::BallotSession* b = c.mutable_record_ballots();
  b->set_session(absl::StrCat(cell.id, "-", kYear));
  b->set_org(cell.id);
  b->set_year(kYear);
  for (const std::string& m : cell.members) b->add_subjects(MemberSubject(m));
  std::bernoulli_distribution agree(0.85);
  for (size_t v = 0; v < cell.members.size(); ++v) {
    const std::string serial = absl::StrCat(v + 1);
    b->add_issued(serial);
    v1::Ballot* ballot = b->add_ballots();
    ballot->set_serial(serial);
    for (const std::string& m : cell.members) {
      v1::BallotMark* mark = ballot->add_marks();
      mark->set_subject(MemberSubject(m));
      const bool as_intended = agree(rng);
      const bool httnv = good.at(m) == as_intended;
      mark->add_levels(httnv ? v1::LEVEL_HTTNV : v1::LEVEL_HTNV);
    }
  }
  return c;
}

v1::Command Decide(const std::vector<std::pair<std::string, v1::Level>>& ratings) {
  v1::Command c;
  v1::Decision* d = c.mutable_decide_ratings();
  d->set_year(kYear);
  for (const auto& [subject, level] : ratings) {
    v1::SubjectLevel* r = d->add_ratings();
    r->set_subject(subject);
    r->set_level(level);
  }
  return c;
}

v1::Command Ruling(const std::string& member) {
  v1::Command c;
  v1::DisciplineRuling* r = c.mutable_rule_discipline();
  r->set_subject(MemberSubject(member));
  r->set_form(v1::DISCIPLINE_FORM_REPRIMAND);
  r->set_decided_on("2026-03-10");
  r->set_violation_from("2025-06-01");
  r->set_violation_to("2025-06-30");
  return c;
}

v1::Command Rerate(const std::string& member) {
  v1::Command c;
  v1::Rerating* r = c.mutable_rerate();
  r->set_subject(MemberSubject(member));
  r->set_year(kYear);
  r->set_level(v1::LEVEL_KHTNV);
  r->set_decision_no("01-QĐ/ĐU");
  return c;
}

v1::Command Comments(const std::string& member) {
  v1::Command c;
  v1::CommentsReceipt* r = c.mutable_record_comments();
  r->set_subject(MemberSubject(member));
  r->set_year(kYear);
  r->set_source(v1::COMMENT_SOURCE_RESIDENCE);
  return c;
}

World::World(int members, const std::string& store_kind) : members_(members) {
  const absl::Time start = absl::Now();
  if (store_kind == "rocksdb") {
    dir_ = std::filesystem::temp_directory_path() /
           absl::StrCat("ruling_bench-", getpid(), "-", members);
    std::filesystem::remove_all(dir_);
    eventstore::RocksDbEventStore::Options options;
    options.sync = false;
    auto store =
        eventstore::RocksDbEventStore::Open(dir_.string(), common::SystemClock::Get(), options);
    RATING_CHECK(store.ok());
    store_ = *std::move(store);
  } else {
    store_ = std::make_unique<eventstore::InMemoryEventStore>(common::SystemClock::Get());
  }
  auto engine = Engine::Open(*store_);
  RATING_CHECK(engine.ok());
  engine_ = *std::move(engine);
  Build();
  setup_seconds_ = absl::ToDoubleSeconds(absl::Now() - start);
}

World::~World() {
  engine_.reset();
  store_.reset();
  if (!dir_.empty()) std::filesystem::remove_all(dir_);
}

void World::Must(const v1::Principal& who, const v1::Command& command) {
  auto reply = engine_->Execute(who, command, "");
  if (!reply.ok()) {
    std::fprintf(stderr, "setup command refused: %s\n%s\n", reply.status().ToString().c_str(),
                 command.ShortDebugString().substr(0, 600).c_str());
    RATING_CHECK(false);
  }
}

void World::Build() {
  // One stream per use, the same at every size: the first cells and members (the measured
  // ones) come out alike whatever N is.
  std::mt19937 layout_rng(kSeed);
  std::mt19937 level_rng(kSeed + 1);
  std::mt19937 ballot_rng(kSeed + 2);
  layout_ = MakeLayout(members_, layout_rng);
  const v1::Principal admin = Admin();
  for (int year : {kYear, kYear + 1}) {
    v1::Command c;
    c.mutable_open_period()->set_year(year);
    Must(Bloc(), c);
  }
  // The registry.
  for (const std::string& gc : layout_.committees) {
    v1::Command c;
    v1::OrgSpec* o = c.mutable_register_org();
    o->set_id(gc);
    o->set_kind(v1::ORG_KIND_GRASSROOTS_COMMITTEE);
    o->set_parent("bloc");
    o->set_founded_on("2005-01-01");
    Must(admin, c);
  }
  for (const Cell& cell : layout_.cells) {
    v1::Command c;
    v1::OrgSpec* o = c.mutable_register_org();
    o->set_id(cell.id);
    o->set_kind(cell.committee.empty() ? v1::ORG_KIND_GRASSROOTS_CELL
                                       : v1::ORG_KIND_SUBORDINATE_CELL);
    o->set_parent(cell.committee.empty() ? "bloc" : cell.committee);
    o->set_founded_on("2010-01-01");
    Must(admin, c);
  }
  std::map<std::string, bool> good;  // Intended HTTNV (else HTNV).
  std::bernoulli_distribution mostly_good(0.85);
  for (const Cell& cell : layout_.cells) {
    const bool first_of_committee = !cell.committee.empty() && absl::EndsWith(cell.id, "-sc0");
    for (size_t k = 0; k < cell.members.size(); ++k) {
      v1::Command c;
      v1::MemberSpec* m = c.mutable_enroll_member();
      m->set_id(cell.members[k]);
      m->set_org(cell.id);
      m->set_admitted_on("2015-03-01");
      if (k < kCommitteeSeats) m->add_committee_of(cell.id);
      if (k == 0) {
        m->add_heads(cell.id);     // The cell's secretary heads it...
        if (first_of_committee) {  // ...and one of them the grassroots committee.
          m->add_committee_of(cell.committee);
          m->add_heads(cell.committee);
        }
      }
      Must(admin, c);
      good[cell.members[k]] = mostly_good(level_rng);
    }
  }
  // Reviews and self-assessments.
  for (const Cell& cell : layout_.cells) {
    const v1::Principal committee =
        cell.committee.empty() ? CellCommittee(cell.id) : GrassrootsCommittee(cell.committee);
    for (const std::string& m : cell.members) {
      Must(committee, Review(MemberSubject(m)));
      Must(Principal(absl::StrCat("self-", m), v1::ROLE_MEMBER, m), SelfAssessment(m, good.at(m)));
    }
  }
  // One ballot session per cell, then the members' decisions at the tally's levels.
  for (const Cell& cell : layout_.cells) {
    Must(Principal(absl::StrCat("team-", cell.id), v1::ROLE_COUNTING_TEAM, cell.id),
         Ballots(cell, good, ballot_rng));
  }
  const std::set<std::string> measured(
      layout_.committees.begin(),
      layout_.committees.begin() +
          std::min<size_t>(kMeasuredCommittees, layout_.committees.size()));
  for (const Cell& cell : layout_.cells) {
    std::vector<std::pair<std::string, v1::Level>> ratings;
    RATING_CHECK(engine_
                     ->Read({},
                            [&](const projections::RatingState& state) {
                              const projections::SessionRecord* s =
                                  state.ballots().Find(absl::StrCat(cell.id, "-", kYear));
                              RATING_CHECK(s != nullptr);
                              const v1::Tally tally = s->tally();
                              for (const v1::SubjectCount& count : tally.subjects()) {
                                ratings.emplace_back(count.subject(), count.level());
                              }
                              return absl::OkStatus();
                            })
                     .ok());
    for (size_t k = 0; k < cell.members.size(); ++k) {
      const v1::Level level = ratings[k].second;
      RATING_CHECK(level == (good.at(cell.members[k]) ? v1::LEVEL_HTTNV : v1::LEVEL_HTNV));
      if (measured.count(cell.committee) > 0 && k >= kCommitteeSeats && level == v1::LEVEL_HTTNV) {
        candidates_.push_back({cell.members[k], cell.id, cell.committee});
      }
    }
    // R-DEC-1: a grassroots cell's committee decides its members (R-BAL-5: the tally's
    // level); a subordinate cell's members are decided by the grassroots committee.
    Must(cell.committee.empty() ? CellCommittee(cell.id) : GrassrootsCommittee(cell.committee),
         Decide(ratings));
  }
  // Every org's inputs, then the subordinate cells' decisions by their grassroots committees.
  std::vector<std::string> orgs = layout_.committees;
  for (const Cell& cell : layout_.cells) orgs.push_back(cell.id);
  for (const std::string& org : orgs) {
    Must(admin, Review(absl::StrCat("org/", org)));
    Must(admin, Scorecard(org));
    for (const char* body : {"management", "mass_org:youth_union", "mass_org:trade_union"}) {
      Must(admin, ExternalRating(org, body));
    }
  }
  for (const std::string& gc : layout_.committees) {
    std::vector<std::pair<std::string, v1::Level>> ratings;
    for (const Cell& cell : layout_.cells) {
      if (cell.committee == gc) {
        ratings.emplace_back(absl::StrCat("org/", cell.id), v1::LEVEL_HTTNV);
      }
    }
    Must(GrassrootsCommittee(gc), Decide(ratings));
  }
  // The bloc decides the grassroots orgs, then their committees (R-ORDER, R-COM-CAP).
  std::vector<std::string> grassroots = layout_.committees;
  for (const Cell& cell : layout_.cells) {
    if (cell.committee.empty()) grassroots.push_back(cell.id);
  }
  std::vector<std::pair<std::string, v1::Level>> org_ratings;
  std::vector<std::pair<std::string, v1::Level>> committee_ratings;
  for (const std::string& org : grassroots) {
    Must(admin, Review(absl::StrCat("committee/", org)));
    Must(admin, CommitteeAssessment(org));
    org_ratings.emplace_back(absl::StrCat("org/", org), v1::LEVEL_HTTNV);
    committee_ratings.emplace_back(absl::StrCat("committee/", org), v1::LEVEL_HTTNV);
  }
  Must(Bloc(), Decide(org_ratings));
  Must(Bloc(), Decide(committee_ratings));

  // Rule on the candidates in round-robin over the cells, so that rulings spread out.
  std::map<std::string, std::vector<Candidate>> by_cell;
  std::vector<std::string> cell_order;
  for (const Candidate& c : candidates_) {
    if (by_cell.count(c.cell) == 0) cell_order.push_back(c.cell);
    by_cell[c.cell].push_back(c);
  }
  std::vector<Candidate> ordered;
  for (size_t round = 0; ordered.size() < candidates_.size(); ++round) {
    for (const std::string& cell : cell_order) {
      if (round < by_cell[cell].size()) ordered.push_back(by_cell[cell][round]);
    }
  }
  candidates_ = std::move(ordered);
  events_after_setup_ = store_->HeadPosition();
}

}  // namespace rating::bench
