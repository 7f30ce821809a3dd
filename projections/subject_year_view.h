// Everything recorded about one rating (a subject and a year) apart from rulings: its review,
// comments, self-assessment, scorecard or committee assessment, external ratings, incidents,
// conclusions, confidence vote, the decided level and the flag on it. Layer: projections.
// Built only by its On<Event> handlers; not thread-safe (the owner locks).
//
// Memory: most ratings are members' (a review, a self-assessment, a decided level), so a
// SubjectYear keeps those inline in a few dozen bytes, an org's or committee's inputs and the
// rare facts (conclusions, an override reason, a flag) behind pointers that stay null for most,
// and the map is keyed by (interned subject id, year).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "projections/event_context.h"
#include "projections/subject_table.h"
#include "rating/v1/events.pb.h"
#include "rules/facts.h"
#include "rules/policy.h"
#include "rules/retro.h"

namespace rating::projections {

class SnapshotCodec;

using rules::Level;

// The flag on a decided rating (R-RETRO-1, R-RETRO-3).
struct FlagRecord {
  rules::Flag flag;
  std::string reason;
  uint64_t position = 0;
};

// A member's self-assessment, compact: one byte per criterion (in MemberCriteriaInfo(true)
// order; 0 = not graded).
struct CompactAssessment {
  std::array<uint8_t, 7> grades = {};
  int32_t assigned = 0;
  int32_t completed = 0;
  int32_t on_time = 0;
  int32_t exceeded = 0;
  int32_t not_ensured = 0;
  bool exemplary = false;
  uint8_t self_level = v1::LEVEL_UNSPECIFIED;  // A Level: the member's own proposal (recorded only).
};

// The inputs only orgs and committees have.
struct OrgInputs {
  std::optional<rules::ScorecardFacts> scorecard;
  std::optional<rules::CommitteeAssessmentFacts> committee_assessment;
  std::map<std::string, Level> external;  // body -> level ("management", "mass_org:NAME").
  std::vector<rules::IncidentFact> incidents;
};

// What few ratings have.
struct RareFacts {
  std::vector<v1::ConclusionKind> conclusions;
  std::optional<rules::ConfidenceVoteFact> vote;  // The latest supersedes.
  std::string override_reason;
  std::optional<FlagRecord> flag;
};

class SubjectYear {
 public:
  SubjectYear() = default;
  SubjectYear(SubjectYear&&) = default;
  SubjectYear& operator=(SubjectYear&&) = default;
  // Deep copies (the org inputs and rare facts included).
  SubjectYear(const SubjectYear& other);
  SubjectYear& operator=(const SubjectYear& other);

  bool review_completed() const { return review_completed_; }
  bool HasComments(v1::CommentSource source) const {
    const int bit = static_cast<int>(source);
    return bit >= 0 && bit < 8 && (comment_sources_ & (1u << bit)) != 0;
  }
  // The member's self-assessment as the rules read it, or nullopt.
  std::optional<rules::MemberAssessment> self_assessment() const;
  Level self_level() const {
    return assessment_ ? static_cast<Level>(assessment_->self_level) : v1::LEVEL_UNSPECIFIED;
  }
  const std::optional<rules::ConfidenceVoteFact>& confidence_vote() const;
  // The decided level (the latest decision or re-rating), or nullopt; its log position.
  std::optional<Level> decided() const {
    if (decided_ == v1::LEVEL_UNSPECIFIED) return std::nullopt;
    return static_cast<Level>(decided_);
  }
  uint64_t decided_position() const { return decided_position_; }
  // The flag on the decided rating, or nullptr.
  const FlagRecord* flag() const;
  const std::string& override_reason() const;
  const std::vector<v1::ConclusionKind>& conclusions() const;
  // An org's or committee's inputs, or nullptr when none was recorded.
  const OrgInputs* org_inputs() const { return org_.get(); }

 private:
  friend class SnapshotCodec;  // Writes and loads snapshots (snapshot.cc).
  friend class SubjectYearView;
  OrgInputs& MutableOrg();
  RareFacts& MutableRare();

  bool review_completed_ = false;
  uint8_t comment_sources_ = 0;  // Bit (1 << v1::CommentSource) per source received.
  uint8_t decided_ = v1::LEVEL_UNSPECIFIED;  // A Level.
  uint64_t decided_position_ = 0;
  std::optional<CompactAssessment> assessment_;
  std::unique_ptr<OrgInputs> org_;
  std::unique_ptr<RareFacts> rare_;
};

class SubjectYearView {
 public:
  // `subjects` interns the subject strings; it must outlive the view.
  explicit SubjectYearView(SubjectTable& subjects) : subjects_(&subjects) {}
  // A copy uses `subjects` (the copy of the original's table) from then on.
  SubjectYearView(const SubjectYearView& other, SubjectTable& subjects)
      : subjects_(&subjects), subject_years_(other.subject_years_) {}

  // The rating's record, or nullptr when nothing was recorded for it. Valid until the next On*.
  const SubjectYear* Find(const std::string& subject, int year) const;

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

  // Canonical text (sorted by subject, then year).
  std::string Dump() const;

 private:
  friend class SnapshotCodec;  // Writes and loads snapshots (snapshot.cc).
  SubjectYear& At(const std::string& subject, int year);

  SubjectTable* subjects_;
  absl::flat_hash_map<uint64_t, SubjectYear> subject_years_;
};

}  // namespace rating::projections
