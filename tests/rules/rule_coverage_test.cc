// Every rule of RULES.md is known to the engine (with both names) and named by a test: a test
// source under tests/ or one of our scenarios. RULES.md is the contract; when it gains a rule,
// this fails until the engine and a test speak of it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "rules/types.h"

namespace rating::rules {
namespace {

std::string Read(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The ids RULES.md defines: "**R-MEM-3**".
std::set<std::string> RulesMdIds(const std::string& text) {
  std::set<std::string> ids;
  const std::regex defined(R"(\*\*(R-[A-Z]+(-[A-Z0-9]+)?)\*\*)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), defined);
       it != std::sregex_iterator(); ++it) {
    ids.insert((*it)[1]);
  }
  return ids;
}

// True if `text` names `id` as a whole id ("R-MEM-1" is not named by "R-MEM-12").
bool Names(const std::string& text, const std::string& id) {
  for (size_t at = text.find(id); at != std::string::npos; at = text.find(id, at + 1)) {
    const size_t end = at + id.size();
    const bool whole = end == text.size() ||
                       !(std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '-');
    if (whole) return true;
  }
  return false;
}

TEST(RuleCoverageTest, EveryRuleOfRulesMdIsKnownAndNamedByATest) {
  const std::filesystem::path rules_md = RATING_RULES_MD;
  if (!std::filesystem::exists(rules_md)) GTEST_SKIP() << rules_md << " is not here";
  const std::set<std::string> ids = RulesMdIds(Read(rules_md));
  ASSERT_GE(ids.size(), 40u);
  EXPECT_TRUE(ids.count("R-TIME-1"));
  // Every test source and scenario, read once.
  std::string tests;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(RATING_TESTS_DIR)) {
    const std::string ext = entry.path().extension().string();
    if (entry.is_regular_file() && (ext == ".cc" || ext == ".h" || ext == ".json")) {
      if (entry.path().filename() == "rule_coverage_test.cc") continue;
      tests += Read(entry.path());
      tests += '\n';
    }
  }
  const std::vector<std::string>& known = AllRuleIds();
  for (const std::string& id : ids) {
    EXPECT_NE(std::find(known.begin(), known.end(), id), known.end()) << id << " unknown";
    EXPECT_FALSE(RuleNameVi(id).empty()) << id;
    EXPECT_TRUE(Names(tests, id)) << id << " is named by no test";
  }
}

}  // namespace
}  // namespace rating::rules
