// Reach and flags of late rulings and annulments (R-RETRO-1, R-RETRO-3, IV.9).
#include "rules/retro.h"

#include <algorithm>

namespace rating::rules {
namespace {

using rating::v1::LEVEL_KHTNV;

void AddOnce(std::vector<std::string>& out, std::string subject) {
  if (std::find(out.begin(), out.end(), subject) == out.end()) out.push_back(std::move(subject));
}

std::string OrgSubject(const std::string& id) { return Subject{SubjectKind::kOrg, id}.ToString(); }
std::string CommitteeSubject(const std::string& id) {
  return Subject{SubjectKind::kCommittee, id}.ToString();
}
std::string LeaderSubject(const std::string& id) {
  return Subject{SubjectKind::kLeader, id}.ToString();
}

}  // namespace

Reach RulingReach(const RulingReachFacts& facts) {
  Reach reach;
  const Subject& s = facts.subject;
  switch (s.kind) {
    case SubjectKind::kMember:
    case SubjectKind::kLeader:
      // R-RETRO-1: a ruling on a person reaches both of their ratings.
      reach.ruled = {Subject{SubjectKind::kMember, s.id}.ToString(), LeaderSubject(s.id)};
      if (!facts.attributed_org.empty()) AddOnce(reach.reviewed, OrgSubject(facts.attributed_org));
      if (!facts.member_org.empty()) AddOnce(reach.reviewed, OrgSubject(facts.member_org));
      for (const std::string& org : facts.committee_seats) {
        AddOnce(reach.reviewed, OrgSubject(org));
        AddOnce(reach.reviewed, CommitteeSubject(org));
      }
      break;
    case SubjectKind::kOrg:
      reach.ruled = {s.ToString()};
      AddOnce(reach.reviewed, CommitteeSubject(s.id));
      for (const std::string& head : facts.heads) AddOnce(reach.reviewed, LeaderSubject(head));
      for (const std::string& org : facts.ancestors) AddOnce(reach.reviewed, OrgSubject(org));
      break;
    case SubjectKind::kCommittee:
      reach.ruled = {s.ToString()};
      AddOnce(reach.reviewed, OrgSubject(s.id));  // R-ORG-1 reads its committee's rulings.
      for (const std::string& head : facts.heads) AddOnce(reach.reviewed, LeaderSubject(head));
      break;
  }
  return reach;
}

std::vector<std::string> AnnulmentReach(const RulingReachFacts& facts) {
  std::vector<std::string> out;
  const Subject& s = facts.subject;
  switch (s.kind) {
    case SubjectKind::kMember:  // Its org's percentages read the member.
      if (!facts.member_org.empty()) AddOnce(out, OrgSubject(facts.member_org));
      break;
    case SubjectKind::kOrg:  // R-COM-CAP, R-LEAD-CAP and the parent's percentages read it.
      AddOnce(out, CommitteeSubject(s.id));
      for (const std::string& head : facts.heads) AddOnce(out, LeaderSubject(head));
      if (!facts.ancestors.empty()) AddOnce(out, OrgSubject(facts.ancestors.front()));
      break;
    case SubjectKind::kCommittee:  // R-LEAD-CAP reads it.
      for (const std::string& head : facts.heads) AddOnce(out, LeaderSubject(head));
      break;
    case SubjectKind::kLeader:  // No rating reads a leader's.
      break;
  }
  return out;
}

std::optional<Flag> FlagForRuling(Level decided, const std::optional<Flag>& current,
                                  bool self_remedied, Level recomputed_ceiling) {
  if (decided <= LEVEL_KHTNV) return std::nullopt;  // Nothing below KHTNV to fall to.
  Flag wanted;
  wanted.rules = {"R-RETRO-1"};
  if (self_remedied) {
    // IV.9: self-remedied cases are weighed again by the superior.
    wanted.status = rating::v1::RATING_STATUS_RERATING_REVIEW;
    wanted.proposed = recomputed_ceiling;
  } else {
    wanted.status = rating::v1::RATING_STATUS_RERATING_REQUIRED;
    wanted.proposed = LEVEL_KHTNV;
  }
  if (!current.has_value() || current->status == rating::v1::RATING_STATUS_REVIEW_SUGGESTED) {
    return wanted;
  }
  // Flags never soften.
  if (current->status == rating::v1::RATING_STATUS_RERATING_REQUIRED) return std::nullopt;
  if (current->status == rating::v1::RATING_STATUS_RERATING_REVIEW &&
      wanted.status == rating::v1::RATING_STATUS_RERATING_REVIEW &&
      current->proposed == wanted.proposed) {
    return std::nullopt;
  }
  return wanted;
}

std::optional<Flag> ReviewSuggestion(Level decided, const std::optional<Flag>& current,
                                     const Ceiling& recomputed_ceiling) {
  if (decided <= LEVEL_KHTNV) return std::nullopt;
  if (current.has_value() && current->status != rating::v1::RATING_STATUS_REVIEW_SUGGESTED) {
    return std::nullopt;  // RERATING_* is stronger: left as it is.
  }
  if (recomputed_ceiling.level == rating::v1::LEVEL_UNSPECIFIED ||
      recomputed_ceiling.level >= decided) {
    return std::nullopt;
  }
  if (current.has_value() && current->proposed == recomputed_ceiling.level) return std::nullopt;
  Flag flag;
  flag.status = rating::v1::RATING_STATUS_REVIEW_SUGGESTED;
  flag.proposed = recomputed_ceiling.level;
  flag.rules = {"R-RETRO-3"};
  if (!recomputed_ceiling.rule_id.empty()) flag.rules.push_back(recomputed_ceiling.rule_id);
  return flag;
}

Level EffectiveLevel(RatingStatus status, Level decided, Level recomputed_ceiling) {
  switch (status) {
    case rating::v1::RATING_STATUS_RERATING_REQUIRED:
      return LEVEL_KHTNV;
    case rating::v1::RATING_STATUS_RERATING_REVIEW:
      if (recomputed_ceiling == rating::v1::LEVEL_UNSPECIFIED) return decided;
      return recomputed_ceiling < decided ? recomputed_ceiling : decided;
    default:
      return decided;
  }
}

}  // namespace rating::rules
