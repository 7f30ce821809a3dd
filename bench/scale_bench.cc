// scale_bench: the nation-scale measures of issue 8, each next to its baseline, in one run, on
// a deterministic synthetic history (cli/generate, `ratingctl generate`). It measures whatever
// the engine does when it runs, through its public interfaces only: an in-process ratingd (the
// real services over Engine over a durable RocksDbEventStore, sync on) behind a gRPC server on
// 127.0.0.1, and raw RocksDB for the baselines, each in its own directory.
//
// Steps, in order (every measured loop is time-boxed by --seconds, the import by
// --import_budget):
//   1. generate the history into DIR/history.import (untimed);
//   2. import it over IntegrationService.Import in batches (never across a year), timing each
//      batch: events/s overall, per year and per tenth of the commands;
//   3. with the server up: get_rating_16 against a no-op call (grpc.health.v1.Health/Check,
//      same client code), as_of (live GetRating over GetRating at random old positions),
//      late_ruling (a plain command over a late discipline ruling that annuls a decided
//      rating), write_16 and write_64 (durable plain commands from 16/64 clients). The plain
//      command is RecordComments, sampled from those the import played and the server
//      accepted; the targets of reads and rulings are sampled from the ratings it decided;
//   4. server stopped: raw RocksDB group commit (16 writers, sync) of the same envelopes the
//      import stored, one batch per append (the import's baseline);
//   5. the raw scan+parse of the events column family (twice, the faster counts), and between
//      the two a full rebuild (Engine::Open over the closed store, no snapshot) with the
//      resident and heap bytes it adds (bytes_per_member_year) and the store's size on disk;
//   6. restart with a snapshot: the snapshot ratingd writes at a clean shutdown
//      (Engine::WriteSnapshot into a SnapshotStore), then Engine::Open timed as it loads it
//      (checked against the log) and replays what follows.
// The raw side of write_16/64 runs in rounds alternating with ours (step 3), with the bytes
// one plain command writes per batch.
// Prints a readable line per measure and
//   RATIO <name> <value>      (higher is better; every name always printed, 0 when a side
//                              could not run, with the reason on the line before)
//   ABS bytes_per_member_year <bytes>, ABS heap_bytes_per_member_year <bytes>
// Flags: --quick (size small, 3 s per measure), --size small|province|nation-slice (default
// province), --members N --years Y (a custom size; --seed S), --data_dir DIR (default: a
// fresh temp dir, removed at the end unless --keep), --seconds S (per measure; default 10,
// quick 3), --import_budget S (default 1500), --keep.
#include "bench/scale_bench.h"

namespace rating::bench {
namespace {

// ------------------------------------------------------------------ 3. with the server up

void MeasureGetRating(const Config& config, const History& history, Ratingd& server) {
  constexpr int kClients = 16;
  std::vector<std::unique_ptr<grpc::GenericStub>> stubs;
  for (int i = 0; i < kClients; ++i) {
    stubs.push_back(std::make_unique<grpc::GenericStub>(server.NewChannel(i)));
  }
  std::vector<std::string> requests;
  std::mt19937_64 rng(11);
  for (int i = 0; i < 4096 && !history.decided.empty(); ++i) {
    const auto& [subject, year] = history.decided[rng() % history.decided.size()];
    v1::GetRatingRequest r;
    r.set_subject(subject);
    r.set_year(year);
    requests.push_back(r.SerializeAsString());
  }
  if (requests.empty()) {
    Line("get_rating_16: no decided member in the history");
    Ratio("get_rating_16", 0);
    return;
  }
  const std::string& token = server.token();
  auto noop = [&](int t, int64_t, std::string* error) {
    grpc::Status s = GenericCall(*stubs[t], "/grpc.health.v1.Health/Check", "", token);
    if (!s.ok()) *error = s.error_message();
    return s.ok() ? kOk : kFailed;
  };
  auto get = [&](int t, int64_t i, std::string* error) {
    grpc::Status s = GenericCall(*stubs[t], "/rating.v1.QueryService/GetRating",
                                 requests[(t * 7919 + i) % requests.size()], token);
    if (!s.ok()) *error = s.error_message();
    return s.ok() ? kOk : kFailed;
  };
  RunLoad(kClients, 0.5, noop);  // Warm the connections.
  auto [noop_result, get_result] = Interleaved(
      4, config.seconds * 2, [&](double d) { return RunLoad(kClients, d, noop); },
      [&](double d) { return RunLoad(kClients, d, get); });
  Line("get_rating_16 no-op (grpc.health.v1.Health/Check, 16 clients): " +
       noop_result.Describe("calls"));
  Line("get_rating_16 GetRating (16 clients, random decided members): " +
       get_result.Describe("calls"));
  Ratio("get_rating_16", get_result.rate() / std::max(noop_result.rate(), 1e-9));
}

void MeasureAsOf(const Config& config, const History& history, Ratingd& server) {
  grpc::GenericStub stub(server.NewChannel(100));
  std::mt19937_64 rng(13);
  const uint64_t head = server.store().HeadPosition();
  std::vector<std::pair<std::string, int>> first_year;
  for (const auto& d : history.decided) {
    if (d.second == history.options.first_year) first_year.push_back(d);
  }
  if (first_year.empty() || head < 10) {
    Line("as_of: no member decided in the first year");
    Ratio("as_of", 0);
    return;
  }
  auto request = [&](uint64_t position) {
    const auto& [subject, year] = first_year[rng() % first_year.size()];
    v1::GetRatingRequest r;
    r.set_subject(subject);
    r.set_year(year);
    if (position > 0) r.mutable_as_of()->set_position(position);
    return r.SerializeAsString();
  };
  const std::string method = "/rating.v1.QueryService/GetRating";
  // Live reads, one client.
  LoadResult live = RunLoad(1, std::min(config.seconds, 3.0), [&](int, int64_t, std::string* e) {
    grpc::Status s = GenericCall(stub, method, request(0), server.token());
    if (!s.ok()) *e = s.error_message();
    return s.ok() ? kOk : kFailed;
  });
  // As-of reads at random old positions (the first period is open from position ~1, so the
  // read answers at any position: NOT_FOUND before its period was opened counts as answered).
  std::vector<double> as_of_ms;
  int64_t failed = 0;
  std::string first_error;
  const Clock::time_point start = Clock::now();
  const double box = config.seconds * 3;
  while ((as_of_ms.size() < 3 || SecondsSince(start) < box) && as_of_ms.size() < 200 &&
         failed < 20) {
    const uint64_t position = 1 + rng() % (head - 1);
    const Clock::time_point begin = Clock::now();
    grpc::Status s = GenericCall(stub, method, request(position), server.token());
    const double ms = SecondsSince(begin) * 1000;
    if (s.ok() || s.error_code() == grpc::StatusCode::NOT_FOUND) {
      as_of_ms.push_back(ms);
    } else {
      ++failed;
      if (first_error.empty()) first_error = s.error_message();
    }
  }
  Line("as_of live GetRating (1 client): " + live.Describe("calls"));
  Line(absl::StrFormat(
      "as_of GetRating at random old positions (1 client, head %d): %d reads in %.1f s, p50 "
      "%.2f ms, max %.2f ms%s",
      head, as_of_ms.size(), SecondsSince(start), Percentile(as_of_ms, 0.5), Max(as_of_ms),
      failed > 0 ? absl::StrCat(", ", failed, " failed: ", first_error) : ""));
  Ratio("as_of",
        as_of_ms.empty() ? 0 : Percentile(live.latency_ms, 0.5) / Percentile(as_of_ms, 0.5));
}

v1::Command LateRuling(const std::string& subject, int year) {
  v1::Command c;
  v1::DisciplineRuling* r = c.mutable_rule_discipline();
  r->set_subject(subject);
  r->set_form(v1::DISCIPLINE_FORM_REPRIMAND);
  r->set_decided_on(absl::StrFormat("%d-03-10", year + 1));
  r->set_violation_from(absl::StrFormat("%d-06-01", year));
  r->set_violation_to(absl::StrFormat("%d-06-30", year));
  return c;
}

void MeasureLateRuling(const Config& config, const History& history, Ratingd& server) {
  cli::Client client(server.NewChannel(200), absl::Seconds(300));
  // Plain commands first (one client), then late rulings, each annulling a decided rating
  // of an earlier year (the reply carries the ruling and at least the annulment).
  std::vector<double> plain_ms, ruling_ms;
  std::string plain_error, ruling_error;
  int64_t plain_failed = 0, ruling_refused = 0, not_annulling = 0;
  const Clock::time_point start = Clock::now();
  for (size_t i = 0; i < 100000 && plain_ms.size() < 2000 &&
                     (plain_ms.size() < 20 || SecondsSince(start) < config.seconds);
       ++i) {
    const Clock::time_point begin = Clock::now();
    auto reply =
        client.Execute(history.comments[(i * 7919) % history.comments.size()], server.token());
    if (reply.ok()) {
      plain_ms.push_back(SecondsSince(begin) * 1000);
      continue;
    }
    ++plain_failed;
    if (plain_error.empty()) plain_error = std::string(reply.status().message());
  }
  // Targets: decided member ratings of a year before the last one imported (of any year when
  // the import stopped within its first year), in random order.
  int last_year = 0;
  for (const auto& d : history.decided) last_year = std::max(last_year, d.second);
  std::vector<std::pair<std::string, int>> targets;
  for (const auto& d : history.decided) {
    if (d.second < last_year) targets.push_back(d);
  }
  const bool old_years = !targets.empty();
  if (!old_years) targets = history.decided;
  std::shuffle(targets.begin(), targets.end(), std::mt19937_64(17));
  const Clock::time_point rulings_start = Clock::now();
  std::set<std::string> ruled;
  for (const auto& [subject, year] : targets) {
    if (ruling_ms.size() >= 200) break;
    if (ruling_ms.size() >= 5 && SecondsSince(rulings_start) > config.seconds * 2) break;
    if (SecondsSince(rulings_start) > config.seconds * 6) break;
    if (!ruled.insert(subject).second) continue;
    const Clock::time_point begin = Clock::now();
    auto reply = client.Execute(LateRuling(subject, year), server.token());
    const double ms = SecondsSince(begin) * 1000;
    if (!reply.ok()) {
      ++ruling_refused;
      if (ruling_error.empty()) ruling_error = std::string(reply.status().message());
    } else if (reply->last_position() - reply->first_position() + 1 < 2) {
      ++not_annulling;  // The rating was already flagged or annulled: not a late ruling's cost.
    } else {
      ruling_ms.push_back(ms);
    }
  }
  Line(absl::StrFormat(
      "late_ruling plain command (record_comments, 1 client, durable): %d, p50 "
      "%.2f ms, p99 %.2f ms%s",
      plain_ms.size(), Percentile(plain_ms, 0.5), Percentile(plain_ms, 0.99),
      plain_failed > 0 ? absl::StrCat(", ", plain_failed, " refused: ", plain_error) : ""));
  Line(absl::StrFormat(
      "late_ruling late discipline ruling annulling a decided rating of %s (1 client, durable): "
      "%d, p50 %.2f ms, max %.2f ms; %d refused%s, %d wrote no annulment (skipped)",
      old_years ? "an earlier year" : "the current year (the import did not get past it)",
      ruling_ms.size(), Percentile(ruling_ms, 0.5), Max(ruling_ms), ruling_refused,
      ruling_error.empty() ? "" : absl::StrCat(" (first: ", ruling_error, ")"), not_annulling));
  Ratio("late_ruling", ruling_ms.empty() || plain_ms.empty()
                           ? 0
                           : Percentile(plain_ms, 0.5) / Percentile(ruling_ms, 0.5));
}

// The events a plain command writes (their stored bytes), to size the raw writes like ours.
std::vector<std::string> PlainCommandEvents(const History& history, Ratingd& server) {
  cli::Client client(server.NewChannel(300));
  auto reply = client.Execute(history.comments.front(), server.token());
  RATING_CHECK(reply.ok());
  auto page = server.store().ReadAll(reply->first_position(),
                                     reply->last_position() - reply->first_position() + 1);
  RATING_CHECK(page.ok());
  std::vector<std::string> values;
  for (const auto& e : *page) values.push_back(e.SerializeAsString());
  return values;
}

void MeasureWrites(const Config& config, const History& history, Ratingd& server,
                   const std::string& raw_root) {
  if (history.comments.empty()) {
    Line("write: no plain command in the history");
    Ratio("write_16", 0);
    Ratio("write_64", 0);
    return;
  }
  const std::vector<std::string> plain_events = PlainCommandEvents(history, server);
  size_t plain_bytes = 0;
  for (const auto& v : plain_events) plain_bytes += v.size();
  for (int clients : {16, 64}) {
    std::vector<std::unique_ptr<cli::Client>> pool;
    for (int i = 0; i < clients; ++i) {
      pool.push_back(std::make_unique<cli::Client>(server.NewChannel(1000 + i), absl::Seconds(60)));
    }
    const size_t n = history.comments.size();
    std::atomic<int64_t> sequence{0};
    auto ours_round = [&](double d) {
      return RunLoad(clients, d, [&](int t, int64_t, std::string* error) {
        const int64_t i = sequence.fetch_add(1);
        auto reply = pool[t]->Execute(history.comments[(i * 7919) % n], server.token());
        if (!reply.ok()) *error = std::string(reply.status().message());
        return reply.ok() ? kOk : kFailed;
      });
    };
    RawDb db(absl::StrCat(raw_root, "/raw_write_", clients));
    auto raw_round = [&](double d) {
      return RunLoad(clients, d, [&](int t, int64_t, std::string* error) {
        if (db.Write(plain_events, absl::StrCat("member/raw", t))) return kOk;
        *error = "raw write failed";
        return kFailed;
      });
    };
    auto [ours, raw] = Interleaved(4, config.seconds * 2, ours_round, raw_round);
    const std::string name = absl::StrCat("write_", clients);
    Line(absl::StrFormat("%s ours: durable record_comments over gRPC, %d clients: %s", name,
                         clients, ours.Describe("commands")));
    Line(
        absl::StrFormat("%s raw: RocksDB group commit, %d writers, sync, %d events (%d bytes) "
                        "a batch as one command writes: %s",
                        name, clients, plain_events.size(), plain_bytes, raw.Describe("batches")));
    Ratio(name, ours.rate() / std::max(raw.rate(), 1e-9));
  }
}

// ------------------------------------------------------------------ 4-5. rebuild, memory, snapshot

struct RebuildFigures {
  double rebuild_seconds = 0;
  uint64_t events = 0;
};

RebuildFigures MeasureRebuild(const History& history, const std::string& store_dir) {
  RebuildFigures figures;
  // The raw scan+parse, before and after the rebuild (the faster one counts): warm cache for
  // both sides.
  // The open (WAL replay) is not timed, on either side.
  auto raw_scan = [&] {
    double seconds = 0;
    const int64_t n = RawScan(store_dir, nullptr, &seconds);
    return std::make_pair(n, seconds);
  };
  auto [raw_events, raw_seconds] = raw_scan();
  {
    eventstore::RocksDbEventStoreOptions options;
    options.sync = true;
    auto store =
        eventstore::RocksDbEventStore::Open(store_dir, common::SystemClock::Get(), options);
    RATING_CHECK(store.ok());
    figures.events = (*store)->HeadPosition();
    malloc_trim(0);
    const int64_t rss0 = ResidentBytes(), heap0 = HeapInUse();
    const Clock::time_point start = Clock::now();
    auto engine = services::Engine::Open(**store);
    figures.rebuild_seconds = SecondsSince(start);
    RATING_CHECK(engine.ok());
    malloc_trim(0);
    const int64_t rss1 = ResidentBytes(), heap1 = HeapInUse();
    const double member_years =
        static_cast<double>(history.imported_members) * std::max(1, history.imported_years);
    Line(absl::StrFormat(
        "rebuild ours: Engine::Open over the store (no snapshot): %d events in %.2f s: %.0f "
        "events/s",
        figures.events, figures.rebuild_seconds, figures.events / figures.rebuild_seconds));
    Line(absl::StrFormat(
        "bytes_per_member_year: state after a rebuild: RSS +%.1f MB, heap in use +%.1f MB "
        "(mallinfo2) "
        "over %.0f member-years (%d members enrolled x %d years imported; %d member ratings "
        "decided): %.0f B RSS, %.0f B heap per member-year; %.0f B RSS per decided member rating",
        (rss1 - rss0) / 1e6, (heap1 - heap0) / 1e6, member_years, history.imported_members,
        history.imported_years, history.imported_member_ratings, (rss1 - rss0) / member_years,
        (heap1 - heap0) / member_years,
        (rss1 - rss0) / std::max<double>(1, history.imported_member_ratings)));
    const int64_t disk = DiskBytes(store_dir);
    Line(
        absl::StrFormat("store on disk: %.1f MB for %d events: %.0f B per event, %.0f B per "
                        "member-year (WAL included: the store closes without a flush)",
                        disk / 1e6, figures.events, disk / std::max<double>(1, figures.events),
                        disk / member_years));
    std::printf("ABS bytes_per_member_year %.0f\n", (rss1 - rss0) / member_years);
    std::printf("ABS heap_bytes_per_member_year %.0f\n", (heap1 - heap0) / member_years);
  }
  malloc_trim(0);
  auto [raw_events2, raw_seconds2] = raw_scan();
  raw_seconds = std::min(raw_seconds, raw_seconds2);
  Line(
      absl::StrFormat("rebuild raw: scan of the events column family, Envelope and Event parsed: "
                      "%d events in %.2f s: %.0f events/s",
                      raw_events, raw_seconds, raw_events / std::max(raw_seconds, 1e-9)));
  (void)raw_events2;
  Ratio("rebuild", raw_seconds / std::max(figures.rebuild_seconds, 1e-9));
  return figures;
}

void MeasureSnapshotRestart(const RebuildFigures& rebuild, const std::string& store_dir,
                            const std::string& dir) {
  eventstore::RocksDbEventStoreOptions options;
  options.sync = true;
  auto store = eventstore::RocksDbEventStore::Open(store_dir, common::SystemClock::Get(), options);
  RATING_CHECK(store.ok());
  auto snapshots = eventstore::SnapshotStore::Open(dir + "/snapshots");
  RATING_CHECK(snapshots.ok());
  uint64_t at = 0;
  {
    // What ratingd does at a clean shutdown (untimed): a snapshot of the state at the head.
    auto engine = services::Engine::Open(**store, {.store = snapshots->get()});
    RATING_CHECK(engine.ok());
    absl::StatusOr<uint64_t> written = (*engine)->WriteSnapshot();
    RATING_CHECK(written.ok());
    at = *written;
  }
  malloc_trim(0);
  // The restart: Engine::Open loads the snapshot (checked: version, chain hash, chunk digest)
  // and replays the tail (none after a clean shutdown).
  const Clock::time_point start = Clock::now();
  auto engine = services::Engine::Open(**store, {.store = snapshots->get()});
  const double restart_seconds = SecondsSince(start);
  RATING_CHECK(engine.ok());
  RATING_CHECK((*engine)->open_report().snapshot_position == at);
  Line(absl::StrFormat(
      "restart_snapshot: Engine::Open with the snapshot ratingd writes at a clean shutdown (at "
      "position %d, %d events replayed after it): %.2f s against the full rebuild's %.2f s",
      at, (*engine)->open_report().replayed, restart_seconds, rebuild.rebuild_seconds));
  Ratio("restart_snapshot", rebuild.rebuild_seconds / std::max(restart_seconds, 1e-9));
}

// ------------------------------------------------------------------ main

int Main(int argc, char** argv) {
  const Config config = ParseFlags(argc, argv);
  // As ratingd runs (ratingd_main.cc): no lock-order graph behind every Mutex::Lock.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  std::string root = config.data_dir;
  const bool temp = root.empty();
  if (temp) {
    root =
        (std::filesystem::temp_directory_path() / absl::StrCat("scale_bench_", getpid())).string();
  }
  std::filesystem::create_directories(root);
  const std::string store_dir = root + "/store";
  if (std::filesystem::exists(store_dir)) {
    Usage(store_dir + " exists: give an empty --data_dir");
  }
  const Clock::time_point start = Clock::now();
  Line(absl::StrFormat("scale_bench: %s, data in %s, %.1f s per measure, %u cores",
                       config.members > 0
                           ? absl::StrCat(config.members, " members x ", config.years, " years")
                           : config.size,
                       root, config.seconds, std::thread::hardware_concurrency()));
  History history = Generate(config, root);

  ImportFigures import;
  {
    Ratingd server(store_dir);
    import = MeasureImport(config, history, server);
    MeasureGetRating(config, history, server);
    MeasureAsOf(config, history, server);
    MeasureLateRuling(config, history, server);
    MeasureWrites(config, history, server, root);
  }
  malloc_trim(0);
  const double raw_import = RawImportRate(config, store_dir, root + "/raw_import", import.events);
  Ratio("import", import.rate() / std::max(raw_import, 1e-9));
  const RebuildFigures rebuild = MeasureRebuild(history, store_dir);
  MeasureSnapshotRestart(rebuild, store_dir, root);

  // Every figure is printed; bytes_per_member_year is absolute (ABS lines above).
  Line(absl::StrFormat("scale_bench: done in %.0f s", SecondsSince(start)));
  if (!config.keep) {
    std::filesystem::remove_all(root);
  }
  return 0;
}

}  // namespace
}  // namespace rating::bench

int main(int argc, char** argv) { return rating::bench::Main(argc, argv); }
