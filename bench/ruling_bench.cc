// ruling_bench: the latency of one late discipline ruling and of one QĐ 01 re-rating, run
// through the engine (authorize -> plan -> append -> apply), as the number of members grows.
// Planning a ruling reads only the ratings the ruling can reach (RatingFacts with an Overlay),
// so both should stay flat from 1k to 30k members; a plain input command is the baseline.
//
// Each size gets its own synthetic, deterministic history (fixed seed), built before its
// benchmarks run and never timed: periods 2025 and 2026; grassroots committees of five
// subordinate cells, plus grassroots cells, ~30 members a cell (N/30 cells); every member
// enrolled (2015), reviewed, self-assessed, voted on by ballot and decided (mostly HTTNV, some
// HTNV); every org reviewed, scored, with its external ratings, and decided; grassroots
// committees (cấp ủy) assessed and decided. The measured members are those of the first five
// grassroots committees at every size, so the ratings a ruling reaches look the same whatever
// N is. Measures, each over N members, real time through Engine::Execute:
//   BM_LateRuling/N   a ruling (not self-remedied) on a 2025 violation of one decided HTTNV
//                     member of a subordinate cell: flags member/ID (R-RETRO-1), asks R-RETRO-3
//                     of the orgs reached. A different member every iteration.
//   BM_Rerate/N       QĐ 01 of a member flagged above, to KHTNV, by its grassroots committee.
//   BM_PlainCommand/N record_comments on a member: the baseline.
//   BM_PlanOnlyLateRuling/N, BM_PlanOnlyRerate/N  planning alone (PlanCommand, no append),
//                     the same command on an unchanged state: the share planning takes.
// The sizes are measured in interleaved rounds (every other round in reverse order), each
// row labelled with its round. After the table it prints, from the same run (the median over
// the rounds of real time per operation):
//   MS <measure>/<N> <milliseconds per operation>
//   RATIO late_ruling_30k_over_1k <value>       (~1.0 = flat)
//   RATIO rerate_30k_over_1k <value>
//   RATIO plan_only_..., plain_command_30k_over_1k
//   RATIO plain_over_late_ruling_<N> <value>    (plain latency / ruling latency)
//   SETUP members=<N> ...                        (history size and untimed setup time)
// Flags (besides --benchmark_*): --store=memory|rocksdb (default memory; rocksdb is opened
// non-durable in a temp dir), --sizes=1000,3000,... (default 1000,3000,10000,30000; the
// RATIO names read the first and last), --iterations=N (ruling and rerate iterations per
// round, default 50; the others 5x), --rounds=N (default 7).
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/synthetic_history.h"
#include "benchmark/benchmark.h"
#include "common/check.h"
#include "common/clock.h"
#include "eventstore/in_memory_event_store.h"
#include "eventstore/rocksdb_event_store.h"
#include "projections/rating_state.h"
#include "rating/v1/api.pb.h"
#include "services/command_table.h"
#include "services/engine.h"
namespace rating::bench {
namespace {

struct Config {
  std::string store = "memory";
  std::vector<int> sizes = {1000, 3000, 10000, 30000};
  int iterations = 50;  // Per round, for the ruling and the re-rating.
  int plain_iterations = 250;
  int rounds = 7;  // Each measure runs once per size per round; the median is reported.
};

Config& config() {
  static Config* const c = new Config();
  return *c;
}

// The history of each size, built the first time a measure of that size runs (untimed) and
// kept for the rounds that follow.
std::map<int, std::unique_ptr<World>>& worlds() {
  static auto* const w = new std::map<int, std::unique_ptr<World>>();
  return *w;
}
std::vector<std::string>& summaries() {
  static auto* const s = new std::vector<std::string>();
  return *s;
}

World& WorldOf(int members) {
  std::unique_ptr<World>& world = worlds()[members];
  if (world == nullptr) {
    world = std::make_unique<World>(members, config().store);
    summaries().push_back(world->Summary());
  }
  return *world;
}

// ------------------------------------------------------------------ the measures

void CountEvents(benchmark::State& state, int64_t events) {
  state.counters["events"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kAvgIterations);
}

// Runs the prepared commands, one an iteration, through the engine, each as its caller. Stops
// with an error at the first refusal, or at a reply of fewer than `min_events` events. Returns
// how many ran.
size_t RunCommands(benchmark::State& state, World& world, const std::vector<v1::Command>& commands,
                   const std::vector<v1::Principal>& callers, int min_events) {
  size_t i = 0;
  int64_t events = 0;
  for (auto _ : state) {
    auto reply = world.engine().Execute(callers[i], commands[i], "");
    if (!reply.ok() || reply->event_ids_size() < min_events) {
      state.SkipWithError(reply.ok() ? "the command wrote too few events"
                                     : std::string(reply.status().message()).c_str());
      break;
    }
    events += reply->event_ids_size();
    ++i;
  }
  CountEvents(state, events);
  return i;
}

void BM_LateRuling(benchmark::State& state) {
  World& world = WorldOf(static_cast<int>(state.range(0)));
  std::vector<Candidate> who;
  std::vector<v1::Command> commands;
  std::vector<v1::Principal> callers;
  for (benchmark::IterationCount i = 0; i < state.max_iterations; ++i) {
    who.push_back(world.NextToRule());
    commands.push_back(Ruling(who.back().member));
    callers.push_back(GrassrootsCommittee(who.back().committee));
  }
  // The ruling must flag member/ID: two events at least.
  const size_t ran = RunCommands(state, world, commands, callers, 2);
  for (size_t k = 0; k < ran; ++k) world.Flagged(who[k]);
}

void BM_Rerate(benchmark::State& state) {
  World& world = WorldOf(static_cast<int>(state.range(0)));
  std::vector<v1::Command> commands;
  std::vector<v1::Principal> callers;
  for (benchmark::IterationCount i = 0; i < state.max_iterations; ++i) {
    const Candidate c = world.TakeFlagged();
    commands.push_back(Rerate(c.member));
    callers.push_back(GrassrootsCommittee(c.committee));
  }
  RunCommands(state, world, commands, callers, 1);
}

void BM_PlainCommand(benchmark::State& state) {
  World& world = WorldOf(static_cast<int>(state.range(0)));
  std::vector<v1::Command> commands;
  std::vector<v1::Principal> callers;
  for (benchmark::IterationCount i = 0; i < state.max_iterations; ++i) {
    const Candidate& c = world.NextPlain();
    commands.push_back(Comments(c.member));
    callers.push_back(GrassrootsCommittee(c.committee));
  }
  RunCommands(state, world, commands, callers, 1);
}

// Planning alone (no append, no apply), under the engine's read lock: the same command on an
// unchanged state every iteration. Shows how much of the latency planning is.
void PlanOnly(benchmark::State& state, const v1::Command& command) {
  World& world = WorldOf(static_cast<int>(state.range(0)));
  absl::Status status = world.engine().Read({}, [&](const projections::RatingState& s) {
    int64_t events = 0;
    for (auto _ : state) {
      auto plan = services::PlanCommand(s, command);
      if (!plan.ok()) return plan.status();
      events += static_cast<int64_t>(plan->events.size());
      benchmark::DoNotOptimize(plan);
    }
    CountEvents(state, events);
    return absl::OkStatus();
  });
  if (!status.ok()) state.SkipWithError(std::string(status.message()).c_str());
}

void BM_PlanOnlyLateRuling(benchmark::State& state) {
  World& world = WorldOf(static_cast<int>(state.range(0)));
  PlanOnly(state, Ruling(world.Unruled().member));
}

void BM_PlanOnlyRerate(benchmark::State& state) {
  World& world = WorldOf(static_cast<int>(state.range(0)));
  PlanOnly(state, Rerate(world.PeekFlagged().member));
}

// ------------------------------------------------------------------ reporting

// Prints the table as usual and keeps, per "function/N", the real time per operation of every
// round in milliseconds; Ms() is their median.
class CapturingReporter : public benchmark::ConsoleReporter {
 public:
  explicit CapturingReporter(OutputOptions options) : ConsoleReporter(options) {}

  void ReportRuns(const std::vector<Run>& reports) override {
    for (const Run& run : reports) {
      if (run.error_occurred || run.run_type != Run::RT_Iteration) continue;
      const std::string key = absl::StrCat(run.run_name.function_name, "/", run.run_name.args);
      samples_[key].push_back(ToMs(run.GetAdjustedRealTime(), run.time_unit));
    }
    ConsoleReporter::ReportRuns(reports);
  }

  std::optional<double> Ms(const std::string& function, int members) const {
    auto it = samples_.find(absl::StrCat(function, "/", members));
    if (it == samples_.end() || it->second.empty()) return std::nullopt;
    std::vector<double> v = it->second;
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

 private:
  static double ToMs(double value, benchmark::TimeUnit unit) {
    switch (unit) {
      case benchmark::kNanosecond:
        return value / 1e6;
      case benchmark::kMicrosecond:
        return value / 1e3;
      case benchmark::kMillisecond:
        return value;
      case benchmark::kSecond:
        return value * 1e3;
    }
    return value;
  }

  std::map<std::string, std::vector<double>> samples_;
};

std::string Ratio(std::optional<double> num, std::optional<double> den) {
  if (!num || !den || *den <= 0) return "n/a";
  return absl::StrFormat("%.3f", *num / *den);
}

// Consumes our own flags; leaves the rest for benchmark::Initialize.
void ParseFlags(int* argc, char** argv) {
  int out = 1;
  for (int i = 1; i < *argc; ++i) {
    absl::string_view arg = argv[i];
    int value = 0;
    if (absl::ConsumePrefix(&arg, "--store=")) {
      config().store = std::string(arg);
      RATING_CHECK(config().store == "memory" || config().store == "rocksdb");
    } else if (absl::ConsumePrefix(&arg, "--sizes=")) {
      config().sizes.clear();
      for (absl::string_view part : absl::StrSplit(arg, ',')) {
        RATING_CHECK(absl::SimpleAtoi(part, &value) && value >= 200);
        config().sizes.push_back(value);
      }
    } else if (absl::ConsumePrefix(&arg, "--iterations=")) {
      RATING_CHECK(absl::SimpleAtoi(arg, &value) && value > 0);
      config().iterations = value;
      config().plain_iterations = 5 * value;
    } else if (absl::ConsumePrefix(&arg, "--rounds=")) {
      RATING_CHECK(absl::SimpleAtoi(arg, &value) && value > 0);
      config().rounds = value;
    } else {
      argv[out++] = argv[i];
    }
  }
  *argc = out;
}

int Main(int argc, char** argv) {
  const absl::Time start = absl::Now();
  ParseFlags(&argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  const Config& c = config();
  // Rounds interleave the sizes (every other round in reverse), so that a slow spell on the
  // machine hits every size alike; each round runs each measure once per size.
  struct Measure {
    const char* name;
    void (*fn)(benchmark::State&);
    int iterations;
  };
  const Measure measures[] = {
      {"BM_LateRuling", &BM_LateRuling, c.iterations},
      {"BM_Rerate", &BM_Rerate, c.iterations},
      {"BM_PlainCommand", &BM_PlainCommand, c.plain_iterations},
      {"BM_PlanOnlyLateRuling", &BM_PlanOnlyLateRuling, c.plain_iterations},
      {"BM_PlanOnlyRerate", &BM_PlanOnlyRerate, c.plain_iterations},
  };
  for (int round = 1; round <= c.rounds; ++round) {
    std::vector<int> sizes = c.sizes;
    if (round % 2 == 0) std::reverse(sizes.begin(), sizes.end());
    for (int n : sizes) {
      for (const Measure& m : measures) {
        auto fn = m.fn;
        benchmark::RegisterBenchmark(m.name,
                                     [fn, round](benchmark::State& state) {
                                       fn(state);
                                       state.SetLabel(absl::StrCat("round ", round));
                                     })
            ->Arg(n)
            ->Iterations(m.iterations)
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime();
      }
    }
  }
  CapturingReporter reporter(isatty(STDOUT_FILENO) ? benchmark::ConsoleReporter::OO_ColorTabular
                                                   : benchmark::ConsoleReporter::OO_Tabular);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  worlds().clear();

  std::printf("\nstore=%s (median real time per operation over %d rounds)\n", c.store.c_str(),
              c.rounds);
  for (int n : c.sizes) {
    for (const char* f : {"BM_LateRuling", "BM_Rerate", "BM_PlainCommand", "BM_PlanOnlyLateRuling",
                          "BM_PlanOnlyRerate"}) {
      const std::optional<double> ms = reporter.Ms(f, n);
      std::printf("MS %s/%d %s\n", f, n, ms ? absl::StrFormat("%.4f", *ms).c_str() : "n/a");
    }
  }
  const int first = c.sizes.front();
  const int last = c.sizes.back();
  const std::string span = absl::StrCat(last / 1000, "k_over_", first / 1000, "k");
  std::printf(
      "RATIO late_ruling_%s %s\n", span.c_str(),
      Ratio(reporter.Ms("BM_LateRuling", last), reporter.Ms("BM_LateRuling", first)).c_str());
  std::printf("RATIO rerate_%s %s\n", span.c_str(),
              Ratio(reporter.Ms("BM_Rerate", last), reporter.Ms("BM_Rerate", first)).c_str());
  std::printf(
      "RATIO plan_only_late_ruling_%s %s\n", span.c_str(),
      Ratio(reporter.Ms("BM_PlanOnlyLateRuling", last), reporter.Ms("BM_PlanOnlyLateRuling", first))
          .c_str());
  std::printf("RATIO plan_only_rerate_%s %s\n", span.c_str(),
              Ratio(reporter.Ms("BM_PlanOnlyRerate", last), reporter.Ms("BM_PlanOnlyRerate", first))
                  .c_str());
  std::printf(
      "RATIO plain_command_%s %s\n", span.c_str(),
      Ratio(reporter.Ms("BM_PlainCommand", last), reporter.Ms("BM_PlainCommand", first)).c_str());
  for (int n : c.sizes) {
    std::printf("RATIO plain_over_late_ruling_%d %s\n", n,
                Ratio(reporter.Ms("BM_PlainCommand", n), reporter.Ms("BM_LateRuling", n)).c_str());
  }
  for (const std::string& s : summaries()) std::printf("%s\n", s.c_str());
  std::printf("TOTAL wall_seconds=%.1f\n", absl::ToDoubleSeconds(absl::Now() - start));
  benchmark::Shutdown();
  return 0;
}

}  // namespace
}  // namespace rating::bench

int main(int argc, char** argv) { return rating::bench::Main(argc, argv); }
