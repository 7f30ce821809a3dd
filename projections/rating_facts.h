// Gathers the facts of one year's ratings from the projected state, read at the year's
// reference date (R-TIME-1), and asks the rules: eligibility, ceilings, caps, placement, order,
// quota counts, the reach of a ruling. A decision, ruling or re-rating being planned is laid
// over the state as an Overlay, so its checks and consequences are computed without copying
// the state and without touching more than the ratings they read. Layer: projections.
// Memoizes within one instance: make one per query or per planning step. Not thread-safe.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "projections/rating_state.h"
#include "rules/engine.h"

namespace rating::projections {

// What a command being planned would change, read as if it were recorded. Never stored.
struct Overlay {
  // Levels a decision or re-rating gives (subject -> level): they read as decided, unflagged.
  std::map<std::string, rules::Level> decided;
  // Flags a ruling sets (subject -> flag): they read as the flag on the decided rating.
  std::map<std::string, rules::Flag> flags;
  // A ruling being planned: it reads as recorded for the years it touches.
  std::optional<DisciplineRecord> ruling;
};

class RatingFacts {
 public:
  // Reads `state` for `period`'s year, with `overlay` on top (nullptr = none). All three must
  // outlive this object and not change while it is used.
  RatingFacts(const RatingState& state, const PeriodInfo& period, const Overlay* overlay = nullptr);

  int year() const { return period_.year; }
  rules::Date reference_date() const { return period_.reference_date; }
  const rules::Policy& policy() const { return period_.policy; }
  const RatingState& state() const { return state_; }

  // Where the subject sits at the reference date (R-DEC-1, R-RETRO-2, R-QUOTA, R-BAL-5).
  rules::Placement PlacementOf(const rules::Subject& subject) const;
  // R-SUBJ-*. The three are memoized: a reference stays valid as long as this object.
  const rules::Eligibility& EligibilityOf(const rules::Subject& subject) const;
  // §4–§6 without caps, and with the caps (R-COM-CAP, R-LEAD-CAP) applied.
  const rules::Ceiling& BaseCeiling(const rules::Subject& subject) const;
  const rules::Ceiling& CeilingOf(const rules::Subject& subject) const;
  // The decided level (the overlay's first), or nullopt.
  std::optional<rules::Level> DecidedLevel(const rules::Subject& subject) const;
  // The flag on the decided rating (the overlay's first; a level the overlay gives has none).
  std::optional<rules::Flag> FlagOf(const rules::Subject& subject) const;
  // The decided level as other ratings read it (R-RETRO-3), or nullopt if undecided.
  std::optional<rules::Level> EffectiveLevel(const rules::Subject& subject) const;
  // What a cap reads: the effective decided level, else the ceiling; nullopt for NOT_SUBJECT.
  std::optional<rules::Level> CapLevel(const rules::Subject& subject) const;

  // The decision item of a batch: the overlay carries the batch's levels (R-ORDER: the
  // ceilings read the levels the same decision gives); R-DEC-3 reads the stored state.
  rules::DecisionItem DecisionItemFor(const rules::Subject& subject, rules::Level level) const;
  // The ratings of a quota scope at the reference date, as subjects.
  std::vector<rules::Subject> ScopeSubjects(const rules::QuotaScope& scope) const;
  // Decided effective levels in `scope`, leaving out `exclude` (subject strings).
  rules::QuotaScopeCounts CountScope(const rules::QuotaScope& scope,
                                     const std::set<std::string>& exclude) const;
  // What the reach of a ruling (or an annulment) on `subject` reads at the reference date.
  rules::RulingReachFacts ReachFactsOf(const rules::Subject& subject,
                                       const std::string& attributed_org) const;
  // The orgs whose collective the member heads at the reference date.
  std::vector<std::string> HeadedOrgs(const std::string& member) const;

 private:
  rules::MemberFacts MemberFactsOf(const std::string& member, bool leader) const;
  rules::OrgFacts OrgFactsOf(const std::string& org) const;
  rules::CommitteeFacts CommitteeFactsOf(const std::string& org) const;
  // Rulings attributed to the year, on `subject` / whose violation happened at `org`, with the
  // overlay's ruling.
  std::vector<const DisciplineRecord*> RulingsOn(const std::string& subject) const;
  std::vector<const DisciplineRecord*> RulingsAt(const std::string& org) const;
  std::vector<rules::DisciplineFact> DisciplinesOf(const std::string& subject) const;
  std::vector<rules::DisciplineFact> CommitteeMemberDisciplines(const std::string& org) const;
  std::vector<v1::ConclusionKind> ConclusionsOf(const std::string& subject) const;
  const SubjectYear* Recorded(const std::string& subject) const;
  const OrgInputs* OrgInputsOf(const std::string& subject) const;
  bool NotSubject(const rules::Subject& subject) const;

  const RatingState& state_;
  const PeriodInfo& period_;
  const Overlay* overlay_;
  mutable std::map<std::string, rules::Eligibility> eligibility_cache_;
  mutable std::map<std::string, rules::Ceiling> base_cache_;
  mutable std::map<std::string, rules::Ceiling> ceiling_cache_;
};

}  // namespace rating::projections
