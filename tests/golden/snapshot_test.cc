// Projection snapshots over the golden log's histories: a state loaded from a snapshot equals
// the state it was written from (dump and snapshot bytes), and it goes on applying the rest of
// the log exactly as a full replay does.
#include "projections/snapshot.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/golden/golden_log.h"
#include "tests/testing/status_matchers.h"

namespace rating::projections {
namespace {

using ::rating::testing::IsOk;
using ::rating::testing::StatusIs;

std::vector<golden::Segment> Segments() {
  auto segments = golden::ReadGoldenLog(RATING_GOLDEN_DIR "/golden.log");
  EXPECT_THAT(segments.status(), IsOk());
  return segments.ok() ? *segments : std::vector<golden::Segment>();
}

// The state after the first `count` events of `segment`.
std::unique_ptr<RatingState> Replayed(const golden::Segment& segment, size_t count) {
  auto state = std::make_unique<RatingState>();
  for (size_t i = 0; i < count; ++i) EXPECT_THAT(state->Apply(segment[i]), IsOk());
  return state;
}

std::vector<v1::SnapshotChunk> Written(const RatingState& state, size_t chunk_bytes) {
  std::vector<v1::SnapshotChunk> chunks;
  EXPECT_THAT(WriteSnapshot(state, chunk_bytes,
                            [&](const v1::SnapshotChunk& chunk) {
                              chunks.push_back(chunk);
                              return absl::OkStatus();
                            }),
              IsOk());
  return chunks;
}

std::string Bytes(const std::vector<v1::SnapshotChunk>& chunks) {
  std::string out;
  for (const v1::SnapshotChunk& chunk : chunks) out += chunk.SerializeAsString();
  return out;
}

std::unique_ptr<RatingState> Loaded(const std::vector<v1::SnapshotChunk>& chunks,
                                    const RatingState& from) {
  SnapshotLoader loader;
  for (const v1::SnapshotChunk& chunk : chunks) EXPECT_THAT(loader.Add(chunk), IsOk());
  return loader.Finish(from.position(), from.recorded_at_micros());
}

// The registry's and ballots' indexes answer the same in both states (the dump shows records,
// not the indexes a loader rebuilds).
void ExpectSameIndexes(const RatingState& a, const RatingState& b) {
  for (const auto& [id, org] : a.registry().orgs()) {
    for (const Date date : {kBeginning, Date(2023, 12, 15), Date(2025, 12, 15), kEndOfTime}) {
      EXPECT_EQ(a.registry().DescendantsAt(id, date), b.registry().DescendantsAt(id, date)) << id;
      EXPECT_EQ(a.registry().MembersAt(id, date), b.registry().MembersAt(id, date)) << id;
      EXPECT_EQ(a.registry().CommitteeMembersAt(id, date),
                b.registry().CommitteeMembersAt(id, date))
          << id;
      EXPECT_EQ(a.registry().HeadsAt(id, date), b.registry().HeadsAt(id, date)) << id;
    }
  }
  for (const auto& [id, session] : a.ballots().sessions()) {
    for (uint32_t subject : session.subject_ids) {
      const std::string& name = a.subjects().Name(subject);
      const SessionRecord* x = a.ballots().Covering(name, session.org, session.year);
      const SessionRecord* y = b.ballots().Covering(name, session.org, session.year);
      ASSERT_TRUE(x != nullptr && y != nullptr) << name;
      EXPECT_EQ(x->id, y->id);
    }
  }
  for (const RewardRecord& r : a.rewards().rewards()) {
    EXPECT_EQ(a.rewards().OfSubject(r.grant.subject()).size(),
              b.rewards().OfSubject(r.grant.subject()).size());
  }
}

TEST(SnapshotTest, EveryGoldenHistoryLoadsToTheSameStateAndGoesOnTheSame) {
  const std::vector<golden::Segment> segments = Segments();
  ASSERT_FALSE(segments.empty());
  size_t cuts = 0;
  for (size_t s = 0; s < segments.size(); ++s) {
    const golden::Segment& segment = segments[s];
    const std::unique_ptr<RatingState> full = Replayed(segment, segment.size());
    const std::string full_dump = full->Dump();
    const std::string full_bytes = Bytes(Written(*full, 4096));
    const size_t stride = std::max<size_t>(1, segment.size() / 12);
    for (size_t cut = 0; cut <= segment.size(); cut += stride) {
      SCOPED_TRACE(::testing::Message() << "segment " << s << " cut at " << cut);
      const std::unique_ptr<RatingState> before = Replayed(segment, cut);
      const std::vector<v1::SnapshotChunk> chunks = Written(*before, 4096);
      std::unique_ptr<RatingState> loaded = Loaded(chunks, *before);
      ASSERT_EQ(loaded->Dump(), before->Dump());
      ASSERT_EQ(Bytes(Written(*loaded, 4096)), Bytes(chunks));
      ASSERT_EQ(loaded->position(), before->position());
      ExpectSameIndexes(*before, *loaded);
      for (size_t i = cut; i < segment.size(); ++i) ASSERT_THAT(loaded->Apply(segment[i]), IsOk());
      ASSERT_EQ(loaded->Dump(), full_dump);
      ASSERT_EQ(Bytes(Written(*loaded, 4096)), full_bytes);
      ExpectSameIndexes(*full, *loaded);
      ++cuts;
    }
  }
  EXPECT_GT(cuts, segments.size() * 10);
}

TEST(SnapshotTest, ChunkSizeDoesNotChangeTheState) {
  const std::vector<golden::Segment> segments = Segments();
  ASSERT_FALSE(segments.empty());
  const golden::Segment& largest = *std::max_element(
      segments.begin(), segments.end(),
      [](const golden::Segment& a, const golden::Segment& b) { return a.size() < b.size(); });
  const std::unique_ptr<RatingState> state = Replayed(largest, largest.size());
  const std::vector<v1::SnapshotChunk> tiny = Written(*state, 1);
  const std::vector<v1::SnapshotChunk> one = Written(*state, size_t{1} << 30);
  EXPECT_GT(tiny.size(), 100u);
  EXPECT_EQ(one.size(), 1u);
  EXPECT_EQ(Loaded(tiny, *state)->Dump(), state->Dump());
  EXPECT_EQ(Loaded(one, *state)->Dump(), state->Dump());
}

TEST(SnapshotTest, AnEmptyStateIsOneChunk) {
  RatingState empty;
  const std::vector<v1::SnapshotChunk> chunks = Written(empty, 4096);
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(Loaded(chunks, empty)->Dump(), empty.Dump());
}

TEST(SnapshotTest, ASubjectIdPastTheTableIsDataLoss) {
  v1::SnapshotChunk chunk;
  chunk.add_subjects("member/m1");
  v1::SubjectYearSnapshot* sy = chunk.add_subject_years();
  sy->set_subject_id(1);
  sy->set_year(2025);
  SnapshotLoader loader;
  EXPECT_THAT(loader.Add(chunk), StatusIs(absl::StatusCode::kDataLoss));
}

TEST(SnapshotTest, ASubjectListedTwiceIsDataLoss) {
  v1::SnapshotChunk chunk;
  chunk.add_subjects("member/m1");
  chunk.add_subjects("member/m1");
  SnapshotLoader loader;
  EXPECT_THAT(loader.Add(chunk), StatusIs(absl::StatusCode::kDataLoss));
}

}  // namespace
}  // namespace rating::projections
