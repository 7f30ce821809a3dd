// ruling_bench: the latency of one late discipline ruling and of one QĐ 01 re-rating, run
// through the engine (authorize -> plan -> append -> apply), as the number of members grows.
// Planning a ruling reads only the ratings the ruling can reach (RatingFacts with an Overlay),
// so both should stay flat from 1k to 30k members; a plain input command is the baseline.
//
// Each size gets its own synthetic, deterministic history (fixed seed), built before its
// benchmarks run and never timed: periods 2025 and 2026; grassroots committees of five
// subordinate cells, plus grassroots cells, ~30 members a cell (N/30 cells); every member
// enrolled (2015), reviewed, self-assessed, voted on by ballot and decided (mostly HTTNV, some
// HTNV); every org reviewed, scored, with its external ratings, and decided; grassroots
// committees (cấp ủy) assessed and decided. The measured members are those of the first five
// grassroots committees at every size, so the ratings a ruling reaches look the same whatever
// N is. Measures, each over N members, real time through Engine::Execute:
//   BM_LateRuling/N   a ruling (not self-remedied) on a 2025 violation of one decided HTTNV
//                     member of a subordinate cell: flags member/ID (R-RETRO-1), asks R-RETRO-3
//                     of the orgs reached. A different member every iteration.
//   BM_Rerate/N       QĐ 01 of a member flagged above, to KHTNV, by its grassroots committee.
//   BM_PlainCommand/N record_comments on a member: the baseline.
//   BM_PlanOnlyLateRuling/N, BM_PlanOnlyRerate/N  planning alone (PlanCommand, no append),
//                     the same command on an unchanged state: the share planning takes.
// The sizes are measured in interleaved rounds (every other round in reverse order), each
// row labelled with its round. After the table it prints, from the same run (the median over
// the rounds of real time per operation):
//   MS <measure>/<N> <milliseconds per operation>
//   RATIO late_ruling_30k_over_1k <value>       (~1.0 = flat)
//   RATIO rerate_30k_over_1k <value>
//   RATIO plan_only_..., plain_command_30k_over_1k
//   RATIO plain_over_late_ruling_<N> <value>    (plain latency / ruling latency)
//   SETUP members=<N> ...                        (history size and untimed setup time)
// Flags (besides --benchmark_*): --store=memory|rocksdb (default memory; rocksdb is opened
// non-durable in a temp dir), --sizes=1000,3000,... (default 1000,3000,10000,30000; the
// RATIO names read the first and last), --iterations=N (ruling and rerate iterations per
// round, default 50; the others 5x), --rounds=N (default 7).
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "common/check.h"
#include "common/clock.h"
#include "eventstore/in_memory_event_store.h"
#include "eventstore/rocksdb_event_store.h"
#include "projections/rating_state.h"
#include "rating/v1/api.pb.h"
#include "services/command_table.h"
#include "services/engine.h"

namespace rating::bench {
namespace {

using services::Engine;

constexpr int kYear = 2025;
constexpr uint32_t kSeed = 20251215;
constexpr int kCellsPerCommittee = 5;  // Subordinate cells per grassroots committee.
constexpr int kCommitteeSeats = 3;     // The first members of a cell sit on its committee.
// Rulings, re-ratings and comments go to the members of the first five grassroots committees
// (25 subordinate cells, ~500 candidates) at every size, so that each cell reached carries the
// same number of rulings whatever N is: only the rest of the state grows.
constexpr int kMeasuredCommittees = 5;

struct Config {
  std::string store = "memory";
  std::vector<int> sizes = {1000, 3000, 10000, 30000};
  int iterations = 50;  // Per round, for the ruling and the re-rating.
  int plain_iterations = 250;
  int rounds = 7;  // Each measure runs once per size per round; the median is reported.
};

Config& config() {
  static Config* const c = new Config();
  return *c;
}

// ------------------------------------------------------------------ the org tree

struct Cell {
  std::string id;
  std::string committee;  // The grassroots committee above a subordinate cell; "" otherwise.
  std::vector<std::string> members;
};

struct Layout {
  std::vector<std::string> committees;  // Grassroots committees (đảng bộ cơ sở).
  std::vector<Cell> cells;              // Subordinate cells first, then grassroots cells.
};

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

// ------------------------------------------------------------------ commands

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

// ------------------------------------------------------------------ one history per size

// A decided HTTNV member of a subordinate cell (no committee seat) and who governs them.
struct Candidate {
  std::string member;
  std::string cell;
  std::string committee;  // The grassroots committee: rules on, re-rates, records comments.
};

class World {
 public:
  World(int members, const std::string& store_kind) : members_(members) {
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

  ~World() {
    engine_.reset();
    store_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  int members() const { return members_; }
  Engine& engine() { return *engine_; }

  // The next member to rule on (never one ruled on before).
  const Candidate& NextToRule() {
    RATING_CHECK(next_ruling_ + 1 < candidates_.size());  // The last one stays unruled.
    return candidates_[next_ruling_++];
  }
  // Records that `c` is now flagged RERATING_REQUIRED.
  void Flagged(const Candidate& c) { flagged_.push_back(c); }
  // A flagged member not yet re-rated; rules on a fresh one (untimed callers only) if none.
  Candidate TakeFlagged() {
    if (flagged_.empty()) MustRuleOn(NextToRule());
    Candidate c = flagged_.front();
    flagged_.pop_front();
    return c;
  }
  // A flagged member, left flagged (for planning only).
  const Candidate& PeekFlagged() {
    if (flagged_.empty()) MustRuleOn(NextToRule());
    return flagged_.front();
  }
  // A decided, unflagged member never ruled on (for planning only).
  const Candidate& Unruled() const { return candidates_.back(); }
  // Any decided member of a subordinate cell, round-robin.
  const Candidate& NextPlain() { return candidates_[next_plain_++ % candidates_.size()]; }

  // Rules on `c` and checks that the ruling flagged the rating (outside timed loops).
  void MustRuleOn(const Candidate& c) {
    auto reply = engine_->Execute(GrassrootsCommittee(c.committee), Ruling(c.member), "");
    RATING_CHECK(reply.ok());
    RATING_CHECK(reply->event_ids_size() >= 2);
    Flagged(c);
  }

  std::string Summary() const {
    return absl::StrFormat(
        "SETUP members=%d committees=%d cells=%d events=%d candidates=%d setup_seconds=%.1f",
        members_, static_cast<int>(layout_.committees.size()),
        static_cast<int>(layout_.cells.size()), static_cast<int>(events_after_setup_),
        static_cast<int>(candidates_.size()), setup_seconds_);
  }

 private:
  void Must(const v1::Principal& who, const v1::Command& command) {
    auto reply = engine_->Execute(who, command, "");
    if (!reply.ok()) {
      std::fprintf(stderr, "setup command refused: %s\n%s\n", reply.status().ToString().c_str(),
                   command.ShortDebugString().substr(0, 600).c_str());
      RATING_CHECK(false);
    }
  }

  void Build() {
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
        Must(Principal(absl::StrCat("self-", m), v1::ROLE_MEMBER, m),
             SelfAssessment(m, good.at(m)));
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
                                for (const v1::SubjectCount& count : s->tally.subjects()) {
                                  ratings.emplace_back(count.subject(), count.level());
                                }
                                return absl::OkStatus();
                              })
                       .ok());
      for (size_t k = 0; k < cell.members.size(); ++k) {
        const v1::Level level = ratings[k].second;
        RATING_CHECK(level == (good.at(cell.members[k]) ? v1::LEVEL_HTTNV : v1::LEVEL_HTNV));
        if (measured.count(cell.committee) > 0 && k >= kCommitteeSeats &&
            level == v1::LEVEL_HTTNV) {
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

  const int members_;
  std::filesystem::path dir_;
  std::unique_ptr<eventstore::EventStore> store_;
  std::unique_ptr<Engine> engine_;
  Layout layout_;
  std::vector<Candidate> candidates_;
  size_t next_ruling_ = 0;
  size_t next_plain_ = 0;
  std::deque<Candidate> flagged_;
  uint64_t events_after_setup_ = 0;
  double setup_seconds_ = 0;
};

// The history of each size, built the first time a measure of that size runs (untimed) and
// kept for the rounds that follow.
std::map<int, std::unique_ptr<World>>& worlds() {
  static auto* const w = new std::map<int, std::unique_ptr<World>>();
  return *w;
}
std::vector<std::string>& summaries() {
  static auto* const s = new std::vector<std::string>();
  return *s;
}

World& WorldOf(int members) {
  std::unique_ptr<World>& world = worlds()[members];
  if (world == nullptr) {
    world = std::make_unique<World>(members, config().store);
    summaries().push_back(world->Summary());
  }
  return *world;
}

// ------------------------------------------------------------------ the measures

void CountEvents(benchmark::State& state, int64_t events) {
  state.counters["events"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kAvgIterations);
}

void BM_LateRuling(benchmark::State& state) {
  World& world = WorldOf(static_cast<int>(state.range(0)));
  std::vector<Candidate> who;
  std::vector<v1::Command> commands;
  std::vector<v1::Principal> callers;
  for (benchmark::IterationCount i = 0; i < state.max_iterations; ++i) {
    who.push_back(world.NextToRule());
    commands.push_back(Ruling(who.back().member));
    callers.push_back(GrassrootsCommittee(who.back().committee));
  }
  size_t i = 0;
  int64_t events = 0;
  for (auto _ : state) {
    auto reply = world.engine().Execute(callers[i], commands[i], "");
    if (!reply.ok() || reply->event_ids_size() < 2) {  // The ruling must flag member/ID.
      state.SkipWithError(reply.ok() ? "the ruling flagged nothing"
                                     : std::string(reply.status().message()).c_str());
      break;
    }
    events += reply->event_ids_size();
    ++i;
  }
  for (size_t k = 0; k < i; ++k) world.Flagged(who[k]);
  CountEvents(state, events);
}

void BM_Rerate(benchmark::State& state) {
  World& world = WorldOf(static_cast<int>(state.range(0)));
  std::vector<v1::Command> commands;
  std::vector<v1::Principal> callers;
  for (benchmark::IterationCount i = 0; i < state.max_iterations; ++i) {
    const Candidate c = world.TakeFlagged();
    commands.push_back(Rerate(c.member));
    callers.push_back(GrassrootsCommittee(c.committee));
  }
  size_t i = 0;
  int64_t events = 0;
  for (auto _ : state) {
    auto reply = world.engine().Execute(callers[i], commands[i], "");
    if (!reply.ok()) {
      state.SkipWithError(std::string(reply.status().message()).c_str());
      break;
    }
    events += reply->event_ids_size();
    ++i;
  }
  CountEvents(state, events);
}

void BM_PlainCommand(benchmark::State& state) {
  World& world = WorldOf(static_cast<int>(state.range(0)));
  std::vector<v1::Command> commands;
  std::vector<v1::Principal> callers;
  for (benchmark::IterationCount i = 0; i < state.max_iterations; ++i) {
    const Candidate& c = world.NextPlain();
    commands.push_back(Comments(c.member));
    callers.push_back(GrassrootsCommittee(c.committee));
  }
  size_t i = 0;
  int64_t events = 0;
  for (auto _ : state) {
    auto reply = world.engine().Execute(callers[i], commands[i], "");
    if (!reply.ok()) {
      state.SkipWithError(std::string(reply.status().message()).c_str());
      break;
    }
    events += reply->event_ids_size();
    ++i;
  }
  CountEvents(state, events);
}

// Planning alone (no append, no apply), under the engine's read lock: the same command on an
// unchanged state every iteration. Shows how much of the latency planning is.
void PlanOnly(benchmark::State& state, const v1::Command& command) {
  World& world = WorldOf(static_cast<int>(state.range(0)));
  absl::Status status = world.engine().Read({}, [&](const projections::RatingState& s) {
    int64_t events = 0;
    for (auto _ : state) {
      auto plan = services::PlanCommand(s, command);
      if (!plan.ok()) return plan.status();
      events += static_cast<int64_t>(plan->events.size());
      benchmark::DoNotOptimize(plan);
    }
    CountEvents(state, events);
    return absl::OkStatus();
  });
  if (!status.ok()) state.SkipWithError(std::string(status.message()).c_str());
}

void BM_PlanOnlyLateRuling(benchmark::State& state) {
  World& world = WorldOf(static_cast<int>(state.range(0)));
  PlanOnly(state, Ruling(world.Unruled().member));
}

void BM_PlanOnlyRerate(benchmark::State& state) {
  World& world = WorldOf(static_cast<int>(state.range(0)));
  PlanOnly(state, Rerate(world.PeekFlagged().member));
}

// ------------------------------------------------------------------ reporting

// Prints the table as usual and keeps, per "function/N", the real time per operation of every
// round in milliseconds; Ms() is their median.
class CapturingReporter : public benchmark::ConsoleReporter {
 public:
  explicit CapturingReporter(OutputOptions options) : ConsoleReporter(options) {}

  void ReportRuns(const std::vector<Run>& reports) override {
    for (const Run& run : reports) {
      if (run.error_occurred || run.run_type != Run::RT_Iteration) continue;
      const std::string key = absl::StrCat(run.run_name.function_name, "/", run.run_name.args);
      samples_[key].push_back(ToMs(run.GetAdjustedRealTime(), run.time_unit));
    }
    ConsoleReporter::ReportRuns(reports);
  }

  std::optional<double> Ms(const std::string& function, int members) const {
    auto it = samples_.find(absl::StrCat(function, "/", members));
    if (it == samples_.end() || it->second.empty()) return std::nullopt;
    std::vector<double> v = it->second;
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

 private:
  static double ToMs(double value, benchmark::TimeUnit unit) {
    switch (unit) {
      case benchmark::kNanosecond:
        return value / 1e6;
      case benchmark::kMicrosecond:
        return value / 1e3;
      case benchmark::kMillisecond:
        return value;
      case benchmark::kSecond:
        return value * 1e3;
    }
    return value;
  }

  std::map<std::string, std::vector<double>> samples_;
};

std::string Ratio(std::optional<double> num, std::optional<double> den) {
  if (!num || !den || *den <= 0) return "n/a";
  return absl::StrFormat("%.3f", *num / *den);
}

// Consumes our own flags; leaves the rest for benchmark::Initialize.
void ParseFlags(int* argc, char** argv) {
  int out = 1;
  for (int i = 1; i < *argc; ++i) {
    absl::string_view arg = argv[i];
    int value = 0;
    if (absl::ConsumePrefix(&arg, "--store=")) {
      config().store = std::string(arg);
      RATING_CHECK(config().store == "memory" || config().store == "rocksdb");
    } else if (absl::ConsumePrefix(&arg, "--sizes=")) {
      config().sizes.clear();
      for (absl::string_view part : absl::StrSplit(arg, ',')) {
        RATING_CHECK(absl::SimpleAtoi(part, &value) && value >= 200);
        config().sizes.push_back(value);
      }
    } else if (absl::ConsumePrefix(&arg, "--iterations=")) {
      RATING_CHECK(absl::SimpleAtoi(arg, &value) && value > 0);
      config().iterations = value;
      config().plain_iterations = 5 * value;
    } else if (absl::ConsumePrefix(&arg, "--rounds=")) {
      RATING_CHECK(absl::SimpleAtoi(arg, &value) && value > 0);
      config().rounds = value;
    } else {
      argv[out++] = argv[i];
    }
  }
  *argc = out;
}

int Main(int argc, char** argv) {
  const absl::Time start = absl::Now();
  ParseFlags(&argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  const Config& c = config();
  // Rounds interleave the sizes (every other round in reverse), so that a slow spell on the
  // machine hits every size alike; each round runs each measure once per size.
  struct Measure {
    const char* name;
    void (*fn)(benchmark::State&);
    int iterations;
  };
  const Measure measures[] = {
      {"BM_LateRuling", &BM_LateRuling, c.iterations},
      {"BM_Rerate", &BM_Rerate, c.iterations},
      {"BM_PlainCommand", &BM_PlainCommand, c.plain_iterations},
      {"BM_PlanOnlyLateRuling", &BM_PlanOnlyLateRuling, c.plain_iterations},
      {"BM_PlanOnlyRerate", &BM_PlanOnlyRerate, c.plain_iterations},
  };
  for (int round = 1; round <= c.rounds; ++round) {
    std::vector<int> sizes = c.sizes;
    if (round % 2 == 0) std::reverse(sizes.begin(), sizes.end());
    for (int n : sizes) {
      for (const Measure& m : measures) {
        auto fn = m.fn;
        benchmark::RegisterBenchmark(m.name,
                                     [fn, round](benchmark::State& state) {
                                       fn(state);
                                       state.SetLabel(absl::StrCat("round ", round));
                                     })
            ->Arg(n)
            ->Iterations(m.iterations)
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime();
      }
    }
  }
  CapturingReporter reporter(isatty(STDOUT_FILENO) ? benchmark::ConsoleReporter::OO_ColorTabular
                                                   : benchmark::ConsoleReporter::OO_Tabular);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  worlds().clear();

  std::printf("\nstore=%s (median real time per operation over %d rounds)\n", c.store.c_str(),
              c.rounds);
  for (int n : c.sizes) {
    for (const char* f : {"BM_LateRuling", "BM_Rerate", "BM_PlainCommand", "BM_PlanOnlyLateRuling",
                          "BM_PlanOnlyRerate"}) {
      const std::optional<double> ms = reporter.Ms(f, n);
      std::printf("MS %s/%d %s\n", f, n, ms ? absl::StrFormat("%.4f", *ms).c_str() : "n/a");
    }
  }
  const int first = c.sizes.front();
  const int last = c.sizes.back();
  const std::string span = absl::StrCat(last / 1000, "k_over_", first / 1000, "k");
  std::printf(
      "RATIO late_ruling_%s %s\n", span.c_str(),
      Ratio(reporter.Ms("BM_LateRuling", last), reporter.Ms("BM_LateRuling", first)).c_str());
  std::printf("RATIO rerate_%s %s\n", span.c_str(),
              Ratio(reporter.Ms("BM_Rerate", last), reporter.Ms("BM_Rerate", first)).c_str());
  std::printf(
      "RATIO plan_only_late_ruling_%s %s\n", span.c_str(),
      Ratio(reporter.Ms("BM_PlanOnlyLateRuling", last), reporter.Ms("BM_PlanOnlyLateRuling", first))
          .c_str());
  std::printf("RATIO plan_only_rerate_%s %s\n", span.c_str(),
              Ratio(reporter.Ms("BM_PlanOnlyRerate", last), reporter.Ms("BM_PlanOnlyRerate", first))
                  .c_str());
  std::printf(
      "RATIO plain_command_%s %s\n", span.c_str(),
      Ratio(reporter.Ms("BM_PlainCommand", last), reporter.Ms("BM_PlainCommand", first)).c_str());
  for (int n : c.sizes) {
    std::printf("RATIO plain_over_late_ruling_%d %s\n", n,
                Ratio(reporter.Ms("BM_PlainCommand", n), reporter.Ms("BM_LateRuling", n)).c_str());
  }
  for (const std::string& s : summaries()) std::printf("%s\n", s.c_str());
  std::printf("TOTAL wall_seconds=%.1f\n", absl::ToDoubleSeconds(absl::Now() - start));
  benchmark::Shutdown();
  return 0;
}

}  // namespace
}  // namespace rating::bench

int main(int argc, char** argv) { return rating::bench::Main(argc, argv); }
