#include "projections/rating_state.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"

namespace rating::projections {
namespace {

constexpr char kBloc[] = "bloc";

Date DateOr(const std::string& text, Date fallback) {
  auto parsed = rules::ParseDate(text);
  return parsed.ok() ? *parsed : fallback;
}

std::string SubjectOf(rules::SubjectKind kind, const std::string& id) {
  return rules::Subject{kind, id}.ToString();
}

}  // namespace

absl::StatusOr<rules::ScorecardFacts> facts::ScorecardToFacts(const v1::Scorecard& scorecard,
                                                              const rules::Policy& policy) {
  rules::ScorecardFacts out;
  std::set<std::string> seen;
  if (scorecard.criteria().empty()) {
    return absl::InvalidArgumentError("criteria: a scorecard needs at least one criterion");
  }
  for (int i = 0; i < scorecard.criteria_size(); ++i) {
    const v1::ScoreCriterion& c = scorecard.criteria(i);
    const std::string field = absl::StrCat("criteria[", i, "]");
    if (c.id().empty()) return absl::InvalidArgumentError(absl::StrCat(field, ".id: empty"));
    if (!seen.insert(c.id()).second) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".id: duplicate criterion ", c.id()));
    }
    auto max = rules::ParsePoints(c.max());
    if (!max.ok() || *max <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".max: criterion ", c.id(), ": standard points must be > 0, got '",
                       c.max(), "'"));
    }
    rules::ScoreLine line;
    line.id = c.id();
    line.max = *max;
    line.key = c.key();
    switch (c.award_case()) {
      case v1::ScoreCriterion::kPoints: {
        auto points = rules::ParsePoints(c.points());
        if (!points.ok()) {
          return absl::InvalidArgumentError(absl::StrCat(field, ".points: criterion ", c.id(),
                                                         ": ", points.status().message()));
        }
        if (*points > *max) {
          return absl::InvalidArgumentError(absl::StrCat(field, ".points: criterion ", c.id(),
                                                         ": ", c.points(), " exceeds max ",
                                                         c.max()));
        }
        line.points = *points;
        break;
      }
      case v1::ScoreCriterion::kQuantity: {
        auto points = rules::QuantitativePoints(*max, c.quantity().achieved(), c.quantity().plan());
        if (!points.ok()) {
          return absl::InvalidArgumentError(absl::StrCat(field, ".quantity: criterion ", c.id(),
                                                         ": ", points.status().message()));
        }
        line.points = *points;
        break;
      }
      default:
        return absl::InvalidArgumentError(
            absl::StrCat(field, ": criterion ", c.id(), " needs points or achieved/plan"));
    }
    if (c.grade() != v1::GRADE_UNSPECIFIED) {
      if (!v1::Grade_IsValid(c.grade())) {
        return absl::InvalidArgumentError(absl::StrCat(field, ".grade: unknown grade"));
      }
      if (!rules::PointsInBand(line.points, line.max, c.grade(), policy)) {
        return absl::InvalidArgumentError(absl::StrCat(
            field, ".points: criterion ", c.id(), ": ", rules::FormatPoints(line.points), " of ",
            rules::FormatPoints(line.max), " is outside the band of grade ",
            std::string(rules::GradeCode(c.grade())), " (C.I.1.4)"));
      }
      line.grade = c.grade();
    }
    out.lines.push_back(std::move(line));
  }
  if (scorecard.party_building_pct() < 0 || scorecard.party_building_pct() > 100) {
    return absl::InvalidArgumentError("party_building_pct: must be 0..100");
  }
  out.party_building_pct = scorecard.party_building_pct();
  out.production_plan_met = scorecard.production_plan_met();
  out.force_majeure = scorecard.force_majeure();
  out.exemplary = scorecard.exemplary();
  return out;
}

RatingState::RatingState() {
  OrgInfo bloc;
  bloc.spec.set_id(kBloc);
  bloc.spec.set_kind(v1::ORG_KIND_BLOC);
  bloc.spec.set_name("Đảng bộ Khối");
  orgs_[kBloc] = std::move(bloc);
}

uint64_t RatingState::StreamVersion(const std::string& stream) const {
  auto it = stream_versions_.find(stream);
  return it == stream_versions_.end() ? 0 : it->second;
}

const PeriodInfo* RatingState::FindPeriod(int year) const {
  auto it = periods_.find(year);
  return it == periods_.end() ? nullptr : &it->second;
}
const OrgInfo* RatingState::FindOrg(const std::string& id) const {
  auto it = orgs_.find(id);
  return it == orgs_.end() ? nullptr : &it->second;
}
const MemberInfo* RatingState::FindMember(const std::string& id) const {
  auto it = members_.find(id);
  return it == members_.end() ? nullptr : &it->second;
}
const SubjectYear* RatingState::FindSubjectYear(const std::string& subject, int year) const {
  auto it = subject_years_.find({subject, year});
  return it == subject_years_.end() ? nullptr : &it->second;
}
const SessionRecord* RatingState::FindSession(const std::string& session) const {
  auto it = sessions_.find(session);
  return it == sessions_.end() ? nullptr : &it->second;
}
const PrincipalRecord* RatingState::FindPrincipalByTokenHash(const std::string& hash) const {
  auto it = token_index_.find(hash);
  return it == token_index_.end() ? nullptr : FindPrincipal(it->second);
}
const PrincipalRecord* RatingState::FindPrincipal(const std::string& id) const {
  auto it = principals_.find(id);
  return it == principals_.end() ? nullptr : &it->second;
}

std::vector<std::string> RatingState::Ancestry(const std::string& org) const {
  std::vector<std::string> chain;
  std::string current = org;
  while (!current.empty() && chain.size() < 64) {
    chain.push_back(current);
    if (current == kBloc) break;
    const OrgInfo* info = FindOrg(current);
    if (info == nullptr) break;
    current = info->parent;
  }
  return chain;
}

std::string RatingState::GrassrootsOf(const std::string& org) const {
  for (const std::string& id : Ancestry(org)) {
    const OrgInfo* info = FindOrg(id);
    if (info == nullptr) continue;
    if (info->spec.kind() == v1::ORG_KIND_GRASSROOTS_CELL ||
        info->spec.kind() == v1::ORG_KIND_GRASSROOTS_COMMITTEE) {
      return id;
    }
  }
  return "";
}

namespace {

std::vector<std::string> Listed(const std::map<std::string, std::set<std::string>>& index,
                                const std::string& key) {
  auto it = index.find(key);
  if (it == index.end()) return {};
  return std::vector<std::string>(it->second.begin(), it->second.end());
}

}  // namespace

std::vector<std::string> RatingState::ChildOrgs(const std::string& org) const {
  return Listed(children_, org);
}

std::vector<std::string> RatingState::MembersAt(const std::string& org, Date date) const {
  std::vector<std::string> out;
  auto it = members_ever_.find(org);
  if (it == members_ever_.end()) return out;
  for (const std::string& id : it->second) {
    const MemberInfo* info = FindMember(id);
    if (info != nullptr && rules::OrgAt(info->memberships, date) == org) out.push_back(id);
  }
  return out;
}

std::vector<std::string> RatingState::DecidedIn(int year) const {
  auto it = decided_by_year_.find(year);
  if (it == decided_by_year_.end()) return {};
  return std::vector<std::string>(it->second.begin(), it->second.end());
}

std::vector<std::string> RatingState::CommitteeMembers(const std::string& org) const {
  return Listed(committee_members_, org);
}

std::vector<std::string> RatingState::Heads(const std::string& org) const {
  return Listed(heads_, org);
}

const SessionRecord* RatingState::SessionCovering(const std::string& subject,
                                                  const std::string& org, int year) const {
  const SessionRecord* best = nullptr;
  for (const auto& [id, record] : sessions_) {
    if (record.session.org() != org || record.session.year() != year) continue;
    const auto& subjects = record.session.subjects();
    if (std::find(subjects.begin(), subjects.end(), subject) == subjects.end()) continue;
    if (best == nullptr || record.position > best->position) best = &record;
  }
  return best;
}

SubjectYear& RatingState::At(const std::string& subject, int year) {
  return subject_years_[{subject, year}];
}

void RatingState::Touch(const std::string& subject, int year, uint64_t position) {
  std::vector<uint64_t>& history = At(subject, year).history;
  if (history.empty() || history.back() != position) history.push_back(position);
}

void RatingState::TouchPerson(const std::string& subject, int year, uint64_t position) {
  Touch(subject, year, position);
  auto parsed = rules::ParseSubject(subject);
  if (!parsed.ok()) return;
  if (parsed->kind == rules::SubjectKind::kMember) {
    Touch(SubjectOf(rules::SubjectKind::kLeader, parsed->id), year, position);
  } else if (parsed->kind == rules::SubjectKind::kLeader) {
    Touch(SubjectOf(rules::SubjectKind::kMember, parsed->id), year, position);
  }
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
  RATING_RETURN_IF_ERROR(ApplyEvent(envelope, event));
  position_ = envelope.position();
  recorded_at_micros_ = envelope.recorded_at_micros();
  stream_versions_[envelope.stream()] = envelope.stream_version();
  return absl::OkStatus();
}

absl::Status RatingState::ApplyEvent(const v1::Envelope& envelope, const v1::Event& event) {
  const uint64_t pos = envelope.position();
  switch (event.payload_case()) {
    case v1::Event::kPeriodOpened: {
      const v1::PeriodSpec& p = event.period_opened();
      std::vector<std::pair<std::string, std::string>> overrides;
      for (const auto& o : p.policy_overrides()) overrides.emplace_back(o.key(), o.value());
      auto policy = rules::LoadPolicy(p.policy_version(), overrides);
      if (!policy.ok()) {
        return absl::InternalError(absl::StrCat("position ", pos, ": ", policy.status().message()));
      }
      PeriodInfo info;
      info.year = p.year();
      info.policy = *std::move(policy);
      info.reference_date =
          DateOr(p.reference_date(),
                 Date(p.year(), info.policy.reference_month, info.policy.reference_day));
      info.position = pos;
      periods_[p.year()] = std::move(info);
      break;
    }
    case v1::Event::kOrgRegistered: {
      const v1::OrgSpec& o = event.org_registered();
      OrgInfo info;
      info.spec = o;
      info.parent = o.parent();
      if (!o.founded_on().empty()) info.founded_on = DateOr(o.founded_on(), Date(1900, 1, 1));
      orgs_[o.id()] = std::move(info);
      children_[o.parent()].insert(o.id());
      break;
    }
    case v1::Event::kOrgRestructured: {
      const v1::OrgRestructuring& r = event.org_restructured();
      auto it = orgs_.find(r.id());
      if (it == orgs_.end()) return absl::InternalError(absl::StrCat("unknown org ", r.id()));
      const Date on = DateOr(r.on(), Date(1900, 1, 1));
      if (r.change() == v1::RESTRUCTURE_CHANGE_TRANSFERRED) {
        it->second.transferred_on.push_back(on);
        if (!r.new_parent().empty()) {
          children_[it->second.parent].erase(r.id());
          children_[r.new_parent()].insert(r.id());
          it->second.parent = r.new_parent();
        }
      } else {
        it->second.split_or_merged_on.push_back(on);
      }
      break;
    }
    case v1::Event::kMemberEnrolled: {
      const v1::MemberSpec& m = event.member_enrolled();
      MemberInfo info;
      info.spec = m;
      info.admitted_on = DateOr(m.admitted_on(), Date(1900, 1, 1));
      info.memberships.push_back({m.org(), info.admitted_on, std::nullopt});
      members_[m.id()] = std::move(info);
      members_ever_[m.org()].insert(m.id());
      for (const std::string& org : m.committee_of()) committee_members_[org].insert(m.id());
      for (const std::string& org : m.heads()) heads_[org].insert(m.id());
      break;
    }
    case v1::Event::kMemberTransferred: {
      const v1::MemberTransfer& t = event.member_transferred();
      auto it = members_.find(t.member());
      if (it == members_.end()) return absl::InternalError(absl::StrCat("unknown member ", t.member()));
      const Date on = DateOr(t.on(), Date(1900, 1, 1));
      auto& spans = it->second.memberships;
      if (!spans.empty() && !spans.back().to.has_value()) spans.back().to = on;
      spans.push_back({t.to(), on, std::nullopt});
      it->second.spec.set_org(t.to());
      members_ever_[t.to()].insert(t.member());
      break;
    }
    case v1::Event::kMemberStatusChanged: {
      const v1::MemberStatusChange& s = event.member_status_changed();
      auto it = members_.find(s.member());
      if (it == members_.end()) return absl::InternalError(absl::StrCat("unknown member ", s.member()));
      auto& statuses = it->second.statuses;
      statuses.push_back({s.status(), DateOr(s.from(), Date(1900, 1, 1))});
      std::stable_sort(statuses.begin(), statuses.end(),
                       [](const rules::StatusSpan& a, const rules::StatusSpan& b) {
                         return a.from < b.from;
                       });
      break;
    }
    case v1::Event::kReviewCompleted: {
      const auto& r = event.review_completed();
      At(r.subject(), r.year()).review_completed = true;
      Touch(r.subject(), r.year(), pos);
      break;
    }
    case v1::Event::kCommentsReceived: {
      const auto& c = event.comments_received();
      At(c.subject(), c.year()).comment_sources.insert(c.source());
      Touch(c.subject(), c.year(), pos);
      break;
    }
    case v1::Event::kSelfAssessmentSubmitted: {
      const auto& a = event.self_assessment_submitted();
      const std::string subject = SubjectOf(rules::SubjectKind::kMember, a.member());
      At(subject, a.year()).self_assessment = a;
      TouchPerson(subject, a.year(), pos);
      break;
    }
    case v1::Event::kScorecardSubmitted: {
      const auto& s = event.scorecard_submitted();
      const PeriodInfo* period = FindPeriod(s.year());
      if (period == nullptr) return absl::InternalError(absl::StrCat("no period ", s.year()));
      auto facts = facts::ScorecardToFacts(s, period->policy);
      if (!facts.ok()) return absl::InternalError(std::string(facts.status().message()));
      const std::string subject = SubjectOf(rules::SubjectKind::kOrg, s.org());
      At(subject, s.year()).scorecard = *std::move(facts);
      Touch(subject, s.year(), pos);
      break;
    }
    case v1::Event::kCommitteeAssessed: {
      const auto& c = event.committee_assessed();
      const std::string subject = SubjectOf(rules::SubjectKind::kCommittee, c.org());
      At(subject, c.year()).committee_assessment = c;
      Touch(subject, c.year(), pos);
      break;
    }
    case v1::Event::kExternalRatingRecorded: {
      const auto& e = event.external_rating_recorded();
      const std::string subject = SubjectOf(rules::SubjectKind::kOrg, e.org());
      At(subject, e.year()).external[e.body()] = e.level();
      Touch(subject, e.year(), pos);
      break;
    }
    case v1::Event::kUnitIncidentRecorded: {
      const auto& u = event.unit_incident_recorded();
      const std::string subject = SubjectOf(rules::SubjectKind::kOrg, u.org());
      At(subject, u.year()).incidents.push_back(u);
      Touch(subject, u.year(), pos);
      break;
    }
    case v1::Event::kBallotsCounted: {
      const auto& b = event.ballots_counted();
      const PeriodInfo* period = FindPeriod(b.year());
      if (period == nullptr) return absl::InternalError(absl::StrCat("no period ", b.year()));
      rules::TallyInput input;
      input.subjects.assign(b.subjects().begin(), b.subjects().end());
      input.issued.assign(b.issued().begin(), b.issued().end());
      for (const v1::Ballot& ballot : b.ballots()) {
        rules::BallotInput in;
        in.serial = ballot.serial();
        in.extra_content = ballot.extra_content();
        for (const v1::BallotMark& mark : ballot.marks()) {
          std::vector<Level> levels;
          for (int level : mark.levels()) levels.push_back(static_cast<Level>(level));
          in.marks.emplace_back(mark.subject(), std::move(levels));
        }
        input.ballots.push_back(std::move(in));
      }
      auto tally = rules::CountBallots(input, period->policy);
      if (!tally.ok()) return absl::InternalError(std::string(tally.status().message()));
      SessionRecord record;
      record.session = b;
      record.tally = *std::move(tally);
      record.position = pos;
      sessions_[b.session()] = std::move(record);
      for (const std::string& subject : b.subjects()) Touch(subject, b.year(), pos);
      break;
    }
    case v1::Event::kRatingsDecided: {
      const auto& d = event.ratings_decided();
      for (const v1::SubjectLevel& r : d.decision().ratings()) {
        SubjectYear& sy = At(r.subject(), d.decision().year());
        decided_by_year_[d.decision().year()].insert(r.subject());
        sy.decided = r.level();
        sy.decided_position = pos;
        sy.override_reason = d.decision().override_reason();
        sy.flag.reset();
        Touch(r.subject(), d.decision().year(), pos);
        if (!d.decision().override_reason().empty()) {
          v1::OverrideRecord o;
          o.set_subject(r.subject());
          o.set_year(d.decision().year());
          o.set_level(r.level());
          o.set_reason(d.decision().override_reason());
          for (const auto& rule : d.overridden_rules()) o.add_overridden_rules(rule);
          o.set_position(pos);
          o.set_actor(envelope.actor());
          overrides_.push_back(std::move(o));
        }
      }
      break;
    }
    case v1::Event::kDisciplineRuled: {
      const auto& d = event.discipline_ruled();
      DisciplineRecord record;
      record.position = pos;
      record.ruling = d.ruling();
      record.attributed_org = d.attributed_org();
      record.years.assign(d.years().begin(), d.years().end());
      record.violation_key = absl::StrCat(d.ruling().subject(), "@", d.ruling().violation_from(),
                                          "..", d.ruling().violation_to());
      const size_t index = disciplines_.size();
      disciplines_.push_back(record);
      for (int year : record.years) {
        At(d.ruling().subject(), year).disciplines.push_back(index);
        TouchPerson(d.ruling().subject(), year, pos);
        if (!record.attributed_org.empty()) {
          Touch(SubjectOf(rules::SubjectKind::kOrg, record.attributed_org), year, pos);
        }
      }
      last_cause_position_ = pos;
      break;
    }
    case v1::Event::kConclusionRecorded: {
      const auto& c = event.conclusion_recorded();
      At(c.subject(), c.year()).conclusions.push_back(c.kind());
      TouchPerson(c.subject(), c.year(), pos);
      break;
    }
    case v1::Event::kConfidenceVoteRecorded: {
      const auto& v = event.confidence_vote_recorded();
      const std::string subject = SubjectOf(rules::SubjectKind::kMember, v.member());
      // A later vote for the same member and year supersedes the earlier one (both stay in
      // the log and the history).
      At(subject, v.year()).confidence_votes.assign(1, v);
      TouchPerson(subject, v.year(), pos);
      break;
    }
    case v1::Event::kRerated: {
      const auto& r = event.rerated();
      SubjectYear& sy = At(r.rerating().subject(), r.rerating().year());
      decided_by_year_[r.rerating().year()].insert(r.rerating().subject());
      sy.decided = r.rerating().level();
      sy.decided_position = pos;
      sy.override_reason = r.rerating().override_reason();
      sy.flag.reset();
      Touch(r.rerating().subject(), r.rerating().year(), pos);
      if (!r.rerating().override_reason().empty()) {
        v1::OverrideRecord o;
        o.set_subject(r.rerating().subject());
        o.set_year(r.rerating().year());
        o.set_level(r.rerating().level());
        o.set_reason(r.rerating().override_reason());
        for (const auto& rule : r.overridden_rules()) o.add_overridden_rules(rule);
        o.set_position(pos);
        o.set_actor(envelope.actor());
        overrides_.push_back(std::move(o));
      }
      last_cause_position_ = pos;
      break;
    }
    case v1::Event::kRewardGranted: {
      const auto& g = event.reward_granted();
      rewards_.push_back({g, pos, 0});
      Touch(g.subject(), g.year(), pos);
      break;
    }
    case v1::Event::kRewardAnnulled: {
      const auto& a = event.reward_annulled();
      for (RewardRecord& r : rewards_) {
        if (r.grant.subject() == a.subject() && r.grant.year() == a.year() &&
            r.grant.kind() == a.kind() && r.annulled_position == 0) {
          r.annulled_position = pos;
        }
      }
      Touch(a.subject(), a.year(), pos);
      v1::ImpactItem item;
      item.set_subject(a.subject());
      item.set_year(a.year());
      item.add_rules(a.rule());
      item.set_reason(absl::StrCat("khen thưởng bị hủy (", a.rule(), ")"));
      item.set_position(pos);
      impacts_[last_cause_position_].push_back(std::move(item));
      break;
    }
    case v1::Event::kDossierSubmitted: {
      const auto& d = event.dossier_submitted();
      dossiers_[{d.org(), d.year()}] = {d, pos};
      Touch(SubjectOf(rules::SubjectKind::kOrg, d.org()), d.year(), pos);
      break;
    }
    case v1::Event::kRatingFlagged: {
      const auto& f = event.rating_flagged();
      FlagRecord flag;
      flag.flag = f.flag();
      flag.proposed = f.proposed_level();
      flag.rules.assign(f.rules().begin(), f.rules().end());
      flag.reason = f.reason();
      flag.position = pos;
      At(f.subject(), f.year()).flag = flag;
      Touch(f.subject(), f.year(), pos);
      v1::ImpactItem item;
      item.set_subject(f.subject());
      item.set_year(f.year());
      item.set_flag(f.flag());
      item.set_proposed_level(f.proposed_level());
      *item.mutable_rules() = f.rules();
      item.set_reason(f.reason());
      item.set_position(pos);
      impacts_[last_cause_position_].push_back(std::move(item));
      break;
    }
    case v1::Event::kPrincipalCreated: {
      const auto& p = event.principal_created();
      principals_[p.principal().id()] = {p.principal(), p.token_sha256()};
      token_index_[p.token_sha256()] = p.principal().id();
      break;
    }
    case v1::Event::kPrincipalRevoked: {
      auto it = principals_.find(event.principal_revoked().principal_id());
      if (it != principals_.end()) it->second.principal.set_revoked(true);
      break;
    }
    case v1::Event::PAYLOAD_NOT_SET:
      return absl::DataLossError(absl::StrCat("event at position ", pos, " has no payload"));
  }
  return absl::OkStatus();
}

std::string RatingState::Dump() const {
  std::string out = absl::StrCat("position ", position_, "\n");
  for (const auto& [s, v] : stream_versions_) absl::StrAppend(&out, "stream ", s, " ", v, "\n");
  for (const auto& [y, p] : periods_) {
    absl::StrAppend(&out, "period ", y, " ref ", rules::FormatDate(p.reference_date), " policy ",
                    p.policy.version, " quota_base ", static_cast<int>(p.policy.quota_base), "\n");
  }
  for (const auto& [id, o] : orgs_) {
    absl::StrAppend(&out, "org ", o.spec.ShortDebugString(), " parent ", o.parent, " splits ",
                    o.split_or_merged_on.size(), " transfers ", o.transferred_on.size(), "\n");
  }
  for (const auto& [id, m] : members_) {
    absl::StrAppend(&out, "member ", m.spec.ShortDebugString());
    for (const auto& span : m.memberships) {
      absl::StrAppend(&out, " [", span.org, " ", rules::FormatDate(span.from), " ",
                      span.to ? rules::FormatDate(*span.to) : "-", "]");
    }
    for (const auto& st : m.statuses) {
      absl::StrAppend(&out, " {", static_cast<int>(st.status), " ", rules::FormatDate(st.from), "}");
    }
    out += "\n";
  }
  for (const auto& d : disciplines_) {
    absl::StrAppend(&out, "discipline ", d.position, " ", d.ruling.ShortDebugString(), " at ",
                    d.attributed_org, " years ", absl::StrJoin(d.years, ","), "\n");
  }
  for (const auto& [key, sy] : subject_years_) {
    absl::StrAppend(&out, "subject ", key.first, " ", key.second, " review ", sy.review_completed,
                    " comments ", absl::StrJoin(sy.comment_sources, ","));
    if (sy.self_assessment) absl::StrAppend(&out, " self {", sy.self_assessment->ShortDebugString(), "}");
    if (sy.scorecard) {
      absl::StrAppend(&out, " card {");
      for (const auto& l : sy.scorecard->lines) {
        absl::StrAppend(&out, l.id, ":", l.points, "/", l.max, ":", l.key, ":", l.grade, " ");
      }
      absl::StrAppend(&out, sy.scorecard->party_building_pct, " ", sy.scorecard->production_plan_met,
                      " ", sy.scorecard->force_majeure, " ", sy.scorecard->exemplary, "}");
    }
    if (sy.committee_assessment) {
      absl::StrAppend(&out, " committee {", sy.committee_assessment->ShortDebugString(), "}");
    }
    for (const auto& [body, level] : sy.external) absl::StrAppend(&out, " ext ", body, "=", level);
    for (const auto& i : sy.incidents) absl::StrAppend(&out, " incident {", i.ShortDebugString(), "}");
    for (auto c : sy.conclusions) absl::StrAppend(&out, " conclusion ", c);
    for (const auto& v : sy.confidence_votes) absl::StrAppend(&out, " vote {", v.ShortDebugString(), "}");
    absl::StrAppend(&out, " disciplines ", absl::StrJoin(sy.disciplines, ","));
    if (sy.decided) {
      absl::StrAppend(&out, " decided ", *sy.decided, "@", sy.decided_position, " override '",
                      sy.override_reason, "'");
    }
    if (sy.flag) {
      absl::StrAppend(&out, " flag ", sy.flag->flag, " ", sy.flag->proposed, " ",
                      absl::StrJoin(sy.flag->rules, ","), "@", sy.flag->position);
    }
    absl::StrAppend(&out, " history ", absl::StrJoin(sy.history, ","), "\n");
  }
  for (const auto& [id, s] : sessions_) {
    absl::StrAppend(&out, "session ", id, "@", s.position, " valid ", s.tally.valid, " invalid ",
                    s.tally.invalid, " quota ", s.tally.quota);
    for (const auto& st : s.tally.subjects) {
      absl::StrAppend(&out, " ", st.subject, ":", st.votes[4], "/", st.votes[3], "/", st.votes[2],
                      "/", st.votes[1], "->", st.level ? static_cast<int>(*st.level) : 0,
                      st.tie_at_quota ? "T" : "");
    }
    out += "\n";
  }
  for (const auto& r : rewards_) {
    absl::StrAppend(&out, "reward ", r.grant.ShortDebugString(), " ", r.granted_position, " ",
                    r.annulled_position, "\n");
  }
  for (const auto& o : overrides_) absl::StrAppend(&out, "override ", o.ShortDebugString(), "\n");
  for (const auto& [key, d] : dossiers_) {
    absl::StrAppend(&out, "dossier ", d.submission.ShortDebugString(), "@", d.position, "\n");
  }
  for (const auto& [id, p] : principals_) {
    absl::StrAppend(&out, "principal ", p.principal.ShortDebugString(), " ", p.token_sha256, "\n");
  }
  for (const auto& [pos, items] : impacts_) {
    for (const auto& i : items) absl::StrAppend(&out, "impact ", pos, " ", i.ShortDebugString(), "\n");
  }
  return out;
}

}  // namespace rating::projections
