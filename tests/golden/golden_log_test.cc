// The golden log (tests/golden/golden.log): event logs recorded by an earlier version over a
// rich history replay to exactly the stored dump, and their hash chains verify. A change that
// alters how an old log replays fails here: replay applies what events remember, it never
// re-decides. Re-record (scripts/record-golden-log) only for a change to the dump's format,
// never to make a behaviour change pass.
#include "tests/golden/golden_log.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "eventstore/chain.h"
#include "rating/v1/events.pb.h"

namespace rating::golden {
namespace {

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(GoldenLogTest, AnOldLogReplaysToTheStoredStateByteForByte) {
  absl::StatusOr<std::vector<Segment>> segments = ReadGoldenLog(RATING_GOLDEN_DIR "/golden.log");
  ASSERT_TRUE(segments.ok()) << segments.status();
  ASSERT_GE(segments->size(), 10u);
  absl::StatusOr<std::string> dump = ReplayDump(*segments);
  ASSERT_TRUE(dump.ok()) << dump.status();
  const std::string want = Read(RATING_GOLDEN_DIR "/golden.dump");
  ASSERT_FALSE(want.empty());
  if (*dump != want) {
    // Name the first line that differs; the whole dump is too long to print.
    std::istringstream got_lines(*dump);
    std::istringstream want_lines(want);
    std::string got_line;
    std::string want_line;
    int line = 0;
    while (true) {
      ++line;
      const bool more_got = static_cast<bool>(std::getline(got_lines, got_line));
      const bool more_want = static_cast<bool>(std::getline(want_lines, want_line));
      if (!more_got && !more_want) break;
      if (got_line != want_line || more_got != more_want) {
        FAIL() << "replay differs from golden.dump at line " << line << "\n  got:  " << got_line
               << "\n  want: " << want_line;
      }
    }
  }
}

TEST(GoldenLogTest, EveryRecordedChainVerifies) {
  absl::StatusOr<std::vector<Segment>> segments = ReadGoldenLog(RATING_GOLDEN_DIR "/golden.log");
  ASSERT_TRUE(segments.ok()) << segments.status();
  for (size_t i = 0; i < segments->size(); ++i) {
    const Segment& segment = (*segments)[i];
    eventstore::ChainVerifier verifier(1, eventstore::ZeroHash());
    for (const v1::Envelope& envelope : segment) verifier.Check(envelope.position(), &envelope);
    const eventstore::VerifyResult result = verifier.Finish(segment.size());
    EXPECT_TRUE(result.ok) << "segment " << i + 1 << ": " << result.message;
  }
}

// Every kind of event this version writes is in the golden log, so each replay path is pinned.
TEST(GoldenLogTest, TheLogHoldsEveryKindOfEvent) {
  absl::StatusOr<std::vector<Segment>> segments = ReadGoldenLog(RATING_GOLDEN_DIR "/golden.log");
  ASSERT_TRUE(segments.ok()) << segments.status();
  std::set<int> kinds;
  for (const Segment& segment : *segments) {
    for (const v1::Envelope& envelope : segment) {
      v1::Event event;
      ASSERT_TRUE(event.ParseFromString(envelope.payload()));
      kinds.insert(event.payload_case());
    }
  }
  const google::protobuf::OneofDescriptor* oneof = v1::Event::descriptor()->oneof_decl(0);
  for (int i = 0; i < oneof->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = oneof->field(i);
    if (field->name() == "ballots_counted") continue;  // Legacy: this version never writes it.
    EXPECT_TRUE(kinds.count(field->number())) << field->name() << " is not in the golden log";
  }
}

}  // namespace
}  // namespace rating::golden
