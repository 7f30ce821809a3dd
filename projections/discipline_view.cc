#include "projections/discipline_view.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace rating::projections {
namespace {

std::vector<const DisciplineRecord*> Lookup(
    const std::vector<DisciplineRecord>& records,
    const std::map<std::pair<std::string, int>, std::vector<size_t>>& index,
    const std::pair<std::string, int>& key) {
  std::vector<const DisciplineRecord*> out;
  auto it = index.find(key);
  if (it == index.end()) return out;
  for (size_t i : it->second) out.push_back(&records[i]);
  return out;
}

}  // namespace

std::string RulingKey(const std::string& subject) {
  if (absl::StartsWith(subject, "leader/")) return absl::StrCat("member/", subject.substr(7));
  return subject;
}

rules::DisciplineFact DisciplineFactOf(const v1::DisciplineRuling& ruling) {
  rules::DisciplineFact fact;
  fact.form = ruling.form();
  fact.self_remedied = ruling.self_remedied();
  fact.increases = ruling.increases();
  fact.violation_key = absl::StrCat(RulingKey(ruling.subject()), "@", ruling.violation_from(), "..",
                                    ruling.violation_to());
  return fact;
}

std::vector<const DisciplineRecord*> DisciplineView::OfSubject(const std::string& subject,
                                                               int year) const {
  return Lookup(records_, by_subject_, {RulingKey(subject), year});
}

std::vector<const DisciplineRecord*> DisciplineView::AttributedTo(const std::string& org,
                                                                  int year) const {
  return Lookup(records_, by_org_, {org, year});
}

void DisciplineView::OnDisciplineRuled(const EventContext& ctx, const v1::DisciplineRuled& d) {
  DisciplineRecord record;
  record.position = ctx.position;
  record.ruling = d.ruling();
  record.attributed_org = d.attributed_org();
  record.years.assign(d.years().begin(), d.years().end());
  record.fact = DisciplineFactOf(d.ruling());
  const size_t index = records_.size();
  for (int year : record.years) {
    by_subject_[{RulingKey(d.ruling().subject()), year}].push_back(index);
    if (!record.attributed_org.empty()) by_org_[{record.attributed_org, year}].push_back(index);
  }
  records_.push_back(std::move(record));
}

std::string DisciplineView::Dump() const {
  std::string out;
  for (const DisciplineRecord& d : records_) {
    absl::StrAppend(&out, "discipline @", d.position, " ", d.ruling.ShortDebugString(), " at ",
                    d.attributed_org, " years ", absl::StrJoin(d.years, ","), "\n");
  }
  return out;
}

}  // namespace rating::projections
