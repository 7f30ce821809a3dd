// Ratings as the rules see them: gathers facts from a RatingState, asks the rules engine for
// eligibility, ceilings and caps, and builds the views the API returns. Layer: projections.
// Read-only over the state; memoizes within one instance (make one per query or command).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "projections/rating_state.h"
#include "rating/v1/api.pb.h"
#include "rules/engine.h"

namespace rating::projections {

class RatingViews {
 public:
  // `state` must outlive this object and not change while it is used.
  explicit RatingViews(const RatingState& state) : state_(state) {}

  // Parses and checks that the subject exists: INVALID_ARGUMENT (malformed), NOT_FOUND.
  absl::StatusOr<rules::Subject> ResolveSubject(const std::string& text) const;
  // NOT_FOUND naming the year when no period is open for it.
  absl::StatusOr<const PeriodInfo*> Period(int year) const;

  // R-SUBJ-*: eligibility of an existing subject in an open year.
  rules::Eligibility EligibilityOf(const rules::Subject& subject, int year) const;
  // §4–§6 ceiling without caps (what R-DEC-2 compares with).
  rules::Ceiling BaseCeiling(const rules::Subject& subject, int year) const;
  // R-COM-CAP, R-LEAD-CAP caps on the subject.
  std::vector<rules::Cap> CapsOf(const rules::Subject& subject, int year) const;
  // The ceiling with caps applied.
  rules::Ceiling CeilingOf(const rules::Subject& subject, int year) const;
  // The decided level as other ratings read it (R-RETRO-3), or nullopt if undecided.
  std::optional<rules::Level> EffectiveLevel(const rules::Subject& subject, int year) const;
  // The decided effective level, or the ceiling while undecided (what caps read).
  std::optional<rules::Level> CapLevel(const rules::Subject& subject, int year) const;

  // The org a subject belongs to for year Y: a member's/leader's org at the reference date,
  // the org itself for org/committee subjects ("" if unknown).
  std::string OrgOf(const rules::Subject& subject, int year) const;
  // R-DEC-1: the org whose committee decides the subject.
  std::string AuthorityOf(const rules::Subject& subject, int year) const;
  // R-RETRO-2: the org whose committee re-rates it.
  std::string RerateAuthorityOf(const rules::Subject& subject, int year) const;
  // R-QUOTA / R-LEAD-QUOTA scope id of the subject ("" = none).
  std::string QuotaScopeOf(const rules::Subject& subject, int year) const;
  // R-ORDER: subjects that must be decided before this one and are not.
  std::vector<std::string> UndecidedPrerequisites(const rules::Subject& subject, int year) const;
  // The decision item of a batch (R-DEC-2 and friends read it).
  rules::DecisionItem DecisionItemFor(const rules::Subject& subject, int year,
                                      rules::Level level) const;

  // The API's view of a rating (status, level, ceiling, explanation).
  absl::StatusOr<v1::RatingView> View(const std::string& subject, int year) const;
  // Every rating tied to an org for a year: its own, its committee's, its members', its
  // leaders', its child orgs'.
  absl::StatusOr<std::vector<v1::RatingView>> ListForOrg(const std::string& org, int year,
                                                         rules::Level level_filter) const;
  // Decided subjects of a year (sorted), for R-RETRO-3 scans and quota counts.
  std::vector<rules::Subject> DecidedSubjects(int year) const;

  // Disciplines attributed to the subject string and year; with `at_org`, only those whose
  // violation happened there (R-ATTR-1).
  std::vector<rules::DisciplineFact> DisciplinesOf(const std::string& subject, int year,
                                                   const std::string& at_org = "") const;

 private:
  rules::MemberFacts MemberFactsOf(const std::string& member, int year, bool leader) const;
  rules::OrgFacts OrgFactsOf(const std::string& org, int year) const;
  rules::CommitteeFacts CommitteeFactsOf(const std::string& org, int year) const;
  std::vector<rules::DisciplineFact> CommitteeMemberDisciplines(const std::string& org,
                                                                int year) const;

  const RatingState& state_;
  mutable std::map<std::pair<std::string, int>, rules::Ceiling> base_cache_;
  mutable std::map<std::pair<std::string, int>, rules::Eligibility> eligibility_cache_;
};

// Vietnamese one-line text of a finding list (for messages).
std::string ExplainVi(const rules::Ceiling& ceiling);

}  // namespace rating::projections
