// Points, dates, level and grade codes (RULES.md §1, §2).
#include "rules/types.h"

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "common/names.h"
#include "rules/internal/text_util.h"

namespace rating::rules {

using internal::Cat;
namespace {

constexpr CentiPoints kMaxCentiPoints = int64_t{1000000000} * 100;  // 1e9 points.

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

absl::StatusOr<CentiPoints> ParsePoints(std::string_view text) {
  auto bad = [&]() {
    return absl::InvalidArgumentError(Cat("points \"", text,
                                          "\": expected digits with at most two "
                                          "decimals, e.g. \"18.5\""));
  };
  if (text.empty()) return bad();
  const size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view frac =
      dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  if (whole.empty()) return bad();
  if (dot != std::string_view::npos && (frac.empty() || frac.size() > 2)) return bad();
  CentiPoints value = 0;
  for (char c : whole) {
    if (!IsDigit(c)) return bad();
    value = value * 10 + (c - '0');
    if (value > kMaxCentiPoints) {
      return absl::InvalidArgumentError(Cat("points \"", text, "\": more than 1000000000 points"));
    }
  }
  value *= 100;
  int scale = 10;
  for (char c : frac) {
    if (!IsDigit(c)) return bad();
    value += (c - '0') * scale;
    scale /= 10;
  }
  if (value > kMaxCentiPoints) {
    return absl::InvalidArgumentError(Cat("points \"", text, "\": more than 1000000000 points"));
  }
  return value;
}

std::string FormatPoints(CentiPoints points) {
  std::string sign;
  // Negative values never come from ParsePoints; format them anyway (deficits in messages).
  uint64_t magnitude = static_cast<uint64_t>(points);
  if (points < 0) {
    sign = "-";
    magnitude = ~magnitude + 1;
  }
  const uint64_t whole = magnitude / 100;
  const uint64_t cents = magnitude % 100;
  if (cents == 0) return Cat(sign, whole);
  if (cents % 10 == 0) return Cat(sign, whole, ".", cents / 10);
  return Cat(sign, whole, ".", cents < 10 ? "0" : "", cents);
}

absl::StatusOr<Date> ParseDate(std::string_view text) {
  auto bad = [&]() {
    return absl::InvalidArgumentError(
        Cat("date \"", text, "\": expected a calendar date YYYY-MM-DD"));
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return bad();
  int parts[3] = {0, 0, 0};
  const size_t starts[3] = {0, 5, 8};
  const size_t lengths[3] = {4, 2, 2};
  for (int i = 0; i < 3; ++i) {
    for (size_t j = starts[i]; j < starts[i] + lengths[i]; ++j) {
      if (!IsDigit(text[j])) return bad();
      parts[i] = parts[i] * 10 + (text[j] - '0');
    }
  }
  const Date date(parts[0], parts[1], parts[2]);
  // CivilDay normalizes out-of-range fields (2025-02-30 -> 2025-03-02): reject those.
  if (date.year() != parts[0] || date.month() != parts[1] || date.day() != parts[2]) {
    return bad();
  }
  return date;
}

std::string FormatDate(Date date) { return absl::FormatCivilTime(date); }

Date AddMonths(Date date, int months) {
  const absl::CivilMonth month = absl::CivilMonth(date) + months;
  const Date first_of_next = Date(month + 1);
  const int days_in_month = (first_of_next - 1).day();
  const int day = date.day() < days_in_month ? date.day() : days_in_month;
  return Date(month.year(), month.month(), day);
}

std::string_view LevelCode(Level level) {
  switch (level) {
    case rating::v1::LEVEL_HTXSNV:
      return "HTXSNV";
    case rating::v1::LEVEL_HTTNV:
      return "HTTNV";
    case rating::v1::LEVEL_HTNV:
      return "HTNV";
    case rating::v1::LEVEL_KHTNV:
      return "KHTNV";
    default:
      return "UNSPECIFIED";
  }
}

std::string_view LevelNameVi(Level level) { return common::NameVi(level); }
std::string_view LevelNameEn(Level level) { return common::NameEn(level); }

std::optional<Level> ParseLevelCode(std::string_view code) {
  if (code == "HTXSNV") return rating::v1::LEVEL_HTXSNV;
  if (code == "HTTNV") return rating::v1::LEVEL_HTTNV;
  if (code == "HTNV") return rating::v1::LEVEL_HTNV;
  if (code == "KHTNV") return rating::v1::LEVEL_KHTNV;
  return std::nullopt;
}

std::string_view GradeCode(Grade grade) {
  switch (grade) {
    case rating::v1::GRADE_XS:
      return "XS";
    case rating::v1::GRADE_TOT:
      return "TOT";
    case rating::v1::GRADE_TB:
      return "TB";
    case rating::v1::GRADE_KEM:
      return "KEM";
    default:
      return "UNSPECIFIED";
  }
}

std::string_view GradeNameVi(Grade grade) { return common::NameVi(grade); }
std::string_view GradeNameEn(Grade grade) { return common::NameEn(grade); }

std::optional<Grade> ParseGradeCode(std::string_view code) {
  if (code == "XS") return rating::v1::GRADE_XS;
  if (code == "TOT") return rating::v1::GRADE_TOT;
  if (code == "TB") return rating::v1::GRADE_TB;
  if (code == "KEM") return rating::v1::GRADE_KEM;
  return std::nullopt;
}

std::string_view StatusNameVi(rating::v1::RatingStatus status) { return common::NameVi(status); }

bool Mentions(const Ceiling& ceiling, std::string_view rule_id) {
  if (ceiling.rule_id == rule_id) return true;
  for (const Finding& finding : ceiling.findings) {
    if (finding.rule_id == rule_id) return true;
  }
  return false;
}

}  // namespace rating::rules
