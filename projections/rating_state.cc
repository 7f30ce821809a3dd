#include "projections/rating_state.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "projections/scorecard_facts.h"

namespace rating::projections {

RatingState::RatingState(const RatingState& other)
    : position_(other.position_),
      recorded_at_micros_(other.recorded_at_micros_),
      stream_versions_(other.stream_versions_),
      subjects_(other.subjects_),
      periods_(other.periods_),
      registry_(other.registry_),
      ratings_(other.ratings_, subjects_),
      disciplines_(other.disciplines_),
      ballots_(other.ballots_, subjects_),
      rewards_(other.rewards_),
      dossiers_(other.dossiers_),
      audit_(other.audit_, subjects_),
      principals_(other.principals_) {}

uint64_t RatingState::StreamVersion(const std::string& stream) const {
  auto it = stream_versions_.find(stream);
  return it == stream_versions_.end() ? 0 : it->second;
}

absl::Status RatingState::Apply(const v1::Envelope& envelope) {
  if (envelope.position() <= position_) return absl::OkStatus();
  v1::Event event;
  if (!event.ParseFromString(envelope.payload())) {
    return absl::DataLossError(
        absl::StrCat("event at position ", envelope.position(), ": payload does not parse"));
  }
  return Apply(envelope, event);
}

absl::Status RatingState::Apply(const v1::Envelope& envelope, const v1::Event& event) {
  if (envelope.position() <= position_) return absl::OkStatus();  // Replays are no-ops.
  const EventContext ctx{envelope.position(), envelope.recorded_at_micros(), envelope.actor()};
  RATING_RETURN_IF_ERROR(Dispatch(ctx, event));
  audit_.Apply(ctx, event);
  position_ = envelope.position();
  recorded_at_micros_ = envelope.recorded_at_micros();
  stream_versions_[envelope.stream()] = envelope.stream_version();
  return absl::OkStatus();
}

absl::Status RatingState::Dispatch(const EventContext& ctx, const v1::Event& e) {
  switch (e.payload_case()) {
    case v1::Event::kPeriodOpened:
      return periods_.OnPeriodOpened(e.period_opened(), ctx.position);
    case v1::Event::kOrgRegistered:
      registry_.OnOrgRegistered(e.org_registered());
      break;
    case v1::Event::kOrgRestructured:
      registry_.OnOrgRestructured(e.org_restructured());
      break;
    case v1::Event::kMemberEnrolled:
      registry_.OnMemberEnrolled(e.member_enrolled());
      break;
    case v1::Event::kMemberTransferred:
      registry_.OnMemberTransferred(e.member_transferred());
      break;
    case v1::Event::kMemberStatusChanged:
      registry_.OnMemberStatusChanged(e.member_status_changed());
      break;
    case v1::Event::kMemberPostsChanged:
      registry_.OnMemberPostsChanged(e.member_posts_changed());
      break;
    case v1::Event::kReviewCompleted:
      ratings_.OnReviewCompleted(e.review_completed());
      break;
    case v1::Event::kCommentsReceived:
      ratings_.OnCommentsReceived(e.comments_received());
      break;
    case v1::Event::kSelfAssessmentSubmitted:
      ratings_.OnSelfAssessmentSubmitted(e.self_assessment_submitted());
      break;
    case v1::Event::kScorecardSubmitted: {
      const v1::Scorecard& s = e.scorecard_submitted();
      const PeriodInfo* period = periods_.Find(s.year());
      if (period == nullptr) {
        return absl::InternalError(
            absl::StrCat("position ", ctx.position, ": no period ", s.year()));
      }
      // The card was checked when accepted; converting it again is arithmetic on stored data.
      auto card = ScorecardToFacts(s, period->policy);
      if (!card.ok()) {
        return absl::InternalError(
            absl::StrCat("position ", ctx.position, ": ", card.status().message()));
      }
      ratings_.OnScorecardSubmitted(s, *std::move(card));
      break;
    }
    case v1::Event::kCommitteeAssessed:
      ratings_.OnCommitteeAssessed(e.committee_assessed());
      break;
    case v1::Event::kExternalRatingRecorded:
      ratings_.OnExternalRatingRecorded(e.external_rating_recorded());
      break;
    case v1::Event::kUnitIncidentRecorded:
      ratings_.OnUnitIncidentRecorded(e.unit_incident_recorded());
      break;
    case v1::Event::kBallotsCounted: {
      const PeriodInfo* period = periods_.Find(e.ballots_counted().year());
      if (period == nullptr) {
        return absl::InternalError(
            absl::StrCat("position ", ctx.position, ": no period ", e.ballots_counted().year()));
      }
      return ballots_.OnLegacyBallotsCounted(ctx, e.ballots_counted(), period->policy);
    }
    case v1::Event::kBallotsRecorded:
      ballots_.OnBallotsRecorded(ctx, e.ballots_recorded());
      break;
    case v1::Event::kRatingsDecided:
      ratings_.OnRatingsDecided(ctx, e.ratings_decided());
      break;
    case v1::Event::kDisciplineRuled:
      disciplines_.OnDisciplineRuled(ctx, e.discipline_ruled());
      break;
    case v1::Event::kConclusionRecorded:
      ratings_.OnConclusionRecorded(e.conclusion_recorded());
      break;
    case v1::Event::kConfidenceVoteRecorded:
      ratings_.OnConfidenceVoteRecorded(e.confidence_vote_recorded());
      break;
    case v1::Event::kRerated:
      ratings_.OnRerated(ctx, e.rerated());
      break;
    case v1::Event::kRewardGranted:
      rewards_.OnRewardGranted(ctx, e.reward_granted());
      break;
    case v1::Event::kRewardAnnulled:
      rewards_.OnRewardAnnulled(ctx, e.reward_annulled());
      break;
    case v1::Event::kDossierSubmitted:
      dossiers_.OnDossierSubmitted(ctx, e.dossier_submitted());
      break;
    case v1::Event::kRatingFlagged:
      ratings_.OnRatingFlagged(ctx, e.rating_flagged());
      break;
    case v1::Event::kPrincipalCreated:
      principals_.OnPrincipalCreated(e.principal_created());
      break;
    case v1::Event::kPrincipalRevoked:
      principals_.OnPrincipalRevoked(e.principal_revoked());
      break;
    case v1::Event::kPrincipalTokenRotated:
      principals_.OnPrincipalTokenRotated(e.principal_token_rotated());
      break;
    case v1::Event::PAYLOAD_NOT_SET:
      return absl::DataLossError(
          absl::StrCat("event at position ", ctx.position, " has no payload"));
  }
  return absl::OkStatus();
}

std::string RatingState::Dump() const {
  std::string out = absl::StrCat("position ", position_, "\n");
  for (const auto& [s, v] : stream_versions_) absl::StrAppend(&out, "stream ", s, " ", v, "\n");
  absl::StrAppend(&out, periods_.Dump(), registry_.Dump(), ratings_.Dump(), disciplines_.Dump(),
                  ballots_.Dump(), rewards_.Dump(), dossiers_.Dump(), audit_.Dump(),
                  principals_.Dump());
  return out;
}

}  // namespace rating::projections
