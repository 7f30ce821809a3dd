// Shared helpers of the rules tests: short level and grade names, policies, fact builders, and
// checks of a ceiling's explanation (types.h contract). Test-only; tests/rules/ includes it.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/check.h"
#include "rules/engine.h"
#include "rules/policy.h"
#include "rules/types.h"

namespace rating::rules::testing {

constexpr Level kKHTNV = rating::v1::LEVEL_KHTNV;
constexpr Level kHTNV = rating::v1::LEVEL_HTNV;
constexpr Level kHTTNV = rating::v1::LEVEL_HTTNV;
constexpr Level kHTXSNV = rating::v1::LEVEL_HTXSNV;
constexpr Grade kXS = rating::v1::GRADE_XS;
constexpr Grade kTOT = rating::v1::GRADE_TOT;
constexpr Grade kTB = rating::v1::GRADE_TB;
constexpr Grade kKEM = rating::v1::GRADE_KEM;

// The default policy (no version, no overrides); aborts if it does not load.
inline Policy DefaultPolicy() {
  absl::StatusOr<Policy> policy = LoadPolicy("", {});
  RATING_CHECK(policy.ok());
  return *policy;
}

// The default policy with one override; aborts if it does not load.
inline Policy PolicyWith(const std::string& key, const std::string& value) {
  absl::StatusOr<Policy> policy = LoadPolicy("", {{key, value}});
  RATING_CHECK(policy.ok());
  return *policy;
}

// A member with a self-assessment: the four criteria's grades and the target counts.
inline MemberFacts AssessedMember(Grade political, Grade tasks, Grade commitment, Grade remediation,
                                  int assigned, int completed, int on_time, int exceeded,
                                  bool exemplary) {
  MemberFacts f;
  MemberAssessment a;
  a.grades = {{"political", political},
              {"tasks", tasks},
              {"commitment", commitment},
              {"remediation", remediation}};
  a.targets_assigned = assigned;
  a.targets_completed = completed;
  a.targets_on_time = on_time;
  a.targets_exceeded = exceeded;
  a.exemplary = exemplary;
  f.assessment = a;
  return f;
}

// Conformance case 02's committee assessment: key criteria XS, the rest TOT, exemplary.
inline CommitteeFacts Case02Committee() {
  CommitteeFacts f;
  CommitteeAssessmentFacts a;
  a.grades = {{"democratic_centralism", kTOT},
              {"leadership_responsibility", kTOT},
              {"programs", kXS},
              {"results", kXS},
              {"targets", kTOT},
              {"unit_ratings", kTOT},
              {"remediation", kTOT}};
  a.unit_targets_pct = 100;
  a.exemplary = true;
  f.assessment = a;
  return f;
}

// A discipline of `form` for the violation `key`.
inline DisciplineFact Discipline(rating::v1::DisciplineForm form, bool self_remedied,
                                 std::string key = "v1") {
  DisciplineFact d;
  d.form = form;
  d.self_remedied = self_remedied;
  d.violation_key = std::move(key);
  return d;
}

// The rule ids of the check's violations, in order.
inline std::vector<std::string> Rules(const DecisionCheck& check) {
  std::vector<std::string> out;
  for (const Violation& v : check.violations) out.push_back(v.rule_id);
  return out;
}

// The deciding rule first (holds), every finding with one-line texts in both languages.
inline void ExpectWellFormed(const Ceiling& c) {
  ASSERT_FALSE(c.findings.empty());
  EXPECT_EQ(c.findings.front().rule_id, c.rule_id);
  EXPECT_TRUE(c.findings.front().holds);
  for (const Finding& f : c.findings) {
    EXPECT_FALSE(f.rule_id.empty());
    EXPECT_FALSE(f.text_vi.empty()) << f.rule_id;
    EXPECT_FALSE(f.text_en.empty()) << f.rule_id;
    EXPECT_EQ(f.text_vi.find('\n'), std::string::npos) << f.text_vi;
    EXPECT_EQ(f.text_en.find('\n'), std::string::npos) << f.text_en;
  }
}

// True if some failed finding of `rule_id` has `text` in its English text.
inline bool FailsWith(const Ceiling& c, std::string_view rule_id, std::string_view text) {
  for (const Finding& f : c.findings) {
    if (!f.holds && f.rule_id == rule_id && f.text_en.find(text) != std::string::npos) {
      return true;
    }
  }
  return false;
}

// True if some holding finding of `rule_id` has `text` in its English text.
inline bool HoldsWith(const Ceiling& c, std::string_view rule_id, std::string_view text) {
  for (const Finding& f : c.findings) {
    if (f.holds && f.rule_id == rule_id && f.text_en.find(text) != std::string::npos) {
      return true;
    }
  }
  return false;
}

inline std::string Describe(const Ceiling& c) {
  std::string out = std::string(LevelCode(c.level)) + " by " + c.rule_id + "\n";
  for (const Finding& f : c.findings) {
    out += "  " + f.rule_id + (f.holds ? " holds: " : " fails: ") + f.text_en + "\n";
  }
  for (const std::string& m : c.missing_inputs) out += "  missing: " + m + "\n";
  return out;
}

// One row of a ceiling table: `change` turns the table's base facts into the row's facts, whose
// ceiling is `want`, decided by `rule_id`.
template <typename Facts>
struct CeilingCase {
  std::string name;
  std::function<void(Facts&)> change;
  Level want;
  std::string rule_id;
  // (rule, English text fragment) of failed findings the explanation must hold.
  std::vector<std::pair<std::string, std::string>> fails = {};
  // (rule, English text fragment) of holding findings the explanation must hold.
  std::vector<std::pair<std::string, std::string>> holds = {};
};

// Checks `ceiling` against its table row: well formed, the level, the deciding rule, and each
// failed and holding finding the row names.
template <typename Facts>
void ExpectCeiling(const Ceiling& ceiling, const CeilingCase<Facts>& c) {
  ExpectWellFormed(ceiling);
  EXPECT_EQ(ceiling.level, c.want);
  EXPECT_EQ(ceiling.rule_id, c.rule_id);
  for (const auto& [rule, text] : c.fails) EXPECT_TRUE(FailsWith(ceiling, rule, text)) << text;
  for (const auto& [rule, text] : c.holds) EXPECT_TRUE(HoldsWith(ceiling, rule, text)) << text;
}

}  // namespace rating::rules::testing
