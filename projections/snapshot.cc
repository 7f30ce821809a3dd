#include "projections/snapshot.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "projections/event_context.h"

namespace rating::projections {
namespace {

const Date kEpoch(1970, 1, 1);

int32_t DayOf(Date date) { return static_cast<int32_t>(date - kEpoch); }
Date DateOf(int32_t day) { return kEpoch + day; }

// Collects records into chunks of about `limit` bytes and hands each full chunk to the sink.
class ChunkWriter {
 public:
  ChunkWriter(size_t limit, const std::function<absl::Status(const v1::SnapshotChunk&)>& sink)
      : limit_(limit), sink_(sink) {}

  v1::SnapshotChunk& chunk() { return chunk_; }

  // Counts `bytes` more into the current chunk; flushes it when it is full.
  absl::Status Added(size_t bytes) {
    size_ += bytes;
    if (size_ < limit_) return absl::OkStatus();
    return Flush();
  }

  // Hands over the current chunk (always at least one, so an empty state has a chunk).
  absl::Status Flush() {
    if (size_ == 0 && flushed_) return absl::OkStatus();
    absl::Status status = sink_(chunk_);
    chunk_.Clear();
    size_ = 0;
    flushed_ = true;
    return status;
  }

 private:
  const size_t limit_;
  const std::function<absl::Status(const v1::SnapshotChunk&)>& sink_;
  v1::SnapshotChunk chunk_;
  size_t size_ = 0;
  bool flushed_ = false;
};

void DatedListTo(const std::vector<rules::Dated<std::vector<std::string>>>& history,
                 google::protobuf::RepeatedPtrField<v1::DatedList>* out) {
  for (const auto& entry : history) {
    v1::DatedList* list = out->Add();
    list->set_from(DayOf(entry.from));
    for (const std::string& value : entry.value) list->add_values(value);
  }
}

std::vector<rules::Dated<std::vector<std::string>>> DatedListFrom(
    const google::protobuf::RepeatedPtrField<v1::DatedList>& in) {
  std::vector<rules::Dated<std::vector<std::string>>> out;
  for (const v1::DatedList& list : in) {
    out.push_back({DateOf(list.from()), {list.values().begin(), list.values().end()}});
  }
  return out;
}

// The keys of a hash map in ascending order (so that snapshots are deterministic).
template <typename Map>
std::vector<uint64_t> SortedKeys(const Map& map) {
  std::vector<uint64_t> keys;
  keys.reserve(map.size());
  for (const auto& [key, value] : map) keys.push_back(key);
  std::sort(keys.begin(), keys.end());
  return keys;
}

}  // namespace

// The one place that sees the views' insides for writing and loading them.
class SnapshotCodec {
 public:
  static absl::Status Write(const RatingState& state, ChunkWriter& w);
  static absl::Status Load(const v1::SnapshotChunk& chunk, RatingState& state);
  static void SetPosition(RatingState& state, uint64_t position, int64_t recorded_at_micros) {
    state.position_ = position;
    state.recorded_at_micros_ = recorded_at_micros;
  }

 private:
  static v1::OrgSnapshot OrgTo(const OrgRecord& org);
  static v1::MemberSnapshot MemberTo(const MemberRecord& member);
  static v1::SubjectYearSnapshot SubjectYearTo(uint64_t key, const SubjectYear& sy);
  static void LoadOrg(const v1::OrgSnapshot& in, RegistryView& registry);
  static void LoadMember(const v1::MemberSnapshot& in, RegistryView& registry);
  static void LoadSubjectYear(const v1::SubjectYearSnapshot& in, SubjectYearView& view);
};

absl::Status SnapshotCodec::Write(const RatingState& state, ChunkWriter& w) {
  // The subject table first: every later id refers to it.
  for (const std::string& name : state.subjects_.names_) {
    w.chunk().add_subjects(name);
    RATING_RETURN_IF_ERROR(w.Added(name.size() + 2));
  }
  for (const auto& [stream, version] : state.stream_versions_) {
    v1::StreamVersion* s = w.chunk().add_stream_versions();
    s->set_stream(stream);
    s->set_version(version);
    RATING_RETURN_IF_ERROR(w.Added((*s).ByteSizeLong()));
  }
  for (const auto& [year, period] : state.periods_.periods()) {
    v1::PeriodSnapshot* p = w.chunk().add_periods();
    *p->mutable_spec() = period.spec;
    p->set_position(period.position);
    RATING_RETURN_IF_ERROR(w.Added((*p).ByteSizeLong()));
  }
  for (const auto& [id, org] : state.registry_.orgs_) {
    *w.chunk().add_orgs() = OrgTo(org);
    RATING_RETURN_IF_ERROR(w.Added((*w.chunk().orgs().rbegin()).ByteSizeLong()));
  }
  for (const auto& [id, member] : state.registry_.members_) {
    *w.chunk().add_members() = MemberTo(member);
    RATING_RETURN_IF_ERROR(w.Added((*w.chunk().members().rbegin()).ByteSizeLong()));
  }
  const auto& years = state.ratings_.subject_years_;
  for (uint64_t key : SortedKeys(years)) {
    *w.chunk().add_subject_years() = SubjectYearTo(key, years.at(key));
    RATING_RETURN_IF_ERROR(w.Added((*w.chunk().subject_years().rbegin()).ByteSizeLong()));
  }
  for (const DisciplineRecord& d : state.disciplines_.records()) {
    v1::DisciplineSnapshot* out = w.chunk().add_disciplines();
    out->set_position(d.position);
    *out->mutable_ruling() = d.ruling;
    out->set_attributed_org(d.attributed_org);
    for (int year : d.years) out->add_years(year);
    RATING_RETURN_IF_ERROR(w.Added((*out).ByteSizeLong()));
  }
  for (const auto& [id, s] : state.ballots_.sessions_) {
    v1::SessionSnapshot* out = w.chunk().add_sessions();
    out->set_id(s.id);
    out->set_org(s.org);
    out->set_year(s.year);
    for (uint32_t subject : s.subject_ids) out->add_subject_ids(subject);
    out->set_tally(s.tally_bytes);
    out->set_position(s.position);
    RATING_RETURN_IF_ERROR(w.Added((*out).ByteSizeLong()));
  }
  for (const RewardRecord& r : state.rewards_.rewards_) {
    v1::RewardSnapshot* out = w.chunk().add_rewards();
    *out->mutable_grant() = r.grant;
    out->set_granted_position(r.granted_position);
    out->set_annulled_position(r.annulled_position);
    RATING_RETURN_IF_ERROR(w.Added((*out).ByteSizeLong()));
  }
  for (const auto& [key, d] : state.dossiers_.dossiers()) {
    v1::DossierSnapshot* out = w.chunk().add_dossiers();
    *out->mutable_submission() = d.submission;
    out->set_position(d.position);
    RATING_RETURN_IF_ERROR(w.Added((*out).ByteSizeLong()));
  }
  const AuditView& audit = state.audit_;
  for (uint64_t key : SortedKeys(audit.history_)) {
    v1::HistorySnapshot* out = w.chunk().add_histories();
    out->set_subject_id(SubjectTable::IdOf(key));
    out->set_year(SubjectTable::YearOf(key));
    out->set_positions(audit.history_.at(key));
    RATING_RETURN_IF_ERROR(w.Added((*out).ByteSizeLong()));
  }
  for (const v1::OverrideRecord& o : audit.overrides_) {
    *w.chunk().add_overrides() = o;
    RATING_RETURN_IF_ERROR(w.Added((o).ByteSizeLong()));
  }
  for (const auto& [position, items] : audit.impacts_) {
    v1::ImpactSnapshot* out = w.chunk().add_impacts();
    out->set_position(position);
    for (const v1::ImpactItem& item : items) *out->add_items() = item;
    RATING_RETURN_IF_ERROR(w.Added((*out).ByteSizeLong()));
  }
  w.chunk().set_last_cause_position(audit.last_cause_position_);
  for (const auto& [id, p] : state.principals_.principals_) {
    v1::PrincipalSnapshot* out = w.chunk().add_principals();
    *out->mutable_principal() = p.principal;
    out->set_token_sha256(p.token_sha256);
    out->set_from_auth_config(p.from_auth_config);
    RATING_RETURN_IF_ERROR(w.Added((*out).ByteSizeLong()));
  }
  return w.Flush();
}

v1::OrgSnapshot SnapshotCodec::OrgTo(const OrgRecord& org) {
  v1::OrgSnapshot out;
  out.set_id(org.id);
  out.set_name(org.name);
  if (org.founded_on) out.set_founded_on(DayOf(*org.founded_on));
  for (const auto& p : org.parents) {
    v1::DatedString* parent = out.add_parents();
    parent->set_from(DayOf(p.from));
    parent->set_value(p.value);
  }
  for (const auto& k : org.kinds) {
    v1::DatedKind* kind = out.add_kinds();
    kind->set_from(DayOf(k.from));
    kind->set_kind(k.value);
  }
  for (Date d : org.split_or_merged_on) out.add_split_or_merged_on(DayOf(d));
  for (Date d : org.transferred_on) out.add_transferred_on(DayOf(d));
  return out;
}

v1::MemberSnapshot SnapshotCodec::MemberTo(const MemberRecord& member) {
  v1::MemberSnapshot out;
  out.set_id(member.id);
  out.set_name(member.name);
  out.set_admitted_on(DayOf(member.admitted_on));
  for (const rules::MembershipSpan& span : member.memberships) {
    v1::MembershipSnapshot* m = out.add_memberships();
    m->set_org(span.org);
    m->set_from(DayOf(span.from));
    if (span.to) m->set_to(DayOf(*span.to));
  }
  for (const rules::StatusSpan& status : member.statuses) {
    v1::StatusSnapshot* s = out.add_statuses();
    s->set_status(status.status);
    s->set_from(DayOf(status.from));
  }
  DatedListTo(member.committee_of, out.mutable_committee_of());
  DatedListTo(member.heads, out.mutable_heads());
  return out;
}

v1::SubjectYearSnapshot SnapshotCodec::SubjectYearTo(uint64_t key, const SubjectYear& sy) {
  v1::SubjectYearSnapshot out;
  out.set_subject_id(SubjectTable::IdOf(key));
  out.set_year(SubjectTable::YearOf(key));
  out.set_review_completed(sy.review_completed_);
  out.set_comment_sources(sy.comment_sources_);
  out.set_decided(static_cast<v1::Level>(sy.decided_));
  out.set_decided_position(sy.decided_position_);
  if (sy.assessment_) {
    const CompactAssessment& a = *sy.assessment_;
    out.set_has_assessment(true);
    out.set_grades(std::string(a.grades.begin(), a.grades.end()));
    out.set_assigned(a.assigned);
    out.set_completed(a.completed);
    out.set_on_time(a.on_time);
    out.set_exceeded(a.exceeded);
    out.set_not_ensured(a.not_ensured);
    out.set_exemplary(a.exemplary);
    out.set_self_level(static_cast<v1::Level>(a.self_level));
  }
  if (const OrgInputs* org = sy.org_.get()) {
    v1::OrgInputsSnapshot* o = out.mutable_org_inputs();
    if (org->scorecard) {
      o->set_has_scorecard(true);
      for (const rules::ScoreLine& line : org->scorecard->lines) {
        v1::ScoreLineSnapshot* l = o->add_lines();
        l->set_id(line.id);
        l->set_max(line.max);
        l->set_points(line.points);
        l->set_key(line.key);
        l->set_grade(line.grade);
        l->set_name_vi(line.name_vi);
      }
      if (org->scorecard->party_building_pct) {
        o->set_party_building_pct(*org->scorecard->party_building_pct);
      }
      if (org->scorecard->production_plan_met) {
        o->set_production_plan_met(*org->scorecard->production_plan_met);
      }
      o->set_scorecard_force_majeure(org->scorecard->force_majeure);
      o->set_scorecard_exemplary(org->scorecard->exemplary);
    }
    if (org->committee_assessment) {
      const rules::CommitteeAssessmentFacts& c = *org->committee_assessment;
      o->set_has_committee_assessment(true);
      for (const auto& [criterion, grade] : c.grades) {
        v1::CriterionGradeSnapshot* g = o->add_committee_grades();
        g->set_criterion(criterion);
        g->set_grade(grade);
      }
      if (c.unit_targets_pct) o->set_unit_targets_pct(*c.unit_targets_pct);
      o->set_committee_force_majeure(c.force_majeure);
      o->set_committee_exemplary(c.exemplary);
    }
    for (const auto& [body, level] : org->external) {
      v1::ExternalSnapshot* e = o->add_external();
      e->set_body(body);
      e->set_level(level);
    }
    for (const rules::IncidentFact& incident : org->incidents) {
      v1::IncidentSnapshot* i = o->add_incidents();
      i->set_disciplined(incident.disciplined);
      i->set_self_remedied(incident.self_remedied);
      i->set_org(incident.org);
    }
  }
  if (const RareFacts* rare = sy.rare_.get()) {
    for (v1::ConclusionKind kind : rare->conclusions) out.add_conclusions(kind);
    if (rare->vote) {
      out.set_has_vote(true);
      out.set_vote_low(rare->vote->low);
      out.set_vote_total(rare->vote->total);
    }
    out.set_override_reason(rare->override_reason);
    if (rare->flag) {
      v1::FlagSnapshot* f = out.mutable_flag();
      f->set_status(rare->flag->flag.status);
      f->set_proposed(rare->flag->flag.proposed);
      for (const std::string& rule : rare->flag->flag.rules) f->add_rules(rule);
      f->set_reason(rare->flag->reason);
      f->set_position(rare->flag->position);
    }
  }
  return out;
}

void SnapshotCodec::LoadOrg(const v1::OrgSnapshot& in, RegistryView& registry) {
  OrgRecord org;
  org.id = in.id();
  org.name = in.name();
  if (in.has_founded_on()) org.founded_on = DateOf(in.founded_on());
  for (const v1::DatedString& p : in.parents()) {
    org.parents.push_back({DateOf(p.from()), p.value()});
    registry.children_ever_[p.value()].insert(in.id());
  }
  for (const v1::DatedKind& k : in.kinds()) org.kinds.push_back({DateOf(k.from()), k.kind()});
  for (int32_t d : in.split_or_merged_on()) org.split_or_merged_on.push_back(DateOf(d));
  for (int32_t d : in.transferred_on()) org.transferred_on.push_back(DateOf(d));
  registry.orgs_[in.id()] = std::move(org);
}

void SnapshotCodec::LoadMember(const v1::MemberSnapshot& in, RegistryView& registry) {
  MemberRecord member;
  member.id = in.id();
  member.name = in.name();
  member.admitted_on = DateOf(in.admitted_on());
  for (const v1::MembershipSnapshot& m : in.memberships()) {
    std::optional<Date> to;
    if (m.has_to()) to = DateOf(m.to());
    member.memberships.push_back({m.org(), DateOf(m.from()), to});
    registry.members_ever_[m.org()].insert(in.id());
  }
  for (const v1::StatusSnapshot& s : in.statuses()) {
    member.statuses.push_back({s.status(), DateOf(s.from())});
  }
  member.committee_of = DatedListFrom(in.committee_of());
  member.heads = DatedListFrom(in.heads());
  for (const auto& entry : member.committee_of) {
    for (const std::string& org : entry.value) registry.seat_holders_ever_[org].insert(in.id());
  }
  for (const auto& entry : member.heads) {
    for (const std::string& org : entry.value) registry.heads_ever_[org].insert(in.id());
  }
  registry.members_[in.id()] = std::move(member);
}

void SnapshotCodec::LoadSubjectYear(const v1::SubjectYearSnapshot& in, SubjectYearView& view) {
  SubjectYear& sy = view.subject_years_[SubjectTable::Key(in.subject_id(), in.year())];
  sy.review_completed_ = in.review_completed();
  sy.comment_sources_ = static_cast<uint8_t>(in.comment_sources());
  sy.decided_ = static_cast<uint8_t>(in.decided());
  sy.decided_position_ = in.decided_position();
  if (in.has_assessment()) {
    CompactAssessment a;
    const std::string& grades = in.grades();
    for (size_t i = 0; i < a.grades.size() && i < grades.size(); ++i) {
      a.grades[i] = static_cast<uint8_t>(grades[i]);
    }
    a.assigned = in.assigned();
    a.completed = in.completed();
    a.on_time = in.on_time();
    a.exceeded = in.exceeded();
    a.not_ensured = in.not_ensured();
    a.exemplary = in.exemplary();
    a.self_level = static_cast<uint8_t>(in.self_level());
    sy.assessment_ = a;
  }
  if (in.has_org_inputs()) {
    const v1::OrgInputsSnapshot& o = in.org_inputs();
    OrgInputs& org = sy.MutableOrg();
    if (o.has_scorecard()) {
      rules::ScorecardFacts card;
      for (const v1::ScoreLineSnapshot& l : o.lines()) {
        card.lines.push_back({l.id(), l.max(), l.points(), l.key(), l.grade(), l.name_vi()});
      }
      if (o.has_party_building_pct()) card.party_building_pct = o.party_building_pct();
      if (o.has_production_plan_met()) card.production_plan_met = o.production_plan_met();
      card.force_majeure = o.scorecard_force_majeure();
      card.exemplary = o.scorecard_exemplary();
      org.scorecard = std::move(card);
    }
    if (o.has_committee_assessment()) {
      rules::CommitteeAssessmentFacts c;
      for (const v1::CriterionGradeSnapshot& g : o.committee_grades()) {
        c.grades[g.criterion()] = g.grade();
      }
      if (o.has_unit_targets_pct()) c.unit_targets_pct = o.unit_targets_pct();
      c.force_majeure = o.committee_force_majeure();
      c.exemplary = o.committee_exemplary();
      org.committee_assessment = std::move(c);
    }
    for (const v1::ExternalSnapshot& e : o.external()) org.external[e.body()] = e.level();
    for (const v1::IncidentSnapshot& i : o.incidents()) {
      org.incidents.push_back({i.disciplined(), i.self_remedied(), i.org()});
    }
  }
  if (!in.conclusions().empty()) {
    for (int kind : in.conclusions()) {
      sy.MutableRare().conclusions.push_back(static_cast<v1::ConclusionKind>(kind));
    }
  }
  if (in.has_vote()) sy.MutableRare().vote = rules::ConfidenceVoteFact{in.vote_low(), in.vote_total()};
  if (!in.override_reason().empty()) sy.MutableRare().override_reason = in.override_reason();
  if (in.has_flag()) {
    const v1::FlagSnapshot& f = in.flag();
    FlagRecord flag;
    flag.flag.status = f.status();
    flag.flag.proposed = f.proposed();
    flag.flag.rules.assign(f.rules().begin(), f.rules().end());
    flag.reason = f.reason();
    flag.position = f.position();
    sy.MutableRare().flag = std::move(flag);
  }
}

absl::Status SnapshotCodec::Load(const v1::SnapshotChunk& chunk, RatingState& state) {
  for (const std::string& name : chunk.subjects()) {
    const size_t before = state.subjects_.size();
    state.subjects_.Intern(name);
    if (state.subjects_.size() == before) {
      return absl::DataLossError(absl::StrCat("snapshot: subject '", name, "' listed twice"));
    }
  }
  const size_t subjects = state.subjects_.size();
  auto check_subject = [subjects](uint32_t id) {
    return id < subjects ? absl::OkStatus()
                         : absl::DataLossError(absl::StrCat("snapshot: subject id ", id,
                                                            " past the table (", subjects, ")"));
  };
  for (const v1::StreamVersion& s : chunk.stream_versions()) {
    state.stream_versions_[s.stream()] = s.version();
  }
  for (const v1::PeriodSnapshot& p : chunk.periods()) {
    RATING_RETURN_IF_ERROR(state.periods_.OnPeriodOpened(p.spec(), p.position()));
  }
  for (const v1::OrgSnapshot& org : chunk.orgs()) LoadOrg(org, state.registry_);
  for (const v1::MemberSnapshot& member : chunk.members()) LoadMember(member, state.registry_);
  for (const v1::SubjectYearSnapshot& sy : chunk.subject_years()) {
    RATING_RETURN_IF_ERROR(check_subject(sy.subject_id()));
    LoadSubjectYear(sy, state.ratings_);
  }
  for (const v1::DisciplineSnapshot& d : chunk.disciplines()) {
    v1::DisciplineRuled ruled;
    *ruled.mutable_ruling() = d.ruling();
    ruled.set_attributed_org(d.attributed_org());
    for (int year : d.years()) ruled.add_years(year);
    EventContext ctx;
    ctx.position = d.position();
    state.disciplines_.OnDisciplineRuled(ctx, ruled);
  }
  for (const v1::SessionSnapshot& s : chunk.sessions()) {
    SessionRecord& record = state.ballots_.sessions_[s.id()];
    record.id = s.id();
    record.org = s.org();
    record.year = s.year();
    for (uint32_t subject : s.subject_ids()) {
      RATING_RETURN_IF_ERROR(check_subject(subject));
      record.subject_ids.push_back(subject);
    }
    record.tally_bytes = s.tally();
    record.position = s.position();
    state.ballots_.by_org_year_[{s.org(), s.year()}].push_back(s.id());
  }
  for (const v1::RewardSnapshot& r : chunk.rewards()) {
    RewardView& rewards = state.rewards_;
    rewards.by_subject_[r.grant().subject()].push_back(rewards.rewards_.size());
    rewards.rewards_.push_back({r.grant(), r.granted_position(), r.annulled_position()});
  }
  for (const v1::DossierSnapshot& d : chunk.dossiers()) {
    EventContext ctx;
    ctx.position = d.position();
    state.dossiers_.OnDossierSubmitted(ctx, d.submission());
  }
  AuditView& audit = state.audit_;
  for (const v1::HistorySnapshot& h : chunk.histories()) {
    RATING_RETURN_IF_ERROR(check_subject(h.subject_id()));
    audit.history_[SubjectTable::Key(h.subject_id(), h.year())] = h.positions();
  }
  for (const v1::OverrideRecord& o : chunk.overrides()) audit.overrides_.push_back(o);
  for (const v1::ImpactSnapshot& i : chunk.impacts()) {
    audit.impacts_[i.position()].assign(i.items().begin(), i.items().end());
  }
  if (chunk.last_cause_position() != 0) audit.last_cause_position_ = chunk.last_cause_position();
  for (const v1::PrincipalSnapshot& p : chunk.principals()) {
    PrincipalRecord& record = state.principals_.principals_[p.principal().id()];
    record.principal = p.principal();
    record.token_sha256 = p.token_sha256();
    record.from_auth_config = p.from_auth_config();
    state.principals_.by_token_[p.token_sha256()] = p.principal().id();
  }
  return absl::OkStatus();
}

absl::Status WriteSnapshot(const RatingState& state, size_t chunk_bytes,
                           const std::function<absl::Status(const v1::SnapshotChunk&)>& sink) {
  ChunkWriter writer(std::max<size_t>(chunk_bytes, 1), sink);
  return SnapshotCodec::Write(state, writer);
}

SnapshotLoader::SnapshotLoader() : state_(std::make_unique<RatingState>()) {}
SnapshotLoader::~SnapshotLoader() = default;

absl::Status SnapshotLoader::Add(const v1::SnapshotChunk& chunk) {
  return SnapshotCodec::Load(chunk, *state_);
}

std::unique_ptr<RatingState> SnapshotLoader::Finish(uint64_t position,
                                                    int64_t recorded_at_micros) {
  SnapshotCodec::SetPosition(*state_, position, recorded_at_micros);
  return std::move(state_);
}

}  // namespace rating::projections
