// The `do` step parsers of a conformance scenario: one function per step kind, each mapping the
// step's fields to one rating.v1.Command. Layer: cli/conformance, internal: scenario.cc and the
// parser files of this folder include it.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cli/conformance/internal/json_fields.h"
#include "cli/conformance/scenario.h"
#include "rating/v1/api.pb.h"

namespace rating::cli::internal {

// A `do` step parser: reads the step's fields through `f` into its command's oneof in `cmd`,
// and appends the unused fields of nested objects to `unknown` (may be null; the caller reports
// the step's own). INVALID_ARGUMENT naming the field, unless `f`'s mode is lenient.
using DoParser = absl::Status (*)(Fields& f, v1::Command& cmd, std::vector<std::string>* unknown);

// Maps a `do` step to its command (the step_parsers.cc table picks the parser by kind).
// INVALID_ARGUMENT for a step that is not an object, has no string "do", or names an unknown
// kind; in a lenient `mode` nothing else fails (the field errors go to `mode.first_error`).
// Appends unused field names to `unknown` when it is not null.
absl::StatusOr<v1::Command> ParseDo(const Json& step, std::vector<std::string>* unknown,
                                    ParseMode& mode);

// The review-input parsers (review_input_parsers.cc), one per `do` kind, as DoParser:
// review_completed -> record_review_completed.
absl::Status ReviewCompleted(Fields& f, v1::Command& cmd, std::vector<std::string>* unknown);
// comments_received -> record_comments.
absl::Status CommentsReceived(Fields& f, v1::Command& cmd, std::vector<std::string>* unknown);
// self_assessment -> submit_self_assessment (grades, optional targets).
absl::Status SelfAssessment(Fields& f, v1::Command& cmd, std::vector<std::string>* unknown);
// scorecard -> submit_scorecard (criteria by points, or by achieved and plan).
absl::Status ScorecardStep(Fields& f, v1::Command& cmd, std::vector<std::string>* unknown);
// committee_assessment -> submit_committee_assessment.
absl::Status CommitteeAssessment(Fields& f, v1::Command& cmd, std::vector<std::string>* unknown);
// external_rating -> record_external_rating.
absl::Status ExternalRating(Fields& f, v1::Command& cmd, std::vector<std::string>* unknown);
// unit_incident -> record_unit_incident.
absl::Status UnitIncident(Fields& f, v1::Command& cmd, std::vector<std::string>* unknown);
// ballot -> record_ballots (each ballot's marks: a level or a list of levels per subject).
absl::Status BallotStep(Fields& f, v1::Command& cmd, std::vector<std::string>* unknown);
// dossier_submitted -> submit_dossier.
absl::Status DossierSubmitted(Fields& f, v1::Command& cmd, std::vector<std::string>* unknown);
// conclusion -> record_conclusion.
absl::Status ConclusionStep(Fields& f, v1::Command& cmd, std::vector<std::string>* unknown);
// confidence_vote -> record_confidence_vote.
absl::Status ConfidenceVote(Fields& f, v1::Command& cmd, std::vector<std::string>* unknown);

}  // namespace rating::cli::internal
