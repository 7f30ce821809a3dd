// libFuzzer target (a): the conformance scenario parser (cli/conformance/scenario.h). Any input
// must come back as a Scenario or a status, never a crash or an uncaught exception; every
// sendable `do` step's command must survive the wire (serialize, parse, equal), and every
// expectation must describe itself.
#include <cstddef>
#include <cstdint>
#include <string>

#include "cli/conformance/scenario.h"
#include "common/check.h"
#include "google/protobuf/util/message_differencer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<rating::cli::Scenario> scenario = rating::cli::ParseScenario(text);
  if (!scenario.ok()) return 0;
  for (const rating::cli::Step& step : scenario->steps) {
    if (step.is_do && step.sendable) {
      std::string wire;
      RATING_CHECK(step.command.SerializeToString(&wire));
      rating::v1::Command back;
      RATING_CHECK(back.ParseFromString(wire));
      RATING_CHECK(google::protobuf::util::MessageDifferencer::Equals(back, step.command));
    } else if (!step.is_do && step.error.ok()) {
      RATING_CHECK(!rating::cli::DescribeExpectation(step.expectation).empty());
    }
  }
  return 0;
}
