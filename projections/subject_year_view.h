// Everything recorded about one rating (a subject and a year) apart from rulings: its review,
// comments, self-assessment, scorecard or committee assessment, external ratings, incidents,
// conclusions, confidence vote, the decided level and the flag on it. Layer: projections.
// Built only by its On<Event> handlers; not thread-safe (the owner locks).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "projections/event_context.h"
#include "rating/v1/events.pb.h"
#include "rules/facts.h"
#include "rules/policy.h"
#include "rules/retro.h"

namespace rating::projections {

using rules::Level;

// The flag on a decided rating (R-RETRO-1, R-RETRO-3).
struct FlagRecord {
  rules::Flag flag;
  std::string reason;
  uint64_t position = 0;
};

struct SubjectYear {
  bool review_completed = false;
  uint32_t comment_sources = 0;  // Bit (1 << v1::CommentSource) per source received.
  std::optional<rules::MemberAssessment> self_assessment;
  Level self_level = v1::LEVEL_UNSPECIFIED;  // The member's own proposal (recorded only).
  std::optional<rules::ScorecardFacts> scorecard;
  std::optional<rules::CommitteeAssessmentFacts> committee_assessment;
  std::map<std::string, Level> external;  // body -> level ("management", "mass_org:NAME").
  std::vector<rules::IncidentFact> incidents;
  std::vector<v1::ConclusionKind> conclusions;
  std::optional<rules::ConfidenceVoteFact> confidence_vote;  // The latest supersedes.
  std::optional<Level> decided;
  uint64_t decided_position = 0;
  std::string override_reason;
  std::optional<FlagRecord> flag;

  bool HasComments(v1::CommentSource source) const {
    return (comment_sources & (1u << static_cast<int>(source))) != 0;
  }
};

using SubjectYearKey = std::pair<std::string, int>;

class SubjectYearView {
 public:
  // The rating's record, or nullptr when nothing was recorded for it. Valid until the next On*.
  const SubjectYear* Find(const std::string& subject, int year) const;
  const std::map<SubjectYearKey, SubjectYear>& all() const { return subject_years_; }

  void OnReviewCompleted(const v1::ReviewCompletion& review);
  void OnCommentsReceived(const v1::CommentsReceipt& comments);
  void OnSelfAssessmentSubmitted(const v1::SelfAssessment& assessment);
  // `card` is the scorecard as the rules read it (checked when the event was accepted).
  void OnScorecardSubmitted(const v1::Scorecard& scorecard, rules::ScorecardFacts card);
  void OnCommitteeAssessed(const v1::CommitteeAssessment& assessment);
  void OnExternalRatingRecorded(const v1::ExternalRating& rating);
  void OnUnitIncidentRecorded(const v1::UnitIncident& incident);
  void OnConclusionRecorded(const v1::Conclusion& conclusion);
  void OnConfidenceVoteRecorded(const v1::ConfidenceVote& vote);
  // Each rating becomes decided at its level and loses any flag.
  void OnRatingsDecided(const EventContext& ctx, const v1::RatingsDecided& decided);
  void OnRerated(const EventContext& ctx, const v1::Rerated& rerated);
  void OnRatingFlagged(const EventContext& ctx, const v1::RatingFlagged& flagged);

  std::string Dump() const;

 private:
  SubjectYear& At(const std::string& subject, int year);

  std::map<SubjectYearKey, SubjectYear> subject_years_;
};

}  // namespace rating::projections
