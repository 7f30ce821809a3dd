#include "cli/record/record_commands.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "cli/conformance/scenario.h"
#include "common/status_macros.h"

namespace rating::cli {
namespace {

using Json = nlohmann::ordered_json;
using T = FlagType;

// The one table of write commands. Adding a command: a `do` kind in the scenario parser's table
// (cli/conformance/step_parsers.cc) and one row here.
const std::vector<RecordCommand>& Table() {
  static const auto* const table = new std::vector<RecordCommand>{
      {"open-period",
       "open_period",
       "open a review period (RegistryService.OpenPeriod)",
       {{"year", T::kInt, "required: 2000..2100"},
        {"reference_date", T::kString, "optional: YYYY-MM-DD, default YEAR-12-15"},
        {"policy_version", T::kString, "optional: the policy version"},
        {"policy", T::kMap, "optional: policy overrides, e.g. quota_base=good_only"}},
       "ratingctl open-period --year 2025"},
      {"register-org",
       "register_org",
       "register an org under its parent",
       {{"id", T::kString, "required: the org id"},
        {"kind", T::kString,
         "required: grassroots_committee, grassroots_cell, sub_committee, subordinate_cell"},
        {"parent", T::kString, "required: the parent org (bloc for a grassroots org)"},
        {"founded_on", T::kString, "optional: YYYY-MM-DD"},
        {"name", T::kString, "optional: the display name"}},
       "ratingctl register-org --id c1 --kind grassroots_cell --parent bloc "
       "--founded_on 2010-01-01 --name 'Chi bộ Phòng Kỹ thuật'"},
      {"restructure-org",
       "restructure_org",
       "record a split, merger or transfer of an org",
       {{"id", T::kString, "required: the org"},
        {"on", T::kString, "required: YYYY-MM-DD"},
        {"change", T::kString, "required: split, merged, transferred"},
        {"new_parent", T::kString, "transferred: the new parent"},
        {"new_kind", T::kString, "optional: the org's kind from that date"}},
       "ratingctl restructure-org --id c2 --on 2025-03-01 --change transferred "
       "--new_parent dbcs1"},
      {"enroll-member",
       "enroll_member",
       "enroll a member in an org",
       {{"id", T::kString, "required: the member id"},
        {"org", T::kString, "required: the member's org"},
        {"admitted_on", T::kString, "required: YYYY-MM-DD"},
        {"name", T::kString, "optional: the display name"},
        {"committee_of", T::kList, "optional: orgs whose committee the member sits on"},
        {"heads", T::kList, "optional: orgs whose collective the member heads"}},
       "ratingctl enroll-member --id m1 --org c1 --admitted_on 2015-03-01 "
       "--name 'Nguyễn Văn An' --committee_of c1"},
      {"transfer-member",
       "transfer_member",
       "move a member to another org from a date",
       {{"member", T::kString, "required"},
        {"to", T::kString, "required: the new org"},
        {"on", T::kString, "required: YYYY-MM-DD"}},
       "ratingctl transfer-member --member m3 --to c2 --on 2025-04-01"},
      {"member-status",
       "member_status",
       "set a member's status from a date",
       {{"member", T::kString, "required"},
        {"status", T::kString,
         "required: active, exempt, suspended, temporary_elsewhere, sick_leave, maternity"},
        {"from", T::kString, "required: YYYY-MM-DD"}},
       "ratingctl member-status --member m4 --status exempt --from 2025-01-01"},
      {"member-posts",
       "member_posts",
       "set the committees a member sits on and heads, from a date",
       {{"member", T::kString, "required"},
        {"on", T::kString, "required: YYYY-MM-DD"},
        {"committee_of", T::kList, "optional: orgs whose committee the member sits on"},
        {"heads", T::kList, "optional: orgs whose collective the member heads"}},
       "ratingctl member-posts --member m1 --on 2025-01-01 --committee_of c1 --heads c1"},
      {"review",
       "review_completed",
       "record that a subject's review (kiểm điểm) is completed",
       {{"subject", T::kString, "required: member/ID, org/ID, committee/ORG or leader/ID"},
        {"year", T::kInt, "required"}},
       "ratingctl review --subject member/m1 --year 2025"},
      {"comments",
       "comments_received",
       "record written comments received for a subject",
       {{"subject", T::kString, "required"},
        {"year", T::kInt, "required"},
        {"from", T::kString,
         "required: previous_superior, temporary_cell, previous_org, residence"}},
       "ratingctl comments --subject member/m3 --year 2025 --from previous_org"},
      {"self-assessment",
       "self_assessment",
       "submit a member's self-assessment",
       {{"member", T::kString, "required"},
        {"year", T::kInt, "required"},
        {"grades", T::kMap,
         "required: criterion=grade (political, tasks, commitment, remediation; leaders also "
         "leadership, initiative, example; grades XS, TOT, TB, KEM)"},
        {"targets", T::kMap, "optional: assigned=N,completed=N,on_time=N,exceeded=N"},
        {"not_ensured", T::kInt, "optional: criteria that did not ensure quality or time"},
        {"exemplary", T::kBool, "optional"},
        {"level", T::kString, "optional: the self-rating (HTXSNV, HTTNV, HTNV, KHTNV)"}},
       "ratingctl self-assessment --member m1 --year 2025 "
       "--grades political=XS,tasks=XS,commitment=XS,remediation=XS "
       "--targets assigned=3,completed=3,on_time=3,exceeded=2 --exemplary --level HTXSNV"},
      {"scorecard",
       "scorecard",
       "submit a party org's 100-point scorecard",
       {{"org", T::kString, "required"},
        {"year", T::kInt, "required"},
        {"criteria", T::kObjects,
         "required: id=..,max=..,key=true|false,points=.. (or achieved=..,plan=..; optional "
         "grade=..), one criterion per ';'"},
        {"party_building_pct", T::kInt, "optional: % of party-building targets completed"},
        {"production_plan_met", T::kBool, "optional"},
        {"force_majeure", T::kBool, "optional"},
        {"exemplary", T::kBool, "optional"},
        {"template_id", T::kString, "optional: the scorecard template"}},
       "ratingctl scorecard --org c1 --year 2025 --criteria "
       "'id=political_ideology,max=15,key=false,points=14;"
       "id=organization_cadres,max=15,key=false,points=12;"
       "id=party_programs,max=20,key=true,points=18;"
       "id=production_business,max=30,key=true,achieved=120,plan=100;"
       "id=remediation,max=20,key=false,points=15' "
       "--party_building_pct 100 --production_plan_met --exemplary"},
      {"committee-assessment",
       "committee_assessment",
       "submit the assessment of an org's committee",
       {{"org", T::kString, "required: the org whose committee is assessed"},
        {"year", T::kInt, "required"},
        {"grades", T::kMap,
         "required: criterion=grade (democratic_centralism, leadership_responsibility, programs, "
         "results, targets, unit_ratings, remediation)"},
        {"unit_targets_pct", T::kInt, "optional: % of the unit's targets completed"},
        {"force_majeure", T::kBool, "optional"},
        {"exemplary", T::kBool, "optional"}},
       "ratingctl committee-assessment --org c1 --year 2025 "
       "--grades democratic_centralism=TOT,leadership_responsibility=TOT,programs=XS,results=XS,"
       "targets=TOT,unit_ratings=TOT,remediation=TOT --unit_targets_pct 100"},
      {"external-rating",
       "external_rating",
       "record the rating of the management board or a mass organization",
       {{"org", T::kString, "required"},
        {"year", T::kInt, "required"},
        {"body", T::kString, "required: management or mass_org:NAME"},
        {"level", T::kString, "required"}},
       "ratingctl external-rating --org c1 --year 2025 --body mass_org:trade_union --level HTTNV"},
      {"unit-incident",
       "unit_incident",
       "record a corruption, waste or other case in a unit",
       {{"org", T::kString, "required"},
        {"year", T::kInt, "required"},
        {"kind", T::kString, "required: corruption, waste, negativity, other"},
        {"disciplined", T::kBool, "optional"},
        {"self_remedied", T::kBool, "optional"}},
       "ratingctl unit-incident --org c1 --year 2025 --kind waste --disciplined --self_remedied"},
      {"ballot",
       "ballot",
       "record a ballot session: its papers, or the counting team's totals",
       {{"session", T::kString, "required: the session id"},
        {"org", T::kString, "required: the org holding the vote"},
        {"year", T::kInt, "required"},
        {"subjects", T::kList, "required: the subjects on the ballot"},
        {"issued", T::kList, "with --ballots: the serials issued"},
        {"ballots", T::kBallots,
         "the returned papers, SERIAL:SUBJECT=LEVEL,... one paper per ';' "
         "(LEVEL+LEVEL marks two levels; JSON for extra_content)"},
        {"totals", T::kTotals,
         "instead of --issued/--ballots, the team's totals: issued=N;returned=N;"
         "invalid=REASON:N,... (not_issued, duplicate, unknown_subject, extra_content, no_mark);"
         "SUBJECT=HTXSNV/HTTNV/HTNV/KHTNV[/VOID] per subject (votes per level, void rows); "
         "e.g. --totals 'issued=3;returned=3;invalid=no_mark:1;member/m1=1/1/0/0;"
         "member/m2=0/2/0/0'"}},
       "ratingctl ballot --session c1-2025 --org c1 --year 2025 "
       "--subjects member/m1,member/m2 --issued 1,2,3 "
       "--ballots '1:member/m1=HTXSNV,member/m2=HTTNV;2:member/m1=HTXSNV,member/m2=HTTNV;"
       "3:member/m1=HTTNV,member/m2=HTTNV'"},
      {"decide",
       "decide",
       "decide ratings: one decision document",
       {{"year", T::kInt, "required"},
        {"ratings", T::kMap, "required: subject=LEVEL,..."},
        {"override_reason", T::kString, "optional: forces past the ceiling, quota and caps"}},
       "ratingctl decide --year 2025 --ratings member/m1=HTXSNV,member/m2=HTTNV"},
      {"discipline",
       "discipline",
       "record a disciplinary ruling",
       {{"subject", T::kString, "required"},
        {"form", T::kString, "required: reprimand, warning, removal, expulsion, dissolution"},
        {"decided_on", T::kString, "required: YYYY-MM-DD"},
        {"violation_from", T::kString, "required: YYYY-MM-DD"},
        {"violation_to", T::kString, "optional: YYYY-MM-DD"},
        {"at_org", T::kString, "optional: where the violation happened"},
        {"self_remedied", T::kBool, "optional"},
        {"increases", T::kBool, "optional: makes an earlier ruling heavier"}},
       "ratingctl discipline --subject member/m1 --form warning --decided_on 2026-03-10 "
       "--violation_from 2025-06-01 --violation_to 2025-06-30"},
      {"conclusion",
       "conclusion",
       "record a competent authority's conclusion",
       {{"subject", T::kString, "required"},
        {"kind", T::kString, "required: degradation, disunity, prohibited_act, exemplary_breach"},
        {"year", T::kInt, "required"}},
       "ratingctl conclusion --subject committee/c1 --kind disunity --year 2025"},
      {"confidence-vote",
       "confidence_vote",
       "record a confidence vote's result",
       {{"member", T::kString, "required"},
        {"year", T::kInt, "required"},
        {"low", T::kInt, "required: low-confidence votes"},
        {"total", T::kInt, "required: votes cast"}},
       "ratingctl confidence-vote --member m1 --year 2025 --low 2 --total 30"},
      {"rerate",
       "rerate",
       "re-rate a decided rating with a QĐ 01 decision",
       {{"subject", T::kString, "required"},
        {"year", T::kInt, "required"},
        {"level", T::kString, "required: the new level"},
        {"decision_no", T::kString, "required: the QĐ 01's number"},
        {"override_reason", T::kString, "optional"}},
       "ratingctl rerate --subject member/m1 --year 2025 --level KHTNV --decision_no 01-QĐ/ĐU"},
      {"reward",
       "reward",
       "grant a reward for a year",
       {{"subject", T::kString, "required"},
        {"year", T::kInt, "required"},
        {"kind", T::kString, "required: yearly, five_years"}},
       "ratingctl reward --subject member/m1 --year 2025 --kind yearly"},
      {"dossier",
       "dossier_submitted",
       "record the day an org's dossier was submitted",
       {{"org", T::kString, "required"},
        {"year", T::kInt, "required"},
        {"on", T::kString, "required: YYYY-MM-DD (late on or after the due date)"}},
       "ratingctl dossier --org c1 --year 2025 --on 2025-12-10"},
  };
  return *table;
}

absl::Status FlagError(const std::string& flag, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("--", flag, ": ", what));
}

// An integer, true/false, else the text.
Json Scalar(absl::string_view text) {
  int64_t number = 0;
  if (absl::SimpleAtoi(text, &number) && !text.empty() && text[0] != '+') return number;
  if (text == "true") return true;
  if (text == "false") return false;
  return std::string(text);
}

// "k=v,k=v" (empty items skipped).
absl::StatusOr<Json> ReadMap(const std::string& flag, absl::string_view text) {
  Json object = Json::object();
  for (absl::string_view item : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    item = absl::StripAsciiWhitespace(item);
    const size_t eq = item.find('=');
    if (eq == absl::string_view::npos || eq == 0) {
      return FlagError(flag, absl::StrCat("expected KEY=VALUE, got \"", item, "\""));
    }
    const std::string key(item.substr(0, eq));
    if (object.contains(key)) return FlagError(flag, absl::StrCat("\"", key, "\" given twice"));
    object[key] = Scalar(item.substr(eq + 1));
  }
  return object;
}

absl::StatusOr<Json> ReadBallots(const std::string& flag, absl::string_view text) {
  Json papers = Json::array();
  for (absl::string_view paper : absl::StrSplit(text, ';', absl::SkipWhitespace())) {
    paper = absl::StripAsciiWhitespace(paper);
    const size_t colon = paper.find(':');
    if (colon == absl::string_view::npos || colon == 0) {
      return FlagError(flag,
                       absl::StrCat("expected SERIAL:SUBJECT=LEVEL,..., got \"", paper, "\""));
    }
    Json marks = Json::object();
    for (absl::string_view mark :
         absl::StrSplit(paper.substr(colon + 1), ',', absl::SkipWhitespace())) {
      mark = absl::StripAsciiWhitespace(mark);
      const size_t eq = mark.find('=');
      if (eq == absl::string_view::npos || eq == 0) {
        return FlagError(flag, absl::StrCat("expected SUBJECT=LEVEL, got \"", mark, "\""));
      }
      const std::vector<std::string> levels = absl::StrSplit(mark.substr(eq + 1), '+');
      const std::string subject(mark.substr(0, eq));
      if (levels.size() == 1) {
        marks[subject] = levels.front();
      } else {
        marks[subject] = levels;
      }
    }
    papers.push_back(Json{{"serial", std::string(paper.substr(0, colon))}, {"marks", marks}});
  }
  return papers;
}

// "issued=N;returned=N;invalid=REASON:N,...;SUBJECT=HTXSNV/HTTNV/HTNV/KHTNV[/VOID];..."
absl::StatusOr<Json> ReadTotals(const std::string& flag, absl::string_view text) {
  Json totals = Json::object();
  Json votes = Json::object();
  auto count = [&](absl::string_view what, absl::string_view digits) -> absl::StatusOr<Json> {
    int64_t n = 0;
    if (!absl::SimpleAtoi(digits, &n) || digits.empty() || digits[0] == '+') {
      return FlagError(flag, absl::StrCat(what, ": expected a count, got \"", digits, "\""));
    }
    return Json(n);
  };
  for (absl::string_view item : absl::StrSplit(text, ';', absl::SkipWhitespace())) {
    item = absl::StripAsciiWhitespace(item);
    const size_t eq = item.find('=');
    if (eq == absl::string_view::npos || eq == 0) {
      return FlagError(flag, absl::StrCat("expected KEY=VALUE, got \"", item, "\""));
    }
    const std::string key(item.substr(0, eq));
    const absl::string_view value = item.substr(eq + 1);
    if (key == "issued" || key == "returned") {
      RATING_ASSIGN_OR_RETURN(totals[key], count(key, value));
    } else if (key == "invalid") {
      Json invalid = Json::object();
      for (absl::string_view pair : absl::StrSplit(value, ',', absl::SkipWhitespace())) {
        const std::vector<absl::string_view> parts = absl::StrSplit(pair, ':');
        if (parts.size() != 2) {
          return FlagError(flag, absl::StrCat("invalid: expected REASON:N, got \"", pair, "\""));
        }
        RATING_ASSIGN_OR_RETURN(invalid[std::string(parts[0])], count(parts[0], parts[1]));
      }
      totals["invalid"] = std::move(invalid);
    } else {
      const std::vector<absl::string_view> parts = absl::StrSplit(value, '/');
      if (parts.size() != 4 && parts.size() != 5) {
        return FlagError(flag, absl::StrCat(key, ": expected HTXSNV/HTTNV/HTNV/KHTNV[/VOID], got \"",
                                            value, "\""));
      }
      static const char* const kNames[] = {"HTXSNV", "HTTNV", "HTNV", "KHTNV", "void"};
      Json row = Json::object();
      for (size_t i = 0; i < parts.size(); ++i) {
        RATING_ASSIGN_OR_RETURN(row[kNames[i]], count(key, parts[i]));
      }
      if (votes.contains(key)) return FlagError(flag, absl::StrCat(key, " given twice"));
      votes[key] = std::move(row);
    }
  }
  totals["votes"] = std::move(votes);
  return totals;
}

// JSON given inline ('[' or '{' first) or as @FILE; nullopt-like empty StatusOr when neither.
absl::StatusOr<Json> ReadJson(const std::string& flag, const std::string& text) {
  std::string json_text = text;
  if (text.size() > 1 && text[0] == '@') {
    std::ifstream in(text.substr(1), std::ios::binary);
    if (!in) {
      return absl::NotFoundError(absl::StrCat("--", flag, ": cannot read \"", text.substr(1),
                                              "\": ", std::strerror(errno)));
    }
    std::ostringstream contents;
    contents << in.rdbuf();
    json_text = contents.str();
  }
  Json value = Json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return FlagError(flag, "not valid JSON");
  return value;
}

absl::StatusOr<Json> FlagValue(const FieldFlag& field, const std::string& text) {
  const std::string name = field.name;
  const bool json_form = !text.empty() && (text[0] == '[' || text[0] == '{' || text[0] == '@');
  switch (field.type) {
    case T::kString:
      return text;
    case T::kInt: {
      int64_t number = 0;
      if (!absl::SimpleAtoi(text, &number)) {
        return FlagError(name, absl::StrCat("expected an integer, got \"", text, "\""));
      }
      return number;
    }
    case T::kBool: {
      const std::string lower = absl::AsciiStrToLower(text);
      if (lower == "true" || lower.empty()) return true;
      if (lower == "false") return false;
      return FlagError(name, absl::StrCat("expected true or false, got \"", text, "\""));
    }
    case T::kList: {
      if (json_form) return ReadJson(name, text);
      Json list = Json::array();
      for (absl::string_view item : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
        list.push_back(std::string(absl::StripAsciiWhitespace(item)));
      }
      return list;
    }
    case T::kMap:
      if (json_form) return ReadJson(name, text);
      return ReadMap(name, text);
    case T::kObjects: {
      if (json_form) return ReadJson(name, text);
      Json list = Json::array();
      for (absl::string_view item : absl::StrSplit(text, ';', absl::SkipWhitespace())) {
        RATING_ASSIGN_OR_RETURN(Json object, ReadMap(name, item));
        list.push_back(std::move(object));
      }
      return list;
    }
    case T::kBallots:
      if (json_form) return ReadJson(name, text);
      return ReadBallots(name, text);
    case T::kTotals:
      if (json_form) return ReadJson(name, text);
      return ReadTotals(name, text);
  }
  return FlagError(name, "unknown flag type");
}

std::string FlagNames(const RecordCommand& command) {
  std::vector<std::string> names;
  for (const FieldFlag& field : command.fields) names.push_back(absl::StrCat("--", field.name));
  return absl::StrJoin(names, ", ");
}

}  // namespace

const std::vector<RecordCommand>& RecordCommands() { return Table(); }

const RecordCommand* FindRecordCommand(absl::string_view verb) {
  for (const RecordCommand& command : Table()) {
    if (verb == command.verb) return &command;
  }
  return nullptr;
}

const FieldFlag* FindField(const RecordCommand& command, absl::string_view name) {
  for (const FieldFlag& field : command.fields) {
    if (name == field.name) return &field;
  }
  return nullptr;
}

absl::StatusOr<Json> StepFromFlags(const RecordCommand& command,
                                   const std::vector<std::pair<std::string, std::string>>& flags) {
  Json step = Json::object();
  step["do"] = command.step_kind;
  for (const auto& [name, text] : flags) {
    const FieldFlag* field = FindField(command, name);
    if (field == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(command.verb, ": unknown flag --", name,
                                                     " (its flags: ", FlagNames(command), ")"));
    }
    if (step.contains(name)) return FlagError(name, "given twice");
    RATING_ASSIGN_OR_RETURN(step[name], FlagValue(*field, text));
  }
  return step;
}

absl::StatusOr<v1::Command> CommandFromFlags(
    const RecordCommand& command, const std::vector<std::pair<std::string, std::string>>& flags) {
  RATING_ASSIGN_OR_RETURN(Json step, StepFromFlags(command, flags));
  std::vector<std::string> unknown;
  RATING_ASSIGN_OR_RETURN(v1::Command parsed, ParseDoStep(step, &unknown));
  if (!unknown.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(command.verb, ": field \"", unknown.front(), "\" is not read"));
  }
  return parsed;
}

std::string RecordHelp(const RecordCommand& command) {
  std::string out = absl::StrCat("usage: ratingctl ", command.verb, " FLAGS [--dry-run] [--json]\n",
                                 command.summary, ".\n\nFlags (the fields of the scenario step \"",
                                 command.step_kind, "\", shared/conformance/FORMAT.md):\n");
  for (const FieldFlag& field : command.fields) {
    const int width = static_cast<int>(std::strlen(field.name));
    absl::StrAppend(&out, "  --", field.name, std::string(std::max(2, 24 - width), ' '));
    absl::StrAppend(&out, field.help, "\n");
  }
  absl::StrAppend(
      &out,
      "  --dry-run                 the server checks it whole (x-validate-only); nothing written\n"
      "  --json                    print the reply (or the refusal) as JSON\n"
      "Lists and maps also take JSON text, or @FILE holding JSON.\n\nExample:\n  ",
      command.example, "\n");
  return out;
}

std::string RecordCommandList() {
  std::string out;
  for (const RecordCommand& command : Table()) {
    const size_t width = std::strlen(command.verb);
    absl::StrAppend(&out, "  ", command.verb, std::string(width < 27 ? 29 - width - 2 : 2, ' '),
                    command.summary, "\n");
  }
  return out;
}

}  // namespace rating::cli
