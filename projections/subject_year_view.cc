#include "projections/subject_year_view.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace rating::projections {

const SubjectYear* SubjectYearView::Find(const std::string& subject, int year) const {
  auto it = subject_years_.find({subject, year});
  return it == subject_years_.end() ? nullptr : &it->second;
}

SubjectYear& SubjectYearView::At(const std::string& subject, int year) {
  return subject_years_[{subject, year}];
}

void SubjectYearView::OnReviewCompleted(const v1::ReviewCompletion& review) {
  At(review.subject(), review.year()).review_completed = true;
}

void SubjectYearView::OnCommentsReceived(const v1::CommentsReceipt& comments) {
  At(comments.subject(), comments.year()).comment_sources |= 1u
                                                             << static_cast<int>(comments.source());
}

void SubjectYearView::OnSelfAssessmentSubmitted(const v1::SelfAssessment& a) {
  rules::MemberAssessment facts;
  for (const v1::CriterionGrade& g : a.grades()) facts.grades[g.criterion()] = g.grade();
  facts.targets_assigned = a.targets().assigned();
  facts.targets_completed = a.targets().completed();
  facts.targets_on_time = a.targets().on_time();
  facts.targets_exceeded = a.targets().exceeded();
  facts.not_ensured = a.not_ensured();
  facts.exemplary = a.exemplary();
  SubjectYear& sy = At(absl::StrCat("member/", a.member()), a.year());
  sy.self_assessment = std::move(facts);  // A later one supersedes (both stay in the log).
  sy.self_level = a.level();
}

void SubjectYearView::OnScorecardSubmitted(const v1::Scorecard& scorecard,
                                           rules::ScorecardFacts card) {
  At(absl::StrCat("org/", scorecard.org()), scorecard.year()).scorecard = std::move(card);
}

void SubjectYearView::OnCommitteeAssessed(const v1::CommitteeAssessment& a) {
  rules::CommitteeAssessmentFacts facts;
  for (const v1::CriterionGrade& g : a.grades()) facts.grades[g.criterion()] = g.grade();
  if (a.has_unit_targets_pct()) facts.unit_targets_pct = a.unit_targets_pct();
  facts.force_majeure = a.force_majeure();
  facts.exemplary = a.exemplary();
  At(absl::StrCat("committee/", a.org()), a.year()).committee_assessment = std::move(facts);
}

void SubjectYearView::OnExternalRatingRecorded(const v1::ExternalRating& rating) {
  At(absl::StrCat("org/", rating.org()), rating.year()).external[rating.body()] = rating.level();
}

void SubjectYearView::OnUnitIncidentRecorded(const v1::UnitIncident& incident) {
  At(absl::StrCat("org/", incident.org()), incident.year())
      .incidents.push_back({incident.disciplined(), incident.self_remedied(), incident.org()});
}

void SubjectYearView::OnConclusionRecorded(const v1::Conclusion& conclusion) {
  At(conclusion.subject(), conclusion.year()).conclusions.push_back(conclusion.kind());
}

void SubjectYearView::OnConfidenceVoteRecorded(const v1::ConfidenceVote& vote) {
  // A later vote for the same member and year supersedes the earlier one.
  At(absl::StrCat("member/", vote.member()), vote.year()).confidence_vote =
      rules::ConfidenceVoteFact{vote.low(), vote.total()};
}

void SubjectYearView::OnRatingsDecided(const EventContext& ctx, const v1::RatingsDecided& d) {
  for (const v1::SubjectLevel& r : d.decision().ratings()) {
    SubjectYear& sy = At(r.subject(), d.decision().year());
    sy.decided = r.level();
    sy.decided_position = ctx.position;
    sy.override_reason = d.decision().override_reason();
    sy.flag.reset();
  }
}

void SubjectYearView::OnRerated(const EventContext& ctx, const v1::Rerated& r) {
  SubjectYear& sy = At(r.rerating().subject(), r.rerating().year());
  sy.decided = r.rerating().level();
  sy.decided_position = ctx.position;
  sy.override_reason = r.rerating().override_reason();
  sy.flag.reset();
}

void SubjectYearView::OnRatingFlagged(const EventContext& ctx, const v1::RatingFlagged& f) {
  FlagRecord record;
  record.flag.status = f.flag();
  record.flag.proposed = f.proposed_level();
  record.flag.rules.assign(f.rules().begin(), f.rules().end());
  record.reason = f.reason();
  record.position = ctx.position;
  At(f.subject(), f.year()).flag = std::move(record);
}

std::string SubjectYearView::Dump() const {
  std::string out;
  for (const auto& [key, sy] : subject_years_) {
    absl::StrAppend(&out, "subject ", key.first, " ", key.second, " review ", sy.review_completed,
                    " comments ", sy.comment_sources);
    if (sy.self_assessment) {
      const rules::MemberAssessment& a = *sy.self_assessment;
      absl::StrAppend(&out, " self {");
      for (const auto& [c, g] : a.grades) absl::StrAppend(&out, c, "=", static_cast<int>(g), " ");
      absl::StrAppend(&out, a.targets_assigned, "/", a.targets_completed, "/", a.targets_on_time,
                      "/", a.targets_exceeded, " ne ", a.not_ensured, " ex ", a.exemplary,
                      " level ", static_cast<int>(sy.self_level), "}");
    }
    if (sy.scorecard) {
      const rules::ScorecardFacts& c = *sy.scorecard;
      absl::StrAppend(&out, " card {");
      for (const auto& l : c.lines) {
        absl::StrAppend(&out, l.id, ":", l.points, "/", l.max, ":", l.key, ":",
                        static_cast<int>(l.grade), " ");
      }
      absl::StrAppend(&out, c.party_building_pct ? absl::StrCat(*c.party_building_pct) : "-", " ",
                      c.production_plan_met ? absl::StrCat(*c.production_plan_met) : "-", " ",
                      c.force_majeure, " ", c.exemplary, "}");
    }
    if (sy.committee_assessment) {
      const rules::CommitteeAssessmentFacts& a = *sy.committee_assessment;
      absl::StrAppend(&out, " committee {");
      for (const auto& [c, g] : a.grades) absl::StrAppend(&out, c, "=", static_cast<int>(g), " ");
      absl::StrAppend(&out, a.unit_targets_pct ? absl::StrCat(*a.unit_targets_pct) : "-", " ",
                      a.force_majeure, " ", a.exemplary, "}");
    }
    for (const auto& [body, level] : sy.external) {
      absl::StrAppend(&out, " ext ", body, "=", static_cast<int>(level));
    }
    for (const auto& i : sy.incidents) {
      absl::StrAppend(&out, " incident ", i.org, ":", i.disciplined, ":", i.self_remedied);
    }
    for (auto c : sy.conclusions) absl::StrAppend(&out, " conclusion ", static_cast<int>(c));
    if (sy.confidence_vote) {
      absl::StrAppend(&out, " vote ", sy.confidence_vote->low, "/", sy.confidence_vote->total);
    }
    if (sy.decided) {
      absl::StrAppend(&out, " decided ", static_cast<int>(*sy.decided), "@", sy.decided_position,
                      " override '", sy.override_reason, "'");
    }
    if (sy.flag) {
      absl::StrAppend(&out, " flag ", static_cast<int>(sy.flag->flag.status), " ",
                      static_cast<int>(sy.flag->flag.proposed), " ",
                      absl::StrJoin(sy.flag->flag.rules, ","), "@", sy.flag->position, " '",
                      sy.flag->reason, "'");
    }
    out += "\n";
  }
  return out;
}

}  // namespace rating::projections
