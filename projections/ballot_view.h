// Ballot sessions with the tally each was accepted on (R-BAL-1..4): replay reads the stored
// tally back and never recounts. Layer: projections; not thread-safe (the owner locks).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "projections/event_context.h"
#include "projections/subject_table.h"
#include "rating/v1/events.pb.h"
#include "rules/ballots.h"
#include "rules/policy.h"

namespace rating::projections {

class SnapshotCodec;

// Memory: the session's subjects are interned ids and its tally is kept as the stored bytes
// (parsed when read), a few bytes per subject instead of a message each.
struct SessionRecord {
  std::string id;
  std::string org;
  int year = 0;
  std::vector<uint32_t> subject_ids;  // Sorted (SubjectTable ids).
  std::string tally_bytes;            // The serialized v1::Tally it was accepted on.
  uint64_t position = 0;

  // The stored tally.
  v1::Tally tally() const;
};

// A counted tally as stored in the event.
v1::Tally TallyToProto(const rules::TallyResult& tally);
// The counting input of a session as submitted.
rules::TallyInput TallyInputOf(const v1::BallotSession& session);
// The counting team's totals of a session (session.totals set).
rules::TotalsInput TotalsInputOf(const v1::BallotSession& session);

class BallotView {
 public:
  // `subjects` interns the subject strings; it must outlive the view.
  explicit BallotView(SubjectTable& subjects) : subjects_(&subjects) {}
  // A copy uses `subjects` (the copy of the original's table) from then on.
  BallotView(const BallotView& other, SubjectTable& subjects)
      : subjects_(&subjects), sessions_(other.sessions_), by_org_year_(other.by_org_year_) {}

  // The session (its latest count), or nullptr. Valid until the next On* call.
  const SessionRecord* Find(const std::string& id) const;
  // The latest session of (org, year) listing `subject`, or nullptr (R-BAL-5).
  const SessionRecord* Covering(const std::string& subject, const std::string& org, int year) const;
  const std::map<std::string, SessionRecord>& sessions() const { return sessions_; }
  // Every session by org, then year, then by the position of its latest count.
  std::vector<const SessionRecord*> InOrgYearOrder() const;

  void OnBallotsRecorded(const EventContext& ctx, const v1::BallotsRecorded& recorded);
  // A session written before tallies were stored: counted once, with the year's policy.
  // INTERNAL when it does not count (it did when it was accepted).
  absl::Status OnLegacyBallotsCounted(const EventContext& ctx, const v1::BallotSession& session,
                                      const rules::Policy& policy);

  std::string Dump() const;

 private:
  friend class SnapshotCodec;  // Writes and loads snapshots (snapshot.cc).
  void Record(const EventContext& ctx, const v1::BallotSession& session, const v1::Tally& tally);

  SubjectTable* subjects_;
  std::map<std::string, SessionRecord> sessions_;
  std::map<std::pair<std::string, int>, std::vector<std::string>> by_org_year_;
};

}  // namespace rating::projections
