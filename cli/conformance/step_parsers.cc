// The `do` step parsers for the org and member registry and for decisions, and the one table
// that maps every `do` kind to its parser (the review inputs are in review_input_parsers.cc).
#include "cli/conformance/internal/step_parsers.h"

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/conformance/internal/json_fields.h"
#include "cli/conformance/scenario.h"
#include "cli/names.h"
#include "common/status_macros.h"

namespace rating::cli::internal {
namespace {

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

// Beyond FORMAT.md: the committees a member sits on and the collectives they head, from a date
// (RegistryService.ChangeMemberPosts).
absl::Status MemberPosts(Fields& f, v1::Command& cmd, std::vector<std::string>*) {
  v1::MemberPosts* p = cmd.mutable_change_member_posts();
  RATING_ASSIGN_OR_RETURN(*p->mutable_member(), f.String("member"));
  RATING_ASSIGN_OR_RETURN(*p->mutable_on(), f.String("on"));
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

// One row per `do` kind: adding a step kind adds its parser and one row here.
const std::map<std::string, DoParser>& DoParsers() {
  static const auto* const parsers = new std::map<std::string, DoParser>{
      {"open_period", &OpenPeriod},
      {"register_org", &RegisterOrg},
      {"restructure_org", &RestructureOrg},
      {"enroll_member", &EnrollMember},
      {"transfer_member", &TransferMember},
      {"member_posts", &MemberPosts},
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

}  // namespace

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

}  // namespace rating::cli::internal

namespace rating::cli {

absl::StatusOr<v1::Command> ParseDoStep(const nlohmann::ordered_json& step,
                                        std::vector<std::string>* unknown) {
  internal::ParseMode strict;
  return internal::ParseDo(step, unknown, strict);
}

}  // namespace rating::cli
