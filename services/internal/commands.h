// The command functions the table (command_table.cc) is made of: one authorize and one plan
// function per command kind, typed by the command's payload, and the input checks they share.
// Internal to services/; tests of services/ may include it.
#pragma once

#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "projections/rating_state.h"
#include "rules/subject.h"
#include "rules/types.h"
#include "services/command_table.h"

namespace rating::services::internal {

using projections::RatingState;

// ------------------------------------------------------------------ input checks

// INVALID_ARGUMENT "field: reason".
absl::Status Invalid(absl::string_view field, absl::string_view reason);
// An id of 1..64 of [A-Za-z0-9._-].
absl::Status CheckId(absl::string_view field, const std::string& id);
absl::StatusOr<rules::Date> CheckDate(absl::string_view field, const std::string& text);
absl::Status CheckLevel(absl::string_view field, v1::Level level);
// Free text of at most `max_bytes`.
absl::Status CheckText(absl::string_view field, const std::string& text, size_t max_bytes);
// A year 2000..2100 whose period is open: NOT_FOUND otherwise.
absl::StatusOr<const projections::PeriodInfo*> CheckPeriod(const RatingState& state, int year);
// An existing org (the bloc only when allowed): NOT_FOUND / INVALID_ARGUMENT.
absl::StatusOr<const projections::OrgRecord*> CheckOrg(const RatingState& state,
                                                       absl::string_view field,
                                                       const std::string& id, bool allow_bloc);
absl::StatusOr<const projections::MemberRecord*> CheckMember(const RatingState& state,
                                                             absl::string_view field,
                                                             const std::string& id);
// A well-formed subject string: INVALID_ARGUMENT "field: 'TEXT' is not ..." quoting at most 64
// characters otherwise.
absl::StatusOr<rules::Subject> ParseSubjectText(absl::string_view field, const std::string& text);
// An existing subject: INVALID_ARGUMENT (malformed, the bloc) / NOT_FOUND, prefixed by `field`.
absl::StatusOr<rules::Subject> CheckSubject(const RatingState& state, absl::string_view field,
                                            const std::string& text);
// A list of distinct existing orgs other than the bloc, at most 64.
absl::Status CheckOrgList(const RatingState& state, absl::string_view field,
                          const google::protobuf::RepeatedPtrField<std::string>& orgs);

// A plan of one event: `fact` set into the Event's `field` case, on `stream`.
template <typename Fact>
Plan OneEvent(std::string stream, Fact* (v1::Event::*field)(), const Fact& fact) {
  Plan plan{std::move(stream), {}};
  *(plan.events.emplace_back().*field)() = fact;
  return plan;
}

// ------------------------------------------------------------------ authorization helpers

// PERMISSION_DENIED "principal P (role of 'scope') may not <what>".
absl::Status Denied(const v1::Principal& caller, absl::string_view what);
// Is `org` the org `scope` or below it at `date` (the org's latest superiors when it did not
// exist then)? False for an empty org or scope.
bool OrgWithin(const RatingState& state, const std::string& org, const std::string& scope,
               rules::Date date);
// A committee whose scope is `org` or an org above it at `date` (the org's latest superiors
// when it did not exist then).
bool CommitteeOver(const RatingState& state, const v1::Principal& caller, const std::string& org,
                   rules::Date date);
absl::Status RequireCommitteeOver(const AuthContext& auth, const std::string& org, rules::Date date,
                                  absl::string_view what);
// The reference date of `year` when its period is open, else the registry's latest state.
rules::Date DateOfYear(const RatingState& state, int year);
// The org a subject string belongs to at `year`'s reference date ("" if unknown).
std::string OrgOfSubject(const RatingState& state, const std::string& subject, int year);

// ------------------------------------------------------------------ registry_commands.cc

absl::Status AuthorizeOpenPeriod(const AuthContext& auth, const v1::PeriodSpec& p);
absl::StatusOr<Plan> PlanOpenPeriod(const RatingState& state, const v1::PeriodSpec& p);
absl::Status AuthorizeRegisterOrg(const AuthContext& auth, const v1::OrgSpec& o);
absl::StatusOr<Plan> PlanRegisterOrg(const RatingState& state, const v1::OrgSpec& o);
absl::Status AuthorizeRestructureOrg(const AuthContext& auth, const v1::OrgRestructuring& r);
absl::StatusOr<Plan> PlanRestructureOrg(const RatingState& state, const v1::OrgRestructuring& r);
absl::Status AuthorizeEnrollMember(const AuthContext& auth, const v1::MemberSpec& m);
absl::StatusOr<Plan> PlanEnrollMember(const RatingState& state, const v1::MemberSpec& m);
absl::Status AuthorizeTransferMember(const AuthContext& auth, const v1::MemberTransfer& t);
absl::StatusOr<Plan> PlanTransferMember(const RatingState& state, const v1::MemberTransfer& t);
absl::Status AuthorizeSetMemberStatus(const AuthContext& auth, const v1::MemberStatusChange& s);
absl::StatusOr<Plan> PlanSetMemberStatus(const RatingState& state, const v1::MemberStatusChange& s);
absl::Status AuthorizeChangeMemberPosts(const AuthContext& auth, const v1::MemberPosts& p);
absl::StatusOr<Plan> PlanChangeMemberPosts(const RatingState& state, const v1::MemberPosts& p);

// ------------------------------------------------------------------ input_commands.cc

absl::Status AuthorizeReviewCompleted(const AuthContext& auth, const v1::ReviewCompletion& r);
absl::StatusOr<Plan> PlanReviewCompleted(const RatingState& state, const v1::ReviewCompletion& r);
absl::Status AuthorizeComments(const AuthContext& auth, const v1::CommentsReceipt& c);
absl::StatusOr<Plan> PlanComments(const RatingState& state, const v1::CommentsReceipt& c);
absl::Status AuthorizeSelfAssessment(const AuthContext& auth, const v1::SelfAssessment& a);
absl::StatusOr<Plan> PlanSelfAssessment(const RatingState& state, const v1::SelfAssessment& a);
absl::Status AuthorizeScorecard(const AuthContext& auth, const v1::Scorecard& s);
absl::StatusOr<Plan> PlanScorecard(const RatingState& state, const v1::Scorecard& s);
absl::Status AuthorizeCommitteeAssessment(const AuthContext& auth,
                                          const v1::CommitteeAssessment& c);
absl::StatusOr<Plan> PlanCommitteeAssessment(const RatingState& state,
                                             const v1::CommitteeAssessment& c);
absl::Status AuthorizeExternalRating(const AuthContext& auth, const v1::ExternalRating& e);
absl::StatusOr<Plan> PlanExternalRating(const RatingState& state, const v1::ExternalRating& e);
absl::Status AuthorizeUnitIncident(const AuthContext& auth, const v1::UnitIncident& u);
absl::StatusOr<Plan> PlanUnitIncident(const RatingState& state, const v1::UnitIncident& u);
absl::Status AuthorizeConclusion(const AuthContext& auth, const v1::Conclusion& c);
absl::StatusOr<Plan> PlanConclusion(const RatingState& state, const v1::Conclusion& c);
absl::Status AuthorizeConfidenceVote(const AuthContext& auth, const v1::ConfidenceVote& v);
absl::StatusOr<Plan> PlanConfidenceVote(const RatingState& state, const v1::ConfidenceVote& v);
absl::Status AuthorizeDossier(const AuthContext& auth, const v1::DossierSubmission& d);
absl::StatusOr<Plan> PlanDossier(const RatingState& state, const v1::DossierSubmission& d);
absl::Status AuthorizeBallots(const AuthContext& auth, const v1::BallotSession& b);
absl::StatusOr<Plan> PlanBallots(const RatingState& state, const v1::BallotSession& b);

// ------------------------------------------------------------------ decision_commands.cc

absl::Status AuthorizeDecide(const AuthContext& auth, const v1::Decision& d);
absl::StatusOr<Plan> PlanDecide(const RatingState& state, const v1::Decision& d);
absl::Status AuthorizeRerate(const AuthContext& auth, const v1::Rerating& r);
absl::StatusOr<Plan> PlanRerate(const RatingState& state, const v1::Rerating& r);
absl::Status AuthorizeReward(const AuthContext& auth, const v1::RewardGrant& g);
absl::StatusOr<Plan> PlanReward(const RatingState& state, const v1::RewardGrant& g);

// ------------------------------------------------------------------ ruling_commands.cc

absl::Status AuthorizeDiscipline(const AuthContext& auth, const v1::DisciplineRuling& r);
absl::StatusOr<Plan> PlanDiscipline(const RatingState& state, const v1::DisciplineRuling& r);

}  // namespace rating::services::internal
