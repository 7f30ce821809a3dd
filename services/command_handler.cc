#include "services/command_handler.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "projections/rating_views.h"

namespace rating::services {
namespace {

using projections::RatingState;
using projections::RatingViews;
using rules::Subject;
using rules::SubjectKind;

constexpr char kBloc[] = "bloc";

std::set<std::string> AsSet(const std::vector<std::string>& names) {
  return std::set<std::string>(names.begin(), names.end());
}

// A plan of one event: `fact` set into the Event's `field` case, on `stream`.
template <typename Fact>
PlannedEvents OneEvent(std::string stream, Fact* (v1::Event::*field)(), const Fact& fact) {
  PlannedEvents plan{std::move(stream), {}};
  *(plan.events.emplace_back().*field)() = fact;
  return plan;
}

absl::Status Invalid(absl::string_view field, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", reason));
}

absl::Status CheckId(absl::string_view field, const std::string& id) {
  if (!rules::IsValidId(id)) {
    return Invalid(field, absl::StrCat("'", id, "' is not a valid id (1..64 of A-Z a-z 0-9 . _ -)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<rules::Date> CheckDate(absl::string_view field, const std::string& text) {
  auto date = rules::ParseDate(text);
  if (!date.ok()) return Invalid(field, absl::StrCat("'", text, "' is not a date YYYY-MM-DD"));
  return *date;
}

absl::Status CheckLevel(absl::string_view field, v1::Level level) {
  if (level == v1::LEVEL_UNSPECIFIED || !v1::Level_IsValid(level)) {
    return Invalid(field, "a level HTXSNV, HTTNV, HTNV or KHTNV is required");
  }
  return absl::OkStatus();
}

absl::StatusOr<const projections::PeriodInfo*> CheckPeriod(const RatingState& state, int year) {
  if (year < 2000 || year > 2100) return Invalid("year", absl::StrCat(year, " is not in 2000..2100"));
  const projections::PeriodInfo* period = state.FindPeriod(year);
  if (period == nullptr) {
    return absl::NotFoundError(absl::StrCat("year ", year, ": no review period is open"));
  }
  return period;
}

absl::StatusOr<const projections::OrgInfo*> CheckOrg(const RatingState& state,
                                                     absl::string_view field,
                                                     const std::string& id, bool allow_bloc) {
  RATING_RETURN_IF_ERROR(CheckId(field, id));
  const projections::OrgInfo* org = state.FindOrg(id);
  if (org == nullptr) return absl::NotFoundError(absl::StrCat(field, ": no org ", id));
  if (!allow_bloc && org->spec.kind() == v1::ORG_KIND_BLOC) {
    return Invalid(field, "the bloc itself is not rated here");
  }
  return org;
}

absl::StatusOr<const projections::MemberInfo*> CheckMember(const RatingState& state,
                                                           absl::string_view field,
                                                           const std::string& id) {
  RATING_RETURN_IF_ERROR(CheckId(field, id));
  const projections::MemberInfo* member = state.FindMember(id);
  if (member == nullptr) return absl::NotFoundError(absl::StrCat(field, ": no member ", id));
  return member;
}

absl::StatusOr<Subject> CheckSubject(const RatingState& state, const std::string& text) {
  auto subject = RatingViews(state).ResolveSubject(text);
  if (!subject.ok() && subject.status().code() == absl::StatusCode::kInvalidArgument) {
    return Invalid("subject", subject.status().message());
  }
  return subject;
}

absl::Status CheckGrades(absl::string_view field,
                         const google::protobuf::RepeatedPtrField<v1::CriterionGrade>& grades,
                         const std::set<std::string>& known,
                         const std::set<std::string>& required) {
  std::set<std::string> seen;
  for (int i = 0; i < grades.size(); ++i) {
    const auto& g = grades[i];
    const std::string f = absl::StrCat(field, "[", i, "]");
    if (known.count(g.criterion()) == 0) {
      return Invalid(f, absl::StrCat("unknown criterion '", g.criterion(), "'"));
    }
    if (!seen.insert(g.criterion()).second) {
      return Invalid(f, absl::StrCat("criterion ", g.criterion(), " graded twice"));
    }
    if (g.grade() == v1::GRADE_UNSPECIFIED || !v1::Grade_IsValid(g.grade())) {
      return Invalid(f, absl::StrCat("criterion ", g.criterion(), ": grade XS, TOT, TB or KEM required"));
    }
  }
  for (const std::string& name : required) {
    if (seen.count(name) == 0) return Invalid(field, absl::StrCat("criterion ", name, " is missing"));
  }
  return absl::OkStatus();
}

// The RatingFlagged event setting `flag` on `subject`'s rating of `year`.
v1::Event FlagEvent(const std::string& subject, int year, const rules::Flag& flag,
                    std::string reason) {
  v1::Event event;
  v1::RatingFlagged* f = event.mutable_rating_flagged();
  f->set_subject(subject);
  f->set_year(year);
  f->set_flag(flag.status);
  f->set_proposed_level(flag.proposed);
  for (const std::string& rule : flag.rules) f->add_rules(rule);
  f->set_reason(std::move(reason));
  return event;
}

// Applies `event` to `state` as if it were stored right after the current head.
absl::Status ApplyTentative(RatingState& state, const v1::Event& event) {
  v1::Envelope envelope;
  envelope.set_position(state.position() + 1);
  envelope.set_stream("tentative");
  envelope.set_stream_version(state.position() + 1);
  envelope.set_recorded_at_micros(state.recorded_at_micros());
  return state.Apply(envelope, event);
}

// The rating subjects a ruling on `subject` reaches (R-RETRO-1: both of a member's ratings).
std::vector<Subject> RatingsOf(const Subject& subject) {
  if (subject.kind == SubjectKind::kMember || subject.kind == SubjectKind::kLeader) {
    return {{SubjectKind::kMember, subject.id}, {SubjectKind::kLeader, subject.id}};
  }
  return {subject};
}

// R-RETRO-3: after a ruling or an annulment, flags every other decided rating upwards from
// `org` whose recomputed ceiling fell below its decided level. Appends events to `out` and
// applies them to `state` as it goes.
absl::Status SuggestReviews(RatingState& state, const std::string& org, int year,
                            const std::set<std::string>& skip, absl::string_view cause,
                            std::vector<v1::Event>& out) {
  std::vector<Subject> candidates;
  for (const std::string& id : state.Ancestry(org)) {
    if (id == kBloc) break;
    candidates.push_back({SubjectKind::kOrg, id});
    candidates.push_back({SubjectKind::kCommittee, id});
    for (const std::string& head : state.Heads(id)) candidates.push_back({SubjectKind::kLeader, head});
  }
  for (const Subject& subject : candidates) {
    const std::string key = subject.ToString();
    if (skip.count(key) > 0) continue;
    const projections::SubjectYear* sy = state.FindSubjectYear(key, year);
    if (sy == nullptr || !sy->decided) continue;
    if (sy->flag && sy->flag->flag != v1::RATING_STATUS_REVIEW_SUGGESTED) continue;
    const rules::Ceiling ceiling = RatingViews(state).CeilingOf(subject, year);
    auto flag = rules::ReviewSuggestion(*sy->decided, ceiling);
    if (!flag) continue;
    if (sy->flag && sy->flag->proposed == flag->proposed) continue;  // Already suggested.
    if (!ceiling.rule_id.empty() &&
        std::find(flag->rules.begin(), flag->rules.end(), ceiling.rule_id) == flag->rules.end()) {
      flag->rules.push_back(ceiling.rule_id);
    }
    v1::Event event = FlagEvent(
        key, year, *flag,
        absl::StrCat("Đề nghị xem xét lại: ", cause, "; mức trần nay là ",
                     std::string(rules::LevelCode(ceiling.level)), " (", ceiling.rule_id, ")"));
    RATING_RETURN_IF_ERROR(ApplyTentative(state, event));
    out.push_back(std::move(event));
  }
  return absl::OkStatus();
}

// -------------------------------------------------------------------- handlers

absl::StatusOr<PlannedEvents> OpenPeriod(const RatingState& state, const v1::PeriodSpec& p) {
  if (p.year() < 2000 || p.year() > 2100) return Invalid("year", absl::StrCat(p.year(), " is not in 2000..2100"));
  if (state.FindPeriod(p.year()) != nullptr) {
    return absl::AlreadyExistsError(absl::StrCat("year ", p.year(), ": the period is already open"));
  }
  if (!p.reference_date().empty()) {
    RATING_ASSIGN_OR_RETURN(rules::Date ref, CheckDate("reference_date", p.reference_date()));
    if (ref.year() != p.year() && ref.year() != p.year() + 1) {
      return Invalid("reference_date", "must fall in the period's year or early the next");
    }
  }
  std::vector<std::pair<std::string, std::string>> overrides;
  for (const auto& o : p.policy_overrides()) overrides.emplace_back(o.key(), o.value());
  auto policy = rules::LoadPolicy(p.policy_version(), overrides);
  if (!policy.ok()) return Invalid("policy", policy.status().message());
  PlannedEvents plan{StreamForYear(p.year()), {}};
  v1::PeriodSpec stored = p;
  stored.set_policy_version(policy->version);  // Pin the version: replays load the same one.
  *plan.events.emplace_back().mutable_period_opened() = stored;
  return plan;
}

absl::StatusOr<PlannedEvents> RegisterOrg(const RatingState& state, const v1::OrgSpec& o) {
  RATING_RETURN_IF_ERROR(CheckId("id", o.id()));
  if (state.FindOrg(o.id()) != nullptr) {
    return absl::AlreadyExistsError(absl::StrCat("org ", o.id(), ": already registered"));
  }
  if (o.kind() == v1::ORG_KIND_UNSPECIFIED || o.kind() == v1::ORG_KIND_BLOC ||
      !v1::OrgKind_IsValid(o.kind())) {
    return Invalid("kind", "grassroots_committee, grassroots_cell, sub_committee or subordinate_cell");
  }
  RATING_ASSIGN_OR_RETURN(const projections::OrgInfo* parent, CheckOrg(state, "parent", o.parent(), true));
  const v1::OrgKind pk = parent->spec.kind();
  const bool grassroots =
      o.kind() == v1::ORG_KIND_GRASSROOTS_CELL || o.kind() == v1::ORG_KIND_GRASSROOTS_COMMITTEE;
  if (grassroots && pk != v1::ORG_KIND_BLOC) {
    return Invalid("parent", absl::StrCat("a grassroots org sits directly under the bloc, not under ", o.parent()));
  }
  if (!grassroots && pk != v1::ORG_KIND_GRASSROOTS_COMMITTEE && pk != v1::ORG_KIND_SUB_COMMITTEE) {
    return Invalid("parent", absl::StrCat("a subordinate org sits under a grassroots committee or a ",
                                          "sub-committee, not under ", o.parent()));
  }
  if (o.kind() == v1::ORG_KIND_SUB_COMMITTEE && pk != v1::ORG_KIND_GRASSROOTS_COMMITTEE) {
    return Invalid("parent", "a sub-committee sits under a grassroots committee");
  }
  if (!o.founded_on().empty()) RATING_RETURN_IF_ERROR(CheckDate("founded_on", o.founded_on()).status());
  if (o.name().size() > 512) return Invalid("name", "longer than 512 bytes");
  return OneEvent(kRegistryStream, &v1::Event::mutable_org_registered, o);
}

absl::StatusOr<PlannedEvents> RestructureOrg(const RatingState& state, const v1::OrgRestructuring& r) {
  RATING_RETURN_IF_ERROR(CheckOrg(state, "id", r.id(), false).status());
  RATING_RETURN_IF_ERROR(CheckDate("on", r.on()).status());
  if (r.change() == v1::RESTRUCTURE_CHANGE_UNSPECIFIED || !v1::RestructureChange_IsValid(r.change())) {
    return Invalid("change", "split, merged or transferred");
  }
  if (r.change() == v1::RESTRUCTURE_CHANGE_TRANSFERRED) {
    if (r.new_parent().empty()) return Invalid("new_parent", "a transfer needs the new superior");
    RATING_RETURN_IF_ERROR(CheckOrg(state, "new_parent", r.new_parent(), true).status());
    if (r.new_parent() == r.id()) return Invalid("new_parent", "an org cannot be its own superior");
    for (const std::string& a : state.Ancestry(r.new_parent())) {
      if (a == r.id()) return Invalid("new_parent", "would make a cycle");
    }
  } else if (!r.new_parent().empty()) {
    return Invalid("new_parent", "only a transfer names a new superior");
  }
  return OneEvent(kRegistryStream, &v1::Event::mutable_org_restructured, r);
}

absl::StatusOr<PlannedEvents> EnrollMember(const RatingState& state, const v1::MemberSpec& m) {
  RATING_RETURN_IF_ERROR(CheckId("id", m.id()));
  if (state.FindMember(m.id()) != nullptr) {
    return absl::AlreadyExistsError(absl::StrCat("member ", m.id(), ": already enrolled"));
  }
  RATING_RETURN_IF_ERROR(CheckOrg(state, "org", m.org(), false).status());
  RATING_RETURN_IF_ERROR(CheckDate("admitted_on", m.admitted_on()).status());
  for (int i = 0; i < m.committee_of_size(); ++i) {
    RATING_RETURN_IF_ERROR(CheckOrg(state, absl::StrCat("committee_of[", i, "]"), m.committee_of(i), false).status());
  }
  for (int i = 0; i < m.heads_size(); ++i) {
    RATING_RETURN_IF_ERROR(CheckOrg(state, absl::StrCat("heads[", i, "]"), m.heads(i), false).status());
  }
  if (m.name().size() > 512) return Invalid("name", "longer than 512 bytes");
  return OneEvent(kRegistryStream, &v1::Event::mutable_member_enrolled, m);
}

absl::StatusOr<PlannedEvents> TransferMember(const RatingState& state, const v1::MemberTransfer& t) {
  RATING_ASSIGN_OR_RETURN(const projections::MemberInfo* member, CheckMember(state, "member", t.member()));
  RATING_RETURN_IF_ERROR(CheckOrg(state, "to", t.to(), false).status());
  RATING_ASSIGN_OR_RETURN(rules::Date on, CheckDate("on", t.on()));
  if (!member->memberships.empty() && on < member->memberships.back().from) {
    return Invalid("on", "before the member's current membership began");
  }
  if (member->spec.org() == t.to()) return Invalid("to", absl::StrCat("member is already in ", t.to()));
  return OneEvent(kRegistryStream, &v1::Event::mutable_member_transferred, t);
}

absl::StatusOr<PlannedEvents> SetMemberStatus(const RatingState& state, const v1::MemberStatusChange& s) {
  RATING_RETURN_IF_ERROR(CheckMember(state, "member", s.member()).status());
  if (s.status() == v1::MEMBER_STATUS_UNSPECIFIED || !v1::MemberStatus_IsValid(s.status())) {
    return Invalid("status", "active, exempt, suspended, temporary_elsewhere, sick_leave or maternity");
  }
  RATING_RETURN_IF_ERROR(CheckDate("from", s.from()).status());
  return OneEvent(kRegistryStream, &v1::Event::mutable_member_status_changed, s);
}

template <typename Fact>
absl::StatusOr<PlannedEvents> SubjectFact(const RatingState& state, const Fact& fact,
                                          v1::Event event) {
  RATING_RETURN_IF_ERROR(CheckPeriod(state, fact.year()).status());
  RATING_RETURN_IF_ERROR(CheckSubject(state, fact.subject()).status());
  PlannedEvents plan{StreamForYear(fact.year()), {}};
  plan.events.push_back(std::move(event));
  return plan;
}

absl::StatusOr<PlannedEvents> SubmitSelfAssessment(const RatingState& state, const v1::SelfAssessment& a) {
  RATING_RETURN_IF_ERROR(CheckMember(state, "member", a.member()).status());
  RATING_RETURN_IF_ERROR(CheckPeriod(state, a.year()).status());
  RATING_RETURN_IF_ERROR(CheckGrades("grades", a.grades(), AsSet(rules::MemberCriteria(/*leader=*/true)),
                                     AsSet(rules::MemberCriteria(/*leader=*/false))));
  const v1::Targets& t = a.targets();
  if (t.assigned() < 0 || t.completed() < 0 || t.on_time() < 0 || t.exceeded() < 0) {
    return Invalid("targets", "counts cannot be negative");
  }
  if (t.completed() > t.assigned()) return Invalid("targets.completed", "more than assigned");
  if (t.on_time() > t.completed()) return Invalid("targets.on_time", "more than completed");
  if (t.exceeded() > t.completed()) return Invalid("targets.exceeded", "more than completed");
  if (a.not_ensured() < 0 || a.not_ensured() > a.grades_size()) {
    return Invalid("not_ensured", "must be 0..number of criteria graded");
  }
  RATING_RETURN_IF_ERROR(CheckLevel("level", a.level()));
  return OneEvent(StreamForYear(a.year()), &v1::Event::mutable_self_assessment_submitted, a);
}

absl::StatusOr<PlannedEvents> SubmitScorecard(const RatingState& state, const v1::Scorecard& s) {
  RATING_RETURN_IF_ERROR(CheckOrg(state, "org", s.org(), false).status());
  RATING_ASSIGN_OR_RETURN(const projections::PeriodInfo* period, CheckPeriod(state, s.year()));
  RATING_ASSIGN_OR_RETURN(rules::ScorecardFacts facts,
                          projections::facts::ScorecardToFacts(s, period->policy));
  if (!s.template_id().empty()) {
    const projections::OrgInfo* org = state.FindOrg(s.org());
    auto it = period->policy.scorecards.find(org->spec.kind());
    if (it == period->policy.scorecards.end() || it->second.id != s.template_id()) {
      return Invalid("template_id", absl::StrCat("template ", s.template_id(),
                                                 " is not the policy's card for this org kind"));
    }
    std::vector<rules::TemplateCriterion> lines;
    for (const rules::ScoreLine& line : facts.lines) {
      lines.push_back({line.id, "", line.max, line.key, false});
    }
    absl::Status matches = rules::CheckAgainstTemplate(it->second, lines);
    if (!matches.ok()) return Invalid("criteria", matches.message());
  }
  return OneEvent(StreamForYear(s.year()), &v1::Event::mutable_scorecard_submitted, s);
}

absl::StatusOr<PlannedEvents> SubmitCommitteeAssessment(const RatingState& state,
                                                        const v1::CommitteeAssessment& c) {
  RATING_RETURN_IF_ERROR(CheckOrg(state, "org", c.org(), false).status());
  RATING_RETURN_IF_ERROR(CheckPeriod(state, c.year()).status());
  RATING_RETURN_IF_ERROR(CheckGrades("grades", c.grades(), AsSet(rules::CommitteeCriteria()),
                                     AsSet(rules::CommitteeCriteria())));
  if (c.unit_targets_pct() < 0 || c.unit_targets_pct() > 100) {
    return Invalid("unit_targets_pct", "must be 0..100");
  }
  return OneEvent(StreamForYear(c.year()), &v1::Event::mutable_committee_assessed, c);
}

absl::StatusOr<PlannedEvents> RecordExternalRating(const RatingState& state, const v1::ExternalRating& e) {
  RATING_RETURN_IF_ERROR(CheckOrg(state, "org", e.org(), false).status());
  RATING_RETURN_IF_ERROR(CheckPeriod(state, e.year()).status());
  if (e.body() != "management" &&
      !(absl::StartsWith(e.body(), "mass_org:") && e.body().size() > 9 && e.body().size() <= 128)) {
    return Invalid("body", "'management' or 'mass_org:NAME'");
  }
  RATING_RETURN_IF_ERROR(CheckLevel("level", e.level()));
  return OneEvent(StreamForYear(e.year()), &v1::Event::mutable_external_rating_recorded, e);
}

absl::StatusOr<PlannedEvents> RecordUnitIncident(const RatingState& state, const v1::UnitIncident& u) {
  RATING_RETURN_IF_ERROR(CheckOrg(state, "org", u.org(), false).status());
  RATING_RETURN_IF_ERROR(CheckPeriod(state, u.year()).status());
  if (u.kind() == v1::INCIDENT_KIND_UNSPECIFIED || !v1::IncidentKind_IsValid(u.kind())) {
    return Invalid("kind", "corruption, waste, negativity or other");
  }
  return OneEvent(StreamForYear(u.year()), &v1::Event::mutable_unit_incident_recorded, u);
}

absl::StatusOr<PlannedEvents> RecordBallots(const RatingState& state, const v1::BallotSession& b) {
  RATING_RETURN_IF_ERROR(CheckId("session", b.session()));
  // A recount under the same session id supersedes the earlier count (both stay in the log);
  // the id cannot move to another org or year.
  if (const projections::SessionRecord* earlier = state.FindSession(b.session());
      earlier != nullptr &&
      (earlier->session.org() != b.org() || earlier->session.year() != b.year())) {
    return absl::AlreadyExistsError(absl::StrCat("ballot session ", b.session(),
                                                 ": already recorded for org ",
                                                 earlier->session.org(), ", year ",
                                                 earlier->session.year()));
  }
  RATING_RETURN_IF_ERROR(CheckOrg(state, "org", b.org(), false).status());
  RATING_ASSIGN_OR_RETURN(const projections::PeriodInfo* period, CheckPeriod(state, b.year()));
  if (b.subjects().empty()) return Invalid("subjects", "a session lists at least one subject");
  for (int i = 0; i < b.subjects_size(); ++i) {
    auto subject = CheckSubject(state, b.subjects(i));
    if (!subject.ok()) {
      return absl::Status(subject.status().code(),
                          absl::StrCat("subjects[", i, "]: ", subject.status().message()));
    }
  }
  for (int i = 0; i < b.issued_size(); ++i) {
    if (b.issued(i).empty() || b.issued(i).size() > 64) return Invalid(absl::StrCat("issued[", i, "]"), "1..64 characters");
  }
  for (int i = 0; i < b.ballots_size(); ++i) {
    for (int j = 0; j < b.ballots(i).marks_size(); ++j) {
      for (int level : b.ballots(i).marks(j).levels()) {
        if (level == v1::LEVEL_UNSPECIFIED || !v1::Level_IsValid(level)) {
          return Invalid(absl::StrCat("ballots[", i, "].marks[", j, "]"), "unknown level");
        }
      }
    }
  }
  rules::TallyInput input;
  input.subjects.assign(b.subjects().begin(), b.subjects().end());
  input.issued.assign(b.issued().begin(), b.issued().end());
  auto counted = rules::CountBallots(input, period->policy);
  if (!counted.ok()) return Invalid("ballots", counted.status().message());
  return OneEvent(StreamForYear(b.year()), &v1::Event::mutable_ballots_counted, b);
}

absl::StatusOr<std::vector<Subject>> CheckRatings(
    const RatingState& state, const google::protobuf::RepeatedPtrField<v1::SubjectLevel>& ratings) {
  if (ratings.empty()) return Invalid("ratings", "a decision rates at least one subject");
  std::vector<Subject> subjects;
  std::set<std::string> seen;
  for (int i = 0; i < ratings.size(); ++i) {
    const std::string field = absl::StrCat("ratings[", i, "]");
    auto subject = CheckSubject(state, ratings[i].subject());
    if (!subject.ok()) {
      return absl::Status(subject.status().code(), absl::StrCat(field, ": ", subject.status().message()));
    }
    if (!seen.insert(subject->ToString()).second) {
      return Invalid(field, absl::StrCat(ratings[i].subject(), " appears twice"));
    }
    RATING_RETURN_IF_ERROR(CheckLevel(absl::StrCat(field, ".level"), ratings[i].level()));
    subjects.push_back(*subject);
  }
  return subjects;
}

// Counts decided ratings per quota scope for `year`, leaving out `exclude`.
std::map<std::string, rules::QuotaScopeCounts> ScopeCounts(const RatingViews& views, int year,
                                                          const std::set<std::string>& exclude) {
  std::map<std::string, rules::QuotaScopeCounts> counts;
  for (const Subject& s : views.DecidedSubjects(year)) {
    if (exclude.count(s.ToString()) > 0) continue;
    auto level = views.EffectiveLevel(s, year);
    if (!level) continue;
    rules::QuotaScopeCounts& c = counts[views.QuotaScopeOf(s, year)];
    if (*level >= v1::LEVEL_HTTNV) ++c.good_or_better;
    if (*level == v1::LEVEL_HTXSNV) ++c.excellent;
  }
  return counts;
}

absl::StatusOr<PlannedEvents> DecideRatings(const RatingState& state, const v1::Decision& d) {
  RATING_ASSIGN_OR_RETURN(const projections::PeriodInfo* period, CheckPeriod(state, d.year()));
  RATING_ASSIGN_OR_RETURN(std::vector<Subject> subjects, CheckRatings(state, d.ratings()));
  if (d.override_reason().size() > 4096) return Invalid("override_reason", "longer than 4096 bytes");
  const RatingViews views(state);
  std::vector<rules::DecisionItem> items;
  std::set<std::string> batch;
  std::string authority;
  for (size_t i = 0; i < subjects.size(); ++i) {
    items.push_back(views.DecisionItemFor(subjects[i], d.year(), d.ratings(static_cast<int>(i)).level()));
    batch.insert(subjects[i].ToString());
    // R-DEC-1 is enforced on the caller (AuthorizeCommand); the event records the authority
    // when the whole document has one (an administrator may record several at once).
    const std::string a = views.AuthorityOf(subjects[i], d.year());
    authority = i == 0 ? a : (a == authority ? authority : "");
  }
  const rules::DecisionCheck check =
      rules::CheckDecision(items, ScopeCounts(views, d.year(), batch),
                           !d.override_reason().empty(), period->policy);
  if (!check.accepted) return absl::FailedPreconditionError(check.Summary());
  PlannedEvents plan{StreamForYear(d.year()), {}};
  v1::RatingsDecided* decided = plan.events.emplace_back().mutable_ratings_decided();
  *decided->mutable_decision() = d;
  decided->set_authority(authority);
  for (const std::string& rule : check.overridden_rules) decided->add_overridden_rules(rule);
  return plan;
}

absl::StatusOr<PlannedEvents> RuleDiscipline(const RatingState& state, const v1::DisciplineRuling& r) {
  RATING_ASSIGN_OR_RETURN(Subject subject, CheckSubject(state, r.subject()));
  if (r.form() == v1::DISCIPLINE_FORM_UNSPECIFIED || !v1::DisciplineForm_IsValid(r.form())) {
    return Invalid("form", "reprimand, warning, removal, expulsion or dissolution");
  }
  RATING_ASSIGN_OR_RETURN(rules::Date decided_on, CheckDate("decided_on", r.decided_on()));
  RATING_ASSIGN_OR_RETURN(rules::Date from, CheckDate("violation_from", r.violation_from()));
  rules::Date to = from;
  if (!r.violation_to().empty()) {
    RATING_ASSIGN_OR_RETURN(to, CheckDate("violation_to", r.violation_to()));
  }
  if (to < from) return Invalid("violation_to", "before violation_from");
  if (decided_on < from) return Invalid("decided_on", "before the violation began");
  // R-ATTR-1: against the org where the violation happened.
  std::string attributed = r.at_org();
  if (!attributed.empty()) {
    RATING_RETURN_IF_ERROR(CheckOrg(state, "at_org", attributed, false).status());
  } else if (subject.kind == SubjectKind::kMember || subject.kind == SubjectKind::kLeader) {
    const projections::MemberInfo* member = state.FindMember(subject.id);
    attributed = rules::OrgAt(member->memberships, from).value_or(member->spec.org());
  } else {
    attributed = subject.id;
  }
  const std::vector<int> years = rules::YearsTouched(from, to);

  PlannedEvents plan{kDisciplineStream, {}};
  v1::Event ruled_event;
  v1::DisciplineRuled* ruled = ruled_event.mutable_discipline_ruled();
  *ruled->mutable_ruling() = r;
  ruled->set_attributed_org(attributed);
  for (int y : years) ruled->add_years(y);

  RatingState tentative = state;
  RATING_RETURN_IF_ERROR(ApplyTentative(tentative, ruled_event));
  plan.events.push_back(std::move(ruled_event));

  for (int year : years) {
    if (tentative.FindPeriod(year) == nullptr) continue;
    std::set<std::string> reached;
    // R-RETRO-1: the subject's own decided ratings of that year.
    for (const Subject& rated : RatingsOf(subject)) {
      const std::string key = rated.ToString();
      reached.insert(key);
      const projections::SubjectYear* sy = tentative.FindSubjectYear(key, year);
      if (sy == nullptr || !sy->decided) continue;
      const rules::Ceiling ceiling = RatingViews(tentative).CeilingOf(rated, year);
      auto flag = rules::RulingFlag(*sy->decided, r.self_remedied(), ceiling.level);
      if (!flag) continue;
      v1::Event event = FlagEvent(
          key, year, *flag,
          absl::StrCat(r.increases() ? "Quyết định tăng nặng kỷ luật" : "Quyết định kỷ luật",
                       " ngày ", r.decided_on(), " cho vi phạm từ ", r.violation_from(),
                       ": phải xếp loại lại năm ", year, " (IV.9)"));
      RATING_RETURN_IF_ERROR(ApplyTentative(tentative, event));
      plan.events.push_back(std::move(event));
    }
    // R-RETRO-3: the org where it happened and everything that reads it, upwards.
    RATING_RETURN_IF_ERROR(SuggestReviews(
        tentative, attributed, year, reached,
        absl::StrCat("kỷ luật ", r.subject(), " ngày ", r.decided_on()), plan.events));
  }
  return plan;
}

absl::StatusOr<PlannedEvents> RecordConclusion(const RatingState& state, const v1::Conclusion& c) {
  if (c.kind() == v1::CONCLUSION_KIND_UNSPECIFIED || !v1::ConclusionKind_IsValid(c.kind())) {
    return Invalid("kind", "degradation, disunity, prohibited_act or exemplary_breach");
  }
  v1::Event event;
  *event.mutable_conclusion_recorded() = c;
  return SubjectFact(state, c, std::move(event));
}

absl::StatusOr<PlannedEvents> RecordConfidenceVote(const RatingState& state, const v1::ConfidenceVote& v) {
  RATING_RETURN_IF_ERROR(CheckMember(state, "member", v.member()).status());
  RATING_RETURN_IF_ERROR(CheckPeriod(state, v.year()).status());
  if (v.total() <= 0) return Invalid("total", "must be > 0");
  if (v.low() < 0 || v.low() > v.total()) return Invalid("low", "must be 0..total");
  return OneEvent(StreamForYear(v.year()), &v1::Event::mutable_confidence_vote_recorded, v);
}

absl::StatusOr<PlannedEvents> Rerate(const RatingState& state, const v1::Rerating& r) {
  RATING_ASSIGN_OR_RETURN(const projections::PeriodInfo* period, CheckPeriod(state, r.year()));
  RATING_ASSIGN_OR_RETURN(Subject subject, CheckSubject(state, r.subject()));
  RATING_RETURN_IF_ERROR(CheckLevel("level", r.level()));
  if (r.decision_no().empty() || r.decision_no().size() > 128) {
    return Invalid("decision_no", "the QĐ 01 decision number is required (1..128 bytes)");
  }
  const RatingViews views(state);
  const std::string key = subject.ToString();
  const projections::SubjectYear* sy = state.FindSubjectYear(key, r.year());
  if (sy == nullptr || !sy->decided) {
    return absl::FailedPreconditionError(absl::StrCat(
        "R-RETRO-2: ", key, " has no decided rating for ", r.year(), " to annul"));
  }
  rules::DecisionItem item = views.DecisionItemFor(subject, r.year(), r.level());
  item.already_decided = false;      // A re-rating replaces the decided rating (R-DEC-3).
  item.tally_required = false;       // The superior re-rates, not the cell's ballot.
  item.undecided_prerequisites.clear();
  item.eligibility = rules::Eligibility{};  // It was rated; eligibility was settled then.
  const rules::DecisionCheck check = rules::CheckDecision(
      {item}, ScopeCounts(views, r.year(), {key}), !r.override_reason().empty(), period->policy);
  if (!check.accepted) return absl::FailedPreconditionError(check.Summary());

  PlannedEvents plan{StreamForYear(r.year()), {}};
  v1::Event rerated_event;
  v1::Rerated* rerated = rerated_event.mutable_rerated();
  *rerated->mutable_rerating() = r;
  rerated->set_previous_level(*sy->decided);
  rerated->set_authority(views.RerateAuthorityOf(subject, r.year()));
  for (const std::string& rule : check.overridden_rules) rerated->add_overridden_rules(rule);
  RatingState tentative = state;
  RATING_RETURN_IF_ERROR(ApplyTentative(tentative, rerated_event));
  plan.events.push_back(std::move(rerated_event));
  // R-REW-1: rewards resting on the annulled rating fall unless it stays HTXSNV.
  for (const projections::RewardRecord& reward : state.rewards()) {
    if (reward.annulled_position != 0 || reward.grant.subject() != key) continue;
    if (!rules::RewardFalls(reward.grant.kind(), reward.grant.year(), r.year(), r.level())) continue;
    v1::Event event;
    v1::RewardAnnulled* a = event.mutable_reward_annulled();
    a->set_subject(key);
    a->set_year(reward.grant.year());
    a->set_kind(reward.grant.kind());
    a->set_rule("R-REW-1");
    a->set_cause_year(r.year());
    RATING_RETURN_IF_ERROR(ApplyTentative(tentative, event));
    plan.events.push_back(std::move(event));
  }
  // R-RETRO-3: an annulment can lower what reads this rating.
  RATING_RETURN_IF_ERROR(SuggestReviews(tentative, views.OrgOf(subject, r.year()), r.year(), {key},
                                        absl::StrCat("hủy kết quả xếp loại của ", key, " theo ",
                                                     r.decision_no()),
                                        plan.events));
  return plan;
}

absl::StatusOr<PlannedEvents> GrantReward(const RatingState& state, const v1::RewardGrant& g) {
  RATING_RETURN_IF_ERROR(CheckPeriod(state, g.year()).status());
  RATING_ASSIGN_OR_RETURN(Subject subject, CheckSubject(state, g.subject()));
  if (g.kind() == v1::REWARD_KIND_UNSPECIFIED || !v1::RewardKind_IsValid(g.kind())) {
    return Invalid("kind", "yearly or five_years");
  }
  for (const projections::RewardRecord& r : state.rewards()) {
    if (r.annulled_position == 0 && r.grant.subject() == subject.ToString() &&
        r.grant.year() == g.year() && r.grant.kind() == g.kind()) {
      return absl::AlreadyExistsError(absl::StrCat("reward for ", g.subject(), " in ", g.year(),
                                                   ": already granted"));
    }
  }
  const RatingViews views(state);
  std::map<int, rules::Level> levels;
  for (const auto& [key, sy] : state.subject_years()) {
    if (key.first != subject.ToString()) continue;
    if (auto level = views.EffectiveLevel(subject, key.second)) levels[key.second] = *level;
  }
  RATING_RETURN_IF_ERROR(rules::CheckReward(g.kind(), g.year(), levels));
  PlannedEvents plan{StreamForYear(g.year()), {}};
  v1::RewardGrant stored = g;
  stored.set_subject(subject.ToString());
  *plan.events.emplace_back().mutable_reward_granted() = stored;
  return plan;
}

absl::StatusOr<PlannedEvents> SubmitDossier(const RatingState& state, const v1::DossierSubmission& d) {
  RATING_RETURN_IF_ERROR(CheckOrg(state, "org", d.org(), false).status());
  RATING_RETURN_IF_ERROR(CheckPeriod(state, d.year()).status());
  RATING_RETURN_IF_ERROR(CheckDate("on", d.on()).status());
  return OneEvent(StreamForYear(d.year()), &v1::Event::mutable_dossier_submitted, d);
}

}  // namespace

std::string StreamForYear(int year) { return absl::StrCat("year-", year); }

absl::StatusOr<PlannedEvents> PlanCommand(const RatingState& state, const v1::Command& command) {
  switch (command.command_case()) {
    case v1::Command::kOpenPeriod: return OpenPeriod(state, command.open_period());
    case v1::Command::kRegisterOrg: return RegisterOrg(state, command.register_org());
    case v1::Command::kRestructureOrg: return RestructureOrg(state, command.restructure_org());
    case v1::Command::kEnrollMember: return EnrollMember(state, command.enroll_member());
    case v1::Command::kTransferMember: return TransferMember(state, command.transfer_member());
    case v1::Command::kSetMemberStatus: return SetMemberStatus(state, command.set_member_status());
    case v1::Command::kRecordReviewCompleted: {
      v1::Event event;
      *event.mutable_review_completed() = command.record_review_completed();
      return SubjectFact(state, command.record_review_completed(), std::move(event));
    }
    case v1::Command::kRecordComments: {
      const auto& c = command.record_comments();
      if (c.source() == v1::COMMENT_SOURCE_UNSPECIFIED || !v1::CommentSource_IsValid(c.source())) {
        return Invalid("source", "previous_superior, temporary_cell, previous_org or residence");
      }
      v1::Event event;
      *event.mutable_comments_received() = c;
      return SubjectFact(state, c, std::move(event));
    }
    case v1::Command::kSubmitSelfAssessment:
      return SubmitSelfAssessment(state, command.submit_self_assessment());
    case v1::Command::kSubmitScorecard: return SubmitScorecard(state, command.submit_scorecard());
    case v1::Command::kSubmitCommitteeAssessment:
      return SubmitCommitteeAssessment(state, command.submit_committee_assessment());
    case v1::Command::kRecordExternalRating:
      return RecordExternalRating(state, command.record_external_rating());
    case v1::Command::kRecordUnitIncident:
      return RecordUnitIncident(state, command.record_unit_incident());
    case v1::Command::kRecordBallots: return RecordBallots(state, command.record_ballots());
    case v1::Command::kDecideRatings: return DecideRatings(state, command.decide_ratings());
    case v1::Command::kRuleDiscipline: return RuleDiscipline(state, command.rule_discipline());
    case v1::Command::kRecordConclusion: return RecordConclusion(state, command.record_conclusion());
    case v1::Command::kRecordConfidenceVote:
      return RecordConfidenceVote(state, command.record_confidence_vote());
    case v1::Command::kRerate: return Rerate(state, command.rerate());
    case v1::Command::kGrantReward: return GrantReward(state, command.grant_reward());
    case v1::Command::kSubmitDossier: return SubmitDossier(state, command.submit_dossier());
    case v1::Command::COMMAND_NOT_SET: break;
  }
  return Invalid("command", "empty command");
}

}  // namespace rating::services
