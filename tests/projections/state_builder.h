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
  const RatingState& state() const { return state_; }

 private:
  RatingState state_;
};

}  // namespace rating::projections::testing
