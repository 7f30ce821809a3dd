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
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "cli/client.h"
#include "cli/generate/history_generator.h"
#include "cli/generate/import_file.h"
#include "common/check.h"
#include "common/clock.h"
#include "common/crypto.h"
#include "eventstore/keys.h"
#include "eventstore/rocksdb_event_store.h"
#include "eventstore/snapshot_store.h"
#include "projections/rating_state.h"
#include "projections/snapshot.h"
#include "rating/v1/api.grpc.pb.h"
#include "rating/v1/envelope.pb.h"
#include "rating/v1/events.pb.h"
#include "rating/v1/snapshot.pb.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"
#include "services/engine.h"
#include "services/grpc_services.h"

namespace rating::bench {
namespace {

namespace v1 = ::rating::v1;
using Clock = std::chrono::steady_clock;

// ------------------------------------------------------------------ configuration

struct Config {
  std::string size = "province";
  int members = 0;  // > 0: a custom size (with years).
  int years = 0;
  uint64_t seed = 1;
  std::string data_dir;
  bool keep = false;
  bool quick = false;
  double seconds = 10;
  double import_budget = 1500;
};

[[noreturn]] void Usage(const std::string& why) {
  std::fprintf(stderr,
               "scale_bench: %s\nusage: scale_bench [--quick] [--size small|province|nation-slice]"
               " [--members N --years Y] [--seed S] [--data_dir DIR] [--seconds S]"
               " [--import_budget S] [--keep]\n",
               why.c_str());
  std::exit(2);
}

Config ParseFlags(int argc, char** argv) {
  Config config;
  bool seconds_set = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    const size_t eq = arg.find('=');
    auto need_value = [&]() -> const std::string& {
      if (eq != std::string::npos) {
        value = arg.substr(eq + 1);
        arg = arg.substr(0, eq);
      } else {
        if (i + 1 >= argc) Usage(arg + " needs a value");
        value = argv[++i];
      }
      return value;
    };
    const std::string name = eq == std::string::npos ? arg : arg.substr(0, eq);
    auto number = [&](const std::string& text) {
      double d = 0;
      if (!absl::SimpleAtod(text, &d) || d <= 0) Usage(name + ": expected a positive number");
      return d;
    };
    if (name == "--quick") {
      config.quick = true;
    } else if (name == "--keep") {
      config.keep = true;
    } else if (name == "--size") {
      config.size = need_value();
    } else if (name == "--members") {
      config.members = static_cast<int>(number(need_value()));
    } else if (name == "--years") {
      config.years = static_cast<int>(number(need_value()));
    } else if (name == "--seed") {
      config.seed = static_cast<uint64_t>(number(need_value()));
    } else if (name == "--data_dir") {
      config.data_dir = need_value();
    } else if (name == "--seconds") {
      config.seconds = number(need_value());
      seconds_set = true;
    } else if (name == "--import_budget") {
      config.import_budget = number(need_value());
    } else {
      Usage("unknown flag " + arg);
    }
  }
  if (config.quick) {
    config.size = "small";
    if (!seconds_set) config.seconds = 3;
  }
  if ((config.members > 0) != (config.years > 0)) Usage("--members and --years go together");
  return config;
}

// ------------------------------------------------------------------ small helpers

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t index = std::min(values.size() - 1, static_cast<size_t>(p * values.size()));
  return values[index];
}

double Max(const std::vector<double>& values) {
  return values.empty() ? 0 : *std::max_element(values.begin(), values.end());
}

std::vector<std::pair<std::string, double>>& Ratios() {
  static auto* const r = new std::vector<std::pair<std::string, double>>();
  return *r;
}

void Ratio(const std::string& name, double value) {
  std::printf("RATIO %s %.4g\n", name.c_str(), value);
  std::fflush(stdout);
  Ratios().emplace_back(name, value);
}

void Line(const std::string& text) {
  std::printf("%s\n", text.c_str());
  std::fflush(stdout);
}

// Resident set size (bytes), from /proc/self/statm.
int64_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  int64_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

// Bytes of the files under `dir`.
int64_t DiskBytes(const std::string& dir) {
  int64_t total = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (entry.is_regular_file(ec)) total += static_cast<int64_t>(entry.file_size(ec));
  }
  return total;
}

// Bytes handed out by malloc and not freed (all arenas).
int64_t HeapInUse() {
  struct mallinfo2 info = mallinfo2();
  return static_cast<int64_t>(info.uordblks + info.hblkhd);
}

// Runs `op` from `threads` threads until `duration` has passed (each thread finishes the call
// it is in) or every thread ran out of work. `op(thread, i, error)` returns kOk, kFailed
// (counted; the first message kept) or kDone (no more work: the thread stops).
enum Outcome { kOk, kFailed, kDone };
struct LoadResult {
  int64_t ok = 0;
  int64_t failed = 0;
  double seconds = 0;
  std::vector<double> latency_ms;  // Successful calls.
  std::string first_error;

  double rate() const { return seconds > 0 ? ok / seconds : 0; }
  std::string Describe(const std::string& unit) const {
    return absl::StrFormat("%.0f %s/s (%d in %.1f s), p50 %.2f ms, p99 %.2f ms, max %.2f ms%s",
                           rate(), unit, ok, seconds, Percentile(latency_ms, 0.5),
                           Percentile(latency_ms, 0.99), Max(latency_ms),
                           failed > 0 ? absl::StrCat(", ", failed, " failed: ", first_error) : "");
  }
};

LoadResult RunLoad(int threads, double seconds,
                   const std::function<Outcome(int thread, int64_t i, std::string* error)>& op) {
  LoadResult result;
  std::mutex mu;
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::vector<double> latencies;
      int64_t failed = 0;
      std::string error;
      for (int64_t i = 0; Clock::now() < deadline; ++i) {
        const Clock::time_point begin = Clock::now();
        std::string e;
        const Outcome outcome = op(t, i, &e);
        if (outcome == kDone) break;
        if (outcome == kOk) {
          latencies.push_back(SecondsSince(begin) * 1000);
        } else {
          ++failed;
          if (error.empty()) error = e;
        }
      }
      std::lock_guard<std::mutex> lock(mu);
      result.ok += static_cast<int64_t>(latencies.size());
      result.failed += failed;
      result.latency_ms.insert(result.latency_ms.end(), latencies.begin(), latencies.end());
      if (result.first_error.empty()) result.first_error = error;
    });
  }
  for (auto& w : workers) w.join();
  result.seconds = SecondsSince(start);
  return result;
}

// Runs loads `a` and `b` (each a RunLoad of `seconds` in total) in `rounds` alternating rounds
// (a b, b a, a b, ...) so that noise from the other processes on the machine hits both alike,
// and merges each side's rounds.
void Merge(LoadResult& into, const LoadResult& round) {
  into.ok += round.ok;
  into.failed += round.failed;
  into.seconds += round.seconds;
  into.latency_ms.insert(into.latency_ms.end(), round.latency_ms.begin(), round.latency_ms.end());
  if (into.first_error.empty()) into.first_error = round.first_error;
}

std::pair<LoadResult, LoadResult> Interleaved(int rounds, double seconds,
                                              const std::function<LoadResult(double seconds)>& a,
                                              const std::function<LoadResult(double seconds)>& b) {
  std::pair<LoadResult, LoadResult> result;
  for (int r = 0; r < rounds; ++r) {
    if (r % 2 == 0) {
      Merge(result.first, a(seconds / rounds));
      Merge(result.second, b(seconds / rounds));
    } else {
      Merge(result.second, b(seconds / rounds));
      Merge(result.first, a(seconds / rounds));
    }
  }
  return result;
}

// ------------------------------------------------------------------ raw RocksDB

// Raw RocksDB with the column families and table options of our store (defaults elsewhere,
// so concurrent writers share RocksDB's own group commit), writing what our store writes per
// event: the envelope under its position, a stream key and an event-id key.
class RawDb {
 public:
  explicit RawDb(const std::string& dir) : dir_(dir) {
    eventstore::RocksDbEventStoreOptions defaults;
    rocksdb::DBOptions db_options;
    db_options.create_if_missing = true;
    db_options.create_missing_column_families = true;
    db_options.max_background_jobs = 2;
    std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(defaults.block_cache_bytes);
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const std::string& name : eventstore::RocksDbEventStore::ColumnFamilyNames()) {
      rocksdb::BlockBasedTableOptions table;
      table.block_cache = cache;
      table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
      rocksdb::ColumnFamilyOptions cf;
      cf.write_buffer_size = defaults.write_buffer_bytes;
      cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
      descriptors.emplace_back(name, cf);
    }
    rocksdb::DB* db = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(db_options, dir, descriptors, &handles_, &db);
    RATING_CHECK(s.ok());
    db_.reset(db);
    sync_.sync = true;
  }
  ~RawDb() {
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    db_->Close().PermitUncheckedError();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  // One synced WriteBatch of `values` (each an event's bytes). Thread-safe.
  bool Write(const std::vector<std::string>& values, const std::string& stream) {
    rocksdb::WriteBatch batch;
    for (const std::string& value : values) {
      const uint64_t position = next_.fetch_add(1);
      const std::string key = eventstore::PositionKey(position);
      batch.Put(handles_[1], key, value);
      batch.Put(handles_[2], eventstore::StreamKey(stream, position), key);
      batch.Put(handles_[3], common::NewUuid(), key);
    }
    return db_->Write(sync_, &batch).ok();
  }

 private:
  std::string dir_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  rocksdb::WriteOptions sync_;
  std::atomic<uint64_t> next_{1};
};

// Iterates the events column family of the store at `dir` (closed) read-only, with the read
// options of the store's replay, and parses every Envelope and its Event payload. Calls
// `visit` with each envelope (its bytes too) unless null. Returns the count.
int64_t RawScan(const std::string& dir,
                const std::function<void(const v1::Envelope&, std::string_view)>& visit,
                double* seconds = nullptr) {
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : eventstore::RocksDbEventStore::ColumnFamilyNames()) {
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s =
      rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), dir, descriptors, &handles, &raw);
  if (!s.ok()) {
    Line("raw scan: cannot open the store: " + s.ToString());
    return 0;
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::ReadOptions read_options;
  read_options.fill_cache = false;
  read_options.readahead_size = 1 << 20;
  int64_t n = 0;
  const Clock::time_point start = Clock::now();
  {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(read_options, handles[1]));
    v1::Envelope envelope;
    v1::Event event;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      RATING_CHECK(
          envelope.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())));
      RATING_CHECK(event.ParseFromString(envelope.payload()));
      if (visit) visit(envelope, std::string_view(it->value().data(), it->value().size()));
      ++n;
    }
    RATING_CHECK(it->status().ok());
  }
  if (seconds != nullptr) *seconds = SecondsSince(start);
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  return n;
}

// ------------------------------------------------------------------ the in-process ratingd

// The real services over an Engine over a durable RocksDbEventStore, served on 127.0.0.1:0.
class Ratingd {
 public:
  explicit Ratingd(const std::string& dir) {
    eventstore::RocksDbEventStoreOptions options;
    options.sync = true;
    auto store = eventstore::RocksDbEventStore::Open(dir, common::SystemClock::Get(), options);
    RATING_CHECK(store.ok());
    store_ = *std::move(store);
    auto engine = services::Engine::Open(*store_);
    RATING_CHECK(engine.ok());
    engine_ = *std::move(engine);
    v1::Principal admin;
    admin.set_id("bench-admin");
    admin.set_role(v1::ROLE_ADMIN);
    token_ = "bench-admin-token-0123456789abcdef";
    RATING_CHECK(engine_->SeedPrincipal(admin, token_).ok());
    grpc::EnableDefaultHealthCheckService(true);
    grpc::ServerBuilder builder;
    services::ServiceOptions service_options;
    services::ConfigureServerBuilder(builder, service_options);
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    services_ = services::MakeServices(*engine_, service_options);
    for (auto& service : services_) builder.RegisterService(service.get());
    server_ = builder.BuildAndStart();
    RATING_CHECK(server_ != nullptr && port_ != 0);
  }
  ~Ratingd() {
    store_->Shutdown();
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
    server_->Wait();
    services_.clear();
    engine_.reset();
    store_.reset();
  }

  // A channel of its own (its own connection: the int argument keeps channels apart).
  std::shared_ptr<grpc::Channel> NewChannel(int tag) const {
    grpc::ChannelArguments args;
    args.SetInt("scale_bench.channel", tag);
    args.SetMaxReceiveMessageSize(64 << 20);
    return grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port_),
                                     grpc::InsecureChannelCredentials(), args);
  }
  const std::string& token() const { return token_; }
  eventstore::RocksDbEventStore& store() { return *store_; }
  services::Engine& engine() { return *engine_; }

 private:
  std::unique_ptr<eventstore::RocksDbEventStore> store_;
  std::unique_ptr<services::Engine> engine_;
  std::vector<std::unique_ptr<grpc::Service>> services_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::string token_;
};

// A unary call by method name with serialized bytes, through a generic stub: the same client
// code for every rpc compared. Returns the status; the reply bytes in `reply` if not null.
grpc::Status GenericCall(grpc::GenericStub& stub, const std::string& method,
                         const std::string& request, const std::string& token,
                         std::string* reply = nullptr) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
  ctx.AddMetadata("authorization", absl::StrCat("Bearer ", token));
  grpc::Slice slice(request);
  grpc::ByteBuffer request_buffer(&slice, 1);
  grpc::ByteBuffer response;
  grpc::Status status;
  absl::Notification done;
  stub.UnaryCall(&ctx, method, grpc::StubOptions(), &request_buffer, &response,
                 [&](grpc::Status s) {
                   status = std::move(s);
                   done.Notify();
                 });
  done.WaitForNotification();
  if (status.ok() && reply != nullptr) {
    std::vector<grpc::Slice> slices;
    (void)response.Dump(&slices);
    reply->clear();
    for (const auto& s : slices) reply->append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return status;
}

// ------------------------------------------------------------------ the history

// What the bench takes from the generated history besides the file.
struct History {
  cli::HistoryOptions options;
  cli::HistoryStats stats;
  std::string path;
  int64_t commands = 0;
  // Filled by the import: a uniform sample of the record_comments commands it played and the
  // server accepted (replayed as the plain command: comments may be recorded again).
  std::vector<v1::Command> comments;
  // Filled by the import, from the commands it played (all of them unless it was stopped):
  // a uniform sample of the members' decided ratings (subject, year), ...
  std::vector<std::pair<std::string, int>> decided;
  // ... the members enrolled, the years opened and the member ratings decided.
  int64_t imported_members = 0;
  int imported_years = 0;
  int64_t imported_member_ratings = 0;
};

History Generate(const Config& config, const std::string& dir) {
  History history;
  if (config.members > 0) {
    history.options.members = config.members;
    history.options.years = config.years;
  } else {
    auto preset = cli::SizePreset(config.size);
    if (!preset.ok()) Usage(std::string(preset.status().message()));
    history.options = *preset;
  }
  history.options.seed = config.seed;
  if (absl::Status s = cli::CheckHistoryOptions(history.options); !s.ok()) {
    Usage(std::string(s.message()));
  }
  history.path = dir + "/history.import";
  auto writer = cli::ImportFileWriter::Create(history.path, cli::DescribeOptions(history.options));
  RATING_CHECK(writer.ok());
  const Clock::time_point start = Clock::now();
  auto stats = cli::GenerateHistory(
      history.options, [&](const v1::Command& command, const v1::Principal&) -> absl::Status {
        v1::ImportRequest request;
        request.set_request_id(cli::HistoryRequestId(history.options, history.commands++));
        *request.mutable_command() = command;
        return (*writer)->Append(request);
      });
  RATING_CHECK(stats.ok());
  RATING_CHECK((*writer)->Close().ok());
  history.stats = *stats;
  Line(absl::StrFormat(
      "history: %s: %d commands, %d members enrolled, %d member ratings, %d late rulings; "
      "generated in %.1f s (untimed)",
      cli::DescribeOptions(history.options), history.commands, stats->members_enrolled,
      stats->member_ratings, stats->late_rulings, SecondsSince(start)));
  return history;
}

// ------------------------------------------------------------------ 2. import

struct ImportFigures {
  int64_t commands = 0;
  int64_t events = 0;
  double seconds = 0;
  bool complete = true;
  double rate() const { return seconds > 0 ? events / seconds : 0; }
};

ImportFigures MeasureImport(const Config& config, History& history, Ratingd& server) {
  ImportFigures figures;
  auto reader = cli::ImportFileReader::Open(history.path);
  RATING_CHECK(reader.ok());
  auto stub = v1::IntegrationService::NewStub(server.NewChannel(-1));
  struct Slice {
    int year = 0;
    int64_t members = 0;  // Enrolled by the end of the slice.
    int64_t commands = 0, events = 0;
    double seconds = 0;
  };
  std::vector<Slice> batches;
  int64_t members = 0;
  int year = 0;
  int64_t refused = 0;
  std::string first_refusal;
  std::vector<v1::ImportRequest> batch;
  std::mt19937_64 sample_rng(7);
  int64_t comments_seen = 0;
  auto send = [&]() {
    if (batch.empty()) return;
    const uint64_t head = server.store().HeadPosition();
    const Clock::time_point start = Clock::now();
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", absl::StrCat("Bearer ", server.token()));
    v1::ImportResponse response;
    auto writer = stub->Import(&ctx, &response);
    for (const auto& r : batch) RATING_CHECK(writer->Write(r));
    RATING_CHECK(writer->WritesDone());
    grpc::Status status = writer->Finish();
    const double seconds = SecondsSince(start);
    if (!status.ok()) {
      Line("import: the call failed: " + status.error_message());
      std::exit(1);
    }
    refused += response.rejected();
    for (int k = 0; k < response.results_size() && k < static_cast<int>(batch.size()); ++k) {
      if (response.results(k).code() != 0 || !batch[k].command().has_record_comments()) continue;
      const int64_t seen = comments_seen++;
      if (history.comments.size() < 20000) {
        history.comments.push_back(batch[k].command());
      } else if (const uint64_t j = sample_rng() % (seen + 1); j < 20000) {
        history.comments[j] = batch[k].command();
      }
    }
    if (response.rejected() > 0 && first_refusal.empty()) {
      for (const auto& r : response.results()) {
        if (r.code() != 0) {
          first_refusal = r.message();
          break;
        }
      }
    }
    Slice& s = batches.emplace_back();
    s.year = year;
    s.members = members;
    s.commands = static_cast<int64_t>(batch.size());
    s.events = static_cast<int64_t>(server.store().HeadPosition() - head);
    s.seconds = seconds;
    batch.clear();
  };
  double elapsed = 0;
  while (true) {
    auto next = (*reader)->Next();
    RATING_CHECK(next.ok());
    if (!next->has_value()) break;
    const v1::Command& command = (*next)->command();
    if (command.has_open_period()) {
      send();
      year = command.open_period().year();
    }
    if (command.has_enroll_member()) ++members;
    if (command.has_open_period()) ++history.imported_years;
    if (command.has_decide_ratings()) {
      for (const auto& r : command.decide_ratings().ratings()) {
        if (r.subject().rfind("member/", 0) != 0) continue;
        // Reservoir sampling: every decided member rating equally likely.
        const int64_t seen = history.imported_member_ratings++;
        std::pair<std::string, int> item(r.subject(), command.decide_ratings().year());
        if (history.decided.size() < 50000) {
          history.decided.push_back(std::move(item));
        } else if (const uint64_t j = sample_rng() % (seen + 1); j < 50000) {
          history.decided[j] = std::move(item);
        }
      }
    }
    batch.push_back(**std::move(next));
    if (batch.size() >= 1000) {
      send();
      elapsed += batches.back().seconds;
      if (elapsed > config.import_budget) {
        figures.complete = false;
        break;
      }
    }
  }
  if (figures.complete) send();
  history.imported_members = members;
  for (const Slice& s : batches) {
    figures.commands += s.commands;
    figures.events += s.events;
    figures.seconds += s.seconds;
  }
  if (refused > 0) {
    Line(absl::StrFormat("import: %d commands refused (first: %s)", refused, first_refusal));
  }
  Line(absl::StrFormat("import: %d commands, %d events in %.1f s: %.0f events/s, %.0f commands/s%s",
                       figures.commands, figures.events, figures.seconds, figures.rate(),
                       figures.commands / std::max(figures.seconds, 1e-9),
                       figures.complete
                           ? ""
                           : absl::StrFormat(" (STOPPED at the %.0f s budget: partial history)",
                                             config.import_budget)));
  // Per year, and per tenth of the commands (members enrolled at its end).
  std::map<int, Slice> by_year;
  for (const Slice& s : batches) {
    Slice& y = by_year[s.year];
    y.commands += s.commands;
    y.events += s.events;
    y.seconds += s.seconds;
    y.members = s.members;
  }
  for (const auto& [y, s] : by_year) {
    Line(
        absl::StrFormat("import year %d: %d commands, %d events, %.0f events/s, %.0f commands/s, "
                        "%d members enrolled",
                        y, s.commands, s.events, s.events / std::max(s.seconds, 1e-9),
                        s.commands / std::max(s.seconds, 1e-9), s.members));
  }
  const int64_t tenth = std::max<int64_t>(1, figures.commands / 10);
  Slice acc;
  int64_t done = 0;
  int part = 1;
  for (size_t i = 0; i < batches.size(); ++i) {
    acc.commands += batches[i].commands;
    acc.events += batches[i].events;
    acc.seconds += batches[i].seconds;
    done += batches[i].commands;
    if (done >= part * tenth || i + 1 == batches.size()) {
      Line(absl::StrFormat(
          "import slice %d/10 (to command %d, year %d, %d members): %.0f "
          "events/s, %.0f commands/s",
          part, done, batches[i].year, batches[i].members, acc.events / std::max(acc.seconds, 1e-9),
          acc.commands / std::max(acc.seconds, 1e-9)));
      acc = Slice();
      ++part;
    }
  }
  if (!by_year.empty()) {
    const Slice& first = by_year.begin()->second;
    const Slice& last = by_year.rbegin()->second;
    Line(absl::StrFormat("import last year over first year (events/s): %.2f",
                         (last.events / std::max(last.seconds, 1e-9)) /
                             std::max(first.events / std::max(first.seconds, 1e-9), 1e-9)));
  }
  return figures;
}

// The raw side of import: the store's envelopes (bytes as stored), one WriteBatch per append
// (consecutive events of one correlation id), from 16 writers, synced, time-boxed. Returns
// events/s.
double RawImportRate(const Config& config, const std::string& store_dir, const std::string& dir,
                     int64_t max_events) {
  struct Append {
    std::string stream;
    std::vector<std::string> values;
  };
  std::vector<Append> appends;
  std::string last_correlation;
  int64_t collected = 0;
  RawScan(store_dir, [&](const v1::Envelope& e, std::string_view bytes) {
    if (collected >= max_events) return;
    if (appends.empty() || e.correlation_id() != last_correlation) {
      appends.push_back(Append{e.stream(), {}});
      last_correlation = e.correlation_id();
    }
    appends.back().values.emplace_back(bytes);
    ++collected;
  });
  RawDb raw(dir);
  std::atomic<size_t> next{0};
  std::atomic<int64_t> events{0};
  LoadResult load =
      RunLoad(16, std::max(config.seconds * 2, 5.0), [&](int, int64_t, std::string* error) {
        const size_t i = next.fetch_add(1);
        if (i >= appends.size()) return kDone;
        if (!raw.Write(appends[i].values, appends[i].stream)) {
          *error = "raw write failed";
          return kFailed;
        }
        events += static_cast<int64_t>(appends[i].values.size());
        return kOk;
      });
  const double rate = events.load() / std::max(load.seconds, 1e-9);
  Line(absl::StrFormat(
      "import raw: RocksDB group commit, 16 writers, sync, one batch per append of the same "
      "envelopes: %d events (%d appends) in %.1f s: %.0f events/s",
      events.load(), load.ok, load.seconds, rate));
  return rate;
}

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
