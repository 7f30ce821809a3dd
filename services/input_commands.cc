// Commands recording the inputs of ratings: reviews, comments, self-assessments, scorecards,
// committee assessments, external ratings, incidents, conclusions, confidence votes, dossiers
// and ballot sessions (whose tally is counted here, once, and stored in the event).
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "projections/ballot_view.h"
#include "projections/scorecard_facts.h"
#include "rules/ballots.h"
#include "rules/criteria.h"
#include "services/internal/commands.h"

namespace rating::services::internal {
namespace {

std::set<std::string> AsSet(const std::vector<std::string>& names) {
  return std::set<std::string>(names.begin(), names.end());
}

absl::Status CheckGrades(absl::string_view field,
                         const google::protobuf::RepeatedPtrField<v1::CriterionGrade>& grades,
                         const std::set<std::string>& known,
                         const std::set<std::string>& required) {
  std::set<std::string> seen;
  for (int i = 0; i < grades.size(); ++i) {
    const auto& g = grades[i];
    const std::string f = absl::StrCat(field, "[", i, "]");
    if (known.count(g.criterion()) == 0) {
      return Invalid(f, absl::StrCat("unknown criterion '", g.criterion().substr(0, 64), "'"));
    }
    if (!seen.insert(g.criterion()).second) {
      return Invalid(f, absl::StrCat("criterion ", g.criterion(), " graded twice"));
    }
    if (g.grade() == v1::GRADE_UNSPECIFIED || !v1::Grade_IsValid(g.grade())) {
      return Invalid(
          f, absl::StrCat("criterion ", g.criterion(), ": grade XS, TOT, TB or KEM required"));
    }
  }
  for (const std::string& name : required) {
    if (seen.count(name) == 0)
      return Invalid(field, absl::StrCat("criterion ", name, " is missing"));
  }
  return absl::OkStatus();
}

// A fact about a subject in an open year: review, comments, conclusion.
template <typename Fact>
absl::StatusOr<Plan> SubjectFact(const RatingState& state, const Fact& fact,
                                 Fact* (v1::Event::*field)()) {
  RATING_RETURN_IF_ERROR(CheckPeriod(state, fact.year()).status());
  RATING_RETURN_IF_ERROR(CheckSubject(state, "subject", fact.subject()).status());
  return OneEvent(StreamForYear(fact.year()), field, fact);
}

// An org's fact in an open year: the org exists and is not the bloc.
absl::Status CheckOrgYear(const RatingState& state, const std::string& org, int year) {
  RATING_RETURN_IF_ERROR(CheckOrg(state, "org", org, false).status());
  return CheckPeriod(state, year).status();
}

// A session the counting team reports as totals: the counts are bounded here, and the rules
// check that they add up (R-BAL-1..4) and decide the levels.
absl::StatusOr<Plan> PlanBallotTotals(const v1::BallotSession& b,
                                      const projections::PeriodInfo& period) {
  if (b.issued_size() > 0) return Invalid("issued", "serials and totals cannot both be given");
  if (b.ballots_size() > 0) return Invalid("ballots", "papers and totals cannot both be given");
  constexpr int kMaxCount = 100000;
  auto check_count = [](const std::string& field, int count) -> absl::Status {
    if (count < 0 || count > kMaxCount) {
      return Invalid(field, absl::StrCat(count, " is not in 0..", kMaxCount));
    }
    return absl::OkStatus();
  };
  const v1::BallotTotals& t = b.totals();
  RATING_RETURN_IF_ERROR(check_count("totals.issued", t.issued()));
  RATING_RETURN_IF_ERROR(check_count("totals.returned", t.returned()));
  if (t.invalid_size() > v1::InvalidBallotReason_ARRAYSIZE) {
    return Invalid("totals.invalid", "at most one count per reason");
  }
  for (int i = 0; i < t.invalid_size(); ++i) {
    RATING_RETURN_IF_ERROR(
        check_count(absl::StrCat("totals.invalid[", i, "].count"), t.invalid(i).count()));
  }
  if (t.subjects_size() > b.subjects_size()) {
    return Invalid("totals.subjects", "more counts than the session has subjects");
  }
  for (int i = 0; i < t.subjects_size(); ++i) {
    const v1::SubjectVotes& v = t.subjects(i);
    const std::string field = absl::StrCat("totals.subjects[", i, "]");
    if (v.subject().size() > 140) {
      return Invalid(absl::StrCat(field, ".subject"), "at most 140 characters");
    }
    for (int count : {v.htxsnv(), v.httnv(), v.htnv(), v.khtnv(), v.void_rows()}) {
      RATING_RETURN_IF_ERROR(check_count(field, count));
    }
  }
  absl::StatusOr<rules::TallyResult> tally =
      rules::CountTotals(projections::TotalsInputOf(b), period.policy);
  if (!tally.ok()) {
    // "totals.<field>: <why> (<rule>)": the field leads the message.
    const std::string message(tally.status().message());
    const size_t colon = message.find(": ");
    if (colon == std::string::npos) return Invalid("totals", message);
    return Invalid(message.substr(0, colon), message.substr(colon + 2));
  }
  Plan plan{StreamForYear(b.year()), {}};
  v1::BallotsRecorded* recorded = plan.events.emplace_back().mutable_ballots_recorded();
  *recorded->mutable_session() = b;
  *recorded->mutable_tally() = projections::TallyToProto(*tally);
  return plan;
}

}  // namespace

// ------------------------------------------------------------------ subject facts

absl::Status AuthorizeReviewCompleted(const AuthContext& auth, const v1::ReviewCompletion& r) {
  return RequireCommitteeOver(auth, OrgOfSubject(auth.state, r.subject(), r.year()),
                              DateOfYear(auth.state, r.year()), "record reviews");
}

absl::StatusOr<Plan> PlanReviewCompleted(const RatingState& state, const v1::ReviewCompletion& r) {
  return SubjectFact(state, r, &v1::Event::mutable_review_completed);
}

absl::Status AuthorizeComments(const AuthContext& auth, const v1::CommentsReceipt& c) {
  return RequireCommitteeOver(auth, OrgOfSubject(auth.state, c.subject(), c.year()),
                              DateOfYear(auth.state, c.year()), "record comments");
}

absl::StatusOr<Plan> PlanComments(const RatingState& state, const v1::CommentsReceipt& c) {
  if (c.source() == v1::COMMENT_SOURCE_UNSPECIFIED || !v1::CommentSource_IsValid(c.source())) {
    return Invalid("source", "previous_superior, temporary_cell, previous_org or residence");
  }
  return SubjectFact(state, c, &v1::Event::mutable_comments_received);
}

absl::Status AuthorizeConclusion(const AuthContext& auth, const v1::Conclusion& c) {
  return RequireCommitteeOver(auth, OrgOfSubject(auth.state, c.subject(), c.year()),
                              DateOfYear(auth.state, c.year()), "record conclusions");
}

absl::StatusOr<Plan> PlanConclusion(const RatingState& state, const v1::Conclusion& c) {
  if (c.kind() == v1::CONCLUSION_KIND_UNSPECIFIED || !v1::ConclusionKind_IsValid(c.kind())) {
    return Invalid("kind", "degradation, disunity, prohibited_act or exemplary_breach");
  }
  return SubjectFact(state, c, &v1::Event::mutable_conclusion_recorded);
}

// ------------------------------------------------------------------ members

absl::Status AuthorizeSelfAssessment(const AuthContext& auth, const v1::SelfAssessment& a) {
  if (auth.caller.role() == v1::ROLE_MEMBER && auth.caller.scope() == a.member()) {
    return absl::OkStatus();
  }
  return RequireCommitteeOver(auth, OrgOfSubject(auth.state, "member/" + a.member(), a.year()),
                              DateOfYear(auth.state, a.year()), "submit self-assessments");
}

absl::StatusOr<Plan> PlanSelfAssessment(const RatingState& state, const v1::SelfAssessment& a) {
  RATING_RETURN_IF_ERROR(CheckMember(state, "member", a.member()).status());
  RATING_RETURN_IF_ERROR(CheckPeriod(state, a.year()).status());
  RATING_RETURN_IF_ERROR(CheckGrades("grades", a.grades(),
                                     AsSet(rules::MemberCriteria(/*leader=*/true)),
                                     AsSet(rules::MemberCriteria(/*leader=*/false))));
  const v1::Targets& t = a.targets();
  if (t.assigned() < 0 || t.completed() < 0 || t.on_time() < 0 || t.exceeded() < 0) {
    return Invalid("targets", "counts cannot be negative");
  }
  if (t.completed() > t.assigned()) return Invalid("targets.completed", "more than assigned");
  if (t.on_time() > t.completed()) return Invalid("targets.on_time", "more than completed");
  if (t.exceeded() > t.completed()) return Invalid("targets.exceeded", "more than completed");
  if (a.not_ensured() < 0 || a.not_ensured() > a.grades_size()) {
    return Invalid("not_ensured", "must be 0..number of criteria graded");
  }
  RATING_RETURN_IF_ERROR(CheckLevel("level", a.level()));
  return OneEvent(StreamForYear(a.year()), &v1::Event::mutable_self_assessment_submitted, a);
}

absl::Status AuthorizeConfidenceVote(const AuthContext& auth, const v1::ConfidenceVote& v) {
  return RequireCommitteeOver(auth, OrgOfSubject(auth.state, "member/" + v.member(), v.year()),
                              DateOfYear(auth.state, v.year()), "record confidence votes");
}

absl::StatusOr<Plan> PlanConfidenceVote(const RatingState& state, const v1::ConfidenceVote& v) {
  RATING_RETURN_IF_ERROR(CheckMember(state, "member", v.member()).status());
  RATING_RETURN_IF_ERROR(CheckPeriod(state, v.year()).status());
  if (v.total() <= 0) return Invalid("total", "must be > 0");
  if (v.low() < 0 || v.low() > v.total()) return Invalid("low", "must be 0..total");
  return OneEvent(StreamForYear(v.year()), &v1::Event::mutable_confidence_vote_recorded, v);
}

// ------------------------------------------------------------------ orgs and committees

absl::Status AuthorizeScorecard(const AuthContext& auth, const v1::Scorecard& s) {
  return RequireCommitteeOver(auth, s.org(), DateOfYear(auth.state, s.year()), "submit scorecards");
}

absl::StatusOr<Plan> PlanScorecard(const RatingState& state, const v1::Scorecard& s) {
  RATING_RETURN_IF_ERROR(CheckOrg(state, "org", s.org(), false).status());
  RATING_ASSIGN_OR_RETURN(const projections::PeriodInfo* period, CheckPeriod(state, s.year()));
  if (s.criteria_size() > 200) return Invalid("criteria", "at most 200 criteria");
  RATING_ASSIGN_OR_RETURN(rules::ScorecardFacts facts,
                          projections::ScorecardToFacts(s, period->policy));
  if (!s.template_id().empty()) {
    const v1::OrgKind kind = state.registry().KindAt(s.org(), period->reference_date);
    auto it = period->policy.scorecards.find(kind);
    if (it == period->policy.scorecards.end() || it->second.id != s.template_id()) {
      return Invalid("template_id", absl::StrCat("template ", s.template_id().substr(0, 64),
                                                 " is not the policy's card for this org kind"));
    }
    std::vector<rules::TemplateCriterion> lines;
    for (const rules::ScoreLine& line : facts.lines) {
      lines.push_back({line.id, "", line.max, line.key, false});
    }
    absl::Status matches = rules::CheckAgainstTemplate(it->second, lines);
    if (!matches.ok()) return Invalid("criteria", matches.message());
  }
  return OneEvent(StreamForYear(s.year()), &v1::Event::mutable_scorecard_submitted, s);
}

absl::Status AuthorizeCommitteeAssessment(const AuthContext& auth,
                                          const v1::CommitteeAssessment& c) {
  return RequireCommitteeOver(auth, c.org(), DateOfYear(auth.state, c.year()),
                              "submit committee assessments");
}

absl::StatusOr<Plan> PlanCommitteeAssessment(const RatingState& state,
                                             const v1::CommitteeAssessment& c) {
  RATING_RETURN_IF_ERROR(CheckOrgYear(state, c.org(), c.year()));
  RATING_RETURN_IF_ERROR(CheckGrades("grades", c.grades(), AsSet(rules::CommitteeCriteria()),
                                     AsSet(rules::CommitteeCriteria())));
  if (c.has_unit_targets_pct() && (c.unit_targets_pct() < 0 || c.unit_targets_pct() > 100)) {
    return Invalid("unit_targets_pct", "must be 0..100");
  }
  return OneEvent(StreamForYear(c.year()), &v1::Event::mutable_committee_assessed, c);
}

absl::Status AuthorizeExternalRating(const AuthContext& auth, const v1::ExternalRating& e) {
  return RequireCommitteeOver(auth, e.org(), DateOfYear(auth.state, e.year()),
                              "record external ratings");
}

absl::StatusOr<Plan> PlanExternalRating(const RatingState& state, const v1::ExternalRating& e) {
  RATING_RETURN_IF_ERROR(CheckOrgYear(state, e.org(), e.year()));
  if (e.body() != "management" &&
      !(absl::StartsWith(e.body(), "mass_org:") && e.body().size() > 9 && e.body().size() <= 128)) {
    return Invalid("body", "'management' or 'mass_org:NAME' (at most 128 bytes)");
  }
  RATING_RETURN_IF_ERROR(CheckLevel("level", e.level()));
  return OneEvent(StreamForYear(e.year()), &v1::Event::mutable_external_rating_recorded, e);
}

absl::Status AuthorizeUnitIncident(const AuthContext& auth, const v1::UnitIncident& u) {
  return RequireCommitteeOver(auth, u.org(), DateOfYear(auth.state, u.year()),
                              "record unit incidents");
}

absl::StatusOr<Plan> PlanUnitIncident(const RatingState& state, const v1::UnitIncident& u) {
  RATING_RETURN_IF_ERROR(CheckOrgYear(state, u.org(), u.year()));
  if (u.kind() == v1::INCIDENT_KIND_UNSPECIFIED || !v1::IncidentKind_IsValid(u.kind())) {
    return Invalid("kind", "corruption, waste, negativity or other");
  }
  return OneEvent(StreamForYear(u.year()), &v1::Event::mutable_unit_incident_recorded, u);
}

absl::Status AuthorizeDossier(const AuthContext& auth, const v1::DossierSubmission& d) {
  return RequireCommitteeOver(auth, d.org(), DateOfYear(auth.state, d.year()), "submit dossiers");
}

absl::StatusOr<Plan> PlanDossier(const RatingState& state, const v1::DossierSubmission& d) {
  RATING_RETURN_IF_ERROR(CheckOrgYear(state, d.org(), d.year()));
  RATING_RETURN_IF_ERROR(CheckDate("on", d.on()).status());
  return OneEvent(StreamForYear(d.year()), &v1::Event::mutable_dossier_submitted, d);
}

// ------------------------------------------------------------------ ballots

absl::Status AuthorizeBallots(const AuthContext& auth, const v1::BallotSession& b) {
  const rules::Date date = DateOfYear(auth.state, b.year());
  const bool team = auth.caller.role() == v1::ROLE_COUNTING_TEAM && auth.caller.scope() == b.org();
  if (!team) RATING_RETURN_IF_ERROR(RequireCommitteeOver(auth, b.org(), date, "record ballots"));
  // Every subject put to the vote is one the caller governs at the year's reference date (the
  // counting team: its org and those below it): no body lists another org's members.
  const projections::RegistryView& registry = auth.state.registry();
  for (const std::string& text : b.subjects()) {
    auto subject = rules::ParseSubject(text);
    if (!subject.ok()) continue;  // INVALID_ARGUMENT from the plan.
    const bool known = subject->IsPerson() ? registry.FindMember(subject->id) != nullptr
                                           : registry.FindOrg(subject->id) != nullptr;
    if (!known) continue;  // NOT_FOUND from the plan.
    const std::string org = OrgOfSubject(auth.state, subject->ToString(), b.year());
    const bool in_scope = team ? OrgWithin(auth.state, org, auth.caller.scope(), date)
                               : CommitteeOver(auth.state, auth.caller, org, date);
    if (!in_scope) {
      return Denied(auth.caller, absl::StrCat("list ", subject->ToString(), " (org ",
                                              org.empty() ? "(none at the reference date)" : org,
                                              ") in a ballot session of org ", b.org()));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Plan> PlanBallots(const RatingState& state, const v1::BallotSession& b) {
  RATING_RETURN_IF_ERROR(CheckId("session", b.session()));
  // A recount under the same session id supersedes the earlier count (both stay in the log);
  // the id cannot move to another org or year.
  if (const projections::SessionRecord* earlier = state.ballots().Find(b.session());
      earlier != nullptr && (earlier->org != b.org() || earlier->year != b.year())) {
    return absl::AlreadyExistsError(absl::StrCat("ballot session ", b.session(),
                                                 ": already recorded for org ", earlier->org,
                                                 ", year ", earlier->year));
  }
  RATING_RETURN_IF_ERROR(CheckOrg(state, "org", b.org(), false).status());
  RATING_ASSIGN_OR_RETURN(const projections::PeriodInfo* period, CheckPeriod(state, b.year()));
  if (b.subjects().empty()) return Invalid("subjects", "a session lists at least one subject");
  if (b.subjects_size() > 10000) return Invalid("subjects", "at most 10000 subjects");
  if (b.issued_size() > 100000) return Invalid("issued", "at most 100000 serials");
  if (b.ballots_size() > 100000) return Invalid("ballots", "at most 100000 ballots");
  for (int i = 0; i < b.subjects_size(); ++i) {
    RATING_RETURN_IF_ERROR(
        CheckSubject(state, absl::StrCat("subjects[", i, "]"), b.subjects(i)).status());
  }
  if (b.has_totals()) return PlanBallotTotals(b, *period);
  for (int i = 0; i < b.issued_size(); ++i) {
    if (b.issued(i).empty() || b.issued(i).size() > 64) {
      return Invalid(absl::StrCat("issued[", i, "]"), "1..64 characters");
    }
  }
  for (int i = 0; i < b.ballots_size(); ++i) {
    const v1::Ballot& ballot = b.ballots(i);
    if (ballot.serial().empty() || ballot.serial().size() > 64) {
      return Invalid(absl::StrCat("ballots[", i, "].serial"), "1..64 characters");
    }
    if (ballot.marks_size() > b.subjects_size() + 16) {
      return Invalid(absl::StrCat("ballots[", i, "].marks"), "more marks than subjects");
    }
    for (int j = 0; j < ballot.marks_size(); ++j) {
      if (ballot.marks(j).subject().size() > 140) {
        return Invalid(absl::StrCat("ballots[", i, "].marks[", j, "].subject"),
                       "at most 140 characters");
      }
      if (ballot.marks(j).levels_size() > 4) {
        return Invalid(absl::StrCat("ballots[", i, "].marks[", j, "]"), "at most 4 levels");
      }
      for (int level : ballot.marks(j).levels()) {
        if (level == v1::LEVEL_UNSPECIFIED || !v1::Level_IsValid(level)) {
          return Invalid(absl::StrCat("ballots[", i, "].marks[", j, "]"), "unknown level");
        }
      }
    }
  }
  // R-BAL-1..3: counted once, with the year's policy; the event keeps the tally.
  absl::StatusOr<rules::TallyResult> tally =
      rules::CountBallots(projections::TallyInputOf(b), period->policy);
  if (!tally.ok()) return Invalid("ballots", tally.status().message());
  Plan plan{StreamForYear(b.year()), {}};
  v1::BallotsRecorded* recorded = plan.events.emplace_back().mutable_ballots_recorded();
  *recorded->mutable_session() = b;
  *recorded->mutable_tally() = projections::TallyToProto(*tally);
  return plan;
}

}  // namespace rating::services::internal
