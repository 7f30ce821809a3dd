#include "projections/rating_views.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace rating::projections {
namespace {

using rules::Subject;
using rules::SubjectKind;

constexpr char kBloc[] = "bloc";

bool IsCellKind(v1::OrgKind kind) {
  return kind == v1::ORG_KIND_GRASSROOTS_CELL || kind == v1::ORG_KIND_SUBORDINATE_CELL;
}
bool IsGrassroots(v1::OrgKind kind) {
  return kind == v1::ORG_KIND_GRASSROOTS_CELL || kind == v1::ORG_KIND_GRASSROOTS_COMMITTEE;
}

std::string Str(SubjectKind kind, const std::string& id) { return Subject{kind, id}.ToString(); }

void AddFinding(v1::RatingView& view, const rules::Finding& f) {
  v1::Finding* out = view.add_explanation();
  out->set_rule_id(f.rule_id);
  out->set_holds(f.holds);
  out->set_text_vi(f.text_vi);
  out->set_text_en(f.text_en);
}

}  // namespace

std::string ExplainVi(const rules::Ceiling& ceiling) {
  std::string out;
  for (const rules::Finding& f : ceiling.findings) {
    if (!out.empty()) out += "; ";
    absl::StrAppend(&out, f.rule_id, ": ", f.text_vi);
  }
  return out;
}

absl::StatusOr<Subject> RatingViews::ResolveSubject(const std::string& text) const {
  auto subject = rules::ParseSubject(text);
  if (!subject.ok()) return subject.status();
  switch (subject->kind) {
    case SubjectKind::kMember:
    case SubjectKind::kLeader:
      if (state_.FindMember(subject->id) == nullptr) {
        return absl::NotFoundError(absl::StrCat("subject ", text, ": no member ", subject->id));
      }
      break;
    case SubjectKind::kOrg:
    case SubjectKind::kCommittee: {
      const OrgInfo* org = state_.FindOrg(subject->id);
      if (org == nullptr) {
        return absl::NotFoundError(absl::StrCat("subject ", text, ": no org ", subject->id));
      }
      if (org->spec.kind() == v1::ORG_KIND_BLOC) {
        return absl::InvalidArgumentError(
            absl::StrCat("subject ", text, ": the bloc is not rated by this system"));
      }
      break;
    }
  }
  return subject;
}

absl::StatusOr<const PeriodInfo*> RatingViews::Period(int year) const {
  const PeriodInfo* period = state_.FindPeriod(year);
  if (period == nullptr) {
    return absl::NotFoundError(absl::StrCat("year ", year, ": no review period is open"));
  }
  return period;
}

std::vector<rules::DisciplineFact> RatingViews::DisciplinesOf(const std::string& subject,
                                                              int year,
                                                              const std::string& at_org) const {
  std::vector<rules::DisciplineFact> out;
  const SubjectYear* sy = state_.FindSubjectYear(subject, year);
  if (sy == nullptr) return out;
  for (size_t index : sy->disciplines) {
    const DisciplineRecord& d = state_.disciplines()[index];
    if (!at_org.empty() && d.attributed_org != at_org) continue;
    out.push_back({d.ruling.form(), d.ruling.self_remedied(), d.ruling.increases(),
                   d.violation_key});
  }
  return out;
}

std::string RatingViews::OrgOf(const Subject& subject, int year) const {
  if (subject.kind == SubjectKind::kOrg || subject.kind == SubjectKind::kCommittee) {
    return subject.id;
  }
  const MemberInfo* member = state_.FindMember(subject.id);
  if (member == nullptr) return "";
  const PeriodInfo* period = state_.FindPeriod(year);
  if (period != nullptr) {
    auto org = rules::OrgAt(member->memberships, period->reference_date);
    if (org) return *org;
  }
  return member->spec.org();
}

rules::Eligibility RatingViews::EligibilityOf(const Subject& subject, int year) const {
  const std::string key = subject.ToString();
  if (auto it = eligibility_cache_.find({key, year}); it != eligibility_cache_.end()) {
    return it->second;
  }
  rules::Eligibility result;
  const PeriodInfo* period = state_.FindPeriod(year);
  const SubjectYear* sy = state_.FindSubjectYear(key, year);
  if (period == nullptr) {
    result.status = v1::RATING_STATUS_PENDING;
    result.rule_id = "R-SUBJ-3";
    result.missing_inputs.push_back(absl::StrCat("period ", year));
  } else if (subject.kind == SubjectKind::kMember || subject.kind == SubjectKind::kLeader) {
    const MemberInfo* member = state_.FindMember(subject.id);
    rules::MemberEligibilityFacts facts;
    facts.year = year;
    facts.reference_date = period->reference_date;
    if (member != nullptr) {
      facts.admitted_on = member->admitted_on;
      facts.memberships = member->memberships;
      facts.statuses = member->statuses;
    }
    // The review and comments of a person are recorded on member/ID or leader/ID.
    for (SubjectKind kind : {SubjectKind::kMember, SubjectKind::kLeader}) {
      const SubjectYear* person = state_.FindSubjectYear(Str(kind, subject.id), year);
      if (person == nullptr) continue;
      if (kind == subject.kind) facts.review_completed = person->review_completed;
      facts.comments_temporary_cell |=
          person->comment_sources.count(v1::COMMENT_SOURCE_TEMPORARY_CELL) > 0;
      facts.comments_previous_org |=
          person->comment_sources.count(v1::COMMENT_SOURCE_PREVIOUS_ORG) > 0;
    }
    result = rules::MemberEligibility(facts, period->policy);
  } else {
    const OrgInfo* org = state_.FindOrg(subject.id);
    rules::OrgEligibilityFacts facts;
    facts.year = year;
    facts.reference_date = period->reference_date;
    if (org != nullptr) {
      facts.founded_on = org->founded_on;
      facts.split_or_merged_on = org->split_or_merged_on;
      facts.transferred_on = org->transferred_on;
    }
    facts.review_completed = sy != nullptr && sy->review_completed;
    const SubjectYear* org_sy = state_.FindSubjectYear(Str(SubjectKind::kOrg, subject.id), year);
    facts.comments_previous_superior =
        (sy != nullptr && sy->comment_sources.count(v1::COMMENT_SOURCE_PREVIOUS_SUPERIOR) > 0) ||
        (org_sy != nullptr &&
         org_sy->comment_sources.count(v1::COMMENT_SOURCE_PREVIOUS_SUPERIOR) > 0);
    result = rules::OrgEligibility(facts, period->policy);
  }
  eligibility_cache_[{key, year}] = result;
  return result;
}

rules::MemberFacts RatingViews::MemberFactsOf(const std::string& member, int year,
                                              bool leader) const {
  rules::MemberFacts facts;
  facts.leader = leader;
  const std::string member_subject = Str(SubjectKind::kMember, member);
  const std::string leader_subject = Str(SubjectKind::kLeader, member);
  const SubjectYear* sy = state_.FindSubjectYear(member_subject, year);
  if (sy != nullptr && sy->self_assessment) {
    const v1::SelfAssessment& a = *sy->self_assessment;
    rules::MemberAssessment assessment;
    for (const v1::CriterionGrade& g : a.grades()) assessment.grades[g.criterion()] = g.grade();
    assessment.targets_assigned = a.targets().assigned();
    assessment.targets_completed = a.targets().completed();
    assessment.targets_on_time = a.targets().on_time();
    assessment.targets_exceeded = a.targets().exceeded();
    assessment.not_ensured = a.not_ensured();
    assessment.exemplary = a.exemplary();
    facts.assessment = std::move(assessment);
  }
  for (const std::string& subject : {member_subject, leader_subject}) {
    const SubjectYear* person = state_.FindSubjectYear(subject, year);
    if (person == nullptr) continue;
    facts.conclusions.insert(facts.conclusions.end(), person->conclusions.begin(),
                             person->conclusions.end());
    for (const v1::ConfidenceVote& v : person->confidence_votes) {
      facts.confidence_votes.push_back({v.low(), v.total()});
    }
    auto disciplines = DisciplinesOf(subject, year);
    facts.disciplines.insert(facts.disciplines.end(), disciplines.begin(), disciplines.end());
  }
  return facts;
}

std::vector<rules::DisciplineFact> RatingViews::CommitteeMemberDisciplines(const std::string& org,
                                                                           int year) const {
  std::vector<rules::DisciplineFact> out;
  for (const std::string& member : state_.CommitteeMembers(org)) {
    for (SubjectKind kind : {SubjectKind::kMember, SubjectKind::kLeader}) {
      auto d = DisciplinesOf(Str(kind, member), year);
      out.insert(out.end(), d.begin(), d.end());
    }
  }
  return out;
}

rules::OrgFacts RatingViews::OrgFactsOf(const std::string& org_id, int year) const {
  rules::OrgFacts facts;
  const OrgInfo* org = state_.FindOrg(org_id);
  const PeriodInfo* period = state_.FindPeriod(year);
  if (org == nullptr || period == nullptr) return facts;
  facts.kind = org->spec.kind();
  const std::string subject = Str(SubjectKind::kOrg, org_id);
  const SubjectYear* sy = state_.FindSubjectYear(subject, year);
  if (sy != nullptr) {
    facts.scorecard = sy->scorecard;
    for (const auto& [body, level] : sy->external) {
      if (body == "management") {
        facts.management = level;
      } else if (absl::StartsWith(body, "mass_org:")) {
        facts.mass_orgs[body.substr(9)] = level;
      }
    }
    for (const v1::UnitIncident& i : sy->incidents) {
      facts.incidents.push_back({i.disciplined(), i.self_remedied()});
    }
  }
  facts.org_disciplines = DisciplinesOf(subject, year);
  facts.committee_disciplines = DisciplinesOf(Str(SubjectKind::kCommittee, org_id), year);
  facts.committee_member_disciplines = CommitteeMemberDisciplines(org_id, year);

  if (IsCellKind(facts.kind)) {
    for (const std::string& member : state_.MembersAt(org_id, period->reference_date)) {
      const Subject unit{SubjectKind::kMember, member};
      rules::UnitRating rating;
      rating.subject = unit.ToString();
      rating.not_subject = EligibilityOf(unit, year).status == v1::RATING_STATUS_NOT_SUBJECT;
      rating.level = EffectiveLevel(unit, year);
      // D3 counts members disciplined for violations that happened in this org (R-ATTR-1).
      for (SubjectKind kind : {SubjectKind::kMember, SubjectKind::kLeader}) {
        for (const auto& d : DisciplinesOf(Str(kind, member), year, org_id)) {
          rating.disciplined = true;
          if (!d.self_remedied) rating.disciplined_not_remedied = true;
        }
      }
      facts.units.push_back(std::move(rating));
    }
  } else {
    for (const std::string& child : state_.ChildOrgs(org_id)) {
      const Subject unit{SubjectKind::kOrg, child};
      rules::UnitRating rating;
      rating.subject = unit.ToString();
      rating.not_subject = EligibilityOf(unit, year).status == v1::RATING_STATUS_NOT_SUBJECT;
      rating.level = EffectiveLevel(unit, year);
      for (const auto& d : DisciplinesOf(rating.subject, year)) {
        rating.disciplined = true;
        if (!d.self_remedied) rating.disciplined_not_remedied = true;
      }
      facts.units.push_back(std::move(rating));
    }
  }
  return facts;
}

rules::CommitteeFacts RatingViews::CommitteeFactsOf(const std::string& org_id, int year) const {
  rules::CommitteeFacts facts;
  const std::string subject = Str(SubjectKind::kCommittee, org_id);
  const SubjectYear* sy = state_.FindSubjectYear(subject, year);
  if (sy != nullptr) {
    if (sy->committee_assessment) {
      const v1::CommitteeAssessment& a = *sy->committee_assessment;
      rules::CommitteeAssessmentFacts assessment;
      for (const v1::CriterionGrade& g : a.grades()) assessment.grades[g.criterion()] = g.grade();
      assessment.unit_targets_pct = a.unit_targets_pct();
      assessment.force_majeure = a.force_majeure();
      assessment.exemplary = a.exemplary();
      facts.assessment = std::move(assessment);
    }
    for (v1::ConclusionKind c : sy->conclusions) {
      if (c == v1::CONCLUSION_KIND_DISUNITY) facts.disunity_concluded = true;
      if (c == v1::CONCLUSION_KIND_DEGRADATION) facts.member_degradation_concluded = true;
    }
  }
  for (const std::string& member : state_.CommitteeMembers(org_id)) {
    for (SubjectKind kind : {SubjectKind::kMember, SubjectKind::kLeader}) {
      const SubjectYear* person = state_.FindSubjectYear(Str(kind, member), year);
      if (person == nullptr) continue;
      for (v1::ConclusionKind c : person->conclusions) {
        if (c == v1::CONCLUSION_KIND_DEGRADATION) facts.member_degradation_concluded = true;
      }
    }
  }
  facts.committee_disciplines = DisciplinesOf(subject, year);
  facts.committee_member_disciplines = CommitteeMemberDisciplines(org_id, year);
  return facts;
}

rules::Ceiling RatingViews::BaseCeiling(const Subject& subject, int year) const {
  const std::string key = subject.ToString();
  if (auto it = base_cache_.find({key, year}); it != base_cache_.end()) return it->second;
  rules::Ceiling ceiling;
  const PeriodInfo* period = state_.FindPeriod(year);
  if (period != nullptr) {
    switch (subject.kind) {
      case SubjectKind::kMember:
        ceiling = rules::MemberCeiling(MemberFactsOf(subject.id, year, false), period->policy);
        break;
      case SubjectKind::kLeader:
        ceiling = rules::MemberCeiling(MemberFactsOf(subject.id, year, true), period->policy);
        break;
      case SubjectKind::kOrg:
        ceiling = rules::OrgCeiling(OrgFactsOf(subject.id, year), period->policy);
        break;
      case SubjectKind::kCommittee:
        ceiling = rules::CommitteeCeiling(CommitteeFactsOf(subject.id, year), period->policy, {});
        break;
    }
  }
  base_cache_[{key, year}] = ceiling;
  return ceiling;
}

std::vector<rules::Cap> RatingViews::CapsOf(const Subject& subject, int year) const {
  std::vector<rules::Cap> caps;
  if (subject.kind == SubjectKind::kCommittee) {
    const Subject org{SubjectKind::kOrg, subject.id};
    caps.push_back({"R-COM-CAP", org.ToString(), CapLevel(org, year)});
  } else if (subject.kind == SubjectKind::kLeader) {
    const MemberInfo* member = state_.FindMember(subject.id);
    if (member != nullptr) {
      for (const std::string& org_id : member->spec.heads()) {
        if (state_.FindOrg(org_id) == nullptr) continue;
        const Subject org{SubjectKind::kOrg, org_id};
        const Subject committee{SubjectKind::kCommittee, org_id};
        caps.push_back({"R-LEAD-CAP", org.ToString(), CapLevel(org, year)});
        caps.push_back({"R-LEAD-CAP", committee.ToString(), CapLevel(committee, year)});
      }
    }
  }
  return caps;
}

rules::Ceiling RatingViews::CeilingOf(const Subject& subject, int year) const {
  return rules::ApplyCaps(BaseCeiling(subject, year), CapsOf(subject, year));
}

std::optional<rules::Level> RatingViews::EffectiveLevel(const Subject& subject, int year) const {
  const SubjectYear* sy = state_.FindSubjectYear(subject.ToString(), year);
  if (sy == nullptr || !sy->decided) return std::nullopt;
  if (!sy->flag) return *sy->decided;
  rules::Level recomputed = v1::LEVEL_UNSPECIFIED;
  if (sy->flag->flag == v1::RATING_STATUS_RERATING_REVIEW) {
    recomputed = CeilingOf(subject, year).level;
  }
  return rules::EffectiveLevel(sy->flag->flag, *sy->decided, recomputed);
}

std::optional<rules::Level> RatingViews::CapLevel(const Subject& subject, int year) const {
  if (auto level = EffectiveLevel(subject, year)) return level;
  if (EligibilityOf(subject, year).status == v1::RATING_STATUS_NOT_SUBJECT) return std::nullopt;
  rules::Level ceiling = CeilingOf(subject, year).level;
  if (ceiling == v1::LEVEL_UNSPECIFIED) return std::nullopt;
  return ceiling;
}

std::string RatingViews::AuthorityOf(const Subject& subject, int year) const {
  rules::AuthorityFacts facts;
  facts.kind = subject.kind;
  facts.org = OrgOf(subject, year);
  if (const OrgInfo* org = state_.FindOrg(facts.org)) {
    facts.org_kind = org->spec.kind();
    facts.org_parent = org->parent;
  }
  facts.grassroots_org = state_.GrassrootsOf(facts.org);
  return rules::CompetentAuthority(facts);
}

std::string RatingViews::RerateAuthorityOf(const Subject& subject, int year) const {
  // R-RETRO-2: for a member, the committee of the grassroots org the member belonged to at
  // year Y's reference date; otherwise the competent authority of R-DEC-1.
  if (subject.kind == SubjectKind::kMember) {
    const std::string grassroots = state_.GrassrootsOf(OrgOf(subject, year));
    if (!grassroots.empty()) return grassroots;
  }
  return AuthorityOf(subject, year);
}

std::string RatingViews::QuotaScopeOf(const Subject& subject, int year) const {
  const std::string org = OrgOf(subject, year);
  const std::string grassroots = state_.GrassrootsOf(org);
  const OrgInfo* info = state_.FindOrg(org);
  const bool grassroots_level = info != nullptr && IsGrassroots(info->spec.kind());
  switch (subject.kind) {
    case SubjectKind::kMember:  // C.II.2.1: within each TCCSĐ.
      return absl::StrCat("members:", grassroots);
    case SubjectKind::kLeader:  // R-LEAD-QUOTA: the leaders of one grassroots org.
      return absl::StrCat("leaders:", grassroots);
    case SubjectKind::kOrg:  // R-ORG-4: all grassroots orgs of the bloc; sub-orgs: their TCCSĐ.
      return grassroots_level ? std::string("orgs:bloc") : absl::StrCat("suborgs:", grassroots);
    case SubjectKind::kCommittee:  // R-COM-3: committees of all grassroots orgs of the bloc.
      return grassroots_level ? std::string("committees:bloc")
                              : absl::StrCat("subcommittees:", grassroots);
  }
  return "";
}

std::vector<std::string> RatingViews::UndecidedPrerequisites(const Subject& subject,
                                                             int year) const {
  std::vector<std::string> out;
  auto need = [&](const Subject& s) {
    if (EligibilityOf(s, year).status == v1::RATING_STATUS_NOT_SUBJECT) return;
    const SubjectYear* sy = state_.FindSubjectYear(s.ToString(), year);
    if (sy == nullptr || !sy->decided) out.push_back(s.ToString());
  };
  const PeriodInfo* period = state_.FindPeriod(year);
  if (period == nullptr) return out;
  if (subject.kind == SubjectKind::kOrg) {
    // C.I.3: an org after all its rated members and subordinate orgs.
    for (const std::string& m : state_.MembersAt(subject.id, period->reference_date)) {
      need({SubjectKind::kMember, m});
    }
    for (const std::string& child : state_.ChildOrgs(subject.id)) {
      need({SubjectKind::kOrg, child});
    }
  } else if (subject.kind == SubjectKind::kCommittee) {
    need({SubjectKind::kOrg, subject.id});  // C.III.3.1: a committee after its org.
  }
  return out;
}

rules::DecisionItem RatingViews::DecisionItemFor(const Subject& subject, int year,
                                                 rules::Level level) const {
  rules::DecisionItem item;
  item.subject = subject.ToString();
  item.level = level;
  item.eligibility = EligibilityOf(subject, year);
  const SubjectYear* sy = state_.FindSubjectYear(item.subject, year);
  item.already_decided = sy != nullptr && sy->decided.has_value();
  item.ceiling = BaseCeiling(subject, year);
  item.caps = CapsOf(subject, year);
  item.undecided_prerequisites = UndecidedPrerequisites(subject, year);
  if (subject.kind == SubjectKind::kMember) {
    const std::string org = OrgOf(subject, year);
    const OrgInfo* info = state_.FindOrg(org);
    if (info != nullptr && info->spec.kind() == v1::ORG_KIND_GRASSROOTS_CELL) {
      item.tally_required = true;  // R-BAL-5.
      if (const SessionRecord* s = state_.SessionCovering(item.subject, org, year)) {
        item.tally_found = true;
        for (const auto& st : s->tally.subjects) {
          if (st.subject == item.subject) item.tally_level = st.level;
        }
      }
    }
  }
  item.quota_scope = QuotaScopeOf(subject, year);
  switch (subject.kind) {
    case SubjectKind::kMember: item.quota_rule = "R-MEM-2"; break;
    case SubjectKind::kLeader: item.quota_rule = "R-LEAD-QUOTA"; break;
    case SubjectKind::kOrg: item.quota_rule = "R-ORG-4"; break;
    case SubjectKind::kCommittee: item.quota_rule = "R-COM-3"; break;
  }
  return item;
}

std::vector<Subject> RatingViews::DecidedSubjects(int year) const {
  std::vector<Subject> out;
  for (const std::string& key : state_.DecidedIn(year)) {
    auto subject = rules::ParseSubject(key);
    if (subject.ok()) out.push_back(*subject);
  }
  return out;
}

absl::StatusOr<v1::RatingView> RatingViews::View(const std::string& subject_text,
                                                 int year) const {
  auto subject = ResolveSubject(subject_text);
  if (!subject.ok()) return subject.status();
  auto period = Period(year);
  if (!period.ok()) return period.status();
  v1::RatingView view;
  view.set_subject(subject->ToString());
  view.set_year(year);
  view.set_as_of_position(state_.position());
  const rules::Eligibility eligibility = EligibilityOf(*subject, year);
  for (const std::string& note : eligibility.notes) view.add_notes(note);
  const SubjectYear* sy = state_.FindSubjectYear(view.subject(), year);
  const bool decided = sy != nullptr && sy->decided.has_value();
  if (eligibility.status == v1::RATING_STATUS_NOT_SUBJECT && !decided) {
    view.set_status(v1::RATING_STATUS_NOT_SUBJECT);
    view.set_status_name(std::string(rules::StatusNameVi(view.status())));
    for (const rules::Finding& f : eligibility.findings) AddFinding(view, f);
    return view;
  }
  const rules::Ceiling ceiling = CeilingOf(*subject, year);
  view.set_ceiling(ceiling.level);
  view.set_ceiling_name(std::string(rules::LevelNameVi(ceiling.level)));
  view.set_ceiling_rule(ceiling.rule_id);
  for (const rules::Finding& f : ceiling.findings) AddFinding(view, f);
  for (const rules::Finding& f : eligibility.findings) AddFinding(view, f);
  for (const std::string& m : eligibility.missing_inputs) view.add_missing_inputs(m);
  for (const std::string& m : ceiling.missing_inputs) view.add_missing_inputs(m);
  if (decided) {
    view.set_level(*sy->decided);
    view.set_level_name(std::string(rules::LevelNameVi(*sy->decided)));
    view.set_decided_at_position(sy->decided_position);
    view.set_override_reason(sy->override_reason);
    if (sy->flag) {
      view.set_status(sy->flag->flag);
      view.set_proposed_level(sy->flag->proposed);
      for (const std::string& rule : sy->flag->rules) {
        v1::Finding* f = view.add_explanation();
        f->set_rule_id(rule);
        f->set_holds(true);
        f->set_text_vi(sy->flag->reason);
        f->set_text_en(std::string(rules::RuleNameEn(rule)));
      }
    } else {
      view.set_status(v1::RATING_STATUS_DECIDED);
    }
  } else {
    view.set_status(v1::RATING_STATUS_PENDING);
  }
  view.set_status_name(std::string(rules::StatusNameVi(view.status())));
  return view;
}

absl::StatusOr<std::vector<v1::RatingView>> RatingViews::ListForOrg(const std::string& org_id,
                                                                    int year,
                                                                    rules::Level filter) const {
  const OrgInfo* org = state_.FindOrg(org_id);
  if (org == nullptr) return absl::NotFoundError(absl::StrCat("org ", org_id, ": not found"));
  auto period = Period(year);
  if (!period.ok()) return period.status();
  std::vector<std::string> subjects;
  if (org->spec.kind() != v1::ORG_KIND_BLOC) {
    subjects.push_back(Str(SubjectKind::kOrg, org_id));
    subjects.push_back(Str(SubjectKind::kCommittee, org_id));
  }
  for (const std::string& m : state_.MembersAt(org_id, (*period)->reference_date)) {
    subjects.push_back(Str(SubjectKind::kMember, m));
  }
  for (const std::string& h : state_.Heads(org_id)) subjects.push_back(Str(SubjectKind::kLeader, h));
  for (const std::string& child : state_.ChildOrgs(org_id)) {
    subjects.push_back(Str(SubjectKind::kOrg, child));
    subjects.push_back(Str(SubjectKind::kCommittee, child));
  }
  std::vector<v1::RatingView> out;
  for (const std::string& s : subjects) {
    auto view = View(s, year);
    if (!view.ok()) return view.status();
    if (filter != v1::LEVEL_UNSPECIFIED && view->level() != filter) continue;
    out.push_back(*std::move(view));
  }
  return out;
}

}  // namespace rating::projections
