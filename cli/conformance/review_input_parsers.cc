// The `do` step parsers for review inputs: assessments, scorecards, ballots, conclusions and
// the other facts a rating is decided on. Listed in step_parsers.cc's table.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "cli/conformance/internal/json_fields.h"
#include "cli/conformance/internal/step_parsers.h"
#include "cli/names.h"
#include "common/status_macros.h"
#include "google/protobuf/repeated_ptr_field.h"

namespace rating::cli::internal {
namespace {

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

}  // namespace

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

absl::StatusOr<v1::InvalidBallotReason> ParseInvalidReason(absl::string_view text) {
  v1::InvalidBallotReason reason;
  if (!v1::InvalidBallotReason_Parse(
          absl::StrCat("INVALID_BALLOT_REASON_", absl::AsciiStrToUpper(text)), &reason) ||
      reason == v1::INVALID_BALLOT_REASON_UNSPECIFIED) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", text, "' is not not_issued, duplicate, unknown_subject, extra_content or no_mark"));
  }
  return reason;
}

// {"issued": N, "returned": N, "invalid": {"no_mark": N, ...},
//  "votes": {"member/m1": {"HTXSNV": N, "HTTNV": N, "HTNV": N, "KHTNV": N, "void": N}, ...}}
absl::Status BallotTotalsOf(Fields& t, v1::BallotTotals& out) {
  constexpr int64_t kMax = 1000000000;
  RATING_ASSIGN_OR_RETURN(int64_t issued, t.Int64("issued", 0, kMax));
  out.set_issued(static_cast<int32_t>(issued));
  RATING_ASSIGN_OR_RETURN(int64_t returned, t.Int64("returned", 0, kMax));
  out.set_returned(static_cast<int32_t>(returned));
  if (t.Has("invalid")) {
    RATING_ASSIGN_OR_RETURN(const Json* invalid, t.Object("invalid"));
    for (const auto& [code, count] : invalid->items()) {
      const std::string path = absl::StrCat("invalid.", code);
      v1::InvalidBallotTotal* total = out.add_invalid();
      RATING_ASSIGN_OR_RETURN(v1::InvalidBallotReason reason,
                              t.ParseValue(path, code, &ParseInvalidReason));
      total->set_reason(reason);
      RATING_ASSIGN_OR_RETURN(int64_t n, t.AsInt(path, count, 0, kMax));
      total->set_count(static_cast<int32_t>(n));
    }
  }
  RATING_ASSIGN_OR_RETURN(const Json* votes, t.Object("votes"));
  for (const auto& [subject, counts] : votes->items()) {
    const std::string path = absl::StrCat("votes.", subject);
    if (!counts.is_object()) {
      RATING_RETURN_IF_ERROR(t.Soft(t.TypeError(path, "an object of counts", counts)));
      continue;
    }
    v1::SubjectVotes* row = out.add_subjects();
    row->set_subject(subject);
    using Setter = void (v1::SubjectVotes::*)(int32_t);
    static const std::vector<std::pair<std::string, Setter>> kCounts = {
        {"HTXSNV", &v1::SubjectVotes::set_htxsnv}, {"HTTNV", &v1::SubjectVotes::set_httnv},
        {"HTNV", &v1::SubjectVotes::set_htnv},     {"KHTNV", &v1::SubjectVotes::set_khtnv},
        {"void", &v1::SubjectVotes::set_void_rows}};
    for (const auto& [key, n_json] : counts.items()) {
      auto it = std::find_if(kCounts.begin(), kCounts.end(),
                             [&key = key](const auto& c) { return c.first == key; });
      const std::string count_path = absl::StrCat(path, ".", key);
      if (it == kCounts.end()) {
        RATING_RETURN_IF_ERROR(
            t.Soft(t.Error(count_path, "not a count (HTXSNV, HTTNV, HTNV, KHTNV or void)")));
        continue;
      }
      RATING_ASSIGN_OR_RETURN(int64_t n, t.AsInt(count_path, n_json, 0, kMax));
      (row->*(it->second))(static_cast<int32_t>(n));
    }
  }
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
  if (f.Has("totals")) {
    // The counting team's totals instead of the papers (our extension of the `ballot` step).
    RATING_ASSIGN_OR_RETURN(const Json* totals, f.Object("totals"));
    Fields t(*totals, absl::StrCat(f.path(), "totals."), f.mode());
    RATING_RETURN_IF_ERROR(BallotTotalsOf(t, *p->mutable_totals()));
    t.AppendUnused(unknown);
    // Papers given as well are sent as given: the server refuses the mix.
    if (!f.Has("issued") && !f.Has("ballots")) return absl::OkStatus();
  }
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

}  // namespace rating::cli::internal
