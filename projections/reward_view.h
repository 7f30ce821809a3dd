// Rewards and their annulments (R-REW-1), and dossiers with their dates (R-DEADLINE). Layer:
// projections; not thread-safe (the owner locks).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "projections/event_context.h"
#include "rating/v1/events.pb.h"

namespace rating::projections {

class SnapshotCodec;

struct RewardRecord {
  v1::RewardGrant grant;
  uint64_t granted_position = 0;
  uint64_t annulled_position = 0;  // 0 = active.
};

class RewardView {
 public:
  // Every reward, in grant order.
  const std::vector<RewardRecord>& rewards() const { return rewards_; }
  // The rewards of `subject` (canonical string), in grant order. Valid until the next On*.
  std::vector<const RewardRecord*> OfSubject(const std::string& subject) const;

  void OnRewardGranted(const EventContext& ctx, const v1::RewardGrant& grant);
  void OnRewardAnnulled(const EventContext& ctx, const v1::RewardAnnulled& annulled);

  std::string Dump() const;

 private:
  friend class SnapshotCodec;  // Writes and loads snapshots (snapshot.cc).
  std::vector<RewardRecord> rewards_;
  std::map<std::string, std::vector<size_t>> by_subject_;
};

struct DossierRecord {
  v1::DossierSubmission submission;  // The latest submission of (org, year).
  uint64_t position = 0;
};

class DossierView {
 public:
  const std::map<std::pair<std::string, int>, DossierRecord>& dossiers() const { return dossiers_; }
  void OnDossierSubmitted(const EventContext& ctx, const v1::DossierSubmission& dossier);
  std::string Dump() const;

 private:
  std::map<std::pair<std::string, int>, DossierRecord> dossiers_;
};

}  // namespace rating::projections
