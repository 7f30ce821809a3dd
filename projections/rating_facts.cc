#include "projections/rating_facts.h"

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
bool IsGrassrootsKind(v1::OrgKind kind) {
  return kind == v1::ORG_KIND_GRASSROOTS_CELL || kind == v1::ORG_KIND_GRASSROOTS_COMMITTEE;
}

std::string Str(SubjectKind kind, const std::string& id) { return Subject{kind, id}.ToString(); }

bool Touches(const DisciplineRecord& record, int year) {
  return std::find(record.years.begin(), record.years.end(), year) != record.years.end();
}

bool IsPersonRuling(const DisciplineRecord& record) {
  return absl::StartsWith(record.ruling.subject(), "member/") ||
         absl::StartsWith(record.ruling.subject(), "leader/");
}

}  // namespace

RatingFacts::RatingFacts(const RatingState& state, const PeriodInfo& period, const Overlay* overlay)
    : state_(state), period_(period), overlay_(overlay) {}

const SubjectYear* RatingFacts::Recorded(const std::string& subject) const {
  return state_.ratings().Find(subject, year());
}

const OrgInputs* RatingFacts::OrgInputsOf(const std::string& subject) const {
  const SubjectYear* sy = Recorded(subject);
  return sy == nullptr ? nullptr : sy->org_inputs();
}

// ------------------------------------------------------------------ rulings

std::vector<const DisciplineRecord*> RatingFacts::RulingsOn(const std::string& subject) const {
  std::vector<const DisciplineRecord*> out = state_.disciplines().OfSubject(subject, year());
  if (overlay_ != nullptr && overlay_->ruling && Touches(*overlay_->ruling, year()) &&
      RulingKey(overlay_->ruling->ruling.subject()) == RulingKey(subject)) {
    out.push_back(&*overlay_->ruling);
  }
  return out;
}

std::vector<const DisciplineRecord*> RatingFacts::RulingsAt(const std::string& org) const {
  std::vector<const DisciplineRecord*> out = state_.disciplines().AttributedTo(org, year());
  if (overlay_ != nullptr && overlay_->ruling && Touches(*overlay_->ruling, year()) &&
      overlay_->ruling->attributed_org == org) {
    out.push_back(&*overlay_->ruling);
  }
  return out;
}

std::vector<rules::DisciplineFact> RatingFacts::DisciplinesOf(const std::string& subject) const {
  std::vector<rules::DisciplineFact> out;
  for (const DisciplineRecord* d : RulingsOn(subject)) out.push_back(d->fact);
  return out;
}

std::vector<rules::DisciplineFact> RatingFacts::CommitteeMemberDisciplines(
    const std::string& org) const {
  std::vector<rules::DisciplineFact> out;
  for (const std::string& member : state_.registry().CommitteeMembersAt(org, reference_date())) {
    for (const rules::DisciplineFact& d : DisciplinesOf(Str(SubjectKind::kMember, member))) {
      out.push_back(d);
    }
  }
  return out;
}

std::vector<v1::ConclusionKind> RatingFacts::ConclusionsOf(const std::string& subject) const {
  const SubjectYear* sy = Recorded(subject);
  return sy == nullptr ? std::vector<v1::ConclusionKind>() : sy->conclusions();
}

// ------------------------------------------------------------------ placement, eligibility

rules::Placement RatingFacts::PlacementOf(const Subject& subject) const {
  const RegistryView& registry = state_.registry();
  rules::Placement p;
  p.kind = subject.kind;
  p.org = subject.IsPerson() ? registry.OrgOfMemberAt(subject.id, reference_date()) : subject.id;
  p.org_kind = registry.KindAt(p.org, reference_date());
  p.parent = registry.ParentAt(p.org, reference_date());
  p.grassroots = registry.GrassrootsAt(p.org, reference_date());
  return p;
}

const rules::Eligibility& RatingFacts::EligibilityOf(const Subject& subject) const {
  const std::string key = subject.ToString();
  if (auto it = eligibility_cache_.find(key); it != eligibility_cache_.end()) return it->second;
  rules::Eligibility result;
  const SubjectYear* own = Recorded(key);
  if (subject.IsPerson()) {
    rules::MemberEligibilityFacts facts;
    facts.year = year();
    facts.reference_date = reference_date();
    if (const MemberRecord* member = state_.registry().FindMember(subject.id)) {
      facts.admitted_on = member->admitted_on;
      facts.memberships = member->memberships;
      facts.statuses = member->statuses;
    }
    facts.review_completed = own != nullptr && own->review_completed();
    for (SubjectKind kind : {SubjectKind::kMember, SubjectKind::kLeader}) {
      const SubjectYear* person = Recorded(Str(kind, subject.id));
      if (person == nullptr) continue;
      if (kind == SubjectKind::kMember) facts.member_review_completed = person->review_completed();
      facts.comments_temporary_cell |= person->HasComments(v1::COMMENT_SOURCE_TEMPORARY_CELL);
      facts.comments_previous_org |= person->HasComments(v1::COMMENT_SOURCE_PREVIOUS_ORG);
    }
    result = rules::MemberEligibility(facts, policy());
  } else {
    rules::OrgEligibilityFacts facts;
    facts.year = year();
    facts.reference_date = reference_date();
    if (const OrgRecord* org = state_.registry().FindOrg(subject.id)) {
      facts.founded_on = org->founded_on;
      facts.split_or_merged_on = org->split_or_merged_on;
      facts.transferred_on = org->transferred_on;
    }
    facts.review_completed = own != nullptr && own->review_completed();
    for (SubjectKind kind : {SubjectKind::kOrg, SubjectKind::kCommittee}) {
      const SubjectYear* sy = Recorded(Str(kind, subject.id));
      facts.comments_previous_superior |=
          sy != nullptr && sy->HasComments(v1::COMMENT_SOURCE_PREVIOUS_SUPERIOR);
    }
    result = rules::OrgEligibility(facts, policy());
  }
  return eligibility_cache_.emplace(key, std::move(result)).first->second;
}

bool RatingFacts::NotSubject(const Subject& subject) const {
  return EligibilityOf(subject).status == v1::RATING_STATUS_NOT_SUBJECT;
}

// ------------------------------------------------------------------ facts of each kind

rules::MemberFacts RatingFacts::MemberFactsOf(const std::string& member, bool leader) const {
  rules::MemberFacts facts;
  facts.leader = leader;
  const std::string member_subject = Str(SubjectKind::kMember, member);
  if (const SubjectYear* sy = Recorded(member_subject)) {
    facts.assessment = sy->self_assessment();
    if (sy->confidence_vote()) facts.confidence_votes.push_back(*sy->confidence_vote());
  }
  for (SubjectKind kind : {SubjectKind::kMember, SubjectKind::kLeader}) {
    for (v1::ConclusionKind c : ConclusionsOf(Str(kind, member))) facts.conclusions.push_back(c);
  }
  facts.disciplines = DisciplinesOf(member_subject);
  return facts;
}

rules::OrgFacts RatingFacts::OrgFactsOf(const std::string& org) const {
  const RegistryView& registry = state_.registry();
  const rules::Date ref = reference_date();
  rules::OrgFacts facts;
  facts.kind = registry.KindAt(org, ref);
  const std::string subject = Str(SubjectKind::kOrg, org);
  if (const OrgInputs* org_inputs = OrgInputsOf(subject)) {
    facts.scorecard = org_inputs->scorecard;
    for (const auto& [body, level] : org_inputs->external) {
      if (body == "management") {
        facts.management = level;
      } else if (absl::StartsWith(body, "mass_org:")) {
        facts.mass_orgs[body.substr(9)] = level;
      }
    }
    facts.incidents = org_inputs->incidents;
  }
  facts.org_disciplines = DisciplinesOf(subject);
  facts.committee_disciplines = DisciplinesOf(Str(SubjectKind::kCommittee, org));
  facts.committee_member_disciplines = CommitteeMemberDisciplines(org);
  // D1: every org below O at the reference date: its disciplines and recorded incidents.
  for (const std::string& below : registry.DescendantsAt(org, ref)) {
    for (const rules::DisciplineFact& d : DisciplinesOf(Str(SubjectKind::kOrg, below))) {
      facts.suborg_disciplines.push_back({below, d});
    }
    if (const OrgInputs* below_inputs = OrgInputsOf(Str(SubjectKind::kOrg, below))) {
      facts.incidents.insert(facts.incidents.end(), below_inputs->incidents.begin(),
                             below_inputs->incidents.end());
    }
  }
  if (IsCellKind(facts.kind)) {
    for (const std::string& member : registry.MembersAt(org, ref)) {
      const Subject unit{SubjectKind::kMember, member};
      facts.units.push_back({unit.ToString(), NotSubject(unit), EffectiveLevel(unit)});
      facts.d3.whole.push_back(member);
    }
    // D3: the people with a discipline attributed to O and the year, those who left included.
    for (const DisciplineRecord* d : RulingsAt(org)) {
      if (IsPersonRuling(*d))
        facts.d3.disciplined.push_back(RulingKey(d->ruling.subject()).substr(7));
    }
  } else {
    for (const std::string& child : registry.ChildrenAt(org, ref)) {
      const Subject unit{SubjectKind::kOrg, child};
      facts.units.push_back({unit.ToString(), NotSubject(unit), EffectiveLevel(unit)});
      facts.d3.whole.push_back(child);
      if (!RulingsOn(unit.ToString()).empty()) facts.d3.disciplined.push_back(child);
    }
  }
  return facts;
}

rules::CommitteeFacts RatingFacts::CommitteeFactsOf(const std::string& org) const {
  rules::CommitteeFacts facts;
  const std::string subject = Str(SubjectKind::kCommittee, org);
  if (const OrgInputs* inputs = OrgInputsOf(subject)) {
    facts.assessment = inputs->committee_assessment;
  }
  facts.committee_conclusions = ConclusionsOf(subject);
  facts.org_conclusions = ConclusionsOf(Str(SubjectKind::kOrg, org));
  for (const std::string& member : state_.registry().CommitteeMembersAt(org, reference_date())) {
    for (SubjectKind kind : {SubjectKind::kMember, SubjectKind::kLeader}) {
      for (v1::ConclusionKind c : ConclusionsOf(Str(kind, member))) {
        facts.member_conclusions.push_back(c);
      }
    }
  }
  facts.committee_disciplines = DisciplinesOf(subject);
  facts.committee_member_disciplines = CommitteeMemberDisciplines(org);
  return facts;
}

// ------------------------------------------------------------------ ceilings and levels

const rules::Ceiling& RatingFacts::BaseCeiling(const Subject& subject) const {
  const std::string key = subject.ToString();
  if (auto it = base_cache_.find(key); it != base_cache_.end()) return it->second;
  rules::Ceiling ceiling;
  switch (subject.kind) {
    case SubjectKind::kMember:
      ceiling = rules::MemberCeiling(MemberFactsOf(subject.id, false), policy());
      break;
    case SubjectKind::kLeader:
      ceiling = rules::MemberCeiling(MemberFactsOf(subject.id, true), policy());
      break;
    case SubjectKind::kOrg:
      ceiling = rules::OrgCeiling(OrgFactsOf(subject.id), policy());
      break;
    case SubjectKind::kCommittee:
      ceiling = rules::CommitteeCeiling(CommitteeFactsOf(subject.id), policy(), {});
      break;
  }
  return base_cache_.emplace(key, std::move(ceiling)).first->second;
}

const rules::Ceiling& RatingFacts::CeilingOf(const Subject& subject) const {
  const std::string key = subject.ToString();
  if (auto it = ceiling_cache_.find(key); it != ceiling_cache_.end()) return it->second;
  std::vector<std::string> headed;
  if (subject.kind == SubjectKind::kLeader) headed = HeadedOrgs(subject.id);
  std::vector<rules::Cap> caps = rules::CapSourcesOf(subject, headed);
  for (rules::Cap& cap : caps) {
    auto source = rules::ParseSubject(cap.source);
    if (source.ok()) cap.level = CapLevel(*source);
  }
  rules::Ceiling ceiling = rules::ApplyCaps(BaseCeiling(subject), caps);
  return ceiling_cache_.emplace(key, std::move(ceiling)).first->second;
}

std::optional<rules::Level> RatingFacts::DecidedLevel(const Subject& subject) const {
  const std::string key = subject.ToString();
  if (overlay_ != nullptr) {
    if (auto it = overlay_->decided.find(key); it != overlay_->decided.end()) return it->second;
  }
  const SubjectYear* sy = Recorded(key);
  if (sy == nullptr) return std::nullopt;
  return sy->decided();
}

std::optional<rules::Flag> RatingFacts::FlagOf(const Subject& subject) const {
  const std::string key = subject.ToString();
  if (overlay_ != nullptr) {
    if (overlay_->decided.count(key) > 0) return std::nullopt;  // A new level clears the flag.
    if (auto it = overlay_->flags.find(key); it != overlay_->flags.end()) return it->second;
  }
  const SubjectYear* sy = Recorded(key);
  if (sy == nullptr || sy->flag() == nullptr) return std::nullopt;
  return sy->flag()->flag;
}

std::optional<rules::Level> RatingFacts::EffectiveLevel(const Subject& subject) const {
  const std::optional<rules::Level> decided = DecidedLevel(subject);
  if (!decided) return std::nullopt;
  const std::optional<rules::Flag> flag = FlagOf(subject);
  if (!flag) return decided;
  rules::Level recomputed = v1::LEVEL_UNSPECIFIED;
  if (flag->status == v1::RATING_STATUS_RERATING_REVIEW) recomputed = CeilingOf(subject).level;
  return rules::EffectiveLevel(flag->status, *decided, recomputed);
}

std::optional<rules::Level> RatingFacts::CapLevel(const Subject& subject) const {
  if (auto level = EffectiveLevel(subject)) return level;
  if (NotSubject(subject)) return std::nullopt;
  const rules::Level ceiling = CeilingOf(subject).level;
  if (ceiling == v1::LEVEL_UNSPECIFIED) return std::nullopt;
  return ceiling;
}

std::vector<std::string> RatingFacts::HeadedOrgs(const std::string& member) const {
  std::vector<std::string> out;
  for (const std::string& org : state_.registry().HeadshipsAt(member, reference_date())) {
    if (state_.registry().FindOrg(org) != nullptr) out.push_back(org);
  }
  return out;
}

// ------------------------------------------------------------------ decisions

rules::DecisionItem RatingFacts::DecisionItemFor(const Subject& subject, rules::Level level) const {
  const RegistryView& registry = state_.registry();
  rules::DecisionItem item;
  item.subject = subject.ToString();
  item.level = level;
  item.eligibility = EligibilityOf(subject);
  const SubjectYear* stored = Recorded(item.subject);
  item.already_decided = stored != nullptr && stored->decided().has_value();
  item.ceiling = CeilingOf(subject);

  rules::OrderFacts order;
  order.subject = subject;
  if (subject.kind == SubjectKind::kOrg) {
    order.members = registry.MembersAt(subject.id, reference_date());
    order.child_orgs = registry.ChildrenAt(subject.id, reference_date());
  }
  std::vector<rules::PrerequisiteState> needs;
  for (const std::string& need : rules::OrderNeeds(order)) {
    auto parsed = rules::ParseSubject(need);
    if (!parsed.ok()) continue;
    needs.push_back({need, NotSubject(*parsed), DecidedLevel(*parsed).has_value()});
  }
  item.undecided_prerequisites = rules::UndecidedPrerequisites(needs);

  const rules::Placement placement = PlacementOf(subject);
  if (rules::TallyRequired(placement)) {
    item.tally_required = true;  // R-BAL-5.
    if (const SessionRecord* s = state_.ballots().Covering(item.subject, placement.org, year())) {
      item.tally_found = true;
      const v1::Tally tally = s->tally();
      for (const v1::SubjectCount& count : tally.subjects()) {
        if (count.subject() == item.subject && !count.tie_at_quota()) {
          item.tally_level = count.level();
        }
      }
    }
  }
  const rules::QuotaScope scope = rules::QuotaScopeOf(placement);
  item.quota_scope = scope.id;
  item.quota_rule = scope.rule;
  return item;
}

std::vector<Subject> RatingFacts::ScopeSubjects(const rules::QuotaScope& scope) const {
  const RegistryView& registry = state_.registry();
  const rules::Date ref = reference_date();
  std::vector<Subject> out;
  switch (scope.kind) {
    case rules::ScopeKind::kMembers:
    case rules::ScopeKind::kLeaders: {
      const SubjectKind kind =
          scope.kind == rules::ScopeKind::kMembers ? SubjectKind::kMember : SubjectKind::kLeader;
      std::vector<std::string> orgs = registry.DescendantsAt(scope.root, ref);
      orgs.push_back(scope.root);
      for (const std::string& org : orgs) {
        for (const std::string& member : registry.MembersAt(org, ref)) {
          out.push_back({kind, member});
        }
      }
      break;
    }
    case rules::ScopeKind::kGrassrootsOrgs:
    case rules::ScopeKind::kGrassrootsCommittees: {
      const SubjectKind kind = scope.kind == rules::ScopeKind::kGrassrootsOrgs
                                   ? SubjectKind::kOrg
                                   : SubjectKind::kCommittee;
      for (const std::string& org : registry.ChildrenAt(kBloc, ref)) {
        if (IsGrassrootsKind(registry.KindAt(org, ref))) out.push_back({kind, org});
      }
      break;
    }
    case rules::ScopeKind::kSubOrgs:
    case rules::ScopeKind::kSubCommittees: {
      const SubjectKind kind =
          scope.kind == rules::ScopeKind::kSubOrgs ? SubjectKind::kOrg : SubjectKind::kCommittee;
      for (const std::string& org : registry.DescendantsAt(scope.root, ref)) {
        out.push_back({kind, org});
      }
      break;
    }
  }
  return out;
}

rules::QuotaScopeCounts RatingFacts::CountScope(const rules::QuotaScope& scope,
                                                const std::set<std::string>& exclude) const {
  rules::QuotaScopeCounts counts;
  for (const Subject& subject : ScopeSubjects(scope)) {
    if (exclude.count(subject.ToString()) > 0) continue;
    const std::optional<rules::Level> level = EffectiveLevel(subject);
    if (!level) continue;
    if (*level >= v1::LEVEL_HTTNV) ++counts.good_or_better;
    if (*level == v1::LEVEL_HTXSNV) ++counts.excellent;
  }
  return counts;
}

rules::RulingReachFacts RatingFacts::ReachFactsOf(const Subject& subject,
                                                  const std::string& attributed_org) const {
  const RegistryView& registry = state_.registry();
  const rules::Date ref = reference_date();
  rules::RulingReachFacts facts;
  facts.subject = subject;
  facts.attributed_org = attributed_org;
  if (subject.IsPerson()) {
    facts.member_org = registry.OrgOfMemberAt(subject.id, ref);
    facts.committee_seats = registry.SeatsAt(subject.id, ref);
  } else {
    facts.heads = registry.HeadsAt(subject.id, ref);
    for (const rules::OrgAtDate& org : registry.AncestryAt(subject.id, ref)) {
      if (org.id != subject.id && org.id != kBloc) facts.ancestors.push_back(org.id);
    }
  }
  return facts;
}

}  // namespace rating::projections
