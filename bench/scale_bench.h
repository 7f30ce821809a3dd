// scale_bench's shared parts (scale_bench.cc has the measures and the steps): its flags, the
// load runner, raw RocksDB for the baselines, the in-process ratingd, the generated history,
// and the import measure (scale_import.cc).
#pragma once

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
#include "bench/raw_rocksdb.h"
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
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"
#include "services/engine.h"
#include "services/grpc_services.h"


namespace rating::bench {

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

// Prints `why` and the usage, and exits with 2.
[[noreturn]] void Usage(const std::string& why);

// The flags (the file comment of scale_bench.cc); a bad one exits through Usage.
Config ParseFlags(int argc, char** argv);

// ------------------------------------------------------------------ small helpers

double SecondsSince(Clock::time_point start);
// The p-quantile (0..1) of `values` and their maximum (0 when empty).
double Percentile(std::vector<double> values, double p);
double Max(const std::vector<double>& values);

// Every ratio printed so far, in order.
std::vector<std::pair<std::string, double>>& Ratios();
// Prints `RATIO name value` (and records it); prints a readable line. Both flush.
void Ratio(const std::string& name, double value);
void Line(const std::string& text);

// Resident set size (bytes), from /proc/self/statm.
int64_t ResidentBytes();

// Bytes of the files under `dir`.
int64_t DiskBytes(const std::string& dir);

// Bytes handed out by malloc and not freed (all arenas).
int64_t HeapInUse();

// What one call of a load did: kOk, kFailed (counted; the first message kept) or kDone (no
// more work: the thread stops).
enum Outcome { kOk, kFailed, kDone };
// The calls of a load: counts, time and the successful calls' latencies.
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

// Runs `op` from `threads` threads until `seconds` have passed (each thread finishes the call
// it is in) or every thread ran out of work; `op(thread, i, error)` says how each call went.
LoadResult RunLoad(int threads, double seconds,
                   const std::function<Outcome(int thread, int64_t i, std::string* error)>& op);

// Adds `round` to `into`.
void Merge(LoadResult& into, const LoadResult& round);

// Runs loads `a` and `b` (each a RunLoad of `seconds` in total) in `rounds` alternating rounds
// (a b, b a, a b, ...) so that noise from the other processes on the machine hits both alike,
// and merges each side's rounds.
std::pair<LoadResult, LoadResult> Interleaved(int rounds, double seconds,
                                              const std::function<LoadResult(double seconds)>& a,
                                              const std::function<LoadResult(double seconds)>& b);

// ------------------------------------------------------------------ raw RocksDB

// Raw RocksDB with the column families and table options of our store (defaults elsewhere,
// so concurrent writers share RocksDB's own group commit), writing what our store writes per
// event: the envelope under its position, a stream key and an event-id key.
class RawDb {
 public:
  explicit RawDb(const std::string& dir)
      : dir_(dir),
        db_(OpenRawRocksDb(dir, eventstore::RocksDbEventStore::ColumnFamilyNames(), &handles_)) {
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
  // Before db_: OpenRawRocksDb fills it while db_ is initialized.
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::WriteOptions sync_;
  std::atomic<uint64_t> next_{1};
};

// Iterates the events column family of the store at `dir` (closed) read-only, with the read
// options of the store's replay, and parses every Envelope and its Event payload. Calls
// `visit` with each envelope (its bytes too) unless null. Returns the count.
int64_t RawScan(const std::string& dir,
                const std::function<void(const v1::Envelope&, std::string_view)>& visit,
                double* seconds = nullptr);

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
                         std::string* reply = nullptr);

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

// Generates the history of the configured size into DIR/history.import (untimed).
History Generate(const Config& config, const std::string& dir);

// ------------------------------------------------------------------ 2. import

// What the import measured.
struct ImportFigures {
  int64_t commands = 0;
  int64_t events = 0;
  double seconds = 0;
  bool complete = true;
  double rate() const { return seconds > 0 ? events / seconds : 0; }
};

// Step 2: imports the history over IntegrationService.Import in batches (never across a
// year), within --import_budget; fills the history's samples and prints the rates.
ImportFigures MeasureImport(const Config& config, History& history, Ratingd& server);

// The raw side of import: the store's envelopes (bytes as stored), one WriteBatch per append
// (consecutive events of one correlation id), from 16 writers, synced, time-boxed. Returns
// events/s.
double RawImportRate(const Config& config, const std::string& store_dir, const std::string& dir,
                     int64_t max_events);

}  // namespace rating::bench
