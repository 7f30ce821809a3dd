#include "projections/subject_year_view.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "rules/criteria.h"

namespace rating::projections {
namespace {

const std::vector<rules::CriterionInfo>& MemberCriteria() {
  static const auto* const criteria =
      new std::vector<rules::CriterionInfo>(rules::MemberCriteriaInfo(/*leader=*/true));
  return *criteria;
}

// The slot of a member criterion in CompactAssessment::grades, or -1.
int CriterionSlot(const std::string& criterion) {
  const auto& criteria = MemberCriteria();
  for (size_t i = 0; i < criteria.size(); ++i) {
    if (criteria[i].id == criterion) return static_cast<int>(i);
  }
  return -1;
}

const std::string& EmptyString() {
  static const auto* const empty = new std::string();
  return *empty;
}

}  // namespace

std::optional<rules::MemberAssessment> SubjectYear::self_assessment() const {
  if (!assessment_) return std::nullopt;
  const CompactAssessment& a = *assessment_;
  rules::MemberAssessment out;
  const auto& criteria = MemberCriteria();
  for (size_t i = 0; i < criteria.size(); ++i) {
    if (a.grades[i] != 0) out.grades[std::string(criteria[i].id)] = static_cast<rules::Grade>(a.grades[i]);
  }
  out.targets_assigned = a.assigned;
  out.targets_completed = a.completed;
  out.targets_on_time = a.on_time;
  out.targets_exceeded = a.exceeded;
  out.not_ensured = a.not_ensured;
  out.exemplary = a.exemplary;
  return out;
}

const FlagRecord* SubjectYear::flag() const {
  return rare_ != nullptr && rare_->flag ? &*rare_->flag : nullptr;
}

const std::optional<rules::ConfidenceVoteFact>& SubjectYear::confidence_vote() const {
  static const auto* const none = new std::optional<rules::ConfidenceVoteFact>();
  return rare_ != nullptr ? rare_->vote : *none;
}

const std::string& SubjectYear::override_reason() const {
  return rare_ != nullptr ? rare_->override_reason : EmptyString();
}

const std::vector<v1::ConclusionKind>& SubjectYear::conclusions() const {
  static const auto* const none = new std::vector<v1::ConclusionKind>();
  return rare_ != nullptr ? rare_->conclusions : *none;
}

SubjectYear::SubjectYear(const SubjectYear& other) { *this = other; }

SubjectYear& SubjectYear::operator=(const SubjectYear& other) {
  if (this == &other) return *this;
  review_completed_ = other.review_completed_;
  comment_sources_ = other.comment_sources_;
  decided_ = other.decided_;
  decided_position_ = other.decided_position_;
  assessment_ = other.assessment_;
  org_ = other.org_ ? std::make_unique<OrgInputs>(*other.org_) : nullptr;
  rare_ = other.rare_ ? std::make_unique<RareFacts>(*other.rare_) : nullptr;
  return *this;
}

OrgInputs& SubjectYear::MutableOrg() {
  if (org_ == nullptr) org_ = std::make_unique<OrgInputs>();
  return *org_;
}

RareFacts& SubjectYear::MutableRare() {
  if (rare_ == nullptr) rare_ = std::make_unique<RareFacts>();
  return *rare_;
}

const SubjectYear* SubjectYearView::Find(const std::string& subject, int year) const {
  const std::optional<uint32_t> id = subjects_->Find(subject);
  if (!id) return nullptr;
  auto it = subject_years_.find(SubjectTable::Key(*id, year));
  return it == subject_years_.end() ? nullptr : &it->second;
}

SubjectYear& SubjectYearView::At(const std::string& subject, int year) {
  return subject_years_[SubjectTable::Key(subjects_->Intern(subject), year)];
}

void SubjectYearView::OnReviewCompleted(const v1::ReviewCompletion& review) {
  At(review.subject(), review.year()).review_completed_ = true;
}

void SubjectYearView::OnCommentsReceived(const v1::CommentsReceipt& comments) {
  SubjectYear& rating = At(comments.subject(), comments.year());
  // A source this version does not know (an open enum's other values) fits no bit: no rule
  // reads it. Commands never carry one; a stored event may, and must replay.
  const int source = static_cast<int>(comments.source());
  if (source >= 0 && source < 8) rating.comment_sources_ |= static_cast<uint8_t>(1u << source);
}

void SubjectYearView::OnSelfAssessmentSubmitted(const v1::SelfAssessment& a) {
  CompactAssessment compact;
  for (const v1::CriterionGrade& g : a.grades()) {
    const int slot = CriterionSlot(g.criterion());
    if (slot >= 0) compact.grades[slot] = static_cast<uint8_t>(g.grade());
  }
  compact.assigned = a.targets().assigned();
  compact.completed = a.targets().completed();
  compact.on_time = a.targets().on_time();
  compact.exceeded = a.targets().exceeded();
  compact.not_ensured = a.not_ensured();
  compact.exemplary = a.exemplary();
  compact.self_level = static_cast<uint8_t>(a.level());
  // A later one supersedes (both stay in the log).
  At(absl::StrCat("member/", a.member()), a.year()).assessment_ = compact;
}

void SubjectYearView::OnScorecardSubmitted(const v1::Scorecard& scorecard,
                                           rules::ScorecardFacts card) {
  At(absl::StrCat("org/", scorecard.org()), scorecard.year()).MutableOrg().scorecard =
      std::move(card);
}

void SubjectYearView::OnCommitteeAssessed(const v1::CommitteeAssessment& a) {
  rules::CommitteeAssessmentFacts facts;
  for (const v1::CriterionGrade& g : a.grades()) facts.grades[g.criterion()] = g.grade();
  if (a.has_unit_targets_pct()) facts.unit_targets_pct = a.unit_targets_pct();
  facts.force_majeure = a.force_majeure();
  facts.exemplary = a.exemplary();
  At(absl::StrCat("committee/", a.org()), a.year()).MutableOrg().committee_assessment =
      std::move(facts);
}

void SubjectYearView::OnExternalRatingRecorded(const v1::ExternalRating& rating) {
  At(absl::StrCat("org/", rating.org()), rating.year()).MutableOrg().external[rating.body()] =
      rating.level();
}

void SubjectYearView::OnUnitIncidentRecorded(const v1::UnitIncident& incident) {
  At(absl::StrCat("org/", incident.org()), incident.year())
      .MutableOrg()
      .incidents.push_back({incident.disciplined(), incident.self_remedied(), incident.org()});
}

void SubjectYearView::OnConclusionRecorded(const v1::Conclusion& conclusion) {
  At(conclusion.subject(), conclusion.year()).MutableRare().conclusions.push_back(conclusion.kind());
}

void SubjectYearView::OnConfidenceVoteRecorded(const v1::ConfidenceVote& vote) {
  // A later vote for the same member and year supersedes the earlier one.
  At(absl::StrCat("member/", vote.member()), vote.year()).MutableRare().vote =
      rules::ConfidenceVoteFact{vote.low(), vote.total()};
}

void SubjectYearView::OnRatingsDecided(const EventContext& ctx, const v1::RatingsDecided& d) {
  for (const v1::SubjectLevel& r : d.decision().ratings()) {
    SubjectYear& sy = At(r.subject(), d.decision().year());
    sy.decided_ = static_cast<uint8_t>(r.level());
    sy.decided_position_ = ctx.position;
    if (!d.decision().override_reason().empty()) {
      sy.MutableRare().override_reason = d.decision().override_reason();
    } else if (sy.rare_ != nullptr) {
      sy.rare_->override_reason.clear();
    }
    if (sy.rare_ != nullptr) sy.rare_->flag.reset();
  }
}

void SubjectYearView::OnRerated(const EventContext& ctx, const v1::Rerated& r) {
  SubjectYear& sy = At(r.rerating().subject(), r.rerating().year());
  sy.decided_ = static_cast<uint8_t>(r.rerating().level());
  sy.decided_position_ = ctx.position;
  if (!r.rerating().override_reason().empty()) {
    sy.MutableRare().override_reason = r.rerating().override_reason();
  } else if (sy.rare_ != nullptr) {
    sy.rare_->override_reason.clear();
  }
  if (sy.rare_ != nullptr) sy.rare_->flag.reset();
}

void SubjectYearView::OnRatingFlagged(const EventContext& ctx, const v1::RatingFlagged& f) {
  FlagRecord record;
  record.flag.status = f.flag();
  record.flag.proposed = f.proposed_level();
  record.flag.rules.assign(f.rules().begin(), f.rules().end());
  record.reason = f.reason();
  record.position = ctx.position;
  At(f.subject(), f.year()).MutableRare().flag = std::move(record);
}

std::string SubjectYearView::Dump() const {
  std::vector<std::pair<std::pair<std::string, int>, const SubjectYear*>> sorted;
  sorted.reserve(subject_years_.size());
  for (const auto& [key, sy] : subject_years_) {
    sorted.push_back(
        {{subjects_->Name(SubjectTable::IdOf(key)), SubjectTable::YearOf(key)}, &sy});
  }
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out;
  for (const auto& [key, syp] : sorted) {
    const SubjectYear& sy = *syp;
    absl::StrAppend(&out, "subject ", key.first, " ", key.second, " review ",
                    sy.review_completed_, " comments ", static_cast<int>(sy.comment_sources_));
    if (std::optional<rules::MemberAssessment> a = sy.self_assessment()) {
      absl::StrAppend(&out, " self {");
      for (const auto& [c, g] : a->grades) absl::StrAppend(&out, c, "=", static_cast<int>(g), " ");
      absl::StrAppend(&out, a->targets_assigned, "/", a->targets_completed, "/",
                      a->targets_on_time, "/", a->targets_exceeded, " ne ", a->not_ensured,
                      " ex ", a->exemplary, " level ", static_cast<int>(sy.self_level()), "}");
    }
    if (const OrgInputs* org = sy.org_inputs()) {
      if (org->scorecard) {
        const rules::ScorecardFacts& c = *org->scorecard;
        absl::StrAppend(&out, " card {");
        for (const auto& l : c.lines) {
          absl::StrAppend(&out, l.id, ":", l.points, "/", l.max, ":", l.key, ":",
                          static_cast<int>(l.grade), " ");
        }
        absl::StrAppend(&out, c.party_building_pct ? absl::StrCat(*c.party_building_pct) : "-",
                        " ",
                        c.production_plan_met ? absl::StrCat(*c.production_plan_met) : "-", " ",
                        c.force_majeure, " ", c.exemplary, "}");
      }
      if (org->committee_assessment) {
        const rules::CommitteeAssessmentFacts& a = *org->committee_assessment;
        absl::StrAppend(&out, " committee {");
        for (const auto& [c, g] : a.grades) {
          absl::StrAppend(&out, c, "=", static_cast<int>(g), " ");
        }
        absl::StrAppend(&out, a.unit_targets_pct ? absl::StrCat(*a.unit_targets_pct) : "-", " ",
                        a.force_majeure, " ", a.exemplary, "}");
      }
      for (const auto& [body, level] : org->external) {
        absl::StrAppend(&out, " ext ", body, "=", static_cast<int>(level));
      }
      for (const auto& i : org->incidents) {
        absl::StrAppend(&out, " incident ", i.org, ":", i.disciplined, ":", i.self_remedied);
      }
    }
    for (auto c : sy.conclusions()) absl::StrAppend(&out, " conclusion ", static_cast<int>(c));
    if (const auto& vote = sy.confidence_vote()) {
      absl::StrAppend(&out, " vote ", vote->low, "/", vote->total);
    }
    if (sy.decided()) {
      absl::StrAppend(&out, " decided ", static_cast<int>(sy.decided_), "@", sy.decided_position_,
                      " override '", sy.override_reason(), "'");
    }
    if (const FlagRecord* flag = sy.flag()) {
      absl::StrAppend(&out, " flag ", static_cast<int>(flag->flag.status), " ",
                      static_cast<int>(flag->flag.proposed), " ",
                      absl::StrJoin(flag->flag.rules, ","), "@", flag->position, " '",
                      flag->reason, "'");
    }
    out += "\n";
  }
  return out;
}

}  // namespace rating::projections
