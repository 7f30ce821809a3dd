#include "projections/ballot_view.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace rating::projections {

v1::Tally TallyToProto(const rules::TallyResult& t) {
  v1::Tally out;
  out.set_issued(t.issued);
  out.set_returned(t.returned);
  out.set_valid(t.valid);
  out.set_invalid(t.invalid);
  out.set_denominator(t.denominator);
  out.set_quota(t.quota);
  for (const rules::InvalidBallotResult& b : t.invalid_ballots) {
    v1::InvalidBallotCount* o = out.add_invalid_ballots();
    o->set_serial(b.serial);
    o->set_reason(b.reason);
    o->set_detail(b.detail);
  }
  for (const rules::SubjectTallyResult& s : t.subjects) {
    v1::SubjectCount* o = out.add_subjects();
    o->set_subject(s.subject);
    o->set_htxsnv(s.votes[v1::LEVEL_HTXSNV]);
    o->set_httnv(s.votes[v1::LEVEL_HTTNV]);
    o->set_htnv(s.votes[v1::LEVEL_HTNV]);
    o->set_khtnv(s.votes[v1::LEVEL_KHTNV]);
    o->set_void_rows(s.void_rows);
    o->set_majority_level(s.majority_level);
    if (s.level) o->set_level(*s.level);
    o->set_tie_at_quota(s.tie_at_quota);
  }
  if (t.from_totals) {
    out.set_from_totals(true);
    for (const auto& [reason, count] : t.invalid_totals) {
      v1::InvalidBallotTotal* o = out.add_invalid_totals();
      o->set_reason(reason);
      o->set_count(count);
    }
  }
  return out;
}

rules::TotalsInput TotalsInputOf(const v1::BallotSession& b) {
  rules::TotalsInput input;
  input.subjects.assign(b.subjects().begin(), b.subjects().end());
  const v1::BallotTotals& totals = b.totals();
  input.issued = totals.issued();
  input.returned = totals.returned();
  for (const v1::InvalidBallotTotal& invalid : totals.invalid()) {
    input.invalid.emplace_back(invalid.reason(), invalid.count());
  }
  for (const v1::SubjectVotes& votes : totals.subjects()) {
    rules::SubjectVotesInput in;
    in.subject = votes.subject();
    in.votes[v1::LEVEL_HTXSNV] = votes.htxsnv();
    in.votes[v1::LEVEL_HTTNV] = votes.httnv();
    in.votes[v1::LEVEL_HTNV] = votes.htnv();
    in.votes[v1::LEVEL_KHTNV] = votes.khtnv();
    in.void_rows = votes.void_rows();
    input.votes.push_back(std::move(in));
  }
  return input;
}

rules::TallyInput TallyInputOf(const v1::BallotSession& b) {
  rules::TallyInput input;
  input.subjects.assign(b.subjects().begin(), b.subjects().end());
  input.issued.assign(b.issued().begin(), b.issued().end());
  for (const v1::Ballot& ballot : b.ballots()) {
    rules::BallotInput in;
    in.serial = ballot.serial();
    in.extra_content = ballot.extra_content();
    for (const v1::BallotMark& mark : ballot.marks()) {
      std::vector<rules::Level> levels;
      for (int level : mark.levels()) levels.push_back(static_cast<rules::Level>(level));
      in.marks.emplace_back(mark.subject(), std::move(levels));
    }
    input.ballots.push_back(std::move(in));
  }
  return input;
}

v1::Tally SessionRecord::tally() const {
  v1::Tally tally;
  tally.ParseFromString(tally_bytes);  // Bytes this process serialized: they parse.
  return tally;
}

const SessionRecord* BallotView::Find(const std::string& id) const {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : &it->second;
}

const SessionRecord* BallotView::Covering(const std::string& subject, const std::string& org,
                                          int year) const {
  auto it = by_org_year_.find({org, year});
  if (it == by_org_year_.end()) return nullptr;
  const std::optional<uint32_t> id = subjects_->Find(subject);
  if (!id.has_value()) return nullptr;
  const SessionRecord* best = nullptr;
  for (const std::string& session : it->second) {
    const SessionRecord* record = Find(session);
    if (record == nullptr) continue;
    if (!std::binary_search(record->subject_ids.begin(), record->subject_ids.end(), *id)) {
      continue;
    }
    if (best == nullptr || record->position > best->position) best = record;
  }
  return best;
}

std::vector<const SessionRecord*> BallotView::InOrgYearOrder() const {
  std::vector<const SessionRecord*> out;
  out.reserve(sessions_.size());
  for (const auto& [org_year, ids] : by_org_year_) {
    const size_t first = out.size();
    for (const std::string& id : ids) {
      if (const SessionRecord* record = Find(id)) out.push_back(record);
    }
    // By position: the same order live and after a snapshot load (which lists ids sorted).
    std::sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(),
              [](const SessionRecord* a, const SessionRecord* b) {
                return a->position < b->position;
              });
  }
  return out;
}

void BallotView::Record(const EventContext& ctx, const v1::BallotSession& session,
                        const v1::Tally& tally) {
  SessionRecord& record = sessions_[session.session()];
  if (record.id.empty()) by_org_year_[{session.org(), session.year()}].push_back(session.session());
  record.id = session.session();
  record.org = session.org();
  record.year = session.year();
  record.subject_ids.clear();
  for (const std::string& subject : session.subjects()) {
    record.subject_ids.push_back(subjects_->Intern(subject));
  }
  std::sort(record.subject_ids.begin(), record.subject_ids.end());
  record.subject_ids.shrink_to_fit();
  record.tally_bytes.clear();
  tally.SerializeToString(&record.tally_bytes);  // Deterministic: no maps in a Tally.
  record.position = ctx.position;
}

void BallotView::OnBallotsRecorded(const EventContext& ctx, const v1::BallotsRecorded& recorded) {
  Record(ctx, recorded.session(), recorded.tally());
}

absl::Status BallotView::OnLegacyBallotsCounted(const EventContext& ctx,
                                                const v1::BallotSession& session,
                                                const rules::Policy& policy) {
  absl::StatusOr<rules::TallyResult> tally = rules::CountBallots(TallyInputOf(session), policy);
  if (!tally.ok()) {
    return absl::InternalError(absl::StrCat("position ", ctx.position, ": ballot session ",
                                            session.session(), ": ", tally.status().message()));
  }
  Record(ctx, session, TallyToProto(*tally));
  return absl::OkStatus();
}

std::string BallotView::Dump() const {
  std::string out;
  for (const auto& [id, s] : sessions_) {
    absl::StrAppend(&out, "session ", id, " ", s.org, " ", s.year, "@", s.position, " ",
                    s.tally().ShortDebugString(), "\n");
  }
  return out;
}

}  // namespace rating::projections
