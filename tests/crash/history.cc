#include "tests/crash/history.h"

#include <cstdio>
#include <utility>

#include "absl/strings/str_cat.h"
#include "cli/conformance/scenario.h"
#include "common/check.h"
#include "nlohmann/json.hpp"

namespace rating::crash {
namespace {

using Json = nlohmann::ordered_json;

constexpr int kMembers = 5;

// The command of one conformance `do` step (FORMAT.md), sent as `actor`.
HistoryCommand Step(std::string label, Actor actor, const Json& step) {
  absl::StatusOr<v1::Command> command = cli::ParseDoStep(step);
  if (!command.ok()) {
    std::fprintf(stderr, "history step %s: %s\n", label.c_str(),
                 std::string(command.status().message()).c_str());
  }
  RATING_CHECK(command.ok());
  return HistoryCommand{std::move(label), *std::move(command), actor};
}

Json SelfAssessment(const std::string& member, bool excellent) {
  const char* grade = excellent ? "XS" : "TOT";
  return Json{
      {"do", "self_assessment"},
      {"member", member},
      {"year", kYear},
      {"grades",
       {{"political", grade}, {"tasks", grade}, {"commitment", grade}, {"remediation", grade}}},
      {"targets",
       {{"assigned", 2}, {"completed", 2}, {"on_time", 2}, {"exceeded", excellent ? 1 : 0}}},
      {"not_ensured", 0},
      {"exemplary", excellent},
      {"level", excellent ? "HTXSNV" : "HTTNV"}};
}

}  // namespace

std::string CellId(int round, int client) { return absl::StrCat("r", round, "-c", client); }

std::vector<std::string> MemberIds(int round, int client) {
  std::vector<std::string> ids;
  for (int i = 1; i <= kMembers; ++i) ids.push_back(absl::StrCat(CellId(round, client), "-m", i));
  return ids;
}

std::string SessionId(int round, int client) {
  return absl::StrCat(CellId(round, client), "-", kYear);
}

std::vector<HistoryCommand> SetupCommands() {
  return {Step("open period", Actor::kAdmin, Json{{"do", "open_period"}, {"year", kYear}})};
}

std::vector<HistoryCommand> ClientCommands(int round, int client) {
  const std::string cell = CellId(round, client);
  const std::vector<std::string> members = MemberIds(round, client);
  auto label = [&](const std::string& what) { return absl::StrCat(cell, " ", what); };
  std::vector<HistoryCommand> out;
  out.push_back(Step(label("register"), Actor::kBloc,
                     Json{{"do", "register_org"},
                          {"id", cell},
                          {"kind", "grassroots_cell"},
                          {"parent", "bloc"},
                          {"founded_on", "2010-01-01"},
                          {"name", absl::StrCat("Chi bộ ", cell)}}));
  for (const std::string& m : members) {
    out.push_back(Step(
        label("enroll " + m), Actor::kCell,
        Json{{"do", "enroll_member"}, {"id", m}, {"org", cell}, {"admitted_on", "2015-03-01"}}));
  }
  for (const std::string& m : members) {
    out.push_back(
        Step(label("review " + m), Actor::kCell,
             Json{{"do", "review_completed"}, {"subject", "member/" + m}, {"year", kYear}}));
  }
  for (size_t i = 0; i < members.size(); ++i) {
    out.push_back(Step(label("self-assessment " + members[i]), Actor::kCell,
                       SelfAssessment(members[i], /*excellent=*/i == 0)));
  }
  out.push_back(Step(label("comments"), Actor::kCell,
                     Json{{"do", "comments_received"},
                          {"subject", "member/" + members[2]},
                          {"year", kYear},
                          {"from", "residence"}}));
  // One ballot per member of the cell: the first is voted excellent, the others good.
  Json subjects = Json::array();
  Json issued = Json::array();
  Json ballots = Json::array();
  for (const std::string& m : members) subjects.push_back("member/" + m);
  for (int serial = 1; serial <= kMembers; ++serial) {
    issued.push_back(absl::StrCat(serial));
    Json marks = Json::object();
    for (size_t i = 0; i < members.size(); ++i) {
      marks["member/" + members[i]] = i == 0 ? "HTXSNV" : "HTTNV";
    }
    ballots.push_back(Json{{"serial", absl::StrCat(serial)}, {"marks", marks}});
  }
  out.push_back(Step(label("ballot"), Actor::kCell,
                     Json{{"do", "ballot"},
                          {"session", SessionId(round, client)},
                          {"org", cell},
                          {"year", kYear},
                          {"subjects", subjects},
                          {"issued", issued},
                          {"ballots", ballots}}));
  Json ratings = Json::object();
  for (size_t i = 0; i < members.size(); ++i) {
    ratings["member/" + members[i]] = i == 0 ? "HTXSNV" : "HTTNV";
  }
  out.push_back(Step(label("decide members"), Actor::kCell,
                     Json{{"do", "decide"}, {"year", kYear}, {"ratings", ratings}}));
  out.push_back(Step(label("reward"), Actor::kCell,
                     Json{{"do", "reward"},
                          {"subject", "member/" + members[0]},
                          {"year", kYear},
                          {"kind", "yearly"}}));
  out.push_back(
      Step(label("org review"), Actor::kCell,
           Json{{"do", "review_completed"}, {"subject", "org/" + cell}, {"year", kYear}}));
  out.push_back(Step(
      label("scorecard"), Actor::kCell,
      Json{
          {"do", "scorecard"},
          {"org", cell},
          {"year", kYear},
          {"criteria",
           Json::array(
               {Json{{"id", "political_ideology"}, {"max", "15"}, {"key", false}, {"points", "13"}},
                Json{
                    {"id", "organization_cadres"}, {"max", "15"}, {"key", false}, {"points", "12"}},
                Json{{"id", "party_programs"}, {"max", "20"}, {"key", true}, {"points", "16"}},
                Json{{"id", "production_business"},
                     {"max", "30"},
                     {"key", true},
                     {"achieved", 90},
                     {"plan", 100}},
                Json{{"id", "remediation"}, {"max", "20"}, {"key", false}, {"points", "15"}}})},
          {"party_building_pct", 100},
          {"production_plan_met", true},
          {"force_majeure", false},
          {"exemplary", false}}));
  out.push_back(Step(label("management rating"), Actor::kCell,
                     Json{{"do", "external_rating"},
                          {"org", cell},
                          {"year", kYear},
                          {"body", "management"},
                          {"level", "HTTNV"}}));
  out.push_back(Step(label("trade union rating"), Actor::kCell,
                     Json{{"do", "external_rating"},
                          {"org", cell},
                          {"year", kYear},
                          {"body", "mass_org:trade_union"},
                          {"level", "HTTNV"}}));
  out.push_back(Step(label("discipline"), Actor::kBloc,
                     Json{{"do", "discipline"},
                          {"subject", "member/" + members[1]},
                          {"form", "reprimand"},
                          {"decided_on", "2026-02-01"},
                          {"violation_from", "2025-05-01"},
                          {"violation_to", "2025-05-31"},
                          {"self_remedied", true}}));
  out.push_back(Step(label("rerate"), Actor::kCell,
                     Json{{"do", "rerate"},
                          {"subject", "member/" + members[1]},
                          {"year", kYear},
                          {"level", "HTTNV"},
                          {"decision_no", absl::StrCat("01-QĐ/", cell)}}));
  out.push_back(Step(
      label("dossier"), Actor::kCell,
      Json{{"do", "dossier_submitted"}, {"org", cell}, {"year", kYear}, {"on", "2025-12-01"}}));
  out.push_back(
      Step(label("decide org"), Actor::kBloc,
           Json{{"do", "decide"}, {"year", kYear}, {"ratings", {{"org/" + cell, "HTTNV"}}}}));
  return out;
}

}  // namespace rating::crash
