// Discipline rulings with what they were accepted on: the org where the violation happened and
// the years it touches (R-ATTR-1). Indexed by the person or org ruled on and by the org the
// violation is attributed to. Layer: projections; not thread-safe (the owner locks).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "projections/event_context.h"
#include "rating/v1/events.pb.h"
#include "rules/facts.h"

namespace rating::projections {

struct DisciplineRecord {
  uint64_t position = 0;
  v1::DisciplineRuling ruling;
  std::string attributed_org;
  std::vector<int> years;
  // The ruling as a rules fact (one violation: one key, C.III.3.4).
  rules::DisciplineFact fact;
};

// The subject a ruling is indexed under: a person's rulings (on member/ID or leader/ID) under
// "member/ID"; an org's or a committee's under its own subject.
std::string RulingKey(const std::string& subject);

// The rules fact of a ruling.
rules::DisciplineFact DisciplineFactOf(const v1::DisciplineRuling& ruling);

class DisciplineView {
 public:
  // Rulings on `subject` (any subject string; persons by RulingKey) attributed to `year`, in log
  // order. Pointers valid until the next On* call.
  std::vector<const DisciplineRecord*> OfSubject(const std::string& subject, int year) const;
  // Rulings whose violation happened at `org` and counts for `year`, in log order.
  std::vector<const DisciplineRecord*> AttributedTo(const std::string& org, int year) const;
  const std::vector<DisciplineRecord>& records() const { return records_; }

  void OnDisciplineRuled(const EventContext& ctx, const v1::DisciplineRuled& ruled);

  std::string Dump() const;

 private:
  std::vector<DisciplineRecord> records_;
  std::map<std::pair<std::string, int>, std::vector<size_t>> by_subject_;
  std::map<std::pair<std::string, int>, std::vector<size_t>> by_org_;
};

}  // namespace rating::projections
