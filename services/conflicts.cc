#include "services/conflicts.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "projections/rating_facts.h"
#include "rules/placement.h"
#include "rules/subject.h"

namespace rating::services {
namespace {

using projections::RatingState;

// The person behind a leader's rating: both ratings read one person's facts.
std::string FineSubject(const rules::Subject& subject) {
  if (subject.kind == rules::SubjectKind::kLeader) return absl::StrCat("member/", subject.id);
  return subject.ToString();
}

std::string GrassrootsKey(const std::string& grassroots, int year) {
  // An org outside any grassroots org shares one bucket per year.
  return absl::StrCat("g|", grassroots.empty() ? "-" : grassroots, "|", year);
}

// Collects a footprint for the commands of one year; global when the year has no period (the
// plan refuses such a command, so nothing is lost by running it alone).
class Collector {
 public:
  Collector(const RatingState& state, int year) : state_(state), year_(year) {
    if (const projections::PeriodInfo* period = state.FindPeriod(year)) {
      facts_.emplace(state, *period);
    } else {
      out_.global = true;
    }
  }

  // An input that writes one rating's facts without reading any rating.
  void Input(std::string_view subject_text) {
    auto subject = rules::ParseSubject(subject_text);
    if (!subject.ok()) return Global();
    if (!facts_) return;
    out_.blind = true;
    out_.writes.push_back(absl::StrCat("s|", FineSubject(*subject), "|", year_));
    out_.write_scopes.push_back(GrassrootsKey(facts_->PlacementOf(*subject).grassroots, year_));
  }

  // A ballot session of `org`.
  void Session(const std::string& session, const std::string& org) {
    if (!facts_) return;
    out_.writes.push_back(absl::StrCat("b|", session));
    out_.write_scopes.push_back(
        GrassrootsKey(state_.registry().GrassrootsAt(org, facts_->reference_date()), year_));
  }

  // A decided rating: reads its grassroots org and quota scope whole (and those of the orgs a
  // cap reads), writes the rating inside them.
  void Decided(std::string_view subject_text) {
    auto subject = rules::ParseSubject(subject_text);
    if (!subject.ok()) return Global();
    if (!facts_) return;
    const rules::Placement placement = facts_->PlacementOf(*subject);
    const std::string grassroots = GrassrootsKey(placement.grassroots, year_);
    const std::string scope = absl::StrCat("q|", rules::QuotaScopeOf(placement).id, "|", year_);
    out_.writes.push_back(absl::StrCat("s|", FineSubject(*subject), "|", year_));
    out_.write_scopes.push_back(grassroots);
    out_.write_scopes.push_back(scope);
    out_.reads.push_back(grassroots);
    out_.reads.push_back(scope);
    // R-LEAD-CAP / R-COM-CAP and the committee's facts read the orgs a person heads or sits on
    // and the people on an org's committee, wherever they are placed.
    const projections::RegistryView& registry = state_.registry();
    const rules::Date date = facts_->reference_date();
    std::vector<std::string> orgs;
    if (subject->IsPerson()) {
      orgs = registry.SeatsAt(subject->id, date);
      for (std::string& org : registry.HeadshipsAt(subject->id, date)) orgs.push_back(org);
    } else {
      for (const std::string& member : registry.CommitteeMembersAt(subject->id, date)) {
        orgs.push_back(registry.OrgOfMemberAt(member, date));
      }
      for (const std::string& member : registry.HeadsAt(subject->id, date)) {
        orgs.push_back(registry.OrgOfMemberAt(member, date));
      }
    }
    for (const std::string& org : orgs) {
      out_.reads.push_back(GrassrootsKey(registry.GrassrootsAt(org, date), year_));
    }
  }

  void Global() { out_.global = true; }
  Footprint Take() { return std::move(out_); }

 private:
  const RatingState& state_;
  const int year_;
  std::optional<projections::RatingFacts> facts_;
  Footprint out_;
};

bool Intersect(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  auto i = a.begin();
  auto j = b.begin();
  while (i != a.end() && j != b.end()) {
    if (*i == *j) return true;
    if (*i < *j) {
      ++i;
    } else {
      ++j;
    }
  }
  return false;
}

void SortUnique(std::vector<std::string>& keys) {
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
}

}  // namespace

void Footprint::Normalize() {
  SortUnique(writes);
  SortUnique(write_scopes);
  SortUnique(reads);
}

Footprint GlobalFootprint() {
  Footprint f;
  f.global = true;
  return f;
}

Footprint FootprintOf(const RatingState& state, const v1::Command& c,
                      std::string_view request_id) {
  Footprint out;
  switch (c.command_case()) {
    case v1::Command::kRecordReviewCompleted: {
      Collector k(state, c.record_review_completed().year());
      k.Input(c.record_review_completed().subject());
      out = k.Take();
      break;
    }
    case v1::Command::kRecordComments: {
      Collector k(state, c.record_comments().year());
      k.Input(c.record_comments().subject());
      out = k.Take();
      break;
    }
    case v1::Command::kSubmitSelfAssessment: {
      Collector k(state, c.submit_self_assessment().year());
      k.Input(absl::StrCat("member/", c.submit_self_assessment().member()));
      out = k.Take();
      break;
    }
    case v1::Command::kSubmitScorecard: {
      Collector k(state, c.submit_scorecard().year());
      k.Input(absl::StrCat("org/", c.submit_scorecard().org()));
      out = k.Take();
      break;
    }
    case v1::Command::kSubmitCommitteeAssessment: {
      Collector k(state, c.submit_committee_assessment().year());
      k.Input(absl::StrCat("committee/", c.submit_committee_assessment().org()));
      out = k.Take();
      break;
    }
    case v1::Command::kRecordExternalRating: {
      Collector k(state, c.record_external_rating().year());
      k.Input(absl::StrCat("org/", c.record_external_rating().org()));
      out = k.Take();
      break;
    }
    case v1::Command::kRecordUnitIncident: {
      Collector k(state, c.record_unit_incident().year());
      k.Input(absl::StrCat("org/", c.record_unit_incident().org()));
      out = k.Take();
      break;
    }
    case v1::Command::kRecordConclusion: {
      Collector k(state, c.record_conclusion().year());
      k.Input(c.record_conclusion().subject());
      out = k.Take();
      break;
    }
    case v1::Command::kRecordConfidenceVote: {
      Collector k(state, c.record_confidence_vote().year());
      k.Input(absl::StrCat("member/", c.record_confidence_vote().member()));
      out = k.Take();
      break;
    }
    case v1::Command::kRecordBallots: {
      const v1::BallotSession& b = c.record_ballots();
      Collector k(state, b.year());
      k.Session(b.session(), b.org());
      out = k.Take();
      break;
    }
    case v1::Command::kDecideRatings: {
      const v1::Decision& d = c.decide_ratings();
      Collector k(state, d.year());
      for (const v1::SubjectLevel& r : d.ratings()) k.Decided(r.subject());
      out = k.Take();
      break;
    }
    default:
      // Placements, periods, rulings, re-ratings, rewards, dossiers and posts reach across
      // orgs and years: they run alone.
      out.global = true;
      break;
  }
  out.request_id = std::string(request_id);
  if (!request_id.empty()) {
    // Retries of one request both read and write its key, so they never overlap.
    out.write_scopes.push_back(absl::StrCat("r|", std::string(request_id)));
    out.reads.push_back(absl::StrCat("r|", std::string(request_id)));
  }
  out.Normalize();
  return out;
}

void Merge(Footprint& into, const Footprint& f) {
  const bool empty = !into.global && into.writes.empty() && into.reads.empty() &&
                     into.write_scopes.empty();
  into.blind = empty ? f.blind : into.blind && f.blind;
  into.global = into.global || f.global;
  into.writes.insert(into.writes.end(), f.writes.begin(), f.writes.end());
  into.write_scopes.insert(into.write_scopes.end(), f.write_scopes.begin(), f.write_scopes.end());
  into.reads.insert(into.reads.end(), f.reads.begin(), f.reads.end());
  into.request_id.clear();  // The keys above carry every request id.
  into.Normalize();
}

bool Conflicts(const Footprint& earlier, const Footprint& later) {
  if (earlier.global || later.global) return true;
  if (!earlier.request_id.empty() && earlier.request_id == later.request_id) return true;
  // A blind write reads nothing: only a later plan that read its keys depends on the earlier.
  if (!later.blind && Intersect(earlier.writes, later.writes)) return true;
  return Intersect(earlier.write_scopes, later.reads);
}

}  // namespace rating::services
