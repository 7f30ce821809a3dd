#include "cli/generate/history_model.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace rating::cli::generate {

// R-QUOTA (quota_base good_or_better): the most HTXSNV among `good_or_better` subjects rated
// HTTNV or better: one under 5, else 20%.
int MaxExcellent(int good_or_better) {
  if (good_or_better <= 0) return 0;
  return good_or_better < 5 ? 1 : good_or_better / 5;
}

// ------------------------------------------------------------------ dates

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

// A member's full name: family, middle and given names (by gender).
std::string PersonName(Rng& rng, bool female) {
  return absl::StrCat(rng.Pick(kFamilyNames), " ",
                      female ? rng.Pick(kFemaleMiddleNames) : rng.Pick(kMaleMiddleNames), " ",
                      female ? rng.Pick(kFemaleGivenNames) : rng.Pick(kMaleGivenNames));
}

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

namespace {

// A multiple of 0.5 points in [lo, hi] (centi-points).
int64_t HalfPoints(Rng& rng, int64_t lo, int64_t hi) {
  return lo + 50 * rng.Below(static_cast<int>((hi - lo) / 50 + 1));
}

}  // namespace

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

}  // namespace rating::cli::generate
