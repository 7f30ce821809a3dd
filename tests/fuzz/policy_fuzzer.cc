// libFuzzer target (d): the policy and scorecard-template text parsers (rules/policy.h). The
// input is NUL-separated: a policy version, then key, value, key, value... for LoadPolicy's
// overrides; the whole input is also parsed as a scorecard template. A loaded policy must be
// usable: every template it holds checks against itself, and every points value of a criterion
// grades into a band that PointsInBand confirms.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/check.h"
#include "rules/policy.h"

namespace {

void UsePolicy(const rating::rules::Policy& policy) {
  for (const auto& [kind, card] : policy.scorecards) {
    RATING_CHECK(rating::rules::CheckAgainstTemplate(card, card.criteria).ok());
    for (const rating::rules::TemplateCriterion& c : card.criteria) {
      for (rating::rules::CentiPoints p : {rating::rules::CentiPoints{0}, c.max / 2, c.max}) {
        const rating::rules::Grade grade = rating::rules::GradeOfPoints(p, c.max, policy);
        RATING_CHECK(rating::rules::PointsInBand(p, c.max, grade, policy));
      }
      auto points = rating::rules::QuantitativePoints(c.max, 3, 4);
      RATING_CHECK(points.ok() && *points >= 0 && *points <= c.max);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t nul = input.find('\0', start);
    parts.emplace_back(
        input.substr(start, nul == std::string_view::npos ? std::string_view::npos : nul - start));
    if (nul == std::string_view::npos) break;
    start = nul + 1;
  }
  std::vector<std::pair<std::string, std::string>> overrides;
  for (size_t i = 1; i + 1 < parts.size(); i += 2) overrides.emplace_back(parts[i], parts[i + 1]);
  auto policy = rating::rules::LoadPolicy(parts[0], overrides);
  if (policy.ok()) UsePolicy(*policy);
  auto card = rating::rules::ParseScorecardTemplate("fuzz", input);
  if (card.ok()) {
    RATING_CHECK(!card->criteria.empty());
    RATING_CHECK(rating::rules::CheckAgainstTemplate(*card, card->criteria).ok());
  }
  return 0;
}
