// The size limits of api.proto's table, by field, and the walk that checks them.
#include "services/internal/input_limits.h"

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"

namespace rating::services::internal {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Bytes of each string (each element of a repeated string), by full field name.
const std::map<std::string, size_t>& StringLimits() {
  static const auto* const limits = [] {
    auto* m = new std::map<std::string, size_t>();
    for (const char* id : {
             "OrgSpec.id",
             "OrgSpec.parent",
             "OrgRestructuring.id",
             "OrgRestructuring.new_parent",
             "MemberPosts.member",
             "MemberPosts.committee_of",
             "MemberPosts.heads",
             "MemberSpec.id",
             "MemberSpec.org",
             "MemberSpec.committee_of",
             "MemberSpec.heads",
             "MemberTransfer.member",
             "MemberTransfer.to",
             "MemberStatusChange.member",
             "SelfAssessment.member",
             "CriterionGrade.criterion",
             "ScoreCriterion.id",
             "Scorecard.org",
             "Scorecard.template_id",
             "CommitteeAssessment.org",
             "ExternalRating.org",
             "UnitIncident.org",
             "BallotSession.session",
             "BallotSession.org",
             "ConfidenceVote.member",
             "DossierSubmission.org",
             "DisciplineRuling.at_org",
             "Principal.id",
             "Principal.scope",
             "PeriodSpec.policy_version",
             "PolicyOverride.key",
         }) {
      (*m)[absl::StrCat("rating.v1.", id)] = kMaxIdBytes;
    }
    for (const char* subject :
         {"ReviewCompletion.subject", "CommentsReceipt.subject", "BallotSession.subjects",
          "SubjectLevel.subject", "DisciplineRuling.subject", "Conclusion.subject",
          "Rerating.subject", "RewardGrant.subject"}) {
      (*m)[absl::StrCat("rating.v1.", subject)] = kMaxSubjectBytes;
    }
    (*m)["rating.v1.BallotMark.subject"] = 140;  // Anything a ballot names (R-BAL-1).
    (*m)["rating.v1.BallotSession.issued"] = kMaxSerialBytes;
    (*m)["rating.v1.Ballot.serial"] = kMaxSerialBytes;
    (*m)["rating.v1.OrgSpec.name"] = kMaxNameBytes;
    (*m)["rating.v1.MemberSpec.name"] = kMaxNameBytes;
    (*m)["rating.v1.Decision.override_reason"] = kMaxReasonBytes;
    (*m)["rating.v1.Rerating.override_reason"] = kMaxReasonBytes;
    (*m)["rating.v1.Rerating.decision_no"] = 128;
    (*m)["rating.v1.Decision.decision_no"] = 128;
    (*m)["rating.v1.Decision.signer"] = kMaxNameBytes;
    (*m)["rating.v1.Rerating.signer"] = kMaxNameBytes;
    (*m)["rating.v1.ExternalRating.body"] = 128;
    (*m)["rating.v1.PolicyOverride.value"] = 16384;  // A scorecard template: several lines.
    (*m)["rating.v1.ScoreCriterion.max"] = 32;
    (*m)["rating.v1.ScoreCriterion.points"] = 32;
    return m;
  }();
  return *limits;
}

// Items of each list, by full field name.
const std::map<std::string, int>& ListLimits() {
  static const auto* const limits = new std::map<std::string, int>{
      {"rating.v1.MemberPosts.committee_of", 64},
      {"rating.v1.MemberPosts.heads", 64},
      {"rating.v1.MemberSpec.committee_of", 64},
      {"rating.v1.MemberSpec.heads", 64},
      {"rating.v1.PeriodSpec.policy_overrides", 64},
      {"rating.v1.SelfAssessment.grades", 16},
      {"rating.v1.CommitteeAssessment.grades", 16},
      {"rating.v1.Scorecard.criteria", 200},
      {"rating.v1.Decision.ratings", 10000},
      {"rating.v1.BallotSession.subjects", 10000},
      {"rating.v1.BallotSession.issued", 100000},
      {"rating.v1.BallotSession.ballots", 100000},
      {"rating.v1.Ballot.marks", 10016},  // The plan bounds it by the session's subjects + 16.
      {"rating.v1.BallotMark.levels", 4},
  };
  return *limits;
}

size_t StringLimit(const FieldDescriptor* field) {
  auto it = StringLimits().find(field->full_name());
  return it == StringLimits().end() ? kMaxTextBytes : it->second;
}

int ListLimit(const FieldDescriptor* field) {
  auto it = ListLimits().find(field->full_name());
  return it == ListLimits().end() ? kMaxListItems : it->second;
}

absl::Status TooLong(const std::string& path, size_t limit) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": longer than ", limit, " bytes"));
}

absl::Status Walk(const Message& message, const std::string& prefix) {
  const Reflection* reflection = message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const FieldDescriptor* field : fields) {
    const std::string path =
        prefix.empty() ? field->name() : absl::StrCat(prefix, ".", field->name());
    const bool is_string = field->cpp_type() == FieldDescriptor::CPPTYPE_STRING;
    const bool is_message = field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE;
    if (field->is_repeated()) {
      const int size = reflection->FieldSize(message, field);
      if (size > ListLimit(field)) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ": at most ", ListLimit(field), " items"));
      }
      for (int i = 0; i < size && (is_string || is_message); ++i) {
        const std::string item = absl::StrCat(path, "[", i, "]");
        if (is_string) {
          std::string scratch;
          const std::string& value =
              reflection->GetRepeatedStringReference(message, field, i, &scratch);
          if (value.size() > StringLimit(field)) return TooLong(item, StringLimit(field));
        } else {
          absl::Status nested = Walk(reflection->GetRepeatedMessage(message, field, i), item);
          if (!nested.ok()) return nested;
        }
      }
    } else if (is_string) {
      std::string scratch;
      const std::string& value = reflection->GetStringReference(message, field, &scratch);
      if (value.size() > StringLimit(field)) return TooLong(path, StringLimit(field));
    } else if (is_message) {
      absl::Status nested = Walk(reflection->GetMessage(message, field), path);
      if (!nested.ok()) return nested;
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::string Echo(std::string_view value) {
  size_t end = 0;
  size_t chars = 0;
  while (end < value.size() && chars < kMaxEchoChars) {
    ++end;
    // Continuation bytes (10xxxxxx) belong to the character before them.
    while (end < value.size() && (static_cast<unsigned char>(value[end]) & 0xC0) == 0x80) ++end;
    ++chars;
  }
  if (end >= value.size()) return std::string(value);
  return std::string(value.substr(0, end)) + "...";
}

std::string CutToBytes(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end)) + "...";
}

absl::Status CheckLimits(const Message& message) { return Walk(message, ""); }

absl::Status CheckCommandLimits(const v1::Command& command) {
  if (command.command_case() == v1::Command::COMMAND_NOT_SET) return absl::OkStatus();
  const FieldDescriptor* field =
      v1::Command::descriptor()->FindFieldByNumber(command.command_case());
  if (field == nullptr) return absl::OkStatus();
  return Walk(command.GetReflection()->GetMessage(command, field), "");
}

}  // namespace rating::services::internal
