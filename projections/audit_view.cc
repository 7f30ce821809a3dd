#include "projections/audit_view.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace rating::projections {
namespace {

std::string Partner(const std::string& subject) {
  if (absl::StartsWith(subject, "member/")) return absl::StrCat("leader/", subject.substr(7));
  if (absl::StartsWith(subject, "leader/")) return absl::StrCat("member/", subject.substr(7));
  if (absl::StartsWith(subject, "org/")) return absl::StrCat("committee/", subject.substr(4));
  return "";
}

void AppendVarint(std::string& out, uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

// Decodes the varint deltas of a history.
std::vector<uint64_t> DecodePositions(const std::string& bytes) {
  std::vector<uint64_t> out;
  uint64_t position = 0;
  uint64_t value = 0;
  int shift = 0;
  for (char c : bytes) {
    const uint8_t byte = static_cast<uint8_t>(c);
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    shift += 7;
    if ((byte & 0x80) == 0) {
      position += value;
      out.push_back(position);
      value = 0;
      shift = 0;
    }
  }
  return out;
}

// The last position of an encoded history (0 when empty).
uint64_t LastPosition(const std::string& bytes) {
  const std::vector<uint64_t> positions = DecodePositions(bytes);
  return positions.empty() ? 0 : positions.back();
}

}  // namespace

std::vector<uint64_t> AuditView::History(const std::string& subject, int year) const {
  const std::optional<uint32_t> id = subjects_->Find(subject);
  if (!id) return {};
  auto it = history_.find(SubjectTable::Key(*id, year));
  return it == history_.end() ? std::vector<uint64_t>() : DecodePositions(it->second);
}

const std::vector<v1::ImpactItem>& AuditView::ImpactOf(uint64_t position) const {
  static const auto* const empty = new std::vector<v1::ImpactItem>();
  auto it = impacts_.find(position);
  return it == impacts_.end() ? *empty : it->second;
}

void AuditView::Touch(const std::string& subject, int year, uint64_t position) {
  std::string& history = history_[SubjectTable::Key(subjects_->Intern(subject), year)];
  // Positions only grow: the delta from the last one (0 = the same event, skipped).
  const uint64_t last = LastPosition(history);
  if (!history.empty() && last == position) return;
  AppendVarint(history, position - last);
}

void AuditView::TouchWithPartner(const std::string& subject, int year, uint64_t position) {
  Touch(subject, year, position);
  const std::string partner = Partner(subject);
  if (!partner.empty()) Touch(partner, year, position);
}

void AuditView::Apply(const EventContext& ctx, const v1::Event& event) {
  const uint64_t pos = ctx.position;
  switch (event.payload_case()) {
    case v1::Event::kReviewCompleted: {
      // A member's review serves leader/ID too (R-SUBJ-3); others need their own.
      const auto& r = event.review_completed();
      if (absl::StartsWith(r.subject(), "member/")) {
        TouchWithPartner(r.subject(), r.year(), pos);
      } else {
        Touch(r.subject(), r.year(), pos);
      }
      break;
    }
    case v1::Event::kCommentsReceived:
      TouchWithPartner(event.comments_received().subject(), event.comments_received().year(), pos);
      break;
    case v1::Event::kSelfAssessmentSubmitted: {
      const auto& a = event.self_assessment_submitted();
      TouchWithPartner(absl::StrCat("member/", a.member()), a.year(), pos);
      break;
    }
    case v1::Event::kScorecardSubmitted:
      Touch(absl::StrCat("org/", event.scorecard_submitted().org()),
            event.scorecard_submitted().year(), pos);
      break;
    case v1::Event::kCommitteeAssessed:
      Touch(absl::StrCat("committee/", event.committee_assessed().org()),
            event.committee_assessed().year(), pos);
      break;
    case v1::Event::kExternalRatingRecorded:
      Touch(absl::StrCat("org/", event.external_rating_recorded().org()),
            event.external_rating_recorded().year(), pos);
      break;
    case v1::Event::kUnitIncidentRecorded:
      Touch(absl::StrCat("org/", event.unit_incident_recorded().org()),
            event.unit_incident_recorded().year(), pos);
      break;
    case v1::Event::kBallotsCounted:
      for (const std::string& s : event.ballots_counted().subjects()) {
        Touch(s, event.ballots_counted().year(), pos);
      }
      break;
    case v1::Event::kBallotsRecorded: {
      const auto& session = event.ballots_recorded().session();
      for (const std::string& s : session.subjects()) Touch(s, session.year(), pos);
      break;
    }
    case v1::Event::kRatingsDecided:
      OnRatingsDecided(ctx, event.ratings_decided());
      break;
    case v1::Event::kDisciplineRuled:
      OnDisciplineRuled(ctx, event.discipline_ruled());
      break;
    case v1::Event::kConclusionRecorded: {
      // On a person: both ratings; on an org: its committee too (disunity, R-COM-1).
      const auto& c = event.conclusion_recorded();
      TouchWithPartner(c.subject(), c.year(), pos);
      break;
    }
    case v1::Event::kConfidenceVoteRecorded: {
      const auto& v = event.confidence_vote_recorded();
      TouchWithPartner(absl::StrCat("member/", v.member()), v.year(), pos);
      break;
    }
    case v1::Event::kRerated:
      OnRerated(ctx, event.rerated());
      break;
    case v1::Event::kRewardGranted:
      Touch(event.reward_granted().subject(), event.reward_granted().year(), pos);
      break;
    case v1::Event::kRewardAnnulled:
      OnRewardAnnulled(ctx, event.reward_annulled());
      break;
    case v1::Event::kDossierSubmitted:
      Touch(absl::StrCat("org/", event.dossier_submitted().org()), event.dossier_submitted().year(),
            pos);
      break;
    case v1::Event::kRatingFlagged:
      OnRatingFlagged(ctx, event.rating_flagged());
      break;
    default:
      break;  // Registry and principal events bear on no single rating.
  }
}

void AuditView::OnRatingsDecided(const EventContext& ctx, const v1::RatingsDecided& d) {
  const int year = d.decision().year();
  for (const v1::SubjectLevel& r : d.decision().ratings()) Touch(r.subject(), year, ctx.position);
  // R-DEC-2: a document counts as an override when its reason forced past a broken rule.
  if (d.decision().override_reason().empty() || d.overridden_rules().empty()) return;
  v1::OverrideRecord o;
  o.set_kind("decision");
  o.set_year(year);
  *o.mutable_ratings() = d.decision().ratings();
  if (!d.decision().ratings().empty()) {
    o.set_subject(d.decision().ratings(0).subject());
    o.set_level(d.decision().ratings(0).level());
  }
  o.set_reason(d.decision().override_reason());
  *o.mutable_overridden_rules() = d.overridden_rules();
  *o.mutable_forced() = d.forced();
  o.set_position(ctx.position);
  o.set_actor(ctx.actor);
  overrides_.push_back(std::move(o));
}

void AuditView::OnDisciplineRuled(const EventContext& ctx, const v1::DisciplineRuled& d) {
  const bool person = absl::StartsWith(d.ruling().subject(), "member/") ||
                      absl::StartsWith(d.ruling().subject(), "leader/");
  for (int year : d.years()) {
    // A ruling on a person reaches both of their ratings (R-RETRO-1).
    if (person) {
      TouchWithPartner(d.ruling().subject(), year, ctx.position);
    } else {
      Touch(d.ruling().subject(), year, ctx.position);
    }
    if (!d.attributed_org().empty()) {
      Touch(absl::StrCat("org/", d.attributed_org()), year, ctx.position);
    }
  }
  last_cause_position_ = ctx.position;
}

void AuditView::OnRerated(const EventContext& ctx, const v1::Rerated& r) {
  const v1::Rerating& rerating = r.rerating();
  Touch(rerating.subject(), rerating.year(), ctx.position);
  last_cause_position_ = ctx.position;
  if (rerating.override_reason().empty() || r.overridden_rules().empty()) return;
  v1::OverrideRecord o;
  o.set_kind("rerating");
  o.set_decision_no(rerating.decision_no());
  o.set_subject(rerating.subject());
  o.set_year(rerating.year());
  o.set_level(rerating.level());
  v1::SubjectLevel* rating = o.add_ratings();
  rating->set_subject(rerating.subject());
  rating->set_level(rerating.level());
  o.set_reason(rerating.override_reason());
  *o.mutable_overridden_rules() = r.overridden_rules();
  *o.mutable_forced() = r.forced();
  o.set_position(ctx.position);
  o.set_actor(ctx.actor);
  overrides_.push_back(std::move(o));
}

void AuditView::OnRewardAnnulled(const EventContext& ctx, const v1::RewardAnnulled& a) {
  Touch(a.subject(), a.year(), ctx.position);
  v1::ImpactItem item;
  item.set_subject(a.subject());
  item.set_year(a.year());
  item.add_rules(a.rule());
  item.set_reason(absl::StrCat("Khen thưởng năm ", a.year(), " bị hủy theo ", a.rule(),
                               " vì kết quả xếp loại năm ", a.cause_year(), " bị hủy bỏ"));
  item.set_position(ctx.position);
  impacts_[last_cause_position_].push_back(std::move(item));
}

void AuditView::OnRatingFlagged(const EventContext& ctx, const v1::RatingFlagged& f) {
  Touch(f.subject(), f.year(), ctx.position);
  v1::ImpactItem item;
  item.set_subject(f.subject());
  item.set_year(f.year());
  item.set_flag(f.flag());
  item.set_proposed_level(f.proposed_level());
  *item.mutable_rules() = f.rules();
  item.set_reason(f.reason());
  item.set_position(ctx.position);
  impacts_[last_cause_position_].push_back(std::move(item));
}

std::string AuditView::Dump() const {
  std::string out;
  std::vector<std::pair<std::pair<std::string, int>, std::vector<uint64_t>>> sorted;
  for (const auto& [key, bytes] : history_) {
    sorted.push_back({{subjects_->Name(SubjectTable::IdOf(key)), SubjectTable::YearOf(key)},
                      DecodePositions(bytes)});
  }
  std::sort(sorted.begin(), sorted.end());
  for (const auto& [key, positions] : sorted) {
    absl::StrAppend(&out, "history ", key.first, " ", key.second, " ",
                    absl::StrJoin(positions, ","), "\n");
  }
  for (const auto& o : overrides_) absl::StrAppend(&out, "override ", o.ShortDebugString(), "\n");
  for (const auto& [pos, items] : impacts_) {
    for (const auto& i : items) {
      absl::StrAppend(&out, "impact ", pos, " ", i.ShortDebugString(), "\n");
    }
  }
  return out;
}

}  // namespace rating::projections
