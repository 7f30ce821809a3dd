// The criteria of members, leaders (RULES.md §5, B.III.2) and committees (§6, C.III.2): their
// ids (what assessments name), their display names in both languages, and which are task or
// key criteria. Layer: rules (pure data).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rating::rules {

struct CriterionInfo {
  std::string_view id;       // "political", "programs"
  std::string_view name_vi;  // "Phẩm chất chính trị, đạo đức, lối sống"
  std::string_view name_en;  // "political quality, ethics and lifestyle"
  // Members: a task criterion (tasks; leadership for leaders). Committees: a key criterion.
  bool special = false;
};

// Member criteria, in their documented order; `leader` adds leadership, initiative, example.
std::vector<CriterionInfo> MemberCriteriaInfo(bool leader);
// The seven committee criteria, in their documented order (key: programs, results).
const std::vector<CriterionInfo>& CommitteeCriteriaInfo();
// The info of a member or committee criterion id, or nullptr.
const CriterionInfo* FindCriterion(std::string_view id);

// Ids only (what the command handlers check assessments against).
std::vector<std::string> MemberCriteria(bool leader);
std::vector<std::string> MemberTaskCriteria(bool leader);
std::vector<std::string> CommitteeCriteria();
std::vector<std::string> CommitteeKeyCriteria();

}  // namespace rating::rules
