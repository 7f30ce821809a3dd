// Redaction of events for their readers (services/internal/redaction.h).
#include "services/internal/redaction.h"

#include <functional>
#include <string>

#include "services/auth.h"

namespace rating::services::internal {
namespace {

// Keeps the elements of `list` for which `keep` holds, in order.
template <typename T, typename Keep>
void KeepOnly(google::protobuf::RepeatedPtrField<T>* list, Keep keep) {
  google::protobuf::RepeatedPtrField<T> kept;
  for (T& item : *list) {
    if (keep(item)) kept.Add(std::move(item));
  }
  list->Swap(&kept);
}

// A ballot session stripped to what a reader of only some of its subjects may see.
void RedactSession(v1::BallotSession& session, const std::function<bool(const std::string&)>& may) {
  session.clear_issued();
  session.clear_ballots();
  KeepOnly(session.mutable_subjects(), [&](const std::string& s) { return may(s); });
  if (session.has_totals()) {
    session.mutable_totals()->clear_invalid();
    KeepOnly(session.mutable_totals()->mutable_subjects(),
             [&](const v1::SubjectVotes& v) { return may(v.subject()); });
  }
}

}  // namespace

bool ClearSecrets(v1::Event& event) {
  switch (event.payload_case()) {
    case v1::Event::kPrincipalCreated:
      event.mutable_principal_created()->clear_token_sha256();
      return true;
    case v1::Event::kPrincipalTokenRotated:
      event.mutable_principal_token_rotated()->clear_token_sha256();
      return true;
    default:
      return false;
  }
}

void RedactLogEntry(v1::LogEntry& entry) {
  if (ClearSecrets(*entry.mutable_event())) entry.mutable_envelope()->clear_payload();
}

void RedactForReader(const projections::RatingState& state, const v1::Principal& caller, int year,
                     v1::Event& event) {
  ClearSecrets(event);
  if (AuthorizeLogRead(caller).ok()) return;
  auto may = [&](const std::string& subject) {
    return AuthorizeSubjectRead(state, caller, subject, year).ok();
  };
  // A breach names a subject, or a quota scope in counts only (kept, as ListOverrides does).
  auto breach = [&](const v1::Breach& b) { return b.subject().empty() || may(b.subject()); };
  switch (event.payload_case()) {
    case v1::Event::kRatingsDecided: {
      v1::RatingsDecided* d = event.mutable_ratings_decided();
      KeepOnly(d->mutable_decision()->mutable_ratings(),
               [&](const v1::SubjectLevel& r) { return may(r.subject()); });
      KeepOnly(d->mutable_forced(), breach);
      break;
    }
    case v1::Event::kRerated:
      KeepOnly(event.mutable_rerated()->mutable_forced(), breach);
      break;
    case v1::Event::kBallotsRecorded: {
      v1::BallotsRecorded* b = event.mutable_ballots_recorded();
      // Who may read the session's org reads its tally minutes whole (GetTally's rule).
      if (AuthorizeOrgRead(state, caller, b->session().org()).ok()) break;
      RedactSession(*b->mutable_session(), may);
      b->mutable_tally()->clear_invalid_ballots();
      b->mutable_tally()->clear_invalid_totals();
      KeepOnly(b->mutable_tally()->mutable_subjects(),
               [&](const v1::SubjectCount& c) { return may(c.subject()); });
      break;
    }
    case v1::Event::kBallotsCounted:
      if (AuthorizeOrgRead(state, caller, event.ballots_counted().org()).ok()) break;
      RedactSession(*event.mutable_ballots_counted(), may);
      break;
    default:
      break;  // Events about one subject, which the caller may read.
  }
}

}  // namespace rating::services::internal
