// The pipelined writer (issue 8): commands run concurrently, planned against whatever state was
// live and committed in shared groups, leave the log and the state that the same commands,
// run one after another in the log's order, leave.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "cli/generate/history_generator.h"
#include "common/clock.h"
#include "eventstore/in_memory_event_store.h"
#include "services/engine.h"
#include "tests/testing/status_matchers.h"

namespace rating::services {
namespace {

using ::rating::testing::IsOk;

constexpr char kToken[] = "pipeline-admin-token-0000";

v1::Principal Admin() {
  v1::Principal p;
  p.set_id("root");
  p.set_role(v1::ROLE_ADMIN);
  return p;
}

// A generated history (cli/generate), every command as the administrator, with its key.
std::vector<Engine::BatchCommand> History(int members, int years, uint64_t seed) {
  cli::HistoryOptions options;
  options.members = members;
  options.years = years;
  options.seed = seed;
  std::vector<Engine::BatchCommand> commands;
  absl::StatusOr<cli::HistoryStats> stats = cli::GenerateHistory(
      options, [&](const v1::Command& command, const v1::Principal&) {
        commands.push_back(
            {command, cli::HistoryRequestId(options, static_cast<uint64_t>(commands.size()))});
        return absl::OkStatus();
      });
  EXPECT_THAT(stats, IsOk());
  return commands;
}

std::vector<std::string> Payloads(const eventstore::EventStore& store) {
  std::vector<std::string> out;
  EXPECT_THAT(store.ForEach(1,
                            [&](const v1::Envelope& e) {
                              out.push_back(e.payload());
                              return true;
                            }),
              IsOk());
  return out;
}

std::string DumpOf(const Engine& engine) {
  std::string dump;
  EXPECT_THAT(engine.Read(v1::AsOf(),
                          [&](const projections::RatingState& state) {
                            dump = state.Dump();
                            return absl::OkStatus();
                          }),
              IsOk());
  return dump;
}

TEST(PipelineTest, ConcurrentCommandsLeaveWhatTheSameCommandsInLogOrderLeave) {
  const std::vector<Engine::BatchCommand> commands = History(100, 2, 7);
  ASSERT_GT(commands.size(), 600u);

  // Concurrently: six clients take the next commands off one queue, in history order, so
  // neighbours (often dependent: an enrolment and the member's self-assessment, inputs and
  // the decision on them) run at once; half send one command at a time, half runs of eight.
  common::FakeClock clock;
  eventstore::InMemoryEventStore concurrent_store(clock);
  absl::StatusOr<std::unique_ptr<Engine>> concurrent = Engine::Open(concurrent_store);
  ASSERT_THAT(concurrent, IsOk());
  ASSERT_THAT((*concurrent)->SeedPrincipal(Admin(), kToken), IsOk());
  std::vector<absl::StatusOr<v1::CommandReply>> replies(commands.size(),
                                                        absl::UnknownError("not run"));
  // The bloc is set up first, in order (periods, orgs, members: what everything else needs),
  // up to the first review.
  size_t setup = 0;
  while (setup < commands.size() &&
         commands[setup].command.command_case() != v1::Command::kRecordReviewCompleted) {
    replies[setup] = (*concurrent)->ExecuteWithToken(kToken, commands[setup].command,
                                                     commands[setup].request_id);
    ASSERT_THAT(replies[setup], IsOk()) << setup;
    ++setup;
  }
  ASSERT_LT(setup, commands.size() / 2);
  std::atomic<size_t> next{setup};
  std::vector<std::thread> clients;
  for (int t = 0; t < 6; ++t) {
    clients.emplace_back([&, t] {
      const size_t take = t % 2 == 0 ? 1 : 8;
      while (true) {
        const size_t first = next.fetch_add(take);
        if (first >= commands.size()) return;
        const size_t end = std::min(commands.size(), first + take);
        std::vector<Engine::BatchCommand> run(commands.begin() + first, commands.begin() + end);
        std::vector<absl::StatusOr<v1::CommandReply>> got = (*concurrent)->ExecuteMany(kToken, run);
        for (size_t i = first; i < end; ++i) replies[i] = std::move(got[i - first]);
      }
    });
  }
  for (std::thread& client : clients) client.join();

  // The accepted commands in the order the log holds them.
  std::vector<size_t> accepted;
  for (size_t i = 0; i < commands.size(); ++i) {
    if (replies[i].ok()) {
      EXPECT_FALSE(replies[i]->replayed()) << i;
      accepted.push_back(i);
    }
  }
  // Racing neighbours are refused now and then (a self-assessment before its member's
  // enrolment, and what depends on it); enough are accepted for the check to bite.
  EXPECT_GT(accepted.size() - setup, (commands.size() - setup) / 3);
  std::sort(accepted.begin(), accepted.end(), [&](size_t a, size_t b) {
    return replies[a]->first_position() < replies[b]->first_position();
  });

  // In sequence, in log order: every one is accepted again, with the same events.
  eventstore::InMemoryEventStore sequential_store(clock);
  absl::StatusOr<std::unique_ptr<Engine>> sequential = Engine::Open(sequential_store);
  ASSERT_THAT(sequential, IsOk());
  ASSERT_THAT((*sequential)->SeedPrincipal(Admin(), kToken), IsOk());
  for (size_t i : accepted) {
    absl::StatusOr<v1::CommandReply> reply = (*sequential)->ExecuteWithToken(
        kToken, commands[i].command, commands[i].request_id);
    ASSERT_THAT(reply, IsOk()) << "command " << i;
    EXPECT_EQ(reply->first_position(), replies[i]->first_position()) << "command " << i;
    EXPECT_EQ(reply->last_position(), replies[i]->last_position()) << "command " << i;
  }
  EXPECT_EQ(Payloads(sequential_store), Payloads(concurrent_store));
  const std::string dump = DumpOf(**concurrent);
  EXPECT_EQ(DumpOf(**sequential), dump);
  // And the live state is what the log rebuilds to.
  absl::StatusOr<std::unique_ptr<projections::RatingState>> rebuilt = (*concurrent)->Rebuild(0);
  ASSERT_THAT(rebuilt, IsOk());
  EXPECT_EQ((*rebuilt)->Dump(), dump);
}

// A run of a batch stops before a command that may depend on one of the run, so a batch gives
// exactly what its commands one by one give.
TEST(PipelineTest, ABatchEqualsItsCommandsOneByOne) {
  const std::vector<Engine::BatchCommand> commands = History(40, 1, 3);
  common::FakeClock clock;
  eventstore::InMemoryEventStore batch_store(clock);
  eventstore::InMemoryEventStore single_store(clock);
  absl::StatusOr<std::unique_ptr<Engine>> batch = Engine::Open(batch_store);
  absl::StatusOr<std::unique_ptr<Engine>> single = Engine::Open(single_store);
  ASSERT_THAT(batch, IsOk());
  ASSERT_THAT(single, IsOk());
  ASSERT_THAT((*batch)->SeedPrincipal(Admin(), kToken), IsOk());
  ASSERT_THAT((*single)->SeedPrincipal(Admin(), kToken), IsOk());
  std::vector<absl::StatusOr<v1::CommandReply>> batched = (*batch)->ExecuteMany(kToken, commands);
  ASSERT_EQ(batched.size(), commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    absl::StatusOr<v1::CommandReply> one =
        (*single)->ExecuteWithToken(kToken, commands[i].command, commands[i].request_id);
    ASSERT_EQ(one.status(), batched[i].status()) << "command " << i;
    if (one.ok()) {
      EXPECT_EQ(one->first_position(), batched[i]->first_position()) << i;
    }
  }
  EXPECT_EQ(Payloads(batch_store), Payloads(single_store));
  EXPECT_EQ(DumpOf(**batch), DumpOf(**single));
  // Replayed as a whole: every command answers with its first reply, nothing is written.
  const uint64_t head = batch_store.HeadPosition();
  std::vector<absl::StatusOr<v1::CommandReply>> again = (*batch)->ExecuteMany(kToken, commands);
  for (size_t i = 0; i < commands.size(); ++i) {
    if (!batched[i].ok()) continue;
    ASSERT_THAT(again[i], IsOk()) << i;
    EXPECT_TRUE(again[i]->replayed()) << i;
    EXPECT_EQ(again[i]->first_position(), batched[i]->first_position()) << i;
  }
  EXPECT_EQ(batch_store.HeadPosition(), head);
}

// A revoked token stops a batch at the next run: nothing more runs on its authority.
TEST(PipelineTest, ARevokedTokenStopsTheBatch) {
  const std::vector<Engine::BatchCommand> commands = History(30, 1, 5);
  common::FakeClock clock;
  eventstore::InMemoryEventStore store(clock);
  absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Open(store);
  ASSERT_THAT(engine, IsOk());
  ASSERT_THAT((*engine)->SeedPrincipal(Admin(), kToken), IsOk());
  v1::Principal other;
  other.set_id("root2");
  other.set_role(v1::ROLE_ADMIN);
  ASSERT_THAT((*engine)->SeedPrincipal(other, "pipeline-other-token-00"), IsOk());
  ASSERT_THAT((*engine)->RevokePrincipal(Admin(), "root2"), IsOk());
  const uint64_t head = store.HeadPosition();
  std::vector<absl::StatusOr<v1::CommandReply>> results =
      (*engine)->ExecuteMany("pipeline-other-token-00", commands);
  ASSERT_EQ(results.size(), commands.size());
  for (const auto& r : results) EXPECT_EQ(r.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(store.HeadPosition(), head);
}

}  // namespace
}  // namespace rating::services
