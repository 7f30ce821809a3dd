// Late rulings and annulments (RULES.md §8: R-RETRO-1, R-RETRO-3): which decided ratings a
// ruling or an annulment reaches, the flags it sets (flags never soften), and how a flagged
// rating counts for the ratings that read it. Layer: rules (pure).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "rules/facts.h"
#include "rules/subject.h"

namespace rating::rules {

// A flag on a decided rating (RERATING_REQUIRED, RERATING_REVIEW or REVIEW_SUGGESTED).
struct Flag {
  RatingStatus status = rating::v1::RATING_STATUS_UNSPECIFIED;
  Level proposed = rating::v1::LEVEL_UNSPECIFIED;
  std::vector<std::string> rules;
};

// What the reach of a ruling reads, for one year Y it touches, at Y's reference date.
struct RulingReachFacts {
  Subject subject;             // Who the ruling is on.
  std::string attributed_org;  // Where the violation happened (R-ATTR-1).
  // Person rulings: their org at the reference date, and the orgs whose committee they sit on.
  std::string member_org;
  std::vector<std::string> committee_seats;
  // Org and committee rulings: the heads of the org's collective, and the orgs above it
  // (parent first, the bloc left out).
  std::vector<std::string> heads;
  std::vector<std::string> ancestors;
};

// The ratings a ruling or an annulment reaches, as subject strings (no duplicates, in order).
struct Reach {
  // R-RETRO-1: the subject's own ratings (a person: member/ID and leader/ID).
  std::vector<std::string> ruled;
  // R-RETRO-3: the ratings whose ceiling is recomputed. A person: the org where the violation
  // happened, their own org at the reference date, and every org whose committee they sit on,
  // with that committee. An org: its committee, the heads of its collective and every org
  // above it. A committee: its org and the heads of the collective.
  std::vector<std::string> reviewed;
};
Reach RulingReach(const RulingReachFacts& facts);

// What an annulment (a QĐ 01 re-rating) reaches (R-RETRO-3): a member's org at the reference
// date; an org's committee, heads and parent org; a committee's heads. Uses `member_org`,
// `heads` and `ancestors` (the parent first) of `facts`.
std::vector<std::string> AnnulmentReach(const RulingReachFacts& facts);

// R-RETRO-1: the flag a ruling sets on a rating decided at `decided` that already carries
// `current` (nullopt: none), or nullopt when nothing changes. A KHTNV rating is left alone.
// Not self-remedied: RERATING_REQUIRED proposing KHTNV. Self-remedied: RERATING_REVIEW
// proposing `recomputed_ceiling`. Flags never soften: RERATING_REQUIRED stays as it is; a
// RERATING_REVIEW becomes RERATING_REQUIRED on a ruling that is not self-remedied, and is
// renewed only when its proposed level changes; REVIEW_SUGGESTED gives way to either.
std::optional<Flag> FlagForRuling(Level decided, const std::optional<Flag>& current,
                                  bool self_remedied, Level recomputed_ceiling);

// R-RETRO-3: REVIEW_SUGGESTED with the recomputed ceiling when it fell below the decided level.
// Nothing for a KHTNV rating, one flagged RERATING_*, or one already suggested at that level.
std::optional<Flag> ReviewSuggestion(Level decided, const std::optional<Flag>& current,
                                     const Ceiling& recomputed_ceiling);

// R-RETRO-3: how a flagged rating counts for the percentages and caps that read it:
// RERATING_REQUIRED as KHTNV, RERATING_REVIEW as the lower of the decided level and its
// recomputed ceiling, anything else as decided.
Level EffectiveLevel(RatingStatus status, Level decided, Level recomputed_ceiling);

}  // namespace rating::rules
