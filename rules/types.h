// Levels, grades, centi-points, dates and explanations: the vocabulary of the rules engine.
// Layer: rules (pure; no I/O, no clock). Levels and grades are the proto enums; their display
// names come from the one table in proto/rating/v1/names.proto (common/names.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "rating/v1/domain.pb.h"

namespace rating::rules {

using Level = rating::v1::Level;
using Grade = rating::v1::Grade;
using Date = absl::CivilDay;

// Points in hundredths (1 point = 100). No floating point anywhere in rules.
using CentiPoints = int64_t;

// Parses "18", "18.5", "18.50" into centi-points. INVALID_ARGUMENT for more than two
// decimals, a sign, an empty string, or anything but digits and one '.'; at most 1e9 points.
absl::StatusOr<CentiPoints> ParsePoints(std::string_view text);
// "18.50" -> "18.5", "18.00" -> "18".
std::string FormatPoints(CentiPoints points);

// "YYYY-MM-DD" with a real calendar date. INVALID_ARGUMENT otherwise.
absl::StatusOr<Date> ParseDate(std::string_view text);
std::string FormatDate(Date date);
// `date` moved by `months` calendar months; the day is clamped to the month's end.
Date AddMonths(Date date, int months);

// Codes and names. LevelCode(LEVEL_HTXSNV) == "HTXSNV"; LevelNameVi gives
// "Hoàn thành xuất sắc nhiệm vụ"; LevelNameEn gives "excellent" (from names.proto).
std::string_view LevelCode(Level level);
std::string_view LevelNameVi(Level level);
std::string_view LevelNameEn(Level level);
std::optional<Level> ParseLevelCode(std::string_view code);  // "HTXSNV" ...
std::string_view GradeCode(Grade grade);                     // "XS", "TOT", "TB", "KEM"
std::string_view GradeNameVi(Grade grade);                   // "Xuất sắc", "Tốt", ...
std::string_view GradeNameEn(Grade grade);                   // "excellent", "good", ...
std::optional<Grade> ParseGradeCode(std::string_view code);
std::string_view StatusNameVi(rating::v1::RatingStatus status);  // "Chưa xếp loại", ...

// Rule ids and their names (RULES.md). RuleNameVi("R-MEM-2") is the Vietnamese one-line
// statement of the rule; RuleNameEn the English one. Unknown ids give "".
std::string_view RuleNameVi(std::string_view rule_id);
std::string_view RuleNameEn(std::string_view rule_id);
// Every rule id of RULES.md, in its order.
const std::vector<std::string>& AllRuleIds();

// The Vietnamese name of a missing input or a note as the rules name them ("review" -> "kiểm
// điểm", "org/c1 rating" -> "kết quả xếp loại của org/c1", "R-SUBJ-5: maternity" -> "nghỉ thai
// sản: xếp loại theo kết quả làm việc thực tế"). An unknown code is returned as it is.
std::string InputNameVi(std::string_view code);

// One rule's verdict in an explanation. `holds` is true for a rule that applies or a
// condition that is met (the deciding rule, a KHTNV trigger, a cap, a missing review), false
// for a condition of a higher level that fails. The texts are whole sentences that stand on
// their own in each language (criteria and grades by their names in that language).
struct Finding {
  std::string rule_id;
  bool holds = false;
  std::string text_vi;
  std::string text_en;
  friend bool operator==(const Finding&, const Finding&) = default;
};

// The highest level the rules allow, with its explanation.
struct Ceiling {
  Level level = rating::v1::LEVEL_UNSPECIFIED;
  // The rule that decided the level (e.g. "R-MEM-3", "R-COM-CAP").
  std::string rule_id;
  // The deciding rule first, then every failed condition of higher levels, with rule ids.
  std::vector<Finding> findings;
  // Inputs the rules needed and did not have, by name ("self_assessment", "org/c1 rating").
  std::vector<std::string> missing_inputs;
  // When a cap set the level: the capping subject ("org/c1"); else "".
  std::string capped_by;
  friend bool operator==(const Ceiling&, const Ceiling&) = default;
};

// True if the explanation names `rule_id` (deciding rule or any finding).
bool Mentions(const Ceiling& ceiling, std::string_view rule_id);

}  // namespace rating::rules
