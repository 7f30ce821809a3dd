// Persisted projection snapshots (issue 8): a restart loads the newest fit snapshot and replays
// only the tail, to exactly the state a full rebuild gives; a snapshot of another projection
// version, of another log or with damaged chunks is discarded, never trusted; as-of reads start
// from the nearest snapshot and read what a rebuild reads.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "cli/generate/history_generator.h"
#include "common/clock.h"
#include "eventstore/in_memory_event_store.h"
#include "eventstore/rocksdb_event_store.h"
#include "eventstore/snapshot_store.h"
#include "projections/snapshot.h"
#include "services/engine.h"
#include "tests/eventstore/test_util.h"
#include "tests/testing/status_matchers.h"

namespace rating::services {
namespace {

using ::rating::testing::IsOk;

constexpr char kToken[] = "snapshot-admin-token-000";

std::vector<Engine::BatchCommand> History(int members, int years) {
  cli::HistoryOptions options;
  options.members = members;
  options.years = years;
  options.seed = 11;
  std::vector<Engine::BatchCommand> commands;
  EXPECT_THAT(cli::GenerateHistory(options,
                                   [&](const v1::Command& command, const v1::Principal&) {
                                     commands.push_back({command, cli::HistoryRequestId(
                                                                      options, commands.size())});
                                     return absl::OkStatus();
                                   }),
              IsOk());
  return commands;
}

void Seed(Engine& engine) {
  v1::Principal admin;
  admin.set_id("root");
  admin.set_role(v1::ROLE_ADMIN);
  ASSERT_THAT(engine.SeedPrincipal(admin, kToken), IsOk());
}

void RunCommands(Engine& engine, const std::vector<Engine::BatchCommand>& commands, size_t from,
         size_t to) {
  std::vector<Engine::BatchCommand> part(commands.begin() + from, commands.begin() + to);
  for (const auto& result : engine.ExecuteMany(kToken, part)) {
    EXPECT_NE(result.status().code(), absl::StatusCode::kInternal) << result.status();
  }
}

std::string DumpAsOf(const Engine& engine, uint64_t position) {
  v1::AsOf as_of;
  as_of.set_position(position);
  std::string dump;
  EXPECT_THAT(engine.Read(as_of,
                          [&](const projections::RatingState& state) {
                            dump = state.Dump();
                            return absl::OkStatus();
                          }),
              IsOk());
  return dump;
}

TEST(SnapshotRestartTest, ARestartLoadsTheSnapshotReplaysTheTailAndEqualsAFullRebuild) {
  const std::string dir = eventstore::testing::NewTestDir();
  const std::vector<Engine::BatchCommand> commands = History(40, 2);
  const size_t cut = commands.size() * 2 / 3;
  uint64_t snapshot_at = 0;
  uint64_t head = 0;
  std::string live;
  {
    auto store = eventstore::RocksDbEventStore::Open(dir + "/events", common::SystemClock::Get());
    ASSERT_THAT(store, IsOk());
    auto snapshots = eventstore::SnapshotStore::Open(dir + "/snapshots");
    ASSERT_THAT(snapshots, IsOk());
    auto engine = Engine::Open(**store, {.store = snapshots->get()});
    ASSERT_THAT(engine, IsOk());
    Seed(**engine);
    RunCommands(**engine, commands, 0, cut);
    absl::StatusOr<uint64_t> written = (*engine)->WriteSnapshot();
    ASSERT_THAT(written, IsOk());
    snapshot_at = *written;
    EXPECT_EQ(snapshot_at, (*store)->HeadPosition());
    RunCommands(**engine, commands, cut, commands.size());
    head = (*store)->HeadPosition();
    ASSERT_GT(head, snapshot_at);
    live = DumpAsOf(**engine, 0);
  }
  auto store = eventstore::RocksDbEventStore::Open(dir + "/events", common::SystemClock::Get());
  ASSERT_THAT(store, IsOk());
  auto snapshots = eventstore::SnapshotStore::Open(dir + "/snapshots");
  ASSERT_THAT(snapshots, IsOk());
  auto restarted = Engine::Open(**store, {.store = snapshots->get()});
  ASSERT_THAT(restarted, IsOk());
  EXPECT_EQ((*restarted)->open_report().snapshot_position, snapshot_at);
  EXPECT_EQ((*restarted)->open_report().replayed, head - snapshot_at);
  EXPECT_TRUE((*restarted)->open_report().discarded.empty());
  const std::string from_snapshot = DumpAsOf(**restarted, 0);
  EXPECT_EQ(from_snapshot, live);
  auto rebuilt = Engine::Open(**store);
  ASSERT_THAT(rebuilt, IsOk());
  EXPECT_EQ((*rebuilt)->open_report().replayed, head);
  EXPECT_EQ(DumpAsOf(**rebuilt, 0), from_snapshot);
  std::filesystem::remove_all(dir);
}

// Rewrites the header of the snapshot at `position` with `edit` applied.
void EditHeader(eventstore::SnapshotStore& snapshots, uint64_t position,
                const std::function<void(v1::SnapshotHeader&)>& edit) {
  absl::StatusOr<std::string> bytes = snapshots.Header(position);
  ASSERT_THAT(bytes, IsOk());
  v1::SnapshotHeader header;
  ASSERT_TRUE(header.ParseFromString(*bytes));
  edit(header);
  eventstore::SnapshotStore::Writer writer = snapshots.Write(position);
  for (uint32_t i = 1; i <= header.chunks(); ++i) {
    absl::StatusOr<std::string> chunk = snapshots.Chunk(position, i);
    ASSERT_THAT(chunk, IsOk());
    ASSERT_THAT(writer.AddChunk(i == 1 && header.chunks_sha256() == "damaged" ? *chunk + "x"
                                                                                : *chunk),
                IsOk());
  }
  ASSERT_THAT(writer.Commit(header.SerializeAsString()), IsOk());
}

class UnfitSnapshotTest
    : public ::testing::TestWithParam<std::pair<const char*, void (*)(v1::SnapshotHeader&)>> {};

TEST_P(UnfitSnapshotTest, IsDiscardedAndTheStateRebuiltFromTheLog) {
  const std::string dir = eventstore::testing::NewTestDir();
  const std::vector<Engine::BatchCommand> commands = History(30, 1);
  common::FakeClock clock;
  eventstore::InMemoryEventStore store(clock);
  auto snapshots = eventstore::SnapshotStore::Open(dir);
  ASSERT_THAT(snapshots, IsOk());
  std::string live;
  uint64_t at = 0;
  {
    auto engine = Engine::Open(store, {.store = snapshots->get()});
    ASSERT_THAT(engine, IsOk());
    Seed(**engine);
    RunCommands(**engine, commands, 0, commands.size());
    absl::StatusOr<uint64_t> written = (*engine)->WriteSnapshot();
    ASSERT_THAT(written, IsOk());
    at = *written;
    live = DumpAsOf(**engine, 0);
  }
  EditHeader(**snapshots, at, GetParam().second);
  auto engine = Engine::Open(store, {.store = snapshots->get()});
  ASSERT_THAT(engine, IsOk());
  EXPECT_EQ((*engine)->open_report().snapshot_position, 0u);
  ASSERT_EQ((*engine)->open_report().discarded.size(), 1u);
  EXPECT_EQ((*engine)->open_report().replayed, store.HeadPosition());
  EXPECT_EQ(DumpAsOf(**engine, 0), live);
  // And it is gone: never trusted again.
  absl::StatusOr<std::vector<uint64_t>> left = (*snapshots)->Positions(0);
  ASSERT_THAT(left, IsOk());
  EXPECT_TRUE(left->empty());
  std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(
    Unfit, UnfitSnapshotTest,
    ::testing::Values(
        std::make_pair("AnotherProjectionVersion",
                       +[](v1::SnapshotHeader& h) {
                         h.set_projection_version(projections::kProjectionVersion + 1);
                       }),
        std::make_pair("AnotherLogsChainHash",
                       +[](v1::SnapshotHeader& h) { h.set_chain_hash(std::string(32, '\x7f')); }),
        std::make_pair("DamagedChunks",
                       +[](v1::SnapshotHeader& h) { h.set_chunks_sha256("damaged"); })),
    [](const auto& info) { return std::string(info.param.first); });

TEST(SnapshotAsOfTest, AsOfReadsFromTheNearestSnapshotReadWhatARebuildReads) {
  const std::string dir = eventstore::testing::NewTestDir();
  const std::vector<Engine::BatchCommand> commands = History(30, 2);
  common::FakeClock clock;
  eventstore::InMemoryEventStore store(clock);
  auto snapshots = eventstore::SnapshotStore::Open(dir);
  ASSERT_THAT(snapshots, IsOk());
  auto engine = Engine::Open(store, {.store = snapshots->get(), .keep = 10});
  ASSERT_THAT(engine, IsOk());
  Seed(**engine);
  const size_t step = commands.size() / 5;
  for (size_t from = 0; from < commands.size(); from += step) {
    RunCommands(**engine, commands, from, std::min(commands.size(), from + step));
    ASSERT_THAT((*engine)->WriteSnapshot(), IsOk());
  }
  const uint64_t head = store.HeadPosition();
  absl::StatusOr<std::vector<uint64_t>> kept = (*snapshots)->Positions(0);
  ASSERT_THAT(kept, IsOk());
  EXPECT_GE(kept->size(), 5u);
  // Backwards and forwards, on and between snapshots.
  std::vector<uint64_t> positions = {head - 1, 1, head / 2, (*kept)[1], (*kept)[1] + 1, head / 3,
                                     head};
  for (uint64_t p : positions) {
    absl::StatusOr<std::unique_ptr<projections::RatingState>> rebuilt = (*engine)->Rebuild(p);
    ASSERT_THAT(rebuilt, IsOk());
    EXPECT_EQ(DumpAsOf(**engine, p), (*rebuilt)->Dump()) << "as of " << p;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace rating::services
