// What each reader may see of a stored event: token hashes are never readable, and a reader who
// is not an administrator, inspector or integration sees only the subjects it may read (a
// member: itself) in the events that bear on several subjects (decisions, ballot sessions).
// api.proto (HistoryEntry.event, LogEntry) documents what is removed. Internal to services/.
// Pure over the projected state; thread-compatible.
#pragma once

#include "projections/rating_state.h"
#include "rating/v1/api.pb.h"
#include "rating/v1/events.pb.h"

namespace rating::services::internal {

// Clears the token hashes `event` holds (principal_created, principal_token_rotated). Returns
// true if it held one.
bool ClearSecrets(v1::Event& event);

// A log entry as ReadLog and Subscribe return it, for every reader: token hashes cleared, and
// the envelope's payload emptied when the event held one (the payload would carry it).
void RedactLogEntry(v1::LogEntry& entry);

// `event` (bearing on a rating of `year`) as `caller` may read it in a history: secrets
// cleared; for a caller who may not read the whole log, a decision keeps only the ratings and
// breaches of subjects the caller may read, and a ballot session of an org the caller may not
// read keeps only its counts and the readable subjects' rows (no ballots, marks or serials).
void RedactForReader(const projections::RatingState& state, const v1::Principal& caller, int year,
                     v1::Event& event);

}  // namespace rating::services::internal
