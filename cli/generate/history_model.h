// The synthetic history's model (history_generator.h): its random streams, dates and names,
// the registry it builds, the plans of one year and the guideline's numbers it plans by.
// Internal to cli/generate.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "rating/v1/api.pb.h"

namespace rating::cli::generate {

namespace v1 = ::rating::v1;
using Date = absl::CivilDay;
using v1::Level;

// ------------------------------------------------------------------ the guideline's numbers

// The default policy (RULES.md §9) as far as the plan must respect it for every decision to be
// accepted as planned. The plan computes each ceiling from the inputs it generates itself.
// R-SUBJ-1: admitted 6+ months before the reference date; R-SUBJ-2: founded 6+ months
// before; R-SUBJ-4 (IV.5): comments after 6+ months.
inline constexpr int kAdmissionMonths = 6;
inline constexpr int kOrgAgeMonths = 6;
inline constexpr int kTransferCommentMonths = 6;
inline constexpr int kMaxRatingsPerDecision = 1000;
// Cells start with at least this many members; transfers never shrink one below it.
inline constexpr int kMinCellSize = 8;

// R-QUOTA (quota_base good_or_better): the most HTXSNV among `good_or_better` subjects rated
// HTTNV or better: one under 5, else 20%.
int MaxExcellent(int good_or_better);

// ------------------------------------------------------------------ randomness

// SplitMix64: fixed and portable (the std:: distributions differ between standard libraries),
// so that a seed gives the same history everywhere.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n), n > 0 (multiply-shift on 32 bits).
  int Below(int n) { return static_cast<int>(((Next() >> 32) * static_cast<uint64_t>(n)) >> 32); }
  // Uniform in [lo, hi].
  int Between(int lo, int hi) { return lo + Below(hi - lo + 1); }
  // True with probability per_mille / 1000.
  bool PerMille(int per_mille) { return Below(1000) < per_mille; }
  template <typename T, size_t N>
  const T& Pick(const T (&items)[N]) {
    return items[Below(static_cast<int>(N))];
  }

 private:
  uint64_t state_;
};

inline uint64_t Mix(uint64_t x) { return Rng(x).Next(); }

// What a stream of random numbers is for: each (purpose, year, entity) has its own stream, so
// that one part of the history never shifts another.
enum class Purpose : uint64_t {
  kLayout = 1,
  kPerson,
  kRegistry,
  kRulings,
  kLevels,
  kBallots,
  kOrgInputs,
  kCommittee,
  kBloc,
  kLate,
};

// ------------------------------------------------------------------ dates

// The reference date of `year`: the policy's default (RULES.md §3).
inline Date Reference(int year) { return Date(year, 12, 15); }

inline std::string Text(Date date) { return absl::FormatCivilTime(date); }

// As rules::AddMonths: the day is clamped to the month's end.
Date AddMonths(Date date, int months);

// A day of `year` in months [from, to] (days 1..28, always valid).
Date RandomDay(Rng& rng, int year, int from_month, int to_month);

// ------------------------------------------------------------------ names (UTF-8)

// A company's name, a department's (numbered when it is a workshop), a member's full name.
std::string CompanyName(Rng& rng);
std::string DepartmentName(Rng& rng, int number);
std::string PersonName(Rng& rng, bool female);

// Same-level mass organizations (C.I.2.1) whose ratings are recorded facts.
inline constexpr const char* kMassOrgs[] = {
    "mass_org:Công đoàn cơ sở", "mass_org:Đoàn Thanh niên", "mass_org:Hội Cựu chiến binh"};

// ------------------------------------------------------------------ the model

enum Post : uint8_t {
  kSeatOnCell = 1,                 // Sits on the committee of the member's cell.
  kSeatOnGrassrootsCommittee = 2,  // Sits on the committee (đảng ủy) of the grassroots committee.
  kHeadsCell = 4,                  // Heads the member's cell (bí thư chi bộ).
  kHeadsGrassrootsCommittee = 8,  // Heads the grassroots committee (bí thư đảng ủy).
};

struct Org {
  std::string id;
  std::string name;
  v1::OrgKind kind = v1::ORG_KIND_UNSPECIFIED;
  int parent = -1;           // The grassroots committee above a subordinate cell; -1: the bloc.
  std::vector<int> cells;    // A grassroots committee's subordinate cells, in founding order.
  std::vector<int> members;  // A cell's members now, sorted.
  Date founded_on;
  int head = -1;             // Who heads its collective now (grassroots orgs and cells).
  int excellent_streak = 0;  // Consecutive HTXSNV years (grassroots orgs; R-REW-1 five years).

  bool IsCell() const {
    return kind == v1::ORG_KIND_GRASSROOTS_CELL || kind == v1::ORG_KIND_SUBORDINATE_CELL;
  }
  bool IsGrassroots() const {
    return kind == v1::ORG_KIND_GRASSROOTS_CELL || kind == v1::ORG_KIND_GRASSROOTS_COMMITTEE;
  }
};

struct Member {
  int org = -1;  // The cell now.
  Date admitted_on;
  Date joined_on;  // First day of the current membership.
  uint8_t posts = 0;
  bool female = false;
  bool ruled = false;  // Disciplined once: never chosen for a ruling again.
  // In force at this year's reference date (sick and maternity leave end before it).
  v1::MemberStatus status = v1::MEMBER_STATUS_ACTIVE;
  int transfer_year = 0;  // The year of the last transfer, with its dates (R-SUBJ-4 comments).
  Date previous_since;
  Date transferred_on;
  int excellent_streak = 0;  // Consecutive HTXSNV years (R-REW-1 five years).
};

// ------------------------------------------------------------------ plans of one year

// Which self-assessment a member submits; its ceiling (R-MEM-1..4) is the design's level.
enum class Design { kExcellent, kGood, kCompleted, kFailedGrade, kFailedTargets };

Level DesignLevel(Design design);

struct MemberPlan {
  int member = -1;
  Design design = Design::kGood;
  Level level = v1::LEVEL_HTTNV;  // The level decided (and voted): at most the design's.
};

// One cell's rated members at the reference date, and D3's counts.
struct CellPlan {
  int cell = -1;
  std::vector<MemberPlan> rated;
  int disciplined = 0;  // Members disciplined for the year (in the cell: at most one).
};

// Units of an org as R-ORG-4/5 read them (NOT_SUBJECT ones left out).
struct Units {
  int counted = 0;
  int good = 0;   // >= HTTNV
  int below = 0;  // < HTNV
  void Add(Level level) {
    ++counted;
    if (level >= v1::LEVEL_HTTNV) ++good;
    if (level < v1::LEVEL_HTNV) ++below;
  }
};

// The sample card of the default policy (template "sample-c1", C.I.1): points in centi-points.
struct CardLine {
  const char* id;
  int64_t max;
  bool key;
};
inline constexpr CardLine kCard[] = {
    {"political_ideology", 1500, false},
    {"organization_cadres", 1500, false},
    {"party_programs", 2000, true},
    {"production_business", 3000, true},  // By achievement and plan.
    {"remediation", 2000, false}};
inline constexpr int kProductionLine = 3;
inline constexpr char kCardTemplate[] = "sample-c1";

enum class OrgDesign { kExcellent, kGood, kLowScore, kPlanMissed, kFailed };

struct Scorecard {
  std::array<int64_t, 5> points{};  // Centi-points per line (the production line computed).
  int64_t achieved = 100;
  int64_t plan = 100;
  bool plan_met = true;
  int party_building_pct = 100;
  bool exemplary = false;
};

// C.I.1.4: the grade of `points` out of `max`.
v1::Grade GradeOf(int64_t points, int64_t max);

// "13.5" or "13" from centi-points.
std::string PointsText(int64_t centi);

// A scorecard whose outcome is the design's (R-ORG-2..6), its points drawn from `rng`.
Scorecard MakeScorecard(OrgDesign design, Rng& rng);

// RULES.md §4 over a generated org: R-ORG-2..6 (no org or committee is disciplined here).
Level OrgCeiling(const Scorecard& card, const Units& units, bool committee_kind,
                 Level worst_external, bool defect);

// A grassroots org's outcome of the year, for the bloc's decisions.
struct GrassrootsResult {
  int org = -1;
  Level ceiling = v1::LEVEL_UNSPECIFIED;
  Level level = v1::LEVEL_UNSPECIFIED;
  Level committee_ceiling = v1::LEVEL_UNSPECIFIED;
  Level committee_level = v1::LEVEL_UNSPECIFIED;
  int head = -1;  // The head rated as a leader (-1: none rated this year).
  Level head_ceiling = v1::LEVEL_UNSPECIFIED;
};

// A decided member chosen for a ruling that arrives after the year was decided.
struct LateRuling {
  int member = -1;
  int year = 0;
  Level level = v1::LEVEL_UNSPECIFIED;
  int grassroots = -1;  // At the year's reference date: the QĐ 01 authority (R-RETRO-2).
  bool self_remedied = false;
};

struct Rating {
  std::string subject;
  Level level;
};

}  // namespace rating::cli::generate
