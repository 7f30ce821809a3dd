#include "cli/scenario.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/names.h"
#include "common/status_macros.h"

namespace rating::cli {
namespace {

using Json = nlohmann::ordered_json;

// nlohmann's dump() throws on invalid UTF-8 unless told to replace it.
std::string Dump(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

const Json& NullJson() {
  static const auto* const null = new Json();
  return *null;
}

// How a parse treats a field it cannot read. Strict: the error ends the parse. Lenient: the
// field is left at its default, the first error is kept, and the parse goes on, so that a
// malformed step can still be sent for the server to refuse (see Step::sendable).
struct ParseMode {
  bool lenient = false;
  absl::Status first_error;
};

// Reads the fields of one JSON object without throwing, and remembers which were read so the
// rest can be reported. Errors name the field with its path ("criteria[2].points").
class Fields {
 public:
  Fields(const Json& object, std::string path, ParseMode& mode)
      : object_(object), path_(std::move(path)), mode_(mode) {}

  // A field that cannot be read: strict, `error`; lenient, `fallback` (the error is kept).
  template <typename T>
  absl::StatusOr<T> Fail(absl::Status error, T fallback) {
    RATING_RETURN_IF_ERROR(Soft(std::move(error)));
    return fallback;
  }

  // Strict: `error`; lenient: OK (the error is kept).
  absl::Status Soft(absl::Status error) {
    if (!mode_.lenient) return error;
    if (mode_.first_error.ok()) mode_.first_error = std::move(error);
    return absl::OkStatus();
  }

  ParseMode& mode() { return mode_; }

  // Marks `key` as known without reading it.
  void Known(const std::string& key) { used_.insert(key); }

  bool Has(const std::string& key) {
    used_.insert(key);
    return object_.contains(key);
  }

  absl::StatusOr<const Json*> Required(const std::string& key) {
    used_.insert(key);
    auto it = object_.find(key);
    if (it == object_.end()) return Fail(Error(key, "missing"), &NullJson());
    return &*it;
  }

  absl::StatusOr<std::string> String(const std::string& key) {
    RATING_ASSIGN_OR_RETURN(const Json* value, Required(key));
    return AsString(key, *value);
  }

  absl::StatusOr<std::string> OptString(const std::string& key) {
    if (!Has(key)) return std::string();
    return String(key);
  }

  absl::StatusOr<int64_t> Int64(const std::string& key, int64_t min, int64_t max) {
    RATING_ASSIGN_OR_RETURN(const Json* value, Required(key));
    return AsInt(key, *value, min, max);
  }

  absl::StatusOr<int32_t> Int(const std::string& key) {
    RATING_ASSIGN_OR_RETURN(int64_t value, Int64(key, std::numeric_limits<int32_t>::min(),
                                                 std::numeric_limits<int32_t>::max()));
    return static_cast<int32_t>(value);
  }

  absl::StatusOr<int32_t> OptInt(const std::string& key) {
    if (!Has(key)) return 0;
    return Int(key);
  }

  // A year, 2000..2100 is the server's business; here it must be a positive int32.
  absl::StatusOr<int32_t> Year(const std::string& key = "year") {
    RATING_ASSIGN_OR_RETURN(int64_t value, Int64(key, 1, std::numeric_limits<int32_t>::max()));
    return static_cast<int32_t>(value);
  }

  absl::StatusOr<bool> Bool(const std::string& key) {
    RATING_ASSIGN_OR_RETURN(const Json* value, Required(key));
    if (!value->is_boolean()) return Fail(TypeError(key, "a boolean", *value), false);
    return value->get<bool>();
  }

  absl::StatusOr<bool> OptBool(const std::string& key) {
    if (!Has(key)) return false;
    return Bool(key);
  }

  // Points: a decimal string, or a JSON number printed as written ("18.5").
  absl::StatusOr<std::string> Decimal(const std::string& key) {
    RATING_ASSIGN_OR_RETURN(const Json* value, Required(key));
    if (value->is_string()) return value->get<std::string>();
    if (value->is_number()) return Dump(*value);
    return Fail<std::string>(TypeError(key, "a decimal string", *value), "");
  }

  absl::StatusOr<const Json*> Object(const std::string& key) {
    RATING_ASSIGN_OR_RETURN(const Json* value, Required(key));
    if (!value->is_object()) return Fail(TypeError(key, "an object", *value), &EmptyObject());
    return value;
  }

  absl::StatusOr<const Json*> Array(const std::string& key) {
    RATING_ASSIGN_OR_RETURN(const Json* value, Required(key));
    if (!value->is_array()) return Fail(TypeError(key, "a list", *value), &EmptyArray());
    return value;
  }

  absl::StatusOr<std::vector<std::string>> StringList(const std::string& key) {
    RATING_ASSIGN_OR_RETURN(const Json* list, Array(key));
    std::vector<std::string> out;
    for (size_t i = 0; i < list->size(); ++i) {
      RATING_ASSIGN_OR_RETURN(std::string item,
                              AsString(absl::StrCat(key, "[", i, "]"), (*list)[i]));
      out.push_back(std::move(item));
    }
    return out;
  }

  absl::StatusOr<std::vector<std::string>> OptStringList(const std::string& key) {
    if (!Has(key)) return std::vector<std::string>();
    return StringList(key);
  }

  template <typename E>
  absl::StatusOr<E> Enum(const std::string& key,
                         absl::StatusOr<E> (*parse)(absl::string_view text)) {
    RATING_ASSIGN_OR_RETURN(std::string text, String(key));
    return ParseValue(key, text, parse);
  }

  template <typename E>
  absl::StatusOr<E> OptEnum(const std::string& key,
                            absl::StatusOr<E> (*parse)(absl::string_view text)) {
    if (!Has(key)) return static_cast<E>(0);
    return Enum(key, parse);
  }

  // Parses `text` found under `key` (or a sub-path of it) with `parse`.
  template <typename E>
  absl::StatusOr<E> ParseValue(const std::string& key, absl::string_view text,
                               absl::StatusOr<E> (*parse)(absl::string_view text)) {
    absl::StatusOr<E> value = parse(text);
    if (!value.ok()) return Fail(Error(key, value.status().message()), static_cast<E>(0));
    return value;
  }

  absl::StatusOr<std::string> AsString(const std::string& key, const Json& value) {
    if (!value.is_string()) return Fail<std::string>(TypeError(key, "a string", value), "");
    return value.get<std::string>();
  }

  absl::StatusOr<int64_t> AsInt(const std::string& key, const Json& value, int64_t min,
                                int64_t max) {
    if (!value.is_number_integer()) return Fail<int64_t>(TypeError(key, "an integer", value), 0);
    if (value.is_number_unsigned() &&
        value.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return Fail<int64_t>(Error(key, absl::StrCat(Dump(value), " is out of range")), 0);
    }
    const int64_t number = value.get<int64_t>();
    if (number < min || number > max) {
      return Fail<int64_t>(Error(key, absl::StrCat(number, " is out of range ", min, "..", max)),
                           0);
    }
    return number;
  }

  absl::Status Error(const std::string& key, absl::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat("field \"", path_, key, "\": ", what));
  }

  absl::Status TypeError(const std::string& key, absl::string_view expected,
                         const Json& value) const {
    return Error(key, absl::StrCat("expected ", expected, ", got ", value.type_name(), " ",
                                   Dump(value).substr(0, 40)));
  }

  // Appends, with their paths, the fields never read.
  void AppendUnused(std::vector<std::string>* out) const {
    if (out == nullptr) return;
    for (const auto& [key, value] : object_.items()) {
      if (used_.count(key) == 0) out->push_back(absl::StrCat(path_, key));
    }
  }

  const std::string& path() const { return path_; }

 private:
  static const Json& EmptyObject() {
    static const auto* const empty = new Json(Json::object());
    return *empty;
  }
  static const Json& EmptyArray() {
    static const auto* const empty = new Json(Json::array());
    return *empty;
  }

  const Json& object_;
  const std::string path_;
  ParseMode& mode_;
  std::set<std::string> used_;
};

// Reads a {criterion: grade} object in file order.
absl::Status ReadGrades(Fields& f, const std::string& key,
                        google::protobuf::RepeatedPtrField<v1::CriterionGrade>* out) {
  RATING_ASSIGN_OR_RETURN(const Json* grades, f.Object(key));
  for (const auto& [criterion, grade_json] : grades->items()) {
    const std::string path = absl::StrCat(key, ".", criterion);
    RATING_ASSIGN_OR_RETURN(std::string code, f.AsString(path, grade_json));
    RATING_ASSIGN_OR_RETURN(v1::Grade grade, f.ParseValue(path, code, &ParseGrade));
    v1::CriterionGrade* item = out->Add();
    item->set_criterion(criterion);
    item->set_grade(grade);
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------- registry

absl::Status OpenPeriod(Fields& f, v1::Command& cmd, std::vector<std::string>*) {
  v1::PeriodSpec* p = cmd.mutable_open_period();
  RATING_ASSIGN_OR_RETURN(int32_t year, f.Year());
  p->set_year(year);
  RATING_ASSIGN_OR_RETURN(*p->mutable_reference_date(), f.OptString("reference_date"));
  RATING_ASSIGN_OR_RETURN(*p->mutable_policy_version(), f.OptString("policy_version"));
  if (f.Has("policy")) {
    RATING_ASSIGN_OR_RETURN(const Json* policy, f.Object("policy"));
    for (const auto& [key, value] : policy->items()) {
      v1::PolicyOverride* o = p->add_policy_overrides();
      o->set_key(key);
      if (value.is_string()) {
        o->set_value(value.get<std::string>());
      } else if (value.is_boolean()) {
        o->set_value(value.get<bool>() ? "true" : "false");
      } else if (value.is_number()) {
        o->set_value(Dump(value));
      } else {
        RATING_RETURN_IF_ERROR(f.Soft(
            f.TypeError(absl::StrCat("policy.", key), "a string, number or boolean", value)));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status RegisterOrg(Fields& f, v1::Command& cmd, std::vector<std::string>*) {
  v1::OrgSpec* p = cmd.mutable_register_org();
  RATING_ASSIGN_OR_RETURN(*p->mutable_id(), f.String("id"));
  RATING_ASSIGN_OR_RETURN(v1::OrgKind kind, f.Enum("kind", &ParseOrgKind));
  p->set_kind(kind);
  RATING_ASSIGN_OR_RETURN(*p->mutable_parent(), f.String("parent"));
  RATING_ASSIGN_OR_RETURN(*p->mutable_founded_on(), f.OptString("founded_on"));
  RATING_ASSIGN_OR_RETURN(*p->mutable_name(), f.OptString("name"));
  return absl::OkStatus();
}

absl::Status RestructureOrg(Fields& f, v1::Command& cmd, std::vector<std::string>*) {
  v1::OrgRestructuring* p = cmd.mutable_restructure_org();
  RATING_ASSIGN_OR_RETURN(*p->mutable_id(), f.String("id"));
  RATING_ASSIGN_OR_RETURN(*p->mutable_on(), f.String("on"));
  RATING_ASSIGN_OR_RETURN(v1::RestructureChange change, f.Enum("change", &ParseRestructureChange));
  p->set_change(change);
  RATING_ASSIGN_OR_RETURN(*p->mutable_new_parent(), f.OptString("new_parent"));
  RATING_ASSIGN_OR_RETURN(v1::OrgKind kind, f.OptEnum("new_kind", &ParseOrgKind));
  p->set_new_kind(kind);
  return absl::OkStatus();
}

absl::Status EnrollMember(Fields& f, v1::Command& cmd, std::vector<std::string>*) {
  v1::MemberSpec* p = cmd.mutable_enroll_member();
  RATING_ASSIGN_OR_RETURN(*p->mutable_id(), f.String("id"));
  RATING_ASSIGN_OR_RETURN(*p->mutable_org(), f.String("org"));
  RATING_ASSIGN_OR_RETURN(*p->mutable_admitted_on(), f.String("admitted_on"));
  RATING_ASSIGN_OR_RETURN(*p->mutable_name(), f.OptString("name"));
  RATING_ASSIGN_OR_RETURN(std::vector<std::string> committee_of, f.OptStringList("committee_of"));
  for (auto& org : committee_of) p->add_committee_of(std::move(org));
  RATING_ASSIGN_OR_RETURN(std::vector<std::string> heads, f.OptStringList("heads"));
  for (auto& org : heads) p->add_heads(std::move(org));
  return absl::OkStatus();
}

absl::Status TransferMember(Fields& f, v1::Command& cmd, std::vector<std::string>*) {
  v1::MemberTransfer* p = cmd.mutable_transfer_member();
  RATING_ASSIGN_OR_RETURN(*p->mutable_member(), f.String("member"));
  RATING_ASSIGN_OR_RETURN(*p->mutable_to(), f.String("to"));
  RATING_ASSIGN_OR_RETURN(*p->mutable_on(), f.String("on"));
  return absl::OkStatus();
}

absl::Status MemberStatus(Fields& f, v1::Command& cmd, std::vector<std::string>*) {
  v1::MemberStatusChange* p = cmd.mutable_set_member_status();
  RATING_ASSIGN_OR_RETURN(*p->mutable_member(), f.String("member"));
  RATING_ASSIGN_OR_RETURN(v1::MemberStatus status, f.Enum("status", &ParseMemberStatus));
  p->set_status(status);
  RATING_ASSIGN_OR_RETURN(*p->mutable_from(), f.String("from"));
  return absl::OkStatus();
}

// ---------------------------------------------------------------- review inputs

absl::Status ReviewCompleted(Fields& f, v1::Command& cmd, std::vector<std::string>*) {
  v1::ReviewCompletion* p = cmd.mutable_record_review_completed();
  RATING_ASSIGN_OR_RETURN(*p->mutable_subject(), f.String("subject"));
  RATING_ASSIGN_OR_RETURN(int32_t year, f.Year());
  p->set_year(year);
  return absl::OkStatus();
}

absl::Status CommentsReceived(Fields& f, v1::Command& cmd, std::vector<std::string>*) {
  v1::CommentsReceipt* p = cmd.mutable_record_comments();
  RATING_ASSIGN_OR_RETURN(*p->mutable_subject(), f.String("subject"));
  RATING_ASSIGN_OR_RETURN(int32_t year, f.Year());
  p->set_year(year);
  RATING_ASSIGN_OR_RETURN(v1::CommentSource source, f.Enum("from", &ParseCommentSource));
  p->set_source(source);
  return absl::OkStatus();
}

absl::Status SelfAssessment(Fields& f, v1::Command& cmd, std::vector<std::string>* unknown) {
  v1::SelfAssessment* p = cmd.mutable_submit_self_assessment();
  RATING_ASSIGN_OR_RETURN(*p->mutable_member(), f.String("member"));
  RATING_ASSIGN_OR_RETURN(int32_t year, f.Year());
  p->set_year(year);
  RATING_RETURN_IF_ERROR(ReadGrades(f, "grades", p->mutable_grades()));
  if (f.Has("targets")) {
    RATING_ASSIGN_OR_RETURN(const Json* targets_json, f.Object("targets"));
    Fields t(*targets_json, absl::StrCat(f.path(), "targets."), f.mode());
    v1::Targets* targets = p->mutable_targets();
    RATING_ASSIGN_OR_RETURN(int32_t assigned, t.Int("assigned"));
    RATING_ASSIGN_OR_RETURN(int32_t completed, t.Int("completed"));
    RATING_ASSIGN_OR_RETURN(int32_t on_time, t.Int("on_time"));
    RATING_ASSIGN_OR_RETURN(int32_t exceeded, t.Int("exceeded"));
    targets->set_assigned(assigned);
    targets->set_completed(completed);
    targets->set_on_time(on_time);
    targets->set_exceeded(exceeded);
    t.AppendUnused(unknown);
  }
  RATING_ASSIGN_OR_RETURN(int32_t not_ensured, f.OptInt("not_ensured"));
  p->set_not_ensured(not_ensured);
  RATING_ASSIGN_OR_RETURN(bool exemplary, f.OptBool("exemplary"));
  p->set_exemplary(exemplary);
  RATING_ASSIGN_OR_RETURN(v1::Level level, f.OptEnum("level", &ParseLevel));
  p->set_level(level);
  return absl::OkStatus();
}

absl::Status ScorecardStep(Fields& f, v1::Command& cmd, std::vector<std::string>* unknown) {
  v1::Scorecard* p = cmd.mutable_submit_scorecard();
  RATING_ASSIGN_OR_RETURN(*p->mutable_org(), f.String("org"));
  RATING_ASSIGN_OR_RETURN(int32_t year, f.Year());
  p->set_year(year);
  RATING_ASSIGN_OR_RETURN(const Json* criteria, f.Array("criteria"));
  for (size_t i = 0; i < criteria->size(); ++i) {
    const std::string path = absl::StrCat(f.path(), "criteria[", i, "].");
    const Json& item = (*criteria)[i];
    if (!item.is_object()) {
      RATING_RETURN_IF_ERROR(
          f.Soft(f.TypeError(absl::StrCat("criteria[", i, "]"), "an object", item)));
      continue;
    }
    Fields c(item, path, f.mode());
    v1::ScoreCriterion* criterion = p->add_criteria();
    RATING_ASSIGN_OR_RETURN(*criterion->mutable_id(), c.String("id"));
    RATING_ASSIGN_OR_RETURN(*criterion->mutable_max(), c.Decimal("max"));
    RATING_ASSIGN_OR_RETURN(bool key, c.OptBool("key"));
    criterion->set_key(key);
    const bool has_points = c.Has("points");
    const bool has_quantity = c.Has("achieved") || c.Has("plan");
    if (has_points && has_quantity) {
      RATING_RETURN_IF_ERROR(c.Soft(
          c.Error("points", "give either \"points\" or \"achieved\" and \"plan\", not both")));
    }
    if (has_points) {
      RATING_ASSIGN_OR_RETURN(*criterion->mutable_points(), c.Decimal("points"));
    } else if (has_quantity) {
      RATING_ASSIGN_OR_RETURN(int64_t achieved,
                              c.Int64("achieved", std::numeric_limits<int64_t>::min(),
                                      std::numeric_limits<int64_t>::max()));
      RATING_ASSIGN_OR_RETURN(int64_t plan, c.Int64("plan", std::numeric_limits<int64_t>::min(),
                                                    std::numeric_limits<int64_t>::max()));
      criterion->mutable_quantity()->set_achieved(achieved);
      criterion->mutable_quantity()->set_plan(plan);
    } else {
      RATING_RETURN_IF_ERROR(
          c.Soft(c.Error("points", "missing (give \"points\", or \"achieved\" and \"plan\")")));
    }
    RATING_ASSIGN_OR_RETURN(v1::Grade grade, c.OptEnum("grade", &ParseGrade));
    criterion->set_grade(grade);
    c.AppendUnused(unknown);
  }
  // Omitted target facts assert nothing (RULES.md §4): left unset, not read as 0 / false.
  if (f.Has("party_building_pct")) {
    RATING_ASSIGN_OR_RETURN(int32_t pct, f.Int("party_building_pct"));
    p->set_party_building_pct(pct);
  }
  if (f.Has("production_plan_met")) {
    RATING_ASSIGN_OR_RETURN(bool plan_met, f.Bool("production_plan_met"));
    p->set_production_plan_met(plan_met);
  }
  RATING_ASSIGN_OR_RETURN(bool force_majeure, f.OptBool("force_majeure"));
  p->set_force_majeure(force_majeure);
  RATING_ASSIGN_OR_RETURN(bool exemplary, f.OptBool("exemplary"));
  p->set_exemplary(exemplary);
  RATING_ASSIGN_OR_RETURN(*p->mutable_template_id(), f.OptString("template_id"));
  return absl::OkStatus();
}

absl::Status CommitteeAssessment(Fields& f, v1::Command& cmd, std::vector<std::string>*) {
  v1::CommitteeAssessment* p = cmd.mutable_submit_committee_assessment();
  RATING_ASSIGN_OR_RETURN(*p->mutable_org(), f.String("org"));
  RATING_ASSIGN_OR_RETURN(int32_t year, f.Year());
  p->set_year(year);
  RATING_RETURN_IF_ERROR(ReadGrades(f, "grades", p->mutable_grades()));
  if (f.Has("unit_targets_pct")) {
    RATING_ASSIGN_OR_RETURN(int32_t pct, f.Int("unit_targets_pct"));
    p->set_unit_targets_pct(pct);
  }
  RATING_ASSIGN_OR_RETURN(bool force_majeure, f.OptBool("force_majeure"));
  p->set_force_majeure(force_majeure);
  RATING_ASSIGN_OR_RETURN(bool exemplary, f.OptBool("exemplary"));
  p->set_exemplary(exemplary);
  return absl::OkStatus();
}

absl::Status ExternalRating(Fields& f, v1::Command& cmd, std::vector<std::string>*) {
  v1::ExternalRating* p = cmd.mutable_record_external_rating();
  RATING_ASSIGN_OR_RETURN(*p->mutable_org(), f.String("org"));
  RATING_ASSIGN_OR_RETURN(int32_t year, f.Year());
  p->set_year(year);
  RATING_ASSIGN_OR_RETURN(*p->mutable_body(), f.String("body"));
  RATING_ASSIGN_OR_RETURN(v1::Level level, f.Enum("level", &ParseLevel));
  p->set_level(level);
  return absl::OkStatus();
}

absl::Status UnitIncident(Fields& f, v1::Command& cmd, std::vector<std::string>*) {
  v1::UnitIncident* p = cmd.mutable_record_unit_incident();
  RATING_ASSIGN_OR_RETURN(*p->mutable_org(), f.String("org"));
  RATING_ASSIGN_OR_RETURN(int32_t year, f.Year());
  p->set_year(year);
  RATING_ASSIGN_OR_RETURN(v1::IncidentKind kind, f.Enum("kind", &ParseIncidentKind));
  p->set_kind(kind);
  RATING_ASSIGN_OR_RETURN(bool disciplined, f.OptBool("disciplined"));
  p->set_disciplined(disciplined);
  RATING_ASSIGN_OR_RETURN(bool self_remedied, f.OptBool("self_remedied"));
  p->set_self_remedied(self_remedied);
  return absl::OkStatus();
}

absl::Status BallotStep(Fields& f, v1::Command& cmd, std::vector<std::string>* unknown) {
  v1::BallotSession* p = cmd.mutable_record_ballots();
  RATING_ASSIGN_OR_RETURN(*p->mutable_session(), f.String("session"));
  RATING_ASSIGN_OR_RETURN(*p->mutable_org(), f.String("org"));
  RATING_ASSIGN_OR_RETURN(int32_t year, f.Year());
  p->set_year(year);
  RATING_ASSIGN_OR_RETURN(std::vector<std::string> subjects, f.StringList("subjects"));
  for (auto& subject : subjects) p->add_subjects(std::move(subject));
  RATING_ASSIGN_OR_RETURN(std::vector<std::string> issued, f.StringList("issued"));
  for (auto& serial : issued) p->add_issued(std::move(serial));
  RATING_ASSIGN_OR_RETURN(const Json* ballots, f.Array("ballots"));
  for (size_t i = 0; i < ballots->size(); ++i) {
    const Json& item = (*ballots)[i];
    if (!item.is_object()) {
      RATING_RETURN_IF_ERROR(
          f.Soft(f.TypeError(absl::StrCat("ballots[", i, "]"), "an object", item)));
      continue;
    }
    Fields b(item, absl::StrCat(f.path(), "ballots[", i, "]."), f.mode());
    v1::Ballot* ballot = p->add_ballots();
    RATING_ASSIGN_OR_RETURN(*ballot->mutable_serial(), b.String("serial"));
    if (b.Has("marks")) {
      RATING_ASSIGN_OR_RETURN(const Json* marks, b.Object("marks"));
      for (const auto& [subject, mark_json] : marks->items()) {
        const std::string path = absl::StrCat("marks.", subject);
        v1::BallotMark* mark = ballot->add_marks();
        mark->set_subject(subject);
        if (mark_json.is_array()) {
          for (size_t k = 0; k < mark_json.size(); ++k) {
            const std::string item_path = absl::StrCat(path, "[", k, "]");
            RATING_ASSIGN_OR_RETURN(std::string code, b.AsString(item_path, mark_json[k]));
            RATING_ASSIGN_OR_RETURN(v1::Level level, b.ParseValue(item_path, code, &ParseLevel));
            mark->add_levels(level);
          }
        } else {
          if (!mark_json.is_string()) {
            RATING_RETURN_IF_ERROR(
                b.Soft(b.TypeError(path, "a level or a list of levels", mark_json)));
            continue;
          }
          RATING_ASSIGN_OR_RETURN(v1::Level level,
                                  b.ParseValue(path, mark_json.get<std::string>(), &ParseLevel));
          mark->add_levels(level);
        }
      }
    }
    RATING_ASSIGN_OR_RETURN(bool extra_content, b.OptBool("extra_content"));
    ballot->set_extra_content(extra_content);
    b.AppendUnused(unknown);
  }
  return absl::OkStatus();
}

absl::Status DossierSubmitted(Fields& f, v1::Command& cmd, std::vector<std::string>*) {
  v1::DossierSubmission* p = cmd.mutable_submit_dossier();
  RATING_ASSIGN_OR_RETURN(*p->mutable_org(), f.String("org"));
  RATING_ASSIGN_OR_RETURN(int32_t year, f.Year());
  p->set_year(year);
  RATING_ASSIGN_OR_RETURN(*p->mutable_on(), f.String("on"));
  return absl::OkStatus();
}

absl::Status ConclusionStep(Fields& f, v1::Command& cmd, std::vector<std::string>*) {
  v1::Conclusion* p = cmd.mutable_record_conclusion();
  RATING_ASSIGN_OR_RETURN(*p->mutable_subject(), f.String("subject"));
  RATING_ASSIGN_OR_RETURN(v1::ConclusionKind kind, f.Enum("kind", &ParseConclusionKind));
  p->set_kind(kind);
  RATING_ASSIGN_OR_RETURN(int32_t year, f.Year());
  p->set_year(year);
  return absl::OkStatus();
}

absl::Status ConfidenceVote(Fields& f, v1::Command& cmd, std::vector<std::string>*) {
  v1::ConfidenceVote* p = cmd.mutable_record_confidence_vote();
  RATING_ASSIGN_OR_RETURN(*p->mutable_member(), f.String("member"));
  RATING_ASSIGN_OR_RETURN(int32_t year, f.Year());
  p->set_year(year);
  RATING_ASSIGN_OR_RETURN(int32_t low, f.Int("low"));
  p->set_low(low);
  RATING_ASSIGN_OR_RETURN(int32_t total, f.Int("total"));
  p->set_total(total);
  return absl::OkStatus();
}

// ---------------------------------------------------------------- decisions

absl::Status Decide(Fields& f, v1::Command& cmd, std::vector<std::string>*) {
  v1::Decision* p = cmd.mutable_decide_ratings();
  RATING_ASSIGN_OR_RETURN(int32_t year, f.Year());
  p->set_year(year);
  RATING_ASSIGN_OR_RETURN(const Json* ratings, f.Object("ratings"));
  for (const auto& [subject, level_json] : ratings->items()) {
    const std::string path = absl::StrCat("ratings.", subject);
    RATING_ASSIGN_OR_RETURN(std::string code, f.AsString(path, level_json));
    RATING_ASSIGN_OR_RETURN(v1::Level level, f.ParseValue(path, code, &ParseLevel));
    v1::SubjectLevel* item = p->add_ratings();
    item->set_subject(subject);
    item->set_level(level);
  }
  RATING_ASSIGN_OR_RETURN(*p->mutable_override_reason(), f.OptString("override_reason"));
  return absl::OkStatus();
}

absl::Status Discipline(Fields& f, v1::Command& cmd, std::vector<std::string>*) {
  v1::DisciplineRuling* p = cmd.mutable_rule_discipline();
  RATING_ASSIGN_OR_RETURN(*p->mutable_subject(), f.String("subject"));
  RATING_ASSIGN_OR_RETURN(v1::DisciplineForm form, f.Enum("form", &ParseDisciplineForm));
  p->set_form(form);
  RATING_ASSIGN_OR_RETURN(*p->mutable_decided_on(), f.String("decided_on"));
  RATING_ASSIGN_OR_RETURN(*p->mutable_violation_from(), f.String("violation_from"));
  RATING_ASSIGN_OR_RETURN(*p->mutable_violation_to(), f.OptString("violation_to"));
  RATING_ASSIGN_OR_RETURN(*p->mutable_at_org(), f.OptString("at_org"));
  RATING_ASSIGN_OR_RETURN(bool self_remedied, f.OptBool("self_remedied"));
  p->set_self_remedied(self_remedied);
  RATING_ASSIGN_OR_RETURN(bool increases, f.OptBool("increases"));
  p->set_increases(increases);
  return absl::OkStatus();
}

absl::Status Rerate(Fields& f, v1::Command& cmd, std::vector<std::string>*) {
  v1::Rerating* p = cmd.mutable_rerate();
  RATING_ASSIGN_OR_RETURN(*p->mutable_subject(), f.String("subject"));
  RATING_ASSIGN_OR_RETURN(int32_t year, f.Year());
  p->set_year(year);
  RATING_ASSIGN_OR_RETURN(v1::Level level, f.Enum("level", &ParseLevel));
  p->set_level(level);
  RATING_ASSIGN_OR_RETURN(*p->mutable_decision_no(), f.String("decision_no"));
  RATING_ASSIGN_OR_RETURN(*p->mutable_override_reason(), f.OptString("override_reason"));
  return absl::OkStatus();
}

absl::Status Reward(Fields& f, v1::Command& cmd, std::vector<std::string>*) {
  v1::RewardGrant* p = cmd.mutable_grant_reward();
  RATING_ASSIGN_OR_RETURN(*p->mutable_subject(), f.String("subject"));
  RATING_ASSIGN_OR_RETURN(int32_t year, f.Year());
  p->set_year(year);
  RATING_ASSIGN_OR_RETURN(v1::RewardKind kind, f.Enum("kind", &ParseRewardKind));
  p->set_kind(kind);
  return absl::OkStatus();
}

using DoParser = absl::Status (*)(Fields&, v1::Command&, std::vector<std::string>*);

const std::map<std::string, DoParser>& DoParsers() {
  static const auto* const parsers = new std::map<std::string, DoParser>{
      {"open_period", &OpenPeriod},
      {"register_org", &RegisterOrg},
      {"restructure_org", &RestructureOrg},
      {"enroll_member", &EnrollMember},
      {"transfer_member", &TransferMember},
      {"member_status", &MemberStatus},
      {"review_completed", &ReviewCompleted},
      {"comments_received", &CommentsReceived},
      {"self_assessment", &SelfAssessment},
      {"scorecard", &ScorecardStep},
      {"committee_assessment", &CommitteeAssessment},
      {"external_rating", &ExternalRating},
      {"unit_incident", &UnitIncident},
      {"ballot", &BallotStep},
      {"decide", &Decide},
      {"discipline", &Discipline},
      {"conclusion", &ConclusionStep},
      {"confidence_vote", &ConfidenceVote},
      {"rerate", &Rerate},
      {"reward", &Reward},
      {"dossier_submitted", &DossierSubmitted},
  };
  return *parsers;
}

// ---------------------------------------------------------------- expectations

absl::Status ExpectRating(Fields& f, Expectation& e) {
  RATING_ASSIGN_OR_RETURN(e.subject, f.String("subject"));
  RATING_ASSIGN_OR_RETURN(e.year, f.Year());
  const bool has_level = f.Has("level");
  const bool has_status = f.Has("status");
  if (!has_level && !has_status) return f.Error("level", "missing (give \"level\" or \"status\")");
  if (has_level) {
    RATING_ASSIGN_OR_RETURN(e.level, f.Enum("level", &ParseLevel));
  }
  if (has_status) {
    RATING_ASSIGN_OR_RETURN(e.status, f.Enum("status", &ParseRatingStatus));
  }
  return absl::OkStatus();
}

absl::Status ExpectCeiling(Fields& f, Expectation& e) {
  RATING_ASSIGN_OR_RETURN(e.subject, f.String("subject"));
  RATING_ASSIGN_OR_RETURN(e.year, f.Year());
  RATING_ASSIGN_OR_RETURN(e.level, f.Enum("level", &ParseLevel));
  RATING_ASSIGN_OR_RETURN(e.rules, f.OptStringList("rules"));
  return absl::OkStatus();
}

absl::Status ExpectTally(Fields& f, Expectation& e) {
  RATING_ASSIGN_OR_RETURN(e.session, f.String("session"));
  if (f.Has("subject")) {
    RATING_ASSIGN_OR_RETURN(e.tally_subject, f.String("subject"));
    RATING_ASSIGN_OR_RETURN(std::string level, f.String("level"));
    if (level == "TIE_AT_QUOTA") {
      e.tie_at_quota = true;
    } else {
      RATING_ASSIGN_OR_RETURN(e.level, f.ParseValue("level", level, &ParseLevel));
    }
  } else if (f.Has("level")) {
    return f.Error("subject", "missing (\"level\" needs a \"subject\")");
  }
  if (f.Has("valid")) {
    RATING_ASSIGN_OR_RETURN(e.valid, f.Int("valid"));
  }
  if (f.Has("invalid")) {
    RATING_ASSIGN_OR_RETURN(e.invalid, f.Int("invalid"));
  }
  return absl::OkStatus();
}

absl::Status ExpectError(Fields& f, Expectation& e) {
  RATING_ASSIGN_OR_RETURN(std::string code, f.String("code"));
  RATING_ASSIGN_OR_RETURN(e.code, f.ParseValue("code", code, &ParseStatusCodeName));
  if (e.code == absl::StatusCode::kOk) return f.Error("code", "OK is not an error code");
  RATING_ASSIGN_OR_RETURN(e.rules, f.OptStringList("rules"));
  return absl::OkStatus();
}

absl::Status ExpectReward(Fields& f, Expectation& e) {
  RATING_ASSIGN_OR_RETURN(e.subject, f.String("subject"));
  RATING_ASSIGN_OR_RETURN(e.year, f.Year());
  RATING_ASSIGN_OR_RETURN(e.reward_kind, f.Enum("kind", &ParseRewardKind));
  RATING_ASSIGN_OR_RETURN(e.reward_status, f.String("status"));
  if (e.reward_status != "active" && e.reward_status != "annulled") {
    return f.Error("status", absl::StrCat("unknown value \"", e.reward_status,
                                          "\" (expected one of active, annulled)"));
  }
  return absl::OkStatus();
}

absl::Status ExpectLate(Fields& f, Expectation& e) {
  RATING_ASSIGN_OR_RETURN(e.org, f.String("org"));
  RATING_ASSIGN_OR_RETURN(e.year, f.Year());
  RATING_ASSIGN_OR_RETURN(e.late, f.Bool("value"));
  return absl::OkStatus();
}

absl::Status ExpectOverrides(Fields& f, Expectation& e) {
  RATING_ASSIGN_OR_RETURN(e.count, f.Int("count"));
  return absl::OkStatus();
}

absl::Status ExpectHistory(Fields& f, Expectation& e) {
  RATING_ASSIGN_OR_RETURN(e.subject, f.String("subject"));
  RATING_ASSIGN_OR_RETURN(e.year, f.Year());
  RATING_ASSIGN_OR_RETURN(e.min_events, f.Int("min_events"));
  return absl::OkStatus();
}

absl::Status ExpectVerify(Fields&, Expectation&) { return absl::OkStatus(); }

struct ExpectParser {
  ExpectKind kind;
  absl::Status (*parse)(Fields&, Expectation&);
};

const std::map<std::string, ExpectParser>& ExpectParsers() {
  static const auto* const parsers = new std::map<std::string, ExpectParser>{
      {"rating", {ExpectKind::kRating, &ExpectRating}},
      {"ceiling", {ExpectKind::kCeiling, &ExpectCeiling}},
      {"tally", {ExpectKind::kTally, &ExpectTally}},
      {"error", {ExpectKind::kError, &ExpectError}},
      {"reward", {ExpectKind::kReward, &ExpectReward}},
      {"late", {ExpectKind::kLate, &ExpectLate}},
      {"overrides", {ExpectKind::kOverrides, &ExpectOverrides}},
      {"history", {ExpectKind::kHistory, &ExpectHistory}},
      {"verify", {ExpectKind::kVerify, &ExpectVerify}},
  };
  return *parsers;
}

template <typename Map>
std::string Keys(const Map& map) {
  std::vector<std::string> keys;
  for (const auto& [key, value] : map) keys.push_back(key);
  return absl::StrJoin(keys, ", ");
}

// Maps a `do` step; in lenient `mode` only an unknown kind fails.
absl::StatusOr<v1::Command> ParseDo(const Json& step, std::vector<std::string>* unknown,
                                    ParseMode& mode) {
  if (!step.is_object()) return absl::InvalidArgumentError("a step must be an object");
  auto kind_it = step.find("do");
  if (kind_it == step.end() || !kind_it->is_string()) {
    return absl::InvalidArgumentError("field \"do\": missing or not a string");
  }
  const std::string kind = kind_it->get<std::string>();
  auto parser = DoParsers().find(kind);
  if (parser == DoParsers().end()) {
    return absl::InvalidArgumentError(absl::StrCat("unknown step kind \"do\": \"", kind,
                                                   "\" (expected one of ", Keys(DoParsers()), ")"));
  }
  Fields fields(step, "", mode);
  for (const char* common : {"do", "as", "label"}) fields.Known(common);
  v1::Command command;
  RATING_RETURN_IF_ERROR(parser->second(fields, command, unknown));
  fields.AppendUnused(unknown);
  return command;
}

// Reads the fields every step may carry.
absl::Status ReadCommonFields(Fields& f, Step& step) {
  RATING_ASSIGN_OR_RETURN(step.as, f.OptString("as"));
  RATING_ASSIGN_OR_RETURN(step.label, f.OptString("label"));
  return absl::OkStatus();
}

Step ParseStep(const Json& json, int number, const std::set<std::string>& principals) {
  Step step;
  step.number = number;
  if (!json.is_object()) {
    step.error =
        absl::InvalidArgumentError(absl::StrCat("expected an object, got ", json.type_name()));
    return step;
  }
  const bool is_do = json.contains("do");
  const bool is_expect = json.contains("expect");
  if (is_do == is_expect) {
    step.error = absl::InvalidArgumentError(is_do ? "has both \"do\" and \"expect\""
                                                  : "needs a \"do\" or an \"expect\" field");
    return step;
  }
  step.is_do = is_do;
  const Json& kind = json.at(is_do ? "do" : "expect");
  if (!kind.is_string()) {
    step.error = absl::InvalidArgumentError(absl::StrCat(
        "field \"", is_do ? "do" : "expect", "\": expected a string, got ", kind.type_name()));
    return step;
  }
  step.kind = kind.get<std::string>();

  ParseMode strict;
  Fields fields(json, "", strict);
  fields.Known(is_do ? "do" : "expect");
  step.error = ReadCommonFields(fields, step);
  if (!step.error.ok()) return step;
  if (!step.as.empty() && principals.count(step.as) == 0) {
    step.error = absl::InvalidArgumentError(
        absl::StrCat("field \"as\": unknown principal \"", step.as, "\" (not in \"principals\")"));
    return step;
  }
  if (is_do) {
    ParseMode lenient;
    lenient.lenient = true;
    absl::StatusOr<v1::Command> command = ParseDo(json, &step.unknown_fields, lenient);
    if (command.ok()) {
      step.command = *std::move(command);
      step.error = lenient.first_error;
      step.sendable = true;
    } else {
      step.error = command.status();
    }
  } else {
    absl::StatusOr<Expectation> expectation = ParseExpectStep(json, &step.unknown_fields);
    if (expectation.ok()) {
      step.expectation = *std::move(expectation);
    } else {
      step.error = expectation.status();
    }
  }
  return step;
}

absl::Status ParsePrincipals(const Json& json, Scenario& scenario) {
  if (!json.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"principals\": expected an object, got ", json.type_name()));
  }
  for (const auto& [id, value] : json.items()) {
    const std::string path = absl::StrCat("principals.", id, ".");
    if (!value.is_object()) {
      return absl::InvalidArgumentError(
          absl::StrCat("\"", path, "\": expected an object, got ", value.type_name()));
    }
    ParseMode strict;
    Fields f(value, path, strict);
    ScenarioPrincipal principal;
    principal.id = id;
    RATING_ASSIGN_OR_RETURN(principal.role, f.Enum("role", &ParseRole));
    RATING_ASSIGN_OR_RETURN(principal.scope, f.OptString("scope"));
    std::vector<std::string> unknown;
    f.AppendUnused(&unknown);
    if (!unknown.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("\"principals\": unknown field \"", unknown.front(), "\""));
    }
    scenario.principals.push_back(std::move(principal));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::Command> ParseDoStep(const nlohmann::ordered_json& step,
                                        std::vector<std::string>* unknown) {
  ParseMode strict;
  return ParseDo(step, unknown, strict);
}

absl::StatusOr<Expectation> ParseExpectStep(const nlohmann::ordered_json& step,
                                            std::vector<std::string>* unknown) {
  if (!step.is_object()) return absl::InvalidArgumentError("a step must be an object");
  auto kind_it = step.find("expect");
  if (kind_it == step.end() || !kind_it->is_string()) {
    return absl::InvalidArgumentError("field \"expect\": missing or not a string");
  }
  const std::string kind = kind_it->get<std::string>();
  auto parser = ExpectParsers().find(kind);
  if (parser == ExpectParsers().end()) {
    return absl::InvalidArgumentError(absl::StrCat("unknown step kind \"expect\": \"", kind,
                                                   "\" (expected one of ", Keys(ExpectParsers()),
                                                   ")"));
  }
  ParseMode strict;
  Fields fields(step, "", strict);
  for (const char* common : {"expect", "as", "label"}) fields.Known(common);
  Expectation expectation;
  expectation.kind = parser->second.kind;
  RATING_ASSIGN_OR_RETURN(expectation.as_of, fields.OptString("as_of"));
  RATING_RETURN_IF_ERROR(parser->second.parse(fields, expectation));
  fields.AppendUnused(unknown);
  return expectation;
}

absl::StatusOr<Scenario> ParseScenario(absl::string_view json_text) {
  Json json;
  // nlohmann::json reports syntax errors only by throwing: this is the parse boundary.
  try {
    json = Json::parse(json_text);
  } catch (const Json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("not valid JSON: ", e.what()));
  }
  if (!json.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected a JSON object at the top, got ", json.type_name()));
  }
  Scenario scenario;
  if (auto it = json.find("name"); it != json.end()) {
    if (!it->is_string()) return absl::InvalidArgumentError("\"name\": expected a string");
    scenario.name = it->get<std::string>();
  }
  if (auto it = json.find("rules"); it != json.end()) {
    if (!it->is_array()) return absl::InvalidArgumentError("\"rules\": expected a list");
    for (const Json& rule : *it) {
      if (!rule.is_string()) {
        return absl::InvalidArgumentError("\"rules\": expected a list of strings");
      }
      scenario.rules.push_back(rule.get<std::string>());
    }
  }
  if (auto it = json.find("principals"); it != json.end()) {
    RATING_RETURN_IF_ERROR(ParsePrincipals(*it, scenario));
  }
  auto steps = json.find("steps");
  if (steps == json.end()) return absl::InvalidArgumentError("\"steps\": missing");
  if (!steps->is_array()) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"steps\": expected a list, got ", steps->type_name()));
  }
  std::set<std::string> principal_ids;
  for (const auto& principal : scenario.principals) principal_ids.insert(principal.id);
  int number = 0;
  for (const Json& step : *steps) {
    scenario.steps.push_back(ParseStep(step, ++number, principal_ids));
  }
  return scenario;
}

absl::StatusOr<Scenario> LoadScenario(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open: ", std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return absl::DataLossError("read error");
  return ParseScenario(text.str());
}

std::string DescribeExpectation(const Expectation& e) {
  std::string out;
  switch (e.kind) {
    case ExpectKind::kRating:
      out = absl::StrCat("rating ", e.subject, " ", e.year);
      if (e.level != v1::LEVEL_UNSPECIFIED) absl::StrAppend(&out, " level ", LevelCode(e.level));
      if (e.status) absl::StrAppend(&out, " status ", RatingStatusCode(*e.status));
      break;
    case ExpectKind::kCeiling:
      out = absl::StrCat("ceiling ", e.subject, " ", e.year, " ", LevelCode(e.level));
      if (!e.rules.empty()) absl::StrAppend(&out, " by [", absl::StrJoin(e.rules, ", "), "]");
      break;
    case ExpectKind::kTally:
      out = absl::StrCat("tally ", e.session);
      if (!e.tally_subject.empty()) {
        absl::StrAppend(&out, " ", e.tally_subject, " ",
                        e.tie_at_quota ? "TIE_AT_QUOTA" : LevelCode(e.level));
      }
      if (e.valid) absl::StrAppend(&out, " valid ", *e.valid);
      if (e.invalid) absl::StrAppend(&out, " invalid ", *e.invalid);
      break;
    case ExpectKind::kError:
      out = absl::StrCat("error ", absl::StatusCodeToString(e.code));
      if (!e.rules.empty()) absl::StrAppend(&out, " naming [", absl::StrJoin(e.rules, ", "), "]");
      break;
    case ExpectKind::kReward:
      out = absl::StrCat("reward ", e.subject, " ", e.year, " ", RewardKindCode(e.reward_kind), " ",
                         e.reward_status);
      break;
    case ExpectKind::kLate:
      out = absl::StrCat("late ", e.org, " ", e.year, " ", e.late ? "true" : "false");
      break;
    case ExpectKind::kOverrides:
      out = absl::StrCat("overrides count ", e.count);
      break;
    case ExpectKind::kHistory:
      out = absl::StrCat("history ", e.subject, " ", e.year, " at least ", e.min_events, " events");
      break;
    case ExpectKind::kVerify:
      out = "verify";
      break;
  }
  if (!e.as_of.empty()) absl::StrAppend(&out, " as of \"", e.as_of, "\"");
  return out;
}

}  // namespace rating::cli
