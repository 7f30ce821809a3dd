// The demo bloc of `ratingctl demo` (apply.h): a scenario built step by step, played through
// the same path as `ratingctl apply`.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/record/apply.h"
#include "nlohmann/json.hpp"

namespace rating::cli {
namespace {

using Json = nlohmann::ordered_json;

constexpr int kYear = 2025;

// A member of the demo: id, org, name and the profile of their self-assessment.
enum class Profile { kExcellent, kGood, kCompleted };
struct DemoMember {
  const char* id;
  const char* org;
  const char* name;
  Profile profile;
};

// Three members are excellent (one per quota scope that allows one), two only completed.
const std::vector<DemoMember>& Members() {
  static const auto* const members = new std::vector<DemoMember>{
      {"m01", "cb1", "Nguyễn Văn An", Profile::kExcellent},
      {"m02", "cb1", "Trần Thị Bình", Profile::kGood},
      {"m03", "cb1", "Lê Văn Cường", Profile::kGood},
      {"m04", "cb1", "Phạm Thị Dung", Profile::kGood},
      {"m05", "cb1", "Hoàng Văn Em", Profile::kGood},
      {"m06", "cb1", "Vũ Thị Giang", Profile::kGood},
      {"m07", "cb1", "Đặng Văn Hải", Profile::kCompleted},
      {"m08", "cb2", "Bùi Thị Hạnh", Profile::kExcellent},
      {"m09", "cb2", "Đỗ Văn Hùng", Profile::kGood},
      {"m10", "cb2", "Hồ Thị Lan", Profile::kGood},
      {"m11", "cb2", "Ngô Văn Long", Profile::kGood},
      {"m12", "cb2", "Dương Thị Mai", Profile::kGood},
      {"m13", "cb2", "Lý Văn Nam", Profile::kGood},
      {"m14", "cb2", "Phan Thị Oanh", Profile::kGood},
      {"m15", "cbcs1", "Trịnh Văn Phúc", Profile::kExcellent},
      {"m16", "cbcs1", "Đinh Thị Quỳnh", Profile::kGood},
      {"m17", "cbcs1", "Mai Văn Sơn", Profile::kGood},
      {"m18", "cbcs1", "Cao Thị Thảo", Profile::kGood},
      {"m19", "cbcs1", "Lương Văn Toàn", Profile::kGood},
      {"m20", "cbcs1", "Tô Thị Uyên", Profile::kCompleted},
  };
  return *members;
}

const char* LevelOf(Profile profile) {
  switch (profile) {
    case Profile::kExcellent:
      return "HTXSNV";
    case Profile::kGood:
      return "HTTNV";
    case Profile::kCompleted:
      return "HTNV";
  }
  return "HTNV";
}

// R-MEM-2 (excellent), R-MEM-3 (good), R-MEM-4 (completed: tasks TB, one target late).
Json SelfAssessment(const DemoMember& member) {
  Json step{{"do", "self_assessment"}, {"member", member.id}, {"year", kYear}};
  switch (member.profile) {
    case Profile::kExcellent:
      step["grades"] = {
          {"political", "XS"}, {"tasks", "XS"}, {"commitment", "XS"}, {"remediation", "XS"}};
      step["targets"] = {{"assigned", 4}, {"completed", 4}, {"on_time", 4}, {"exceeded", 2}};
      step["exemplary"] = true;
      break;
    case Profile::kGood:
      step["grades"] = {
          {"political", "TOT"}, {"tasks", "TOT"}, {"commitment", "TOT"}, {"remediation", "TOT"}};
      step["targets"] = {{"assigned", 3}, {"completed", 3}, {"on_time", 3}, {"exceeded", 0}};
      step["exemplary"] = false;
      break;
    case Profile::kCompleted:
      step["grades"] = {
          {"political", "TOT"}, {"tasks", "TB"}, {"commitment", "TOT"}, {"remediation", "TB"}};
      step["targets"] = {{"assigned", 3}, {"completed", 3}, {"on_time", 2}, {"exceeded", 0}};
      step["exemplary"] = false;
      break;
  }
  step["not_ensured"] = 0;
  step["level"] = LevelOf(member.profile);
  return step;
}

// A ballot session of `org` where every member present votes each subject's own level, and
// the last paper marks one good member excellent (a minority that flows down, R-BAL-2).
Json BallotSession(const std::string& org) {
  Json subjects = Json::array();
  Json marks = Json::object();
  std::string first_good;
  for (const DemoMember& member : Members()) {
    if (member.org != org) continue;
    const std::string subject = absl::StrCat("member/", member.id);
    subjects.push_back(subject);
    marks[subject] = LevelOf(member.profile);
    if (first_good.empty() && member.profile == Profile::kGood) first_good = subject;
  }
  Json issued = Json::array();
  Json ballots = Json::array();
  const size_t papers = subjects.size();
  for (size_t i = 1; i <= papers; ++i) {
    const std::string serial = absl::StrCat(org, "-", i);
    issued.push_back(serial);
    Json paper_marks = marks;
    if (i == papers) paper_marks[first_good] = "HTXSNV";
    ballots.push_back(Json{{"serial", serial}, {"marks", paper_marks}});
  }
  return Json{{"do", "ballot"},       {"session", absl::StrCat(org, "-", kYear)},
              {"org", org},           {"year", kYear},
              {"subjects", subjects}, {"issued", issued},
              {"ballots", ballots}};
}

// The sample 100-point card; `excellent` earns XS on both key criteria (R-ORG-4), else
// party_programs stays TOT (R-ORG-5).
Json Scorecard(const std::string& org, bool excellent) {
  Json criteria = Json::array({
      Json{{"id", "political_ideology"}, {"max", "15"}, {"key", false}, {"points", "14"}},
      Json{{"id", "organization_cadres"}, {"max", "15"}, {"key", false}, {"points", "12"}},
      Json{{"id", "party_programs"},
           {"max", "20"},
           {"key", true},
           {"points", excellent ? "18" : "16"}},
      Json{{"id", "production_business"},
           {"max", "30"},
           {"key", true},
           {"achieved", 120},
           {"plan", 100}},
      Json{{"id", "remediation"}, {"max", "20"}, {"key", false}, {"points", "15"}},
  });
  return Json{{"do", "scorecard"},
              {"org", org},
              {"year", kYear},
              {"criteria", criteria},
              {"party_building_pct", 100},
              {"production_plan_met", true},
              {"force_majeure", false},
              {"exemplary", excellent}};
}

void AddExternalRatings(const std::string& org, Json& steps) {
  for (const char* body : {"management", "mass_org:trade_union", "mass_org:youth_union"}) {
    steps.push_back(Json{{"do", "external_rating"},
                         {"org", org},
                         {"year", kYear},
                         {"body", body},
                         {"level", "HTTNV"}});
  }
}

// Decides the members of `orgs` in one decision at their self-assessed levels (which the
// tallies match).
Json DecideMembers(const std::vector<std::string>& orgs) {
  Json ratings = Json::object();
  for (const DemoMember& member : Members()) {
    for (const std::string& org : orgs) {
      if (member.org == org) ratings[absl::StrCat("member/", member.id)] = LevelOf(member.profile);
    }
  }
  return Json{{"do", "decide"}, {"year", kYear}, {"ratings", ratings}};
}

}  // namespace

std::string DemoScenarioJson() {
  Json steps = Json::array();
  steps.push_back(Json{{"do", "open_period"}, {"year", kYear}});
  // The tree (R-DEC-1): the bloc rates dbcs1 and cbcs1; dbcs1's committee rates cb1, cb2 and
  // their members; cbcs1's committee confirms its members' tally.
  steps.push_back(Json{{"do", "register_org"},
                       {"id", "dbcs1"},
                       {"kind", "grassroots_committee"},
                       {"parent", "bloc"},
                       {"founded_on", "2005-03-01"},
                       {"name", "Đảng bộ Công ty Cổ phần Cơ khí Hà Nội"}});
  steps.push_back(Json{{"do", "register_org"},
                       {"id", "cb1"},
                       {"kind", "subordinate_cell"},
                       {"parent", "dbcs1"},
                       {"founded_on", "2005-03-01"},
                       {"name", "Chi bộ Phân xưởng Cơ khí"}});
  steps.push_back(Json{{"do", "register_org"},
                       {"id", "cb2"},
                       {"kind", "subordinate_cell"},
                       {"parent", "dbcs1"},
                       {"founded_on", "2005-03-01"},
                       {"name", "Chi bộ Khối Văn phòng"}});
  steps.push_back(Json{{"do", "register_org"},
                       {"id", "cbcs1"},
                       {"kind", "grassroots_cell"},
                       {"parent", "bloc"},
                       {"founded_on", "2008-06-01"},
                       {"name", "Chi bộ Công ty TNHH Thương mại Sông Hồng"}});
  for (const DemoMember& member : Members()) {
    steps.push_back(Json{{"do", "enroll_member"},
                         {"id", member.id},
                         {"org", member.org},
                         {"admitted_on", "2012-05-19"},
                         {"name", member.name}});
  }
  for (const DemoMember& member : Members()) {
    steps.push_back(Json{{"do", "review_completed"},
                         {"subject", absl::StrCat("member/", member.id)},
                         {"year", kYear}});
    steps.push_back(SelfAssessment(member));
  }
  for (const char* org : {"cb1", "cb2", "cbcs1"}) steps.push_back(BallotSession(org));
  // Members first (R-ORDER). dbcs1's 14 members form one quota scope: 13 good or better,
  // so 2 excellent (R-QUOTA); cbcs1's tally gives its one excellent (R-BAL-3, R-BAL-5).
  steps.push_back(DecideMembers({"cb1", "cb2"}));
  Json cell_decision = DecideMembers({"cbcs1"});
  cell_decision["label"] = "cell decided";
  steps.push_back(cell_decision);
  // The orgs: the subordinate cells by dbcs1's committee (one excellent of two), then the two
  // grassroots orgs by the bloc (one excellent of two).
  for (const char* org : {"cb1", "cb2", "dbcs1", "cbcs1"}) {
    steps.push_back(
        Json{{"do", "review_completed"}, {"subject", absl::StrCat("org/", org)}, {"year", kYear}});
    const std::string id = org;
    steps.push_back(Scorecard(id, id == "cb1" || id == "dbcs1"));
    AddExternalRatings(id, steps);
  }
  steps.push_back(Json{{"do", "decide"},
                       {"year", kYear},
                       {"ratings", {{"org/cb1", "HTXSNV"}, {"org/cb2", "HTTNV"}}}});
  steps.push_back(Json{{"do", "decide"},
                       {"year", kYear},
                       {"ratings", {{"org/dbcs1", "HTXSNV"}, {"org/cbcs1", "HTTNV"}}}});
  // Dossiers: dbcs1 on time, cbcs1 on the due day itself, which is late (R-DEADLINE).
  steps.push_back(
      Json{{"do", "dossier_submitted"}, {"org", "dbcs1"}, {"year", kYear}, {"on", "2025-12-10"}});
  steps.push_back(
      Json{{"do", "dossier_submitted"}, {"org", "cbcs1"}, {"year", kYear}, {"on", "2025-12-15"}});
  steps.push_back(Json{{"do", "reward"},
                       {"subject", "member/m15"},
                       {"year", kYear},
                       {"kind", "yearly"},
                       {"label", "rewarded"}});
  // 2026: a warning for a June 2025 violation reaches the decided 2025 rating (R-ATTR-1,
  // R-RETRO-1); cbcs1's committee re-rates it with a QĐ 01, which annuls the reward (R-REW-1).
  steps.push_back(Json{{"do", "open_period"}, {"year", kYear + 1}});
  steps.push_back(Json{{"do", "discipline"},
                       {"subject", "member/m15"},
                       {"form", "warning"},
                       {"decided_on", "2026-03-10"},
                       {"violation_from", "2025-06-01"},
                       {"violation_to", "2025-06-30"},
                       {"label", "disciplined"}});
  steps.push_back(Json{{"do", "rerate"},
                       {"subject", "member/m15"},
                       {"year", kYear},
                       {"level", "KHTNV"},
                       {"decision_no", "01-QĐ/ĐU"}});
  Json scenario{{"name",
                 "ratingctl demo: one grassroots committee with two cells, one "
                 "grassroots cell, 20 members, a late ruling and its QĐ 01"},
                {"steps", steps}};
  return scenario.dump(1, ' ', false);
}

}  // namespace rating::cli
