#include "projections/reward_view.h"

#include "absl/strings/str_cat.h"

namespace rating::projections {

std::vector<const RewardRecord*> RewardView::OfSubject(const std::string& subject) const {
  std::vector<const RewardRecord*> out;
  auto it = by_subject_.find(subject);
  if (it == by_subject_.end()) return out;
  for (size_t i : it->second) out.push_back(&rewards_[i]);
  return out;
}

void RewardView::OnRewardGranted(const EventContext& ctx, const v1::RewardGrant& grant) {
  by_subject_[grant.subject()].push_back(rewards_.size());
  rewards_.push_back({grant, ctx.position, 0});
}

void RewardView::OnRewardAnnulled(const EventContext& ctx, const v1::RewardAnnulled& a) {
  auto it = by_subject_.find(a.subject());
  if (it == by_subject_.end()) return;
  for (size_t i : it->second) {
    RewardRecord& r = rewards_[i];
    if (r.grant.year() == a.year() && r.grant.kind() == a.kind() && r.annulled_position == 0) {
      r.annulled_position = ctx.position;
    }
  }
}

std::string RewardView::Dump() const {
  std::string out;
  for (const RewardRecord& r : rewards_) {
    absl::StrAppend(&out, "reward ", r.grant.subject(), " ", r.grant.year(), " ",
                    static_cast<int>(r.grant.kind()), " @", r.granted_position, " annulled @",
                    r.annulled_position, "\n");
  }
  return out;
}

void DossierView::OnDossierSubmitted(const EventContext& ctx, const v1::DossierSubmission& d) {
  dossiers_[{d.org(), d.year()}] = {d, ctx.position};
}

std::string DossierView::Dump() const {
  std::string out;
  for (const auto& [key, d] : dossiers_) {
    absl::StrAppend(&out, "dossier ", key.first, " ", key.second, " on ", d.submission.on(), " @",
                    d.position, "\n");
  }
  return out;
}

}  // namespace rating::projections
