#include "tests/fuzz/fuzz_state.h"

#include <google/protobuf/text_format.h>

#include <cstdio>

#include "common/check.h"
#include "projections/rating_facts.h"
#include "projections/rating_reads.h"

namespace rating::fuzz {
namespace {

// The planners' own events for a small history (tests/fuzz/fixed_state.json played by
// `fuzz_make_seeds --print-events`): two periods (2026 with an override), a grassroots cell c1
// with members m1..m5 reviewed, self-assessed, balloted (one invalid ballot), decided (m1
// excellent, rewarded), a ruling on m2 that flagged its rating, m8 admitted too late to be
// rated; a grassroots committee g1 with a subordinate cell s1 whose members m6, m7 are pending.
std::vector<std::string> BuildFixedEvents() {
  return {
      R"pb(period_opened { year: 2025 policy_version: "hd19-2024" })pb",
      R"pb(period_opened {
             year: 2026
             reference_date: "2026-12-01"
             policy_version: "hd19-2024"
             policy_overrides { key: "quota_base" value: "good_only" }
           })pb",
      R"pb(org_registered {
             id: "c1"
             kind: ORG_KIND_GRASSROOTS_CELL
             parent: "bloc"
             founded_on: "2010-01-01"
             name: "Chi b\341\273\231 1"
           })pb",
      R"pb(org_registered {
             id: "g1"
             kind: ORG_KIND_GRASSROOTS_COMMITTEE
             parent: "bloc"
             founded_on: "2010-01-01"
           })pb",
      R"pb(org_registered {
             id: "s1"
             kind: ORG_KIND_SUBORDINATE_CELL
             parent: "g1"
             founded_on: "2012-01-01"
           })pb",
      R"pb(member_enrolled {
             id: "m1"
             org: "c1"
             admitted_on: "2015-03-01"
             committee_of: "c1"
             heads: "c1"
           })pb",
      R"pb(member_enrolled { id: "m2" org: "c1" admitted_on: "2015-03-01" committee_of: "c1" })pb",
      R"pb(member_enrolled { id: "m3" org: "c1" admitted_on: "2015-03-01" })pb",
      R"pb(member_enrolled { id: "m4" org: "c1" admitted_on: "2015-03-01" })pb",
      R"pb(member_enrolled { id: "m5" org: "c1" admitted_on: "2015-03-01" })pb",
      R"pb(member_enrolled {
             id: "m6"
             org: "s1"
             admitted_on: "2015-03-01"
             committee_of: "g1"
             heads: "g1"
           })pb",
      R"pb(member_enrolled { id: "m7" org: "s1" admitted_on: "2015-03-01" })pb",
      R"pb(member_enrolled { id: "m8" org: "c1" admitted_on: "2025-10-01" })pb",
      R"pb(review_completed { subject: "member/m1" year: 2025 })pb",
      R"pb(review_completed { subject: "member/m2" year: 2025 })pb",
      R"pb(review_completed { subject: "member/m3" year: 2025 })pb",
      R"pb(review_completed { subject: "member/m4" year: 2025 })pb",
      R"pb(review_completed { subject: "member/m5" year: 2025 })pb",
      R"pb(review_completed { subject: "member/m6" year: 2025 })pb",
      R"pb(review_completed { subject: "member/m7" year: 2025 })pb",
      R"pb(self_assessment_submitted {
             member: "m1"
             year: 2025
             grades { criterion: "political" grade: GRADE_XS }
             grades { criterion: "tasks" grade: GRADE_XS }
             grades { criterion: "commitment" grade: GRADE_XS }
             grades { criterion: "remediation" grade: GRADE_XS }
             targets { assigned: 2 completed: 2 on_time: 2 exceeded: 1 }
             exemplary: true
             level: LEVEL_HTXSNV
           })pb",
      R"pb(self_assessment_submitted {
             member: "m2"
             year: 2025
             grades { criterion: "political" grade: GRADE_TOT }
             grades { criterion: "tasks" grade: GRADE_TOT }
             grades { criterion: "commitment" grade: GRADE_TOT }
             grades { criterion: "remediation" grade: GRADE_TOT }
             targets { assigned: 2 completed: 2 on_time: 2 }
             level: LEVEL_HTTNV
           })pb",
      R"pb(self_assessment_submitted {
             member: "m3"
             year: 2025
             grades { criterion: "political" grade: GRADE_TOT }
             grades { criterion: "tasks" grade: GRADE_TOT }
             grades { criterion: "commitment" grade: GRADE_TOT }
             grades { criterion: "remediation" grade: GRADE_TOT }
             targets { assigned: 2 completed: 2 on_time: 2 }
             level: LEVEL_HTTNV
           })pb",
      R"pb(self_assessment_submitted {
             member: "m4"
             year: 2025
             grades { criterion: "political" grade: GRADE_TOT }
             grades { criterion: "tasks" grade: GRADE_TOT }
             grades { criterion: "commitment" grade: GRADE_TOT }
             grades { criterion: "remediation" grade: GRADE_TOT }
             targets { assigned: 2 completed: 2 on_time: 2 }
             level: LEVEL_HTTNV
           })pb",
      R"pb(self_assessment_submitted {
             member: "m5"
             year: 2025
             grades { criterion: "political" grade: GRADE_TOT }
             grades { criterion: "tasks" grade: GRADE_TOT }
             grades { criterion: "commitment" grade: GRADE_TOT }
             grades { criterion: "remediation" grade: GRADE_TOT }
             targets { assigned: 2 completed: 2 on_time: 2 }
             level: LEVEL_HTTNV
           })pb",
      R"pb(self_assessment_submitted {
             member: "m6"
             year: 2025
             grades { criterion: "political" grade: GRADE_TOT }
             grades { criterion: "tasks" grade: GRADE_TOT }
             grades { criterion: "commitment" grade: GRADE_TOT }
             grades { criterion: "remediation" grade: GRADE_TOT }
             targets { assigned: 2 completed: 2 on_time: 2 }
             level: LEVEL_HTTNV
           })pb",
      R"pb(self_assessment_submitted {
             member: "m7"
             year: 2025
             grades { criterion: "political" grade: GRADE_TOT }
             grades { criterion: "tasks" grade: GRADE_TOT }
             grades { criterion: "commitment" grade: GRADE_TOT }
             grades { criterion: "remediation" grade: GRADE_TOT }
             targets { assigned: 2 completed: 2 on_time: 2 }
             level: LEVEL_HTTNV
           })pb",
      R"pb(comments_received { subject: "member/m3" year: 2025 source: COMMENT_SOURCE_RESIDENCE })pb",
      R"pb(confidence_vote_recorded { member: "m4" year: 2025 low: 1 total: 10 })pb",
      R"pb(ballots_recorded {
             session {
               session: "c1-2025"
               org: "c1"
               year: 2025
               subjects: "member/m1"
               subjects: "member/m2"
               subjects: "member/m3"
               subjects: "member/m4"
               subjects: "member/m5"
               issued: "1"
               issued: "2"
               issued: "3"
               issued: "4"
               issued: "5"
               issued: "6"
               ballots {
                 serial: "1"
                 marks { subject: "member/m1" levels: LEVEL_HTXSNV }
                 marks { subject: "member/m2" levels: LEVEL_HTTNV }
                 marks { subject: "member/m3" levels: LEVEL_HTTNV }
                 marks { subject: "member/m4" levels: LEVEL_HTTNV }
                 marks { subject: "member/m5" levels: LEVEL_HTTNV }
               }
               ballots {
                 serial: "2"
                 marks { subject: "member/m1" levels: LEVEL_HTXSNV }
                 marks { subject: "member/m2" levels: LEVEL_HTTNV }
                 marks { subject: "member/m3" levels: LEVEL_HTTNV }
                 marks { subject: "member/m4" levels: LEVEL_HTTNV }
                 marks { subject: "member/m5" levels: LEVEL_HTTNV }
               }
               ballots {
                 serial: "3"
                 marks { subject: "member/m1" levels: LEVEL_HTXSNV }
                 marks { subject: "member/m2" levels: LEVEL_HTTNV }
                 marks { subject: "member/m3" levels: LEVEL_HTTNV }
                 marks { subject: "member/m4" levels: LEVEL_HTTNV }
                 marks { subject: "member/m5" levels: LEVEL_HTTNV }
               }
               ballots {
                 serial: "4"
                 marks { subject: "member/m1" levels: LEVEL_HTXSNV }
                 marks { subject: "member/m2" levels: LEVEL_HTTNV }
                 marks { subject: "member/m3" levels: LEVEL_HTTNV }
                 marks { subject: "member/m4" levels: LEVEL_HTTNV }
                 marks { subject: "member/m5" levels: LEVEL_HTTNV }
               }
               ballots {
                 serial: "5"
                 marks { subject: "member/m1" levels: LEVEL_HTXSNV }
                 marks { subject: "member/m2" levels: LEVEL_HTTNV }
                 marks { subject: "member/m3" levels: LEVEL_HTTNV }
                 marks { subject: "member/m4" levels: LEVEL_HTTNV }
                 marks { subject: "member/m5" levels: LEVEL_HTTNV }
               }
               ballots {
                 serial: "6"
                 marks { subject: "member/m1" levels: LEVEL_HTXSNV levels: LEVEL_HTTNV }
                 extra_content: true
               }
             }
             tally {
               issued: 6
               returned: 6
               valid: 5
               invalid: 1
               denominator: 5
               quota: 1
               invalid_ballots { serial: "6" reason: INVALID_BALLOT_REASON_EXTRA_CONTENT }
               subjects {
                 subject: "member/m1"
                 htxsnv: 5
                 majority_level: LEVEL_HTXSNV
                 level: LEVEL_HTXSNV
               }
               subjects {
                 subject: "member/m2"
                 httnv: 5
                 majority_level: LEVEL_HTTNV
                 level: LEVEL_HTTNV
               }
               subjects {
                 subject: "member/m3"
                 httnv: 5
                 majority_level: LEVEL_HTTNV
                 level: LEVEL_HTTNV
               }
               subjects {
                 subject: "member/m4"
                 httnv: 5
                 majority_level: LEVEL_HTTNV
                 level: LEVEL_HTTNV
               }
               subjects {
                 subject: "member/m5"
                 httnv: 5
                 majority_level: LEVEL_HTTNV
                 level: LEVEL_HTTNV
               }
             }
           })pb",
      R"pb(ratings_decided {
             decision {
               year: 2025
               ratings { subject: "member/m1" level: LEVEL_HTXSNV }
               ratings { subject: "member/m2" level: LEVEL_HTTNV }
               ratings { subject: "member/m3" level: LEVEL_HTTNV }
               ratings { subject: "member/m4" level: LEVEL_HTTNV }
               ratings { subject: "member/m5" level: LEVEL_HTTNV }
             }
             authority: "c1"
           })pb",
      R"pb(reward_granted { subject: "member/m1" year: 2025 kind: REWARD_KIND_YEARLY })pb",
      R"pb(review_completed { subject: "org/c1" year: 2025 })pb",
      R"pb(scorecard_submitted {
             org: "c1"
             year: 2025
             criteria { id: "political_ideology" max: "15" points: "13" }
             criteria { id: "organization_cadres" max: "15" points: "12" }
             criteria { id: "party_programs" max: "20" key: true points: "16" }
             criteria {
               id: "production_business"
               max: "30"
               key: true
               quantity { achieved: 90 plan: 100 }
             }
             criteria { id: "remediation" max: "20" points: "15" }
             party_building_pct: 100
             production_plan_met: true
           })pb",
      R"pb(external_rating_recorded { org: "c1" year: 2025 body: "management" level: LEVEL_HTTNV })pb",
      R"pb(unit_incident_recorded {
             org: "g1"
             year: 2025
             kind: INCIDENT_KIND_WASTE
             self_remedied: true
           })pb",
      R"pb(dossier_submitted { org: "c1" year: 2025 on: "2025-12-20" })pb",
      R"pb(discipline_ruled {
             ruling {
               subject: "member/m2"
               form: DISCIPLINE_FORM_REPRIMAND
               decided_on: "2026-02-01"
               violation_from: "2025-05-01"
               violation_to: "2025-05-31"
               self_remedied: true
             }
             attributed_org: "c1"
             years: 2025
           })pb",
      R"pb(rating_flagged {
             subject: "member/m2"
             year: 2025
             flag: RATING_STATUS_RERATING_REVIEW
             proposed_level: LEVEL_HTTNV
             rules: "R-RETRO-1"
             reason: "Quy\341\272\277t \304\221\341\273\213nh k\341\273\267 lu\341\272\255t khi\341\273\203n tr\303\241ch ng\303\240y 2026-02-01 v\341\273\201 vi ph\341\272\241m t\341\273\253 2025-05-01 \304\221\341\272\277n 2025-05-31, \304\221\303\243 t\341\273\261 ph\303\241t hi\341\273\207n v\303\240 kh\341\272\257c ph\341\273\245c xong h\341\272\255u qu\341\272\243: c\341\272\245p \341\273\247y c\341\272\245p tr\303\252n tr\341\273\261c ti\341\272\277p xem x\303\251t x\341\272\277p lo\341\272\241i l\341\272\241i n\304\203m 2025 (IV.9)"
           })pb",
      R"pb(committee_assessed {
             org: "g1"
             year: 2025
             grades { criterion: "democratic_centralism" grade: GRADE_TOT }
             grades { criterion: "leadership_responsibility" grade: GRADE_TOT }
             grades { criterion: "programs" grade: GRADE_TOT }
             grades { criterion: "results" grade: GRADE_TOT }
             grades { criterion: "targets" grade: GRADE_TOT }
             grades { criterion: "unit_ratings" grade: GRADE_TOT }
             grades { criterion: "remediation" grade: GRADE_TOT }
             unit_targets_pct: 80
           })pb",
  };
}

projections::RatingState BuildFixedState() {
  projections::RatingState state;
  for (const std::string& text : FixedEvents()) {
    v1::Event event;
    if (!google::protobuf::TextFormat::ParseFromString(text, &event)) {
      std::fprintf(stderr, "fixed event does not parse: %s\n", text.c_str());
      RATING_CHECK(false);
    }
    const absl::Status applied = state.Apply(NextEnvelope(state, "fixed", event), event);
    if (!applied.ok()) {
      std::fprintf(stderr, "fixed event refused: %s: %s\n", text.c_str(),
                   std::string(applied.message()).c_str());
      RATING_CHECK(false);
    }
  }
  return state;
}

v1::Principal MakePrincipal(const std::string& id, v1::Role role, const std::string& scope) {
  v1::Principal p;
  p.set_id(id);
  p.set_role(role);
  p.set_scope(scope);
  return p;
}

}  // namespace

const std::vector<std::string>& FixedEvents() {
  static const std::vector<std::string>* const events =
      new std::vector<std::string>(BuildFixedEvents());
  return *events;
}

const projections::RatingState& FixedState() {
  static const projections::RatingState* const state =
      new projections::RatingState(BuildFixedState());
  return *state;
}

const std::vector<v1::Principal>& FixedCallers() {
  static const std::vector<v1::Principal>* const callers = new std::vector<v1::Principal>{
      MakePrincipal("admin", v1::ROLE_ADMIN, ""),
      MakePrincipal("bloc", v1::ROLE_BLOC_COMMITTEE, "bloc"),
      MakePrincipal("cell1", v1::ROLE_CELL_COMMITTEE, "c1"),
      MakePrincipal("gr1", v1::ROLE_GRASSROOTS_COMMITTEE, "g1"),
      MakePrincipal("sub1", v1::ROLE_CELL_COMMITTEE, "s1"),
      MakePrincipal("count1", v1::ROLE_COUNTING_TEAM, "c1"),
      MakePrincipal("member1", v1::ROLE_MEMBER, "m1"),
      MakePrincipal("insp", v1::ROLE_INSPECTOR, ""),
      MakePrincipal("prov", v1::ROLE_INTEGRATION, ""),
  };
  return *callers;
}

v1::Envelope NextEnvelope(const projections::RatingState& state, const std::string& stream,
                          const v1::Event& event) {
  v1::Envelope envelope;
  envelope.set_position(state.position() + 1);
  envelope.set_stream(stream);
  envelope.set_stream_version(state.StreamVersion(stream) + 1);
  envelope.set_type("rating.v1.Event");
  envelope.set_schema_version(1);
  envelope.set_payload(event.SerializeAsString());
  envelope.set_recorded_at_micros(1767225600000000 + static_cast<int64_t>(state.position()));
  envelope.set_actor("fuzzer");
  return envelope;
}

size_t ReadEverything(const projections::RatingState& state) {
  size_t answers = 0;
  for (const auto& [year, period] : state.periods().periods()) {
    projections::RatingFacts facts(state, period);
    std::vector<std::string> subjects;
    for (const auto& [id, org] : state.registry().orgs()) {
      auto listed = projections::RatingsOfOrg(facts, id, v1::LEVEL_UNSPECIFIED);
      answers += listed.ok() ? listed->size() : 1;
      subjects.push_back("org/" + id);
      subjects.push_back("committee/" + id);
    }
    for (const auto& [id, member] : state.registry().members()) {
      subjects.push_back("member/" + id);
      subjects.push_back("leader/" + id);
    }
    for (const std::string& text : subjects) {
      auto subject = projections::ResolveSubject(state, text);
      if (!subject.ok()) continue;
      projections::RatingFacts one(state, period);  // One per query, as the query service.
      answers += projections::RatingViewOf(one, *subject).explanation_size();
    }
  }
  for (const auto& [id, session] : state.ballots().sessions()) {
    answers += projections::TallyMinutesOf(session).subjects_size();
  }
  answers += state.Dump().size();
  return answers;
}

}  // namespace rating::fuzz
