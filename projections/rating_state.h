// The read model of the whole log: registry (with membership history), periods and their
// policies, every subject-year's facts, decisions, flags, tallies, rewards, dossiers,
// overrides and principals. Layer: projections. Built only by Apply(); rebuildable from the
// log with identical state (Dump() is its canonical text). Not thread-safe: the owner locks.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "rating/v1/api.pb.h"
#include "rating/v1/envelope.pb.h"
#include "rating/v1/events.pb.h"
#include "rules/engine.h"

namespace rating::projections {

using rules::Date;
using rules::Level;

struct PeriodInfo {
  int year = 0;
  Date reference_date;
  rules::Policy policy;
  uint64_t position = 0;
};

struct OrgInfo {
  v1::OrgSpec spec;
  std::optional<Date> founded_on;
  std::vector<Date> split_or_merged_on;
  std::vector<Date> transferred_on;
  // Current parent (a transfer changes it).
  std::string parent;
};

struct MemberInfo {
  v1::MemberSpec spec;
  Date admitted_on;
  std::vector<rules::MembershipSpan> memberships;
  std::vector<rules::StatusSpan> statuses;
};

struct DisciplineRecord {
  uint64_t position = 0;
  v1::DisciplineRuling ruling;
  std::string attributed_org;
  std::vector<int> years;
  std::string violation_key;
};

struct FlagRecord {
  v1::RatingStatus flag = v1::RATING_STATUS_UNSPECIFIED;
  Level proposed = v1::LEVEL_UNSPECIFIED;
  std::vector<std::string> rules;
  std::string reason;
  uint64_t position = 0;
};

// Everything recorded about one subject ("member/m1", "org/c1", ...) for one year.
struct SubjectYear {
  bool review_completed = false;
  std::set<int> comment_sources;  // v1::CommentSource values.
  std::optional<v1::SelfAssessment> self_assessment;
  std::optional<rules::ScorecardFacts> scorecard;
  std::optional<v1::CommitteeAssessment> committee_assessment;
  std::map<std::string, Level> external;  // body -> level
  std::vector<v1::UnitIncident> incidents;
  std::vector<v1::ConclusionKind> conclusions;
  std::vector<v1::ConfidenceVote> confidence_votes;
  std::vector<size_t> disciplines;  // Indexes into RatingState::disciplines().
  std::optional<Level> decided;
  uint64_t decided_position = 0;
  std::string override_reason;
  std::optional<FlagRecord> flag;
  std::vector<uint64_t> history;  // Positions of every event bearing on it.
};

struct SessionRecord {
  v1::BallotSession session;
  rules::TallyResult tally;
  uint64_t position = 0;
};

struct RewardRecord {
  v1::RewardGrant grant;
  uint64_t granted_position = 0;
  uint64_t annulled_position = 0;  // 0 = active.
};

struct PrincipalRecord {
  v1::Principal principal;
  std::string token_sha256;
};

struct DossierRecord {
  v1::DossierSubmission submission;
  uint64_t position = 0;
};

using SubjectYearKey = std::pair<std::string, int>;

class RatingState {
 public:
  // A state holding only the bloc (kind bloc, id "bloc"), which exists from the start.
  RatingState();

  // Applies one stored event. Events at or below position() are ignored (replays are no-ops).
  // DATA_LOSS if the payload does not parse; a semantically impossible event (the log was
  // written by this server, so only a bug or tampering causes one) is INTERNAL.
  absl::Status Apply(const v1::Envelope& envelope);
  absl::Status Apply(const v1::Envelope& envelope, const v1::Event& event);

  uint64_t position() const { return position_; }
  int64_t recorded_at_micros() const { return recorded_at_micros_; }
  uint64_t StreamVersion(const std::string& stream) const;

  // Canonical text of the whole state (sorted), for rebuild equality checks.
  std::string Dump() const;

  const std::map<int, PeriodInfo>& periods() const { return periods_; }
  const std::map<std::string, OrgInfo>& orgs() const { return orgs_; }
  const std::map<std::string, MemberInfo>& members() const { return members_; }
  const std::vector<DisciplineRecord>& disciplines() const { return disciplines_; }
  const std::map<SubjectYearKey, SubjectYear>& subject_years() const { return subject_years_; }
  const std::map<std::string, SessionRecord>& sessions() const { return sessions_; }
  const std::vector<RewardRecord>& rewards() const { return rewards_; }
  const std::vector<v1::OverrideRecord>& overrides() const { return overrides_; }
  const std::map<std::pair<std::string, int>, DossierRecord>& dossiers() const {
    return dossiers_;
  }
  const std::map<std::string, PrincipalRecord>& principals() const { return principals_; }
  const std::map<uint64_t, std::vector<v1::ImpactItem>>& impacts() const { return impacts_; }

  const PeriodInfo* FindPeriod(int year) const;
  const OrgInfo* FindOrg(const std::string& id) const;
  const MemberInfo* FindMember(const std::string& id) const;
  const SubjectYear* FindSubjectYear(const std::string& subject, int year) const;
  const SessionRecord* FindSession(const std::string& session) const;
  // The principal holding this token hash (revoked ones included), or nullptr.
  const PrincipalRecord* FindPrincipalByTokenHash(const std::string& token_sha256) const;
  const PrincipalRecord* FindPrincipal(const std::string& id) const;

  // The org's chain upwards: the org itself, its parent, ..., "bloc".
  std::vector<std::string> Ancestry(const std::string& org) const;
  // The grassroots org an org belongs to (itself if grassroots; "" for the bloc).
  std::string GrassrootsOf(const std::string& org) const;
  // Direct child orgs of `org`, sorted.
  std::vector<std::string> ChildOrgs(const std::string& org) const;
  // Members whose membership at `date` is in `org`, sorted.
  std::vector<std::string> MembersAt(const std::string& org, Date date) const;
  // Members sitting on `org`'s committee / heading `org`'s collective, sorted.
  std::vector<std::string> CommitteeMembers(const std::string& org) const;
  std::vector<std::string> Heads(const std::string& org) const;
  // Subjects with a decided rating in `year`, sorted.
  std::vector<std::string> DecidedIn(int year) const;
  // The latest ballot session of (org, year) listing `subject`, or nullptr.
  const SessionRecord* SessionCovering(const std::string& subject, const std::string& org,
                                       int year) const;

 private:
  SubjectYear& At(const std::string& subject, int year);
  void Touch(const std::string& subject, int year, uint64_t position);
  // For member subjects, the same facts bear on member/ID and leader/ID.
  void TouchPerson(const std::string& subject, int year, uint64_t position);
  absl::Status ApplyEvent(const v1::Envelope& envelope, const v1::Event& event);

  uint64_t position_ = 0;
  int64_t recorded_at_micros_ = 0;
  uint64_t last_cause_position_ = 0;
  std::map<std::string, uint64_t> stream_versions_;
  std::map<int, PeriodInfo> periods_;
  std::map<std::string, OrgInfo> orgs_;
  std::map<std::string, MemberInfo> members_;
  // Indexes derived from the registry events (so queries never scan every org or member):
  // parent -> current child orgs; org -> every member ever in it; org -> committee members;
  // org -> heads of its collective.
  std::map<std::string, std::set<std::string>> children_;
  std::map<std::string, std::set<std::string>> members_ever_;
  std::map<std::string, std::set<std::string>> committee_members_;
  std::map<std::string, std::set<std::string>> heads_;
  // year -> subjects with a decided rating that year.
  std::map<int, std::set<std::string>> decided_by_year_;
  std::vector<DisciplineRecord> disciplines_;
  std::map<SubjectYearKey, SubjectYear> subject_years_;
  std::map<std::string, SessionRecord> sessions_;
  std::vector<RewardRecord> rewards_;
  std::vector<v1::OverrideRecord> overrides_;
  std::map<std::pair<std::string, int>, DossierRecord> dossiers_;
  std::map<std::string, PrincipalRecord> principals_;
  std::map<std::string, std::string> token_index_;
  std::map<uint64_t, std::vector<v1::ImpactItem>> impacts_;
};

// Builds rules facts and views from a state. Stateless; every function is pure over `state`.
namespace facts {

// Scorecard proto -> facts (points of quantitative lines computed, grades given kept).
// INVALID_ARGUMENT naming the criterion and the reason (R-* band check, plan <= 0, ...).
absl::StatusOr<rules::ScorecardFacts> ScorecardToFacts(const v1::Scorecard& scorecard,
                                                       const rules::Policy& policy);

}  // namespace facts

}  // namespace rating::projections
