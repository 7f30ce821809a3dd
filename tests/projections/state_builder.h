// Builds a projected state from events written as text-format rating.v1.Event, one per call,
// each at the next position (test helper for tests/projections and tests/services).
#pragma once

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <string>

#include "common/check.h"
#include "projections/rating_state.h"

namespace rating::projections::testing {

class StateBuilder {
 public:
  // Applies the event `text` (e.g. "org_registered { id: 'c1' ... }"); aborts the test binary
  // on a text that does not parse, fails the test on a refused event.
  StateBuilder& Add(const std::string& text) {
    v1::Event event;
    RATING_CHECK(google::protobuf::TextFormat::ParseFromString(text, &event));
    v1::Envelope envelope;
    envelope.set_position(state_.position() + 1);
    envelope.set_stream("test");
    envelope.set_stream_version(state_.position() + 1);
    envelope.set_actor("tester");
    const absl::Status applied = state_.Apply(envelope, event);
    EXPECT_TRUE(applied.ok()) << applied << "\n" << text;
    return *this;
  }
  // Registers org `id` of `kind` ("GRASSROOTS_CELL", ...) under `parent`, founded 2010-01-01.
  StateBuilder& Org(const std::string& id, const std::string& kind, const std::string& parent) {
    return Add("org_registered { id: '" + id + "' kind: ORG_KIND_" + kind + " parent: '" + parent +
               "' founded_on: '2010-01-01' }");
  }
  // Enrolls `id` in `org` (admitted 2015; `extra` adds MemberSpec fields), with a completed 2025
  // review and a self-assessment that reaches HTTNV (every criterion TOT, targets on time).
  StateBuilder& GoodMember(const std::string& id, const std::string& org,
                           const std::string& extra = "") {
    return Add("member_enrolled { id: '" + id + "' org: '" + org + "' admitted_on: '2015-03-01' " +
               extra + " }")
        .Add("review_completed { subject: 'member/" + id + "' year: 2025 }")
        .Add("self_assessment_submitted { member: '" + id + R"(' year: 2025
               grades { criterion: 'political' grade: GRADE_TOT } grades { criterion: 'tasks' grade: GRADE_TOT }
               grades { criterion: 'commitment' grade: GRADE_TOT } grades { criterion: 'remediation' grade: GRADE_TOT }
               targets { assigned: 2 completed: 2 on_time: 2 } level: LEVEL_HTTNV })");
  }
  const RatingState& state() const { return state_; }

 private:
  RatingState state_;
};

}  // namespace rating::projections::testing
