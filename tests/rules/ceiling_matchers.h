// Shared checks for ceilings in rules tests: the explanation's shape (types.h contract).
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "common/check.h"
#include "rules/policy.h"
#include "rules/types.h"

namespace rating::rules::testing {

inline Policy DefaultPolicy() {
  absl::StatusOr<Policy> policy = LoadPolicy("", {});
  RATING_CHECK(policy.ok());
  return *policy;
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

}  // namespace rating::rules::testing
