#include "services/command_table.h"

#include "absl/strings/str_cat.h"
#include "services/internal/commands.h"

namespace rating::services {
namespace {

using namespace internal;  // NOLINT: the table names every command function.

// One row: adapts typed authorize / plan functions of payload T to the table's signatures.
template <typename T, const T& (v1::Command::*Get)() const,
          absl::Status (*Authorize)(const AuthContext&, const T&),
          absl::StatusOr<Plan> (*PlanOf)(const RatingState&, const T&)>
CommandSpec Row(v1::Command::CommandCase kind) {
  return CommandSpec{
      kind, v1::Command::descriptor()->FindFieldByNumber(kind),
      [](const AuthContext& auth, const v1::Command& c) { return Authorize(auth, (c.*Get)()); },
      [](const RatingState& state, const v1::Command& c) { return PlanOf(state, (c.*Get)()); }};
}

using C = v1::Command;

const std::vector<CommandSpec>& Table() {
  static const auto* const table = new std::vector<CommandSpec>{
      Row<v1::PeriodSpec, &C::open_period, &AuthorizeOpenPeriod, &PlanOpenPeriod>(C::kOpenPeriod),
      Row<v1::OrgSpec, &C::register_org, &AuthorizeRegisterOrg, &PlanRegisterOrg>(C::kRegisterOrg),
      Row<v1::OrgRestructuring, &C::restructure_org, &AuthorizeRestructureOrg, &PlanRestructureOrg>(
          C::kRestructureOrg),
      Row<v1::MemberSpec, &C::enroll_member, &AuthorizeEnrollMember, &PlanEnrollMember>(
          C::kEnrollMember),
      Row<v1::MemberTransfer, &C::transfer_member, &AuthorizeTransferMember, &PlanTransferMember>(
          C::kTransferMember),
      Row<v1::MemberStatusChange, &C::set_member_status, &AuthorizeSetMemberStatus,
          &PlanSetMemberStatus>(C::kSetMemberStatus),
      Row<v1::ReviewCompletion, &C::record_review_completed, &AuthorizeReviewCompleted,
          &PlanReviewCompleted>(C::kRecordReviewCompleted),
      Row<v1::CommentsReceipt, &C::record_comments, &AuthorizeComments, &PlanComments>(
          C::kRecordComments),
      Row<v1::SelfAssessment, &C::submit_self_assessment, &AuthorizeSelfAssessment,
          &PlanSelfAssessment>(C::kSubmitSelfAssessment),
      Row<v1::Scorecard, &C::submit_scorecard, &AuthorizeScorecard, &PlanScorecard>(
          C::kSubmitScorecard),
      Row<v1::CommitteeAssessment, &C::submit_committee_assessment, &AuthorizeCommitteeAssessment,
          &PlanCommitteeAssessment>(C::kSubmitCommitteeAssessment),
      Row<v1::ExternalRating, &C::record_external_rating, &AuthorizeExternalRating,
          &PlanExternalRating>(C::kRecordExternalRating),
      Row<v1::UnitIncident, &C::record_unit_incident, &AuthorizeUnitIncident, &PlanUnitIncident>(
          C::kRecordUnitIncident),
      Row<v1::BallotSession, &C::record_ballots, &AuthorizeBallots, &PlanBallots>(
          C::kRecordBallots),
      Row<v1::Decision, &C::decide_ratings, &AuthorizeDecide, &PlanDecide>(C::kDecideRatings),
      Row<v1::DisciplineRuling, &C::rule_discipline, &AuthorizeDiscipline, &PlanDiscipline>(
          C::kRuleDiscipline),
      Row<v1::Conclusion, &C::record_conclusion, &AuthorizeConclusion, &PlanConclusion>(
          C::kRecordConclusion),
      Row<v1::ConfidenceVote, &C::record_confidence_vote, &AuthorizeConfidenceVote,
          &PlanConfidenceVote>(C::kRecordConfidenceVote),
      Row<v1::Rerating, &C::rerate, &AuthorizeRerate, &PlanRerate>(C::kRerate),
      Row<v1::RewardGrant, &C::grant_reward, &AuthorizeReward, &PlanReward>(C::kGrantReward),
      Row<v1::DossierSubmission, &C::submit_dossier, &AuthorizeDossier, &PlanDossier>(
          C::kSubmitDossier),
      Row<v1::MemberPosts, &C::change_member_posts, &AuthorizeChangeMemberPosts,
          &PlanChangeMemberPosts>(C::kChangeMemberPosts),
  };
  return *table;
}

}  // namespace

const std::vector<CommandSpec>& CommandTable() { return Table(); }

const CommandSpec* FindCommand(v1::Command::CommandCase kind) {
  for (const CommandSpec& spec : Table()) {
    if (spec.kind == kind) return &spec;
  }
  return nullptr;
}

const CommandSpec* FindCommandByPayload(const google::protobuf::Descriptor* type) {
  for (const CommandSpec& spec : Table()) {
    if (spec.field != nullptr && spec.field->message_type() == type) return &spec;
  }
  return nullptr;
}

absl::StatusOr<v1::Command> CommandOf(const google::protobuf::Message& payload) {
  const CommandSpec* spec = FindCommandByPayload(payload.GetDescriptor());
  if (spec == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("command: no command carries a ", payload.GetDescriptor()->full_name()));
  }
  v1::Command command;
  command.GetReflection()->MutableMessage(&command, spec->field)->CopyFrom(payload);
  return command;
}

absl::Status AuthorizeCommand(const RatingState& state, const v1::Principal& caller,
                              const v1::Command& command) {
  const CommandSpec* spec = FindCommand(command.command_case());
  if (spec == nullptr) return absl::InvalidArgumentError("command: empty or unknown command");
  if (caller.role() == v1::ROLE_ADMIN) return absl::OkStatus();
  if (caller.role() == v1::ROLE_INSPECTOR || caller.role() == v1::ROLE_INTEGRATION) {
    return Denied(caller, "write: the role is read-only");
  }
  return spec->authorize(AuthContext{state, caller}, command);
}

absl::StatusOr<Plan> PlanCommand(const RatingState& state, const v1::Command& command) {
  const CommandSpec* spec = FindCommand(command.command_case());
  if (spec == nullptr) return absl::InvalidArgumentError("command: empty or unknown command");
  return spec->plan(state, command);
}

int CommandYear(const v1::Command& command) {
  const google::protobuf::FieldDescriptor* field =
      v1::Command::descriptor()->FindFieldByNumber(command.command_case());
  if (field == nullptr || field->message_type() == nullptr) return 0;
  const google::protobuf::Message& payload = command.GetReflection()->GetMessage(command, field);
  const google::protobuf::FieldDescriptor* year = payload.GetDescriptor()->FindFieldByName("year");
  if (year == nullptr || year->is_repeated() ||
      year->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_INT32) {
    return 0;
  }
  return payload.GetReflection()->GetInt32(payload, year);
}

std::string StreamForYear(int year) { return absl::StrCat("year-", year); }

}  // namespace rating::services
