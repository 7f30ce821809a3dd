// Ceilings with explanations: members and leaders (RULES.md §5, R-LEAD-1), grassroots and
// subordinate orgs (§4, R-ORG-1..6 with D1..D4), committees (§6, R-COM-1..5) and the caps
// (R-COM-CAP, R-LEAD-CAP). Layer: rules (pure).
//
// Every ceiling: `findings` starts with the deciding rule (holds=true; a rule with several
// reasons lists each), then one failed finding (holds=false) per failed condition of every
// level above the result, then (leaders) an R-LEAD-1 note. A missing input fails every condition
// that needs it and is named in missing_inputs; with no assessment/scorecard the ceiling is
// KHTNV. When nothing above KHTNV is reached without a KHTNV trigger, the deciding rule is the
// KHTNV rule (R-MEM-1, R-ORG-2, R-COM-1) with a "does not reach" text.
#pragma once

#include <string>
#include <vector>

#include "rules/facts.h"
#include "rules/policy.h"
#include "rules/subject.h"

namespace rating::rules {

// R-MEM-1..4 (and leaders' criteria, R-LEAD-1). Caps (R-LEAD-CAP) are applied on top.
Ceiling MemberCeiling(const MemberFacts& facts, const Policy& policy,
                      const std::vector<Cap>& caps = {});

// R-ORG-1..6 with D1..D4.
Ceiling OrgCeiling(const OrgFacts& facts, const Policy& policy);

// D3's counts: `disciplined` people (or orgs) out of `whole` = |facts.whole ∪
// facts.disciplined| (the disciplined who have since left count in the whole too).
struct D3Count {
  int disciplined = 0;
  int whole = 0;
};
D3Count CountD3(const D3Facts& facts);

// R-COM-1..5, then R-COM-CAP via `caps`. R-COM-1's conclusions: disunity recorded on the
// committee or on its org; degradation recorded on the committee or on one of its members.
Ceiling CommitteeCeiling(const CommitteeFacts& facts, const Policy& policy,
                         const std::vector<Cap>& caps);

// Lowers `ceiling` to each cap, naming the cap's rule when it decides: the cap's finding goes
// first, the earlier deciding rule stays in the findings. A cap whose level is unknown does not
// lower the level: it adds a failed finding and names "<source> rating" as a missing input.
Ceiling ApplyCaps(Ceiling ceiling, const std::vector<Cap>& caps);

// Who caps a subject: a committee by its org's rating (R-COM-CAP, C.III.3.1); a leader by the
// org and by the committee of every collective they head at the reference date (R-LEAD-CAP,
// C.III.5). Members and orgs have no caps. The caller fills each cap's level.
std::vector<Cap> CapSourcesOf(const Subject& subject, const std::vector<std::string>& headed_orgs);

}  // namespace rating::rules
