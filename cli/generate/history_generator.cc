#include "cli/generate/history_generator.h"

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "common/crypto.h"
#include "common/status_macros.h"

namespace rating::cli {
namespace {

using Date = absl::CivilDay;
using v1::Level;

// ------------------------------------------------------------------ the guideline's numbers

// The default policy (RULES.md §9) as far as the plan must respect it for every decision to be
// accepted as planned. The plan computes each ceiling from the inputs it generates itself.
constexpr int kAdmissionMonths = 6;        // R-SUBJ-1: admitted 6+ months before the ref date.
constexpr int kOrgAgeMonths = 6;           // R-SUBJ-2: founded 6+ months before.
constexpr int kTransferCommentMonths = 6;  // R-SUBJ-4 (IV.5): comments after 6+ months.
constexpr int kMaxRatingsPerDecision = 1000;
// Cells start with at least this many members; transfers never shrink one below it.
constexpr int kMinCellSize = 8;

// R-QUOTA (quota_base good_or_better): the most HTXSNV among `good_or_better` subjects rated
// HTTNV or better: one under 5, else 20%.
int MaxExcellent(int good_or_better) {
  if (good_or_better <= 0) return 0;
  return good_or_better < 5 ? 1 : good_or_better / 5;
}

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

uint64_t Mix(uint64_t x) { return Rng(x).Next(); }

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

Date Reference(int year) { return Date(year, 12, 15); }  // The policy's default (RULES.md §3).

std::string Text(Date date) { return absl::FormatCivilTime(date); }

// As rules::AddMonths: the day is clamped to the month's end.
Date AddMonths(Date date, int months) {
  const absl::CivilMonth month = absl::CivilMonth(date) + months;
  const int days_in_month = (Date(month + 1) - 1).day();
  return Date(month.year(), month.month(), std::min(date.day(), days_in_month));
}

// A day of `year` in months [from, to] (days 1..28, always valid).
Date RandomDay(Rng& rng, int year, int from_month, int to_month) {
  return Date(year, rng.Between(from_month, to_month), rng.Between(1, 28));
}

// ------------------------------------------------------------------ names (UTF-8)

constexpr const char* kFamilyNames[] = {"Nguyễn", "Trần", "Lê",   "Phạm",  "Hoàng", "Huỳnh", "Phan",
                                        "Vũ",     "Võ",   "Đặng", "Bùi",   "Đỗ",    "Hồ",    "Ngô",
                                        "Dương",  "Lý",   "Đinh", "Trịnh", "Lương", "Mai"};
constexpr const char* kMaleMiddleNames[] = {"Văn",  "Hữu",  "Đức",   "Minh", "Quang",
                                            "Xuân", "Công", "Thành", "Đình", "Mạnh"};
constexpr const char* kFemaleMiddleNames[] = {"Thị", "Ngọc", "Thu",  "Thanh",
                                              "Kim", "Hồng", "Diệu", "Phương"};
constexpr const char* kMaleGivenNames[] = {
    "An",   "Bình", "Cường", "Dũng", "Hải",   "Hùng",  "Khánh", "Long", "Nam",  "Phong",
    "Quân", "Sơn",  "Tuấn",  "Vinh", "Thắng", "Trung", "Đạt",   "Hiếu", "Kiên", "Toàn"};
constexpr const char* kFemaleGivenNames[] = {
    "Anh", "Giang", "Hà",    "Hạnh", "Hương", "Lan",   "Linh",  "Mai",  "Nga",  "Phương",
    "Tâm", "Thảo",  "Trang", "Yến",  "Hoa",   "Huyền", "Nhung", "Oanh", "Thủy", "Vân"};
constexpr const char* kCompanyForms[] = {"Công ty Cổ phần", "Tổng công ty", "Công ty TNHH MTV",
                                         "Công ty"};
constexpr const char* kSectors[] = {"Điện lực",   "Cấp nước",   "Xây dựng", "Vận tải",
                                    "Dược phẩm",  "Cơ khí",     "Dệt may",  "Viễn thông",
                                    "Thương mại", "Du lịch",    "Bảo hiểm", "Xi măng",
                                    "Thủy sản",   "Lương thực", "In",       "Môi trường đô thị"};
constexpr const char* kPlaces[] = {"Hà Nội",   "Hải Phòng", "Đà Nẵng",        "Thanh Hóa",
                                   "Nghệ An",  "Cần Thơ",   "Thừa Thiên Huế", "Quảng Ninh",
                                   "Bắc Ninh", "Nam Định",  "Khánh Hòa",      "Lâm Đồng"};
constexpr const char* kDepartments[] = {"Phòng Kỹ thuật",
                                        "Phòng Kế hoạch – Đầu tư",
                                        "Phòng Tài chính – Kế toán",
                                        "Phòng Tổ chức – Hành chính",
                                        "Phòng Kinh doanh",
                                        "Ban Quản lý dự án",
                                        "Trung tâm Điều hành",
                                        "Phân xưởng Sản xuất",
                                        "Xí nghiệp",
                                        "Chi nhánh"};
// Same-level mass organizations (C.I.2.1) whose ratings are recorded facts.
constexpr const char* kMassOrgs[] = {"mass_org:Công đoàn cơ sở", "mass_org:Đoàn Thanh niên",
                                     "mass_org:Hội Cựu chiến binh"};

std::string CompanyName(Rng& rng) {
  return absl::StrCat(rng.Pick(kCompanyForms), " ", rng.Pick(kSectors), " ", rng.Pick(kPlaces));
}

std::string DepartmentName(Rng& rng, int number) {
  const std::string department = rng.Pick(kDepartments);
  if (department == "Chi nhánh") return absl::StrCat(department, " ", rng.Pick(kPlaces));
  if (department == "Phân xưởng Sản xuất" || department == "Xí nghiệp") {
    return absl::StrCat(department, " số ", number);
  }
  return department;
}

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

Level DesignLevel(Design design) {
  switch (design) {
    case Design::kExcellent:
      return v1::LEVEL_HTXSNV;
    case Design::kGood:
      return v1::LEVEL_HTTNV;
    case Design::kCompleted:
      return v1::LEVEL_HTNV;
    default:
      return v1::LEVEL_KHTNV;
  }
}

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
constexpr CardLine kCard[] = {{"political_ideology", 1500, false},
                              {"organization_cadres", 1500, false},
                              {"party_programs", 2000, true},
                              {"production_business", 3000, true},  // By achievement and plan.
                              {"remediation", 2000, false}};
constexpr int kProductionLine = 3;
constexpr char kCardTemplate[] = "sample-c1";

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
v1::Grade GradeOf(int64_t points, int64_t max) {
  if (points * 100 >= max * 85) return v1::GRADE_XS;
  if (points * 100 >= max * 70) return v1::GRADE_TOT;
  if (points * 100 >= max * 50) return v1::GRADE_TB;
  return v1::GRADE_KEM;
}

// "13.5" or "13" from centi-points.
std::string PointsText(int64_t centi) {
  if (centi % 100 == 0) return absl::StrCat(centi / 100);
  if (centi % 10 == 0) return absl::StrFormat("%d.%d", centi / 100, (centi % 100) / 10);
  return absl::StrFormat("%d.%02d", centi / 100, centi % 100);
}

// A multiple of 0.5 points in [lo, hi] (centi-points).
int64_t HalfPoints(Rng& rng, int64_t lo, int64_t hi) {
  return lo + 50 * rng.Below(static_cast<int>((hi - lo) / 50 + 1));
}

Scorecard MakeScorecard(OrgDesign design, Rng& rng) {
  Scorecard card;
  auto qualitative = [&](int64_t pi_lo, int64_t pi_hi, int64_t oc_lo, int64_t oc_hi, int64_t pp_lo,
                         int64_t pp_hi, int64_t rem_lo, int64_t rem_hi) {
    card.points[0] = HalfPoints(rng, pi_lo, pi_hi);
    card.points[1] = HalfPoints(rng, oc_lo, oc_hi);
    card.points[2] = HalfPoints(rng, pp_lo, pp_hi);
    card.points[4] = HalfPoints(rng, rem_lo, rem_hi);
  };
  switch (design) {
    case OrgDesign::kExcellent:  // S >= 85, every line >= TOT, key lines XS (R-ORG-4).
      qualitative(1300, 1500, 1200, 1500, 1700, 2000, 1500, 2000);
      card.achieved = rng.Between(100, 118);
      card.party_building_pct = rng.Between(85, 100);
      card.exemplary = rng.PerMille(900);
      break;
    case OrgDesign::kGood:  // S >= 70, party programs TOT: HTTNV at best (R-ORG-5).
      qualitative(1050, 1400, 1050, 1350, 1400, 1650, 1400, 1800);
      card.achieved = rng.Between(100, 110);
      card.party_building_pct = rng.Between(70, 100);
      card.exemplary = rng.PerMille(150);
      break;
    case OrgDesign::kLowScore:  // Party programs TB: HTNV (R-ORG-6).
      qualitative(750, 1000, 750, 1000, 1000, 1350, 1000, 1350);
      card.achieved = rng.Between(100, 105);
      card.party_building_pct = rng.Between(55, 80);
      break;
    case OrgDesign::kPlanMissed:  // D2 with S >= 70: HTNV (R-ORG-3).
      qualitative(1100, 1400, 1050, 1350, 1400, 1800, 1400, 1800);
      card.achieved = rng.Between(80, 95);
      card.party_building_pct = rng.Between(70, 95);
      break;
    case OrgDesign::kFailed:  // S below 50 or D2 below 70: KHTNV (R-ORG-2, R-ORG-3).
      qualitative(500, 800, 500, 800, 700, 1000, 600, 900);
      card.achieved = rng.Between(40, 60);
      card.party_building_pct = rng.Between(30, 60);
      break;
  }
  card.plan_met = card.achieved >= card.plan;
  // C.I.1.4: floor(max * min(achieved, plan) / plan).
  card.points[kProductionLine] =
      kCard[kProductionLine].max * std::min(card.achieved, card.plan) / card.plan;
  return card;
}

// RULES.md §4 over a generated org: R-ORG-2..6 (no org or committee is disciplined here).
Level OrgCeiling(const Scorecard& card, const Units& units, bool committee_kind,
                 Level worst_external, bool defect) {
  int64_t total = 0;
  bool all_tot = true, all_tb = true, keys_xs = true, keys_tot = true;
  for (size_t i = 0; i < card.points.size(); ++i) {
    total += card.points[i];
    const v1::Grade grade = GradeOf(card.points[i], kCard[i].max);
    all_tot = all_tot && grade >= v1::GRADE_TOT;
    all_tb = all_tb && grade >= v1::GRADE_TB;
    if (kCard[i].key) {
      keys_xs = keys_xs && grade == v1::GRADE_XS;
      keys_tot = keys_tot && grade >= v1::GRADE_TOT;
    }
  }
  if (total < 5000) return v1::LEVEL_KHTNV;  // R-ORG-2.
  // D2: party-building targets under 50% or the production plan not met.
  defect = defect || card.party_building_pct < 50 || !card.plan_met;
  if (defect) return total >= 7000 ? v1::LEVEL_HTNV : v1::LEVEL_KHTNV;  // R-ORG-3.
  const bool share80 = units.counted == 0 || 100 * units.good >= 80 * units.counted;
  const bool share50 = units.counted == 0 || 100 * units.good >= 50 * units.counted;
  if (total >= 8500 && all_tot && keys_xs && card.exemplary && units.below == 0 && share80 &&
      worst_external >= v1::LEVEL_HTTNV) {
    return v1::LEVEL_HTXSNV;  // R-ORG-4.
  }
  if (total >= 7000 && all_tb && keys_tot && (!committee_kind || units.below == 0) && share50 &&
      worst_external >= v1::LEVEL_HTNV) {
    return v1::LEVEL_HTTNV;  // R-ORG-5.
  }
  return v1::LEVEL_HTNV;  // R-ORG-6.
}

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

// ------------------------------------------------------------------ the generator

class Generator {
 public:
  Generator(const HistoryOptions& options, const CommandSink& sink)
      : options_(options), sink_(sink) {}

  absl::StatusOr<HistoryStats> Run();

 private:
  // Streams and output.
  Rng Stream(Purpose purpose, int year, int entity) const {
    uint64_t key = Mix(options_.seed ^ static_cast<uint64_t>(purpose));
    key = Mix(key ^ static_cast<uint64_t>(year));
    return Rng(Mix(key ^ static_cast<uint64_t>(entity)));
  }
  absl::Status Emit(const v1::Command& command, const v1::Principal& issuer);
  absl::Status EmitDecisions(const v1::Principal& issuer, int year, std::vector<Rating> ratings);

  // Principals competent for each command (R-DEC-1, R-RETRO-2, the command table).
  static v1::Principal MakePrincipal(std::string id, v1::Role role, std::string scope);
  v1::Principal Bloc() const;
  v1::Principal CommitteeOf(int org) const;
  v1::Principal TeamOf(int cell) const;
  v1::Principal Self(int member) const;

  // Ids and subjects.
  std::string MemberId(int member) const { return absl::StrFormat("dv%07d", member + 1); }
  std::string MemberSubject(int member) const { return absl::StrCat("member/", MemberId(member)); }
  int GrassrootsOf(int org) const { return orgs_[org].parent >= 0 ? orgs_[org].parent : org; }
  bool Rated(const Member& m, int year) const;
  bool OrgRated(const Org& org, int year) const {
    return AddMonths(org.founded_on, kOrgAgeMonths) <= Reference(year);
  }

  // The registry.
  void BuildLayout();
  int AddMember(int cell, Date admitted_on);
  void MoveMember(int member, int to, Date on);
  void FillPosts(v1::MemberPosts* posts, int member) const;
  absl::Status RegisterOrg(int org);
  absl::Status EnrollMember(int member);
  absl::Status Transfer(int member, int to, Date on, const v1::Principal& issuer);
  absl::Status SetStatus(int member, v1::MemberStatus status, Date from);
  absl::Status ChangePosts(int member, Date on);

  // One year.
  absl::Status Year(int year);
  absl::Status OpenPeriod(int year);
  absl::Status RevertStatuses(int year);
  absl::Status LateRulings(int year);
  absl::Status FoundCells(int year);
  absl::Status Successions(int year);
  absl::Status Admissions(int year);
  absl::Status Transfers(int year);
  absl::Status StatusChanges(int year);
  absl::Status RulingsOfTheYear(int year);
  absl::Status GrassrootsOrg(int org, int year);
  absl::Status BlocDecisions(int year);

  // Parts of a grassroots org's year.
  CellPlan PlanCell(int cell, int year, Rng& rng);
  absl::Status MemberInputs(const CellPlan& plan, int year, Rng& rng);
  absl::Status EmitSelfAssessment(const MemberPlan& plan, int year, Rng& rng);
  absl::Status Ballots(const CellPlan& plan, int year);
  absl::Status MemberRewards(const std::vector<const MemberPlan*>& decided, int grassroots,
                             int year, Rng& rng);
  void ChooseLateRuling(const MemberPlan& plan, int grassroots, int year, Rng& rng);
  // Records an org's review, scorecard, external ratings and incident; returns its ceiling.
  absl::StatusOr<Level> OrgInputs(int org, const Units& units, int year, bool defect_below,
                                  bool* defect);
  absl::Status CommitteeInputs(int org, Level org_level, int year, const v1::Principal& assessor,
                               Level* ceiling);

  const HistoryOptions options_;
  const CommandSink& sink_;
  HistoryStats stats_;
  std::map<v1::Command::CommandCase, int64_t> by_case_;

  std::vector<Org> orgs_;
  std::vector<Member> members_;
  // This year's facts about a few members: in-year rulings (member -> self-remedied) and
  // conclusions (R-MEM-1).
  std::map<int, bool> disciplined_;
  std::set<int> concluded_;
  std::vector<GrassrootsResult> results_;
  std::vector<LateRuling> late_;  // Chosen in a year, ruled on in the next.
  int decision_numbers_ = 0;      // QĐ 01 numbers.
};

absl::Status Generator::Emit(const v1::Command& command, const v1::Principal& issuer) {
  ++stats_.commands;
  ++by_case_[command.command_case()];
  return sink_(command, issuer);
}

absl::Status Generator::EmitDecisions(const v1::Principal& issuer, int year,
                                      std::vector<Rating> ratings) {
  // R-QUOTA is checked at each document over the decided ratings: the excellent come last, so
  // that every prefix stays within the quota the whole batch respects.
  std::stable_partition(ratings.begin(), ratings.end(),
                        [](const Rating& r) { return r.level != v1::LEVEL_HTXSNV; });
  for (size_t first = 0; first < ratings.size(); first += kMaxRatingsPerDecision) {
    v1::Command command;
    v1::Decision* decision = command.mutable_decide_ratings();
    decision->set_year(year);
    const size_t last = std::min(ratings.size(), first + kMaxRatingsPerDecision);
    for (size_t i = first; i < last; ++i) {
      v1::SubjectLevel* rating = decision->add_ratings();
      rating->set_subject(ratings[i].subject);
      rating->set_level(ratings[i].level);
    }
    RATING_RETURN_IF_ERROR(Emit(command, issuer));
  }
  return absl::OkStatus();
}

v1::Principal Generator::MakePrincipal(std::string id, v1::Role role, std::string scope) {
  v1::Principal p;
  p.set_id(std::move(id));
  p.set_role(role);
  p.set_scope(std::move(scope));
  return p;
}

v1::Principal Generator::Bloc() const {
  return MakePrincipal("bloc-standing-committee", v1::ROLE_BLOC_COMMITTEE, "bloc");
}

v1::Principal Generator::CommitteeOf(int org) const {
  const Org& o = orgs_[org];
  return MakePrincipal(absl::StrCat("committee-", o.id),
                       o.IsCell() ? v1::ROLE_CELL_COMMITTEE : v1::ROLE_GRASSROOTS_COMMITTEE, o.id);
}

v1::Principal Generator::TeamOf(int cell) const {
  return MakePrincipal(absl::StrCat("counting-team-", orgs_[cell].id), v1::ROLE_COUNTING_TEAM,
                       orgs_[cell].id);
}

v1::Principal Generator::Self(int member) const {
  return MakePrincipal(absl::StrCat("member-", MemberId(member)), v1::ROLE_MEMBER,
                       MemberId(member));
}

// R-SUBJ-1 at the year's reference date.
bool Generator::Rated(const Member& m, int year) const {
  return m.status != v1::MEMBER_STATUS_EXEMPT && m.status != v1::MEMBER_STATUS_SUSPENDED &&
         AddMonths(m.admitted_on, kAdmissionMonths) <= Reference(year);
}

// ------------------------------------------------------------------ the registry

// Cells of ~30 members (seeded, 15..45); about 70% of them grouped under grassroots committees
// of 3..8 subordinate cells, the rest grassroots cells. Heads and committee seats among the
// members admitted before the first year.
void Generator::BuildLayout() {
  Rng rng = Stream(Purpose::kLayout, 0, 0);
  std::vector<int> sizes;
  for (int left = options_.members; left > 0;) {
    int size = std::min(left, rng.Between(15, 45));
    if (left - size < kMinCellSize) size = left;  // The last cell takes the rest.
    sizes.push_back(size);
    left -= size;
  }
  const int first = options_.first_year;
  auto new_org = [&](v1::OrgKind kind, int parent, std::string id, std::string name) {
    Org org;
    org.id = std::move(id);
    org.name = std::move(name);
    org.kind = kind;
    org.parent = parent;
    org.founded_on = Date(rng.Between(1976, first - 3), rng.Between(1, 12), rng.Between(1, 28));
    orgs_.push_back(std::move(org));
    return static_cast<int>(orgs_.size()) - 1;
  };
  int committees = 0, grassroots_cells = 0;
  for (size_t next = 0; next < sizes.size();) {
    const int left = static_cast<int>(sizes.size() - next);
    if (left >= 3 && rng.PerMille(300)) {
      const std::string company = CompanyName(rng);
      const int gc =
          new_org(v1::ORG_KIND_GRASSROOTS_COMMITTEE, -1, absl::StrFormat("dbcs%04d", ++committees),
                  absl::StrCat("Đảng bộ ", company));
      const int cells = std::min(left, rng.Between(3, 8));
      for (int c = 0; c < cells; ++c) {
        const int cell = new_org(v1::ORG_KIND_SUBORDINATE_CELL, gc,
                                 absl::StrFormat("%s-cb%02d", orgs_[gc].id, c + 1),
                                 absl::StrCat("Chi bộ ", DepartmentName(rng, c + 1)));
        orgs_[gc].cells.push_back(cell);
      }
      next += cells;
    } else {
      new_org(v1::ORG_KIND_GRASSROOTS_CELL, -1, absl::StrFormat("cbcs%04d", ++grassroots_cells),
              absl::StrCat("Chi bộ ", CompanyName(rng)));
      ++next;
    }
  }
  // Members, cell by cell; 3% were admitted during the first year.
  size_t size_index = 0;
  for (int o = 0; o < static_cast<int>(orgs_.size()); ++o) {
    if (!orgs_[o].IsCell()) continue;
    for (int k = 0; k < sizes[size_index]; ++k) {
      const Date admitted = rng.PerMille(30) ? RandomDay(rng, first, 1, 11)
                                             : RandomDay(rng, rng.Between(1976, first - 1), 1, 12);
      AddMember(o, admitted);
    }
    ++size_index;
  }
  // Posts: a cell's head (bí thư) and committee (chi ủy); a grassroots committee's head and a
  // few more seats on its committee (đảng ủy), held by the heads of its cells and others.
  auto pick_plain = [&](const std::vector<int>& pool) {
    for (int tries = 0; tries < 50 && !pool.empty(); ++tries) {
      const int m = pool[rng.Below(static_cast<int>(pool.size()))];
      if (members_[m].posts == 0 && members_[m].admitted_on.year() < first) return m;
    }
    return -1;
  };
  for (int o = 0; o < static_cast<int>(orgs_.size()); ++o) {
    Org& org = orgs_[o];
    if (org.IsCell()) {
      const int head = pick_plain(org.members);
      if (head < 0) continue;
      org.head = head;
      members_[head].posts = kHeadsCell | kSeatOnCell;
      if (org.parent >= 0) members_[head].posts |= kSeatOnGrassrootsCommittee;
      const int seats = org.members.size() >= 9 ? 2 : 0;
      for (int s = 0; s < seats; ++s) {
        const int m = pick_plain(org.members);
        if (m >= 0) members_[m].posts = kSeatOnCell;
      }
    } else {
      std::vector<int> pool;
      for (int cell : org.cells) {
        pool.insert(pool.end(), orgs_[cell].members.begin(), orgs_[cell].members.end());
      }
      const int head = pick_plain(pool);
      if (head >= 0) {
        org.head = head;
        members_[head].posts = kSeatOnGrassrootsCommittee | kHeadsGrassrootsCommittee;
      }
      for (int s = rng.Between(1, 2); s > 0; --s) {
        const int m = pick_plain(pool);
        if (m >= 0) members_[m].posts = kSeatOnGrassrootsCommittee;
      }
    }
  }
}

int Generator::AddMember(int cell, Date admitted_on) {
  const int index = static_cast<int>(members_.size());
  Member m;
  m.org = cell;
  m.admitted_on = admitted_on;
  m.joined_on = admitted_on;
  m.female = Stream(Purpose::kPerson, 0, index).PerMille(450);
  members_.push_back(m);
  orgs_[cell].members.push_back(index);  // Indices grow: the list stays sorted.
  return index;
}

void Generator::MoveMember(int member, int to, Date on) {
  Member& m = members_[member];
  std::vector<int>& from = orgs_[m.org].members;
  from.erase(std::lower_bound(from.begin(), from.end(), member));
  std::vector<int>& into = orgs_[to].members;
  into.insert(std::lower_bound(into.begin(), into.end(), member), member);
  m.previous_since = m.joined_on;
  m.transferred_on = on;
  m.transfer_year = on.year();
  m.joined_on = on;
  m.org = to;
}

void Generator::FillPosts(v1::MemberPosts* posts, int member) const {
  const Member& m = members_[member];
  const Org& cell = orgs_[m.org];
  const std::string& gc = cell.parent >= 0 ? orgs_[cell.parent].id : cell.id;
  if (m.posts & kSeatOnCell) posts->add_committee_of(cell.id);
  if ((m.posts & kSeatOnGrassrootsCommittee) && cell.parent >= 0) posts->add_committee_of(gc);
  if (m.posts & kHeadsCell) posts->add_heads(cell.id);
  if ((m.posts & kHeadsGrassrootsCommittee) && cell.parent >= 0) posts->add_heads(gc);
}

absl::Status Generator::RegisterOrg(int org) {
  const Org& o = orgs_[org];
  v1::Command command;
  v1::OrgSpec* spec = command.mutable_register_org();
  spec->set_id(o.id);
  spec->set_kind(o.kind);
  spec->set_parent(o.parent >= 0 ? orgs_[o.parent].id : "bloc");
  spec->set_founded_on(Text(o.founded_on));
  spec->set_name(o.name);
  // RegisterOrg: a committee over the parent.
  return Emit(command, o.parent >= 0 ? CommitteeOf(o.parent) : Bloc());
}

absl::Status Generator::EnrollMember(int member) {
  Rng rng = Stream(Purpose::kPerson, 1, member);
  const Member& m = members_[member];
  v1::Command command;
  v1::MemberSpec* spec = command.mutable_enroll_member();
  spec->set_id(MemberId(member));
  spec->set_org(orgs_[m.org].id);
  spec->set_admitted_on(Text(m.admitted_on));
  spec->set_name(absl::StrCat(rng.Pick(kFamilyNames), " ",
                              m.female ? rng.Pick(kFemaleMiddleNames) : rng.Pick(kMaleMiddleNames),
                              " ",
                              m.female ? rng.Pick(kFemaleGivenNames) : rng.Pick(kMaleGivenNames)));
  v1::MemberPosts posts;
  FillPosts(&posts, member);
  *spec->mutable_committee_of() = posts.committee_of();
  *spec->mutable_heads() = posts.heads();
  ++stats_.members_enrolled;
  // The grassroots org's committee keeps its members' records (and governs every post listed).
  return Emit(command, CommitteeOf(GrassrootsOf(m.org)));
}

absl::Status Generator::Transfer(int member, int to, Date on, const v1::Principal& issuer) {
  MoveMember(member, to, on);
  v1::Command command;
  v1::MemberTransfer* transfer = command.mutable_transfer_member();
  transfer->set_member(MemberId(member));
  transfer->set_to(orgs_[to].id);
  transfer->set_on(Text(on));
  ++stats_.transfers;
  return Emit(command, issuer);
}

absl::Status Generator::SetStatus(int member, v1::MemberStatus status, Date from) {
  v1::Command command;
  v1::MemberStatusChange* change = command.mutable_set_member_status();
  change->set_member(MemberId(member));
  change->set_status(status);
  change->set_from(Text(from));
  return Emit(command, CommitteeOf(GrassrootsOf(members_[member].org)));
}

absl::Status Generator::ChangePosts(int member, Date on) {
  v1::Command command;
  v1::MemberPosts* posts = command.mutable_change_member_posts();
  posts->set_member(MemberId(member));
  posts->set_on(Text(on));
  FillPosts(posts, member);
  return Emit(command, CommitteeOf(GrassrootsOf(members_[member].org)));
}

// ------------------------------------------------------------------ one year

absl::StatusOr<HistoryStats> Generator::Run() {
  RATING_RETURN_IF_ERROR(CheckHistoryOptions(options_));
  BuildLayout();
  const int last = options_.first_year + options_.years - 1;
  for (int year = options_.first_year; year <= last; ++year) {
    RATING_RETURN_IF_ERROR(Year(year));
  }
  // Rulings on the last year's violations arrive early the next year (no period needed).
  RATING_RETURN_IF_ERROR(LateRulings(last + 1));
  for (const auto& [kind, count] : by_case_) {
    stats_.by_kind[v1::Command::descriptor()->FindFieldByNumber(kind)->name()] = count;
  }
  return stats_;
}

absl::Status Generator::Year(int year) {
  disciplined_.clear();
  concluded_.clear();
  results_.clear();
  RATING_RETURN_IF_ERROR(OpenPeriod(year));
  if (year == options_.first_year) {
    for (int o = 0; o < static_cast<int>(orgs_.size()); ++o) {
      RATING_RETURN_IF_ERROR(RegisterOrg(o));
    }
    for (int m = 0; m < static_cast<int>(members_.size()); ++m) {
      RATING_RETURN_IF_ERROR(EnrollMember(m));
    }
  } else {
    RATING_RETURN_IF_ERROR(RevertStatuses(year));
    RATING_RETURN_IF_ERROR(LateRulings(year));
    RATING_RETURN_IF_ERROR(FoundCells(year));
    RATING_RETURN_IF_ERROR(Successions(year));
    RATING_RETURN_IF_ERROR(Admissions(year));
  }
  RATING_RETURN_IF_ERROR(Transfers(year));
  RATING_RETURN_IF_ERROR(StatusChanges(year));
  RATING_RETURN_IF_ERROR(RulingsOfTheYear(year));
  // Bottom-up, one grassroots org at a time (R-ORDER), then the bloc.
  for (int o = 0; o < static_cast<int>(orgs_.size()); ++o) {
    if (orgs_[o].IsGrassroots()) RATING_RETURN_IF_ERROR(GrassrootsOrg(o, year));
  }
  return BlocDecisions(year);
}

absl::Status Generator::OpenPeriod(int year) {
  v1::Command command;
  command.mutable_open_period()->set_year(year);  // Reference date: the policy's 15/12.
  return Emit(command, Bloc());
}

// Members temporarily active elsewhere or suspended last year are back from early this year.
absl::Status Generator::RevertStatuses(int year) {
  Rng rng = Stream(Purpose::kRegistry, year, 1);
  for (int m = 0; m < static_cast<int>(members_.size()); ++m) {
    Member& member = members_[m];
    if (member.status != v1::MEMBER_STATUS_TEMPORARY_ELSEWHERE &&
        member.status != v1::MEMBER_STATUS_SUSPENDED) {
      continue;
    }
    member.status = v1::MEMBER_STATUS_ACTIVE;
    RATING_RETURN_IF_ERROR(SetStatus(m, v1::MEMBER_STATUS_ACTIVE, RandomDay(rng, year, 1, 4)));
  }
  return absl::OkStatus();
}

// Rulings on violations of a decided year (`year` - 1), each followed by the QĐ 01 of the
// direct superior committee (R-RETRO-1, R-RETRO-2): KHTNV, or the same level after a
// self-remedied one reviewed.
absl::Status Generator::LateRulings(int year) {
  Rng rng = Stream(Purpose::kLate, year, 0);
  for (const LateRuling& late : late_) {
    Member& m = members_[late.member];
    v1::Command ruling;
    v1::DisciplineRuling* r = ruling.mutable_rule_discipline();
    r->set_subject(MemberSubject(late.member));
    r->set_form(rng.PerMille(800) ? v1::DISCIPLINE_FORM_REPRIMAND : v1::DISCIPLINE_FORM_WARNING);
    r->set_decided_on(Text(RandomDay(rng, year, 2, 6)));
    const Date from = RandomDay(rng, late.year, 2, 9);
    r->set_violation_from(Text(from));
    r->set_violation_to(Text(from + rng.Between(0, 60)));
    r->set_self_remedied(late.self_remedied);
    ++stats_.late_rulings;
    // The committee over the member's org now (RuleDiscipline's authority).
    RATING_RETURN_IF_ERROR(Emit(ruling, CommitteeOf(GrassrootsOf(m.org))));

    v1::Command rerate;
    v1::Rerating* q = rerate.mutable_rerate();
    q->set_subject(MemberSubject(late.member));
    q->set_year(late.year);
    q->set_level(late.self_remedied ? late.level : v1::LEVEL_KHTNV);
    q->set_decision_no(absl::StrFormat("%d-QĐ/ĐU", ++decision_numbers_));
    ++stats_.reratings;
    RATING_RETURN_IF_ERROR(Emit(rerate, CommitteeOf(late.grassroots)));
    if (!late.self_remedied) m.excellent_streak = 0;  // The year is KHTNV now.
  }
  late_.clear();
  return absl::OkStatus();
}

// A few grassroots committees found a subordinate cell: some members move there (one heads it)
// and a few new members are admitted into it. Founded after mid-June, it is not rated this
// year (R-SUBJ-2).
absl::Status Generator::FoundCells(int year) {
  Rng rng = Stream(Purpose::kRegistry, year, 2);
  const int count = static_cast<int>(orgs_.size());
  for (int gc = 0; gc < count; ++gc) {
    if (orgs_[gc].kind != v1::ORG_KIND_GRASSROOTS_COMMITTEE || !rng.PerMille(35)) continue;
    const Date founded = RandomDay(rng, year, 2, 9);
    std::vector<int> movers;
    for (int cell : orgs_[gc].cells) {
      const std::vector<int>& pool = orgs_[cell].members;
      if (static_cast<int>(pool.size()) < kMinCellSize + 4) continue;
      const int m = pool[rng.Below(static_cast<int>(pool.size()))];
      const Member& member = members_[m];
      if (member.posts == 0 && member.status == v1::MEMBER_STATUS_ACTIVE &&
          member.joined_on < founded && member.transfer_year != year) {
        movers.push_back(m);
      }
      if (movers.size() == 5) break;
    }
    if (movers.size() < 3) continue;
    Org cell;
    cell.id = absl::StrFormat("%s-cb%02d", orgs_[gc].id, orgs_[gc].cells.size() + 1);
    cell.name =
        absl::StrCat("Chi bộ ", DepartmentName(rng, static_cast<int>(orgs_[gc].cells.size()) + 1));
    cell.kind = v1::ORG_KIND_SUBORDINATE_CELL;
    cell.parent = gc;
    cell.founded_on = founded;
    orgs_.push_back(std::move(cell));
    const int c = static_cast<int>(orgs_.size()) - 1;
    orgs_[gc].cells.push_back(c);
    RATING_RETURN_IF_ERROR(RegisterOrg(c));
    for (int m : movers) {
      RATING_RETURN_IF_ERROR(Transfer(m, c, founded + rng.Between(0, 10), CommitteeOf(gc)));
    }
    // The first to move heads the new cell and sits on the grassroots committee.
    const int head = movers.front();
    members_[head].posts = kHeadsCell | kSeatOnCell | kSeatOnGrassrootsCommittee;
    orgs_[c].head = head;
    RATING_RETURN_IF_ERROR(ChangePosts(head, members_[head].joined_on));
    for (int k = rng.Between(2, 4); k > 0; --k) {
      const Date admitted = founded + rng.Between(5, 60);
      if (admitted.year() != year) break;
      RATING_RETURN_IF_ERROR(EnrollMember(AddMember(c, admitted)));
    }
  }
  return absl::OkStatus();
}

// A few grassroots orgs change their head (bí thư) during the year (R-TIME-1: the posts from
// that date; earlier years keep the old head).
absl::Status Generator::Successions(int year) {
  Rng rng = Stream(Purpose::kRegistry, year, 3);
  for (int o = 0; o < static_cast<int>(orgs_.size()); ++o) {
    Org& org = orgs_[o];
    if (!org.IsGrassroots() || org.head < 0 || !rng.PerMille(40)) continue;
    std::vector<int> pool;
    if (org.IsCell()) {
      pool = org.members;
    } else {
      for (int cell : org.cells) {
        pool.insert(pool.end(), orgs_[cell].members.begin(), orgs_[cell].members.end());
      }
    }
    const int successor = pool.empty() ? -1 : pool[rng.Below(static_cast<int>(pool.size()))];
    if (successor < 0 || members_[successor].posts != 0 ||
        members_[successor].status != v1::MEMBER_STATUS_ACTIVE ||
        members_[successor].admitted_on.year() >= year) {
      continue;
    }
    const Date on = RandomDay(rng, year, 3, 10);
    const int previous = org.head;
    members_[previous].posts = 0;  // Steps down from the committee.
    RATING_RETURN_IF_ERROR(ChangePosts(previous, on));
    members_[successor].posts = org.IsCell()
                                    ? (kHeadsCell | kSeatOnCell)
                                    : (kHeadsGrassrootsCommittee | kSeatOnGrassrootsCommittee);
    org.head = successor;
    RATING_RETURN_IF_ERROR(ChangePosts(successor, on));
  }
  return absl::OkStatus();
}

// About 4% new members a year, admitted into cells that exist by then; those admitted after
// mid-June are rated from the next year (R-SUBJ-1).
absl::Status Generator::Admissions(int year) {
  Rng rng = Stream(Purpose::kRegistry, year, 4);
  const int admitted = std::max(1, options_.members * 4 / 100);
  std::vector<int> cells;
  for (int o = 0; o < static_cast<int>(orgs_.size()); ++o) {
    if (orgs_[o].IsCell()) cells.push_back(o);
  }
  for (int k = 0; k < admitted; ++k) {
    const int cell = cells[rng.Below(static_cast<int>(cells.size()))];
    Date on = RandomDay(rng, year, 1, 11);
    if (on < orgs_[cell].founded_on) on = orgs_[cell].founded_on + 7;
    if (on.year() != year) continue;
    RATING_RETURN_IF_ERROR(EnrollMember(AddMember(cell, on)));
  }
  return absl::OkStatus();
}

// About 1.5% of the plain members move a year, most within their grassroots committee.
absl::Status Generator::Transfers(int year) {
  Rng rng = Stream(Purpose::kRegistry, year, 5);
  std::vector<int> cells;
  for (int o = 0; o < static_cast<int>(orgs_.size()); ++o) {
    if (orgs_[o].IsCell() && orgs_[o].founded_on.year() < year) cells.push_back(o);
  }
  const int moves = std::max(1, options_.members * 15 / 1000);
  for (int k = 0; k < moves && cells.size() > 1; ++k) {
    const int m = rng.Below(static_cast<int>(members_.size()));
    Member& member = members_[m];
    const Date on = RandomDay(rng, year, 2, 11);
    if (member.posts != 0 || member.status != v1::MEMBER_STATUS_ACTIVE ||
        member.transfer_year == year || member.joined_on >= on ||
        static_cast<int>(orgs_[member.org].members.size()) <= kMinCellSize) {
      continue;
    }
    const int from = member.org;
    const Org& from_cell = orgs_[from];
    int to = -1;
    if (from_cell.parent >= 0 && orgs_[from_cell.parent].cells.size() > 1 && rng.PerMille(700)) {
      const std::vector<int>& siblings = orgs_[from_cell.parent].cells;
      to = siblings[rng.Below(static_cast<int>(siblings.size()))];
      if (orgs_[to].founded_on >= on) to = -1;
    } else {
      to = cells[rng.Below(static_cast<int>(cells.size()))];
    }
    if (to < 0 || to == from) continue;
    // A grassroots committee moves members between its own cells; otherwise the bloc.
    const bool within = GrassrootsOf(from) == GrassrootsOf(to);
    RATING_RETURN_IF_ERROR(Transfer(m, to, on, within ? CommitteeOf(GrassrootsOf(from)) : Bloc()));
  }
  return absl::OkStatus();
}

// Status changes of plain members (R-SUBJ-1, R-SUBJ-4, R-SUBJ-5): exemptions (for good),
// sick and maternity leave (back before the reference date), temporary activity elsewhere and
// suspensions (still in force at the reference date; back early next year).
absl::Status Generator::StatusChanges(int year) {
  Rng rng = Stream(Purpose::kRegistry, year, 6);
  for (int m = 0; m < static_cast<int>(members_.size()); ++m) {
    Member& member = members_[m];
    const int draw = rng.Below(1000);
    if (draw >= 25 || member.posts != 0 || member.status != v1::MEMBER_STATUS_ACTIVE ||
        member.admitted_on.year() >= year) {
      continue;
    }
    if (draw < 3) {  // Miễn công tác và sinh hoạt đảng.
      member.status = v1::MEMBER_STATUS_EXEMPT;
      RATING_RETURN_IF_ERROR(SetStatus(m, member.status, RandomDay(rng, year, 1, 11)));
    } else if (draw < 11) {
      const Date from = RandomDay(rng, year, 2, 6);
      RATING_RETURN_IF_ERROR(SetStatus(m, v1::MEMBER_STATUS_SICK_LEAVE, from));
      RATING_RETURN_IF_ERROR(
          SetStatus(m, v1::MEMBER_STATUS_ACTIVE, AddMonths(from, rng.Between(3, 5))));
    } else if (draw < 18) {
      if (!member.female) continue;
      const Date from = RandomDay(rng, year, 1, 5);
      RATING_RETURN_IF_ERROR(SetStatus(m, v1::MEMBER_STATUS_MATERNITY, from));
      RATING_RETURN_IF_ERROR(SetStatus(m, v1::MEMBER_STATUS_ACTIVE, AddMonths(from, 6)));
    } else if (draw < 24) {
      member.status = v1::MEMBER_STATUS_TEMPORARY_ELSEWHERE;
      RATING_RETURN_IF_ERROR(SetStatus(m, member.status, RandomDay(rng, year, 8, 11)));
    } else {
      member.status = v1::MEMBER_STATUS_SUSPENDED;
      RATING_RETURN_IF_ERROR(SetStatus(m, member.status, RandomDay(rng, year, 9, 11)));
    }
  }
  return absl::OkStatus();
}

// A few rulings on violations of the year, before it is rated (R-MEM-1: KHTNV unless
// self-remedied; at most one per cell, so that D3 never fires), and a few conclusions.
absl::Status Generator::RulingsOfTheYear(int year) {
  Rng rng = Stream(Purpose::kRulings, year, 0);
  std::set<int> cells_ruled;
  for (int m = 0; m < static_cast<int>(members_.size()); ++m) {
    Member& member = members_[m];
    const int draw = rng.Below(1000);
    if (draw >= 4 || member.posts != 0 || member.ruled || !Rated(member, year) ||
        member.transfer_year == year || orgs_[member.org].members.size() < 6) {
      continue;
    }
    if (draw < 3) {
      if (!cells_ruled.insert(member.org).second) continue;
      v1::Command command;
      v1::DisciplineRuling* r = command.mutable_rule_discipline();
      r->set_subject(MemberSubject(m));
      r->set_form(rng.PerMille(800) ? v1::DISCIPLINE_FORM_REPRIMAND : v1::DISCIPLINE_FORM_WARNING);
      const Date from = RandomDay(rng, year, 3, 7);
      r->set_violation_from(Text(from));
      r->set_violation_to(Text(from + rng.Between(0, 60)));
      r->set_decided_on(Text(RandomDay(rng, year, 9, 11)));
      const bool self_remedied = rng.PerMille(200);
      r->set_self_remedied(self_remedied);
      member.ruled = true;
      disciplined_[m] = self_remedied;
      ++stats_.rulings_in_year;
      RATING_RETURN_IF_ERROR(Emit(command, CommitteeOf(GrassrootsOf(member.org))));
    } else {
      v1::Command command;
      v1::Conclusion* c = command.mutable_record_conclusion();
      c->set_subject(MemberSubject(m));
      c->set_kind(rng.PerMille(500) ? v1::CONCLUSION_KIND_PROHIBITED_ACT
                                    : v1::CONCLUSION_KIND_EXEMPLARY_BREACH);
      c->set_year(year);
      concluded_.insert(m);
      RATING_RETURN_IF_ERROR(Emit(command, Bloc()));
    }
  }
  return absl::OkStatus();
}

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

}  // namespace

absl::StatusOr<HistoryOptions> SizePreset(std::string_view size) {
  HistoryOptions options;
  if (size == "small") {
    options.members = 1000;
    options.years = 3;
  } else if (size == "province") {
    options.members = 30000;
    options.years = 5;
  } else if (size == "nation-slice") {
    options.members = 300000;
    options.years = 5;
  } else {
    return absl::InvalidArgumentError(absl::StrCat("size: '", std::string(size.substr(0, 64)),
                                                   "' is not small, province or nation-slice"));
  }
  return options;
}

absl::Status CheckHistoryOptions(const HistoryOptions& options) {
  if (options.members < 30 || options.members > 5000000) {
    return absl::InvalidArgumentError(
        absl::StrCat("members: ", options.members, " is not in 30..5000000"));
  }
  if (options.years < 1 || options.years > 20) {
    return absl::InvalidArgumentError(absl::StrCat("years: ", options.years, " is not in 1..20"));
  }
  if (options.first_year < 2000 || options.first_year + options.years - 1 > 2100) {
    return absl::InvalidArgumentError(absl::StrCat("first_year: ", options.first_year, " with ",
                                                   options.years,
                                                   " years does not fit in 2000..2100"));
  }
  return absl::OkStatus();
}

std::string DescribeOptions(const HistoryOptions& options) {
  return absl::StrCat("members=", options.members, " years=", options.years, " seed=", options.seed,
                      " first_year=", options.first_year);
}

std::string HistoryRequestId(const HistoryOptions& options, uint64_t sequence) {
  std::string digest =
      common::Sha256(absl::StrCat("rating.v1/generate/", DescribeOptions(options), "/", sequence));
  digest[6] = static_cast<char>((digest[6] & 0x0f) | 0x50);  // Version 5 (name-based).
  digest[8] = static_cast<char>((digest[8] & 0x3f) | 0x80);
  const std::string hex = common::ToHex(std::string_view(digest).substr(0, 16));
  return absl::StrCat(hex.substr(0, 8), "-", hex.substr(8, 4), "-", hex.substr(12, 4), "-",
                      hex.substr(16, 4), "-", hex.substr(20, 12));
}

absl::StatusOr<HistoryStats> GenerateHistory(const HistoryOptions& options,
                                             const CommandSink& sink) {
  return Generator(options, sink).Run();
}

}  // namespace rating::cli
