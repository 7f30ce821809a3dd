// Policy versions and overrides, scorecard templates, criterion grades (RULES.md §2, §9).
#include "rules/policy.h"

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "common/check.h"
#include "common/status_macros.h"
#include "rules/internal/text_util.h"
#include "rules/subject.h"
#include "rules/types.h"

namespace rating::rules {

using internal::Cat;
using internal::Join;
using internal::Split;
using internal::Strip;
namespace {

using rating::v1::OrgKind;

// The shipped sample card (C.I.1): not an official BIỂU ĐIỂM, but its ids and points are the
// ones the conformance scenarios use. Criteria ids are stable: scorecards name them.
constexpr std::string_view kSampleScorecardText =
    "# Sample 100-point card built from C.I.1 (not an official BIỂU ĐIỂM 01/02/03).\n"
    "political_ideology|15|false|false|Công tác chính trị tư tưởng\n"
    "organization_cadres|15|false|false|Công tác tổ chức, cán bộ và xây dựng đảng bộ, chi bộ\n"
    "party_programs|20|true|false|Kết quả thực hiện chương trình, kế hoạch công tác xây dựng "
    "Đảng, đoàn thể chính trị - xã hội\n"
    "production_business|30|true|true|Kết quả thực hiện nhiệm vụ sản xuất kinh doanh\n"
    "remediation|20|false|false|Kết quả khắc phục những hạn chế, yếu kém đã được chỉ ra\n";

constexpr OrgKind kRatedOrgKinds[] = {
    rating::v1::ORG_KIND_GRASSROOTS_COMMITTEE, rating::v1::ORG_KIND_GRASSROOTS_CELL,
    rating::v1::ORG_KIND_SUB_COMMITTEE, rating::v1::ORG_KIND_SUBORDINATE_CELL};

std::string_view OrgKindKey(OrgKind kind) {
  switch (kind) {
    case rating::v1::ORG_KIND_GRASSROOTS_COMMITTEE:
      return "grassroots_committee";
    case rating::v1::ORG_KIND_GRASSROOTS_CELL:
      return "grassroots_cell";
    case rating::v1::ORG_KIND_SUB_COMMITTEE:
      return "sub_committee";
    case rating::v1::ORG_KIND_SUBORDINATE_CELL:
      return "subordinate_cell";
    default:
      return "";
  }
}

Policy DefaultPolicy() {
  Policy policy;
  policy.version = std::string(kDefaultPolicyVersion);
  absl::StatusOr<ScorecardTemplate> sample =
      ParseScorecardTemplate("sample-c1", kSampleScorecardText);
  RATING_CHECK(sample.ok());
  sample->name_vi = "Biểu điểm mẫu theo khung tiêu chí C.I.1";
  sample->sample = true;
  for (OrgKind kind : kRatedOrgKinds) policy.scorecards[kind] = *sample;
  return policy;
}

absl::Status BadValue(std::string_view key, std::string_view value, std::string_view expected) {
  return absl::InvalidArgumentError(
      Cat("policy override ", key, "=\"", value, "\": expected ", expected));
}

std::string ToLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

absl::StatusOr<int> ParseInt(std::string_view key, std::string_view value, int min, int max) {
  int out = 0;
  if (!internal::ParseInt(Strip(value), &out) || out < min || out > max) {
    return BadValue(key, value, Cat("an integer in ", min, "..", max));
  }
  return out;
}

absl::StatusOr<bool> ParseBool(std::string_view key, std::string_view value) {
  const std::string lower = ToLower(Strip(value));
  if (lower == "true" || lower == "1" || lower == "yes") return true;
  if (lower == "false" || lower == "0" || lower == "no" || lower.empty()) return false;
  return BadValue(key, value, "true or false");
}

// One overridable field: its key and how a text value sets it.
struct Field {
  std::string_view key;
  std::function<absl::Status(Policy&, std::string_view key, std::string_view value)> set;
};

Field PointsField(std::string_view key, CentiPoints Policy::*member) {
  return {key, [member](Policy& p, std::string_view k, std::string_view v) -> absl::Status {
            absl::StatusOr<CentiPoints> points = ParsePoints(v);
            if (!points.ok()) return BadValue(k, v, "points like \"85\" or \"84.5\"");
            p.*member = *points;
            return absl::OkStatus();
          }};
}

Field IntField(std::string_view key, int Policy::*member, int min, int max) {
  return {key,
          [member, min, max](Policy& p, std::string_view k, std::string_view v) -> absl::Status {
            RATING_ASSIGN_OR_RETURN(p.*member, ParseInt(k, v, min, max));
            return absl::OkStatus();
          }};
}

const std::vector<Field>& Fields() {
  static const std::vector<Field>* const fields = new std::vector<Field>{
      PointsField("score_excellent", &Policy::score_excellent),
      PointsField("score_good", &Policy::score_good),
      PointsField("score_pass", &Policy::score_pass),
      IntField("band_xs_pct", &Policy::band_xs_pct, 0, 100),
      IntField("band_tot_pct", &Policy::band_tot_pct, 0, 100),
      IntField("band_tb_pct", &Policy::band_tb_pct, 0, 100),
      IntField("quota_pct", &Policy::quota_pct, 0, 100),
      IntField("quota_min_group", &Policy::quota_min_group, 0, 1000000),
      IntField("quota_small", &Policy::quota_small, 0, 1000000),
      {"quota_base",
       [](Policy& p, std::string_view k, std::string_view v) -> absl::Status {
         if (v == "good_or_better") {
           p.quota_base = QuotaBase::kGoodOrBetter;
         } else if (v == "good_only") {
           p.quota_base = QuotaBase::kGoodOnly;
         } else {
           return BadValue(k, v, "good_or_better or good_only");
         }
         return absl::OkStatus();
       }},
      IntField("excellent_good_share_pct", &Policy::excellent_good_share_pct, 0, 100),
      IntField("good_good_share_pct", &Policy::good_good_share_pct, 0, 100),
      IntField("defect_disciplined_pct", &Policy::defect_disciplined_pct, 0, 100),
      IntField("min_targets_pct", &Policy::min_targets_pct, 0, 100),
      IntField("member_failed_targets_pct", &Policy::member_failed_targets_pct, 0, 100),
      IntField("low_confidence_pct", &Policy::low_confidence_pct, 0, 100),
      IntField("exceeded_targets_pct", &Policy::exceeded_targets_pct, 0, 100),
      IntField("not_ensured_pct", &Policy::not_ensured_pct, 0, 100),
      IntField("member_admission_months", &Policy::member_admission_months, 0, 1200),
      IntField("org_age_months", &Policy::org_age_months, 0, 1200),
      IntField("transfer_comment_months", &Policy::transfer_comment_months, 0, 1200),
      {"ballot_denominator",
       [](Policy& p, std::string_view k, std::string_view v) -> absl::Status {
         // The short names, and the same with "_ballots" ("valid_ballots", ...).
         const std::string_view name =
             v.size() > 8 && v.substr(v.size() - 8) == "_ballots" ? v.substr(0, v.size() - 8) : v;
         if (name == "valid") {
           p.ballot_denominator = BallotDenominator::kValidBallots;
         } else if (name == "returned") {
           p.ballot_denominator = BallotDenominator::kReturnedBallots;
         } else if (name == "issued") {
           p.ballot_denominator = BallotDenominator::kIssuedBallots;
         } else {
           return BadValue(k, v, "valid, returned or issued (optionally with _ballots)");
         }
         return absl::OkStatus();
       }},
      IntField("reference_month", &Policy::reference_month, 1, 12),
      IntField("reference_day", &Policy::reference_day, 1, 31),
      IntField("dossier_due_month", &Policy::dossier_due_month, 1, 12),
      IntField("dossier_due_day", &Policy::dossier_due_day, 1, 31),
  };
  return *fields;
}

// A (month, day) that exists in every year (no 30 February, no 29 February).
bool ValidMonthDay(int month, int day) {
  const Date date(2001, month, day);
  return date.month() == month && date.day() == day;
}

absl::Status Validate(const Policy& p) {
  if (!(p.score_excellent >= p.score_good && p.score_good >= p.score_pass)) {
    return absl::InvalidArgumentError(Cat(
        "policy ", p.version,
        ": score thresholds must not increase: score_excellent=", FormatPoints(p.score_excellent),
        " score_good=", FormatPoints(p.score_good), " score_pass=", FormatPoints(p.score_pass)));
  }
  if (!(p.band_xs_pct >= p.band_tot_pct && p.band_tot_pct >= p.band_tb_pct)) {
    return absl::InvalidArgumentError(
        Cat("policy ", p.version, ": grade bands must not increase: band_xs_pct=", p.band_xs_pct,
            " band_tot_pct=", p.band_tot_pct, " band_tb_pct=", p.band_tb_pct));
  }
  if (!ValidMonthDay(p.reference_month, p.reference_day)) {
    return absl::InvalidArgumentError(Cat("policy ", p.version, ": reference_month/reference_day ",
                                          p.reference_month, "/", p.reference_day,
                                          " is not a date of every year"));
  }
  if (!ValidMonthDay(p.dossier_due_month, p.dossier_due_day)) {
    return absl::InvalidArgumentError(
        Cat("policy ", p.version, ": dossier_due_month/dossier_due_day ", p.dossier_due_month, "/",
            p.dossier_due_day, " is not a date of every year"));
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<std::string> PolicyVersions() { return {std::string(kDefaultPolicyVersion)}; }

std::vector<std::string> PolicyOverrideKeys() {
  std::vector<std::string> keys;
  for (const Field& field : Fields()) keys.emplace_back(field.key);
  for (OrgKind kind : kRatedOrgKinds) keys.push_back(Cat("scorecard.", OrgKindKey(kind)));
  return keys;
}

absl::StatusOr<Policy> LoadPolicy(
    std::string_view version, const std::vector<std::pair<std::string, std::string>>& overrides) {
  if (!version.empty() && version != kDefaultPolicyVersion) {
    return absl::InvalidArgumentError(
        Cat("unknown policy version \"", version, "\" (known: ", kDefaultPolicyVersion, ")"));
  }
  Policy policy = DefaultPolicy();
  std::set<std::string> seen;
  for (const auto& [key, value] : overrides) {
    if (!seen.insert(key).second) {
      return absl::InvalidArgumentError(Cat("policy override ", key, " given twice"));
    }
    bool known = false;
    for (const Field& field : Fields()) {
      if (field.key == key) {
        RATING_RETURN_IF_ERROR(field.set(policy, key, value));
        known = true;
        break;
      }
    }
    if (!known) {
      for (OrgKind kind : kRatedOrgKinds) {
        if (key == Cat("scorecard.", OrgKindKey(kind))) {
          RATING_ASSIGN_OR_RETURN(policy.scorecards[kind], ParseScorecardTemplate(key, value));
          known = true;
          break;
        }
      }
    }
    if (!known) {
      return absl::InvalidArgumentError(Cat("unknown policy override key \"", key,
                                            "\" (known: ", Join(PolicyOverrideKeys(), ", "), ")"));
    }
  }
  RATING_RETURN_IF_ERROR(Validate(policy));
  return policy;
}

absl::StatusOr<ScorecardTemplate> ParseScorecardTemplate(std::string_view id,
                                                         std::string_view text) {
  ScorecardTemplate out;
  out.id = std::string(id);
  std::set<std::string> ids;
  int line_no = 0;
  for (std::string_view raw : Split(text, '\n')) {
    ++line_no;
    const std::string_view line = Strip(raw);
    if (line.empty() || line[0] == '#') continue;
    auto bad = [&](std::string_view what) {
      return absl::InvalidArgumentError(
          Cat("scorecard template ", id, " line ", line_no, ": ", what));
    };
    // The name may itself contain '|': split into at most five fields.
    std::vector<std::string_view> fields = Split(line, '|', 5);
    if (fields.size() < 4) return bad("expected id|max|key|quantitative|name");
    for (std::string_view& field : fields) field = Strip(field);
    TemplateCriterion criterion;
    criterion.id = std::string(fields[0]);
    if (!IsValidId(criterion.id)) return bad(Cat("bad criterion id \"", fields[0], "\""));
    if (!ids.insert(criterion.id).second) {
      return bad(Cat("criterion ", criterion.id, " given twice"));
    }
    absl::StatusOr<CentiPoints> max = ParsePoints(fields[1]);
    if (!max.ok() || *max <= 0) {
      return bad(Cat("criterion ", criterion.id, ": bad standard points \"", fields[1], "\""));
    }
    criterion.max = *max;
    absl::StatusOr<bool> key = ParseBool("key", fields[2]);
    absl::StatusOr<bool> quantitative = ParseBool("quantitative", fields[3]);
    if (!key.ok() || !quantitative.ok()) {
      return bad(Cat("criterion ", criterion.id, ": key and quantitative are true/false"));
    }
    criterion.key = *key;
    criterion.quantitative = *quantitative;
    if (fields.size() == 5) criterion.name_vi = std::string(fields[4]);
    out.criteria.push_back(std::move(criterion));
  }
  if (out.criteria.empty()) {
    return absl::InvalidArgumentError(Cat("scorecard template ", id, ": no criteria"));
  }
  return out;
}

absl::Status CheckAgainstTemplate(const ScorecardTemplate& card,
                                  const std::vector<TemplateCriterion>& criteria) {
  std::set<std::string> given;
  for (const TemplateCriterion& criterion : criteria) {
    const TemplateCriterion* expected = nullptr;
    for (const TemplateCriterion& line : card.criteria) {
      if (line.id == criterion.id) expected = &line;
    }
    if (expected == nullptr) {
      return absl::InvalidArgumentError(
          Cat("criterion ", criterion.id, " is not in scorecard template ", card.id));
    }
    if (!given.insert(criterion.id).second) {
      return absl::InvalidArgumentError(Cat("criterion ", criterion.id, " given twice"));
    }
    if (expected->max != criterion.max || expected->key != criterion.key) {
      return absl::InvalidArgumentError(
          Cat("criterion ", criterion.id, ": template ", card.id, " has max ",
              FormatPoints(expected->max), expected->key ? " (key)" : "", ", got max ",
              FormatPoints(criterion.max), criterion.key ? " (key)" : ""));
    }
  }
  for (const TemplateCriterion& line : card.criteria) {
    if (given.count(line.id) == 0) {
      return absl::InvalidArgumentError(
          Cat("criterion ", line.id, " of template ", card.id, " is missing"));
    }
  }
  return absl::OkStatus();
}

Grade GradeOfPoints(CentiPoints points, CentiPoints max, const Policy& policy) {
  // Guide C.I.1.4: XS from 85%, TOT from 70%, TB from 50% of the standard points.
  const __int128 p = static_cast<__int128>(points) * 100;
  const __int128 m = max;
  if (p >= m * policy.band_xs_pct) return rating::v1::GRADE_XS;
  if (p >= m * policy.band_tot_pct) return rating::v1::GRADE_TOT;
  if (p >= m * policy.band_tb_pct) return rating::v1::GRADE_TB;
  return rating::v1::GRADE_KEM;
}

absl::StatusOr<CentiPoints> QuantitativePoints(CentiPoints max, int64_t achieved, int64_t plan) {
  if (plan <= 0) {
    return absl::InvalidArgumentError(Cat("quantity: plan ", plan, " must be above 0"));
  }
  if (achieved < 0) {
    return absl::InvalidArgumentError(
        Cat("quantity: achieved ", achieved, " must not be negative"));
  }
  if (max < 0) {
    return absl::InvalidArgumentError(
        Cat("quantity: standard points ", FormatPoints(max), " must not be negative"));
  }
  // Guide C.I.1.4: exceeding the plan earns exactly the standard points. [choice] floor.
  const int64_t capped = achieved < plan ? achieved : plan;
  return static_cast<CentiPoints>(static_cast<__int128>(max) * capped / plan);
}

bool PointsInBand(CentiPoints points, CentiPoints max, Grade grade, const Policy& policy) {
  if (points < 0 || points > max) return false;
  switch (grade) {
    case rating::v1::GRADE_XS:
    case rating::v1::GRADE_TOT:
    case rating::v1::GRADE_TB:
    case rating::v1::GRADE_KEM:
      return GradeOfPoints(points, max, policy) == grade;
    default:
      return false;
  }
}

}  // namespace rating::rules
