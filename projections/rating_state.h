// The read model of the whole log, as a set of views: periods, the registry (dated histories,
// R-TIME-1), each rating's recorded facts, rulings, ballot sessions with their tallies, rewards,
// dossiers, the audit models and the principals. Layer: projections. Built only by Apply(),
// which hands each event to the views that read it; replay applies what events remember and
// never re-decides. Rebuildable from the log with identical state (Dump() is its canonical
// text). Not thread-safe: the owner locks.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "projections/audit_view.h"
#include "projections/ballot_view.h"
#include "projections/discipline_view.h"
#include "projections/period_view.h"
#include "projections/principal_view.h"
#include "projections/registry_view.h"
#include "projections/reward_view.h"
#include "projections/subject_table.h"
#include "projections/subject_year_view.h"
#include "rating/v1/envelope.pb.h"
#include "rating/v1/events.pb.h"

namespace rating::projections {

class SnapshotCodec;

class RatingState {
 public:
  // A state holding only the bloc, which exists from the start.
  RatingState() : ratings_(subjects_), ballots_(subjects_), audit_(subjects_) {}
  // A deep copy (as-of reads replay on from a copy of an earlier state).
  RatingState(const RatingState& other);
  RatingState& operator=(const RatingState&) = delete;

  // Applies one stored event. Events at or below position() are ignored (replays are no-ops).
  // DATA_LOSS if the payload does not parse or carries no case; a semantically impossible event
  // (only a bug or tampering writes one) is INTERNAL.
  absl::Status Apply(const v1::Envelope& envelope);
  absl::Status Apply(const v1::Envelope& envelope, const v1::Event& event);

  // The position and recorded time of the last event applied.
  uint64_t position() const { return position_; }
  int64_t recorded_at_micros() const { return recorded_at_micros_; }
  // The version of `stream` as applied (0 = no event).
  uint64_t StreamVersion(const std::string& stream) const;

  // Canonical text of the whole state (sorted), for rebuild equality checks and the golden log.
  std::string Dump() const;

  const SubjectTable& subjects() const { return subjects_; }
  const PeriodView& periods() const { return periods_; }
  const RegistryView& registry() const { return registry_; }
  const SubjectYearView& ratings() const { return ratings_; }
  const DisciplineView& disciplines() const { return disciplines_; }
  const BallotView& ballots() const { return ballots_; }
  const RewardView& rewards() const { return rewards_; }
  const DossierView& dossiers() const { return dossiers_; }
  const AuditView& audit() const { return audit_; }
  const PrincipalView& principals() const { return principals_; }

  // The open period of `year`, or nullptr.
  const PeriodInfo* FindPeriod(int year) const { return periods_.Find(year); }

 private:
  friend class SnapshotCodec;  // Writes and loads snapshots (snapshot.cc).
  absl::Status Dispatch(const EventContext& ctx, const v1::Event& event);

  uint64_t position_ = 0;
  int64_t recorded_at_micros_ = 0;
  std::map<std::string, uint64_t> stream_versions_;
  SubjectTable subjects_;  // Shared by the views keyed by subject (declared before them).
  PeriodView periods_;
  RegistryView registry_;
  SubjectYearView ratings_;
  DisciplineView disciplines_;
  BallotView ballots_;
  RewardView rewards_;
  DossierView dossiers_;
  AuditView audit_;
  PrincipalView principals_;
};

}  // namespace rating::projections
