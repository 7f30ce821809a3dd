// The audit read models: the events bearing on each rating (its history), the decisions an
// override forced, and what each ruling or re-rating flagged or annulled (its impact). Layer:
// projections; not thread-safe (the owner locks).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "projections/event_context.h"
#include "projections/subject_table.h"
#include "rating/v1/api.pb.h"
#include "rating/v1/events.pb.h"

namespace rating::projections {

class SnapshotCodec;

class AuditView {
 public:
  // `subjects` interns the subject strings; it must outlive the view.
  explicit AuditView(SubjectTable& subjects) : subjects_(&subjects) {}
  // A copy uses `subjects` (the copy of the original's table) from then on.
  AuditView(const AuditView& other, SubjectTable& subjects)
      : subjects_(&subjects),
        history_(other.history_),
        overrides_(other.overrides_),
        impacts_(other.impacts_),
        last_cause_position_(other.last_cause_position_) {}

  // Positions of every event bearing on the rating, in log order (empty when none).
  std::vector<uint64_t> History(const std::string& subject, int year) const;
  // One record per decision document or re-rating an override forced past a broken rule.
  const std::vector<v1::OverrideRecord>& overrides() const { return overrides_; }
  // Flags and annulments caused by the ruling or re-rating at `position` (empty when none).
  const std::vector<v1::ImpactItem>& ImpactOf(uint64_t position) const;

  // Applies an event: records the ratings it bears on (and, for decisions, rulings, re-ratings
  // and the flags and annulments they cause, overrides and impacts).
  void Apply(const EventContext& ctx, const v1::Event& event);

  std::string Dump() const;

 private:
  friend class SnapshotCodec;  // Writes and loads snapshots (snapshot.cc).
  void Touch(const std::string& subject, int year, uint64_t position);
  // A person's facts bear on both member/ID and leader/ID; an org's comments on its committee.
  void TouchWithPartner(const std::string& subject, int year, uint64_t position);
  void OnRatingsDecided(const EventContext& ctx, const v1::RatingsDecided& decided);
  void OnDisciplineRuled(const EventContext& ctx, const v1::DisciplineRuled& ruled);
  void OnRerated(const EventContext& ctx, const v1::Rerated& rerated);
  void OnRewardAnnulled(const EventContext& ctx, const v1::RewardAnnulled& annulled);
  void OnRatingFlagged(const EventContext& ctx, const v1::RatingFlagged& flagged);

  SubjectTable* subjects_;
  // (subject id, year) -> the positions, as varint deltas (a few bytes an event).
  absl::flat_hash_map<uint64_t, std::string> history_;
  std::vector<v1::OverrideRecord> overrides_;
  std::map<uint64_t, std::vector<v1::ImpactItem>> impacts_;
  // The last ruling or re-rating: the flags and annulments that follow it in the same append
  // are its impact.
  uint64_t last_cause_position_ = 0;
};

}  // namespace rating::projections
