#include "services/internal/retro_plans.h"

#include "absl/strings/str_cat.h"
#include "common/names.h"

namespace rating::services::internal {

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

void AppendReviewSuggestions(const projections::RatingFacts& facts,
                             const std::vector<std::string>& reached, const std::string& cause,
                             std::vector<v1::Event>& events) {
  for (const std::string& key : reached) {
    auto subject = rules::ParseSubject(key);
    if (!subject.ok()) continue;
    const std::optional<rules::Level> decided = facts.DecidedLevel(*subject);
    if (!decided) continue;
    const rules::Ceiling ceiling = facts.CeilingOf(*subject);
    const std::optional<rules::Flag> flag =
        rules::ReviewSuggestion(*decided, facts.FlagOf(*subject), ceiling);
    if (!flag) continue;
    events.push_back(
        FlagEvent(key, facts.year(), *flag,
                  absl::StrCat("Đề nghị xem xét lại kết quả xếp loại năm ", facts.year(), ": ",
                               cause, "; mức tối đa nay là ", common::NameVi(ceiling.level), " (",
                               ceiling.rule_id, ")")));
  }
}

}  // namespace rating::services::internal
