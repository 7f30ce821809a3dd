#include "projections/rating_reads.h"

#include "absl/strings/str_cat.h"
#include "common/names.h"

namespace rating::projections {
namespace {

using rules::Subject;
using rules::SubjectKind;

void AddFinding(v1::RatingView& view, const rules::Finding& f) {
  v1::Finding* out = view.add_explanation();
  out->set_rule_id(f.rule_id);
  out->set_holds(f.holds);
  out->set_text_vi(f.text_vi);
  out->set_text_en(f.text_en);
}

void SetStatus(v1::RatingView& view, v1::RatingStatus status) {
  view.set_status(status);
  view.set_status_name(std::string(common::NameVi(status)));
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

absl::StatusOr<Subject> ResolveSubject(const RatingState& state, const std::string& text) {
  auto subject = rules::ParseSubject(text);
  if (!subject.ok()) return subject.status();
  if (subject->IsPerson()) {
    if (state.registry().FindMember(subject->id) == nullptr) {
      return absl::NotFoundError(absl::StrCat("subject ", text, ": no member ", subject->id));
    }
    return subject;
  }
  const OrgRecord* org = state.registry().FindOrg(subject->id);
  if (org == nullptr) {
    return absl::NotFoundError(absl::StrCat("subject ", text, ": no org ", subject->id));
  }
  if (subject->id == "bloc") {
    return absl::InvalidArgumentError(
        absl::StrCat("subject ", text, ": the bloc is not rated by this system"));
  }
  return subject;
}

absl::StatusOr<const PeriodInfo*> OpenPeriod(const RatingState& state, int year) {
  const PeriodInfo* period = state.FindPeriod(year);
  if (period == nullptr) {
    return absl::NotFoundError(absl::StrCat("year ", year, ": no review period is open"));
  }
  return period;
}

v1::RatingView RatingViewOf(const RatingFacts& facts, const Subject& subject) {
  v1::RatingView view;
  view.set_subject(subject.ToString());
  view.set_year(facts.year());
  view.set_as_of_position(facts.state().position());
  const rules::Eligibility& eligibility = facts.EligibilityOf(subject);
  for (const std::string& note : eligibility.notes) {
    view.add_notes(note);
    view.add_notes_vi(rules::InputNameVi(note));
  }
  const SubjectYear* sy = facts.state().ratings().Find(view.subject(), facts.year());
  const bool decided = sy != nullptr && sy->decided().has_value();
  if (eligibility.status == v1::RATING_STATUS_NOT_SUBJECT && !decided) {
    SetStatus(view, v1::RATING_STATUS_NOT_SUBJECT);
    for (const rules::Finding& f : eligibility.findings) AddFinding(view, f);
    return view;
  }
  const rules::Ceiling& ceiling = facts.CeilingOf(subject);
  view.set_ceiling(ceiling.level);
  view.set_ceiling_name(std::string(common::NameVi(ceiling.level)));
  view.set_ceiling_rule(ceiling.rule_id);
  for (const rules::Finding& f : ceiling.findings) AddFinding(view, f);
  for (const rules::Finding& f : eligibility.findings) AddFinding(view, f);
  for (const auto* inputs : {&eligibility.missing_inputs, &ceiling.missing_inputs}) {
    for (const std::string& m : *inputs) {
      view.add_missing_inputs(m);
      view.add_missing_inputs_vi(rules::InputNameVi(m));
    }
  }
  if (!decided) {
    SetStatus(view, v1::RATING_STATUS_PENDING);
    return view;
  }
  view.set_level(*sy->decided());
  view.set_level_name(std::string(common::NameVi(*sy->decided())));
  view.set_decided_at_position(sy->decided_position());
  view.set_override_reason(sy->override_reason());
  const FlagRecord* flag = sy->flag();
  if (flag == nullptr) {
    SetStatus(view, v1::RATING_STATUS_DECIDED);
    return view;
  }
  SetStatus(view, flag->flag.status);
  view.set_proposed_level(flag->flag.proposed);
  // The flag's reason, once, under the rule that set it (R-RETRO-1 or R-RETRO-3); the rule
  // that lowered the ceiling is named in the reason.
  const std::vector<std::string>& rules = flag->flag.rules;
  v1::Finding* f = view.add_explanation();
  f->set_rule_id(rules.empty() ? std::string("R-RETRO-3") : rules.front());
  f->set_holds(true);
  f->set_text_vi(flag->reason);
  f->set_text_en(absl::StrCat(common::NameEn(flag->flag.status), ": proposed ",
                              common::Code(flag->flag.proposed)));
  return view;
}

absl::StatusOr<std::vector<v1::RatingView>> RatingsOfOrg(const RatingFacts& facts,
                                                         const std::string& org,
                                                         rules::Level filter) {
  const RegistryView& registry = facts.state().registry();
  if (registry.FindOrg(org) == nullptr) {
    return absl::NotFoundError(absl::StrCat("org ", org, ": not found"));
  }
  const rules::Date ref = facts.reference_date();
  std::vector<Subject> subjects;
  if (org != "bloc") {
    subjects.push_back({SubjectKind::kOrg, org});
    subjects.push_back({SubjectKind::kCommittee, org});
  }
  for (const std::string& m : registry.MembersAt(org, ref)) {
    subjects.push_back({SubjectKind::kMember, m});
  }
  for (const std::string& h : registry.HeadsAt(org, ref)) {
    subjects.push_back({SubjectKind::kLeader, h});
  }
  for (const std::string& child : registry.ChildrenAt(org, ref)) {
    subjects.push_back({SubjectKind::kOrg, child});
    subjects.push_back({SubjectKind::kCommittee, child});
  }
  std::vector<v1::RatingView> out;
  for (const Subject& s : subjects) {
    v1::RatingView view = RatingViewOf(facts, s);
    if (filter != v1::LEVEL_UNSPECIFIED && view.level() != filter) continue;
    out.push_back(std::move(view));
  }
  return out;
}

v1::BallotSessionView BallotSessionViewOf(const SessionRecord& s) {
  v1::BallotSessionView out;
  const v1::Tally t = s.tally();
  out.set_session(s.id);
  out.set_org(s.org);
  out.set_year(s.year);
  for (const v1::SubjectCount& st : t.subjects()) out.add_subjects(st.subject());
  out.set_issued(t.issued());
  out.set_returned(t.returned());
  out.set_valid(t.valid());
  out.set_invalid(t.invalid());
  out.set_from_totals(t.from_totals());
  out.set_position(s.position);
  return out;
}

v1::TallyMinutes TallyMinutesOf(const SessionRecord& s) {
  v1::TallyMinutes out;
  const v1::Tally t = s.tally();
  out.set_session(s.id);
  out.set_org(s.org);
  out.set_year(s.year);
  out.set_issued(t.issued());
  out.set_returned(t.returned());
  out.set_valid(t.valid());
  out.set_invalid(t.invalid());
  out.set_quota(t.quota());
  for (const v1::InvalidBallotCount& ib : t.invalid_ballots()) {
    v1::InvalidBallot* b = out.add_invalid_ballots();
    b->set_serial(ib.serial());
    std::string vi(common::NameVi(ib.reason()));
    std::string en(common::NameEn(ib.reason()));
    if (!ib.detail().empty()) {
      absl::StrAppend(&vi, ": ", ib.detail());
      absl::StrAppend(&en, ": ", ib.detail());
    }
    b->set_reason(absl::StrCat(vi, " / ", en));
    b->set_rule_id("R-BAL-1");
    b->set_reason_code(ib.reason());
  }
  int void_rows = 0;
  for (const v1::SubjectCount& st : t.subjects()) {
    v1::SubjectTally* o = out.add_subjects();
    o->set_subject(st.subject());
    o->set_htxsnv(st.htxsnv());
    o->set_httnv(st.httnv());
    o->set_htnv(st.htnv());
    o->set_khtnv(st.khtnv());
    o->set_majority_level(st.majority_level());
    if (!st.tie_at_quota()) {
      o->set_level(st.level());
      o->set_level_name(std::string(common::NameVi(st.level())));
    }
    o->set_tie_at_quota(st.tie_at_quota());
    void_rows += st.void_rows();
  }
  out.set_void_rows(void_rows);
  out.set_from_totals(t.from_totals());
  for (const v1::InvalidBallotTotal& it : t.invalid_totals()) {
    v1::InvalidBallotTotalView* o = out.add_invalid_totals();
    o->set_reason(absl::StrCat(common::NameVi(it.reason()), " / ", common::NameEn(it.reason())));
    o->set_rule_id("R-BAL-1");
    o->set_reason_code(it.reason());
    o->set_count(it.count());
  }
  return out;
}

}  // namespace rating::projections
