// eventstore_bench: our RocksDbEventStore against raw RocksDB doing the same work, in one
// run, each side in a fresh directory. The raw side writes two puts per event (the event
// value under its position and an id -> position index entry) with the same payloads, the
// same RocksDB options and the same sync setting. Rounds of the two sides are interleaved so
// that noise from other processes hits both alike. Prints, per measure,
//   RATE <name> ours <events/s> raw <events/s>
//   RATIO <name> <ours/raw>
// Flags: --rounds=N (default 6), --round_ms=N (default 1000), --dir=PATH (default: the
// system temp dir), --only=NAME (run one measure), --side=ours|raw (one side only, for
// profiling).
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/raw_rocksdb.h"
#include "common/check.h"
#include "common/clock.h"
#include "common/crypto.h"
#include "eventstore/event_store.h"
#include "eventstore/keys.h"
#include "eventstore/rocksdb_event_store.h"
#include "rating/v1/envelope.pb.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

namespace rating::eventstore {
namespace {

constexpr size_t kPayloadBytes = 400;
constexpr int kStreams = 64;

struct Config {
  int rounds = 6;
  absl::Duration round = absl::Seconds(1);
  std::string root;
  std::string only;
  std::string side;  // "ours" or "raw" runs that side only (for profiling); empty: both.
};

const std::string& Payload() {
  static const std::string* const kPayload = [] {
    auto* p = new std::string(kPayloadBytes, '\0');
    for (size_t i = 0; i < p->size(); ++i) (*p)[i] = static_cast<char>('a' + i % 26);
    return p;
  }();
  return *kPayload;
}

std::string FreshDir(const Config& config, const std::string& name) {
  static int counter = 0;
  std::string dir =
      absl::StrCat(config.root, "/rating_bench_", getpid(), "_", counter++, "_", name);
  std::filesystem::remove_all(dir);
  return dir;
}

// Raw RocksDB with the options our store uses: an events and an index column family.
class RawLog {
 public:
  RawLog(const std::string& dir, bool sync)
      : dir_(dir),
        db_(bench::OpenRawRocksDb(dir, {rocksdb::kDefaultColumnFamilyName, "events", "index"},
                                  &handles_)) {
    write_options_.sync = sync;
  }
  ~RawLog() {
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    db_->Close().PermitUncheckedError();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Writes `n` events (value + index entry each) in one batch. Thread-safe.
  size_t Append(size_t n) {
    rocksdb::WriteBatch batch;
    uint64_t position = next_.fetch_add(n);
    for (size_t i = 0; i < n; ++i, ++position) {
      const std::string key = PositionKey(position);
      batch.Put(handles_[1], key, Payload());
      batch.Put(handles_[2], common::NewUuid(), key);
    }
    RATING_CHECK(db_->Write(write_options_, &batch).ok());
    return n;
  }

  // Stores already serialized envelopes under their positions (for the scan measure).
  void PutEnvelopes(const std::vector<rating::v1::Envelope>& envelopes) {
    rocksdb::WriteBatch batch;
    for (const auto& e : envelopes) {
      batch.Put(handles_[1], PositionKey(e.position()), e.SerializeAsString());
    }
    RATING_CHECK(db_->Write(rocksdb::WriteOptions(), &batch).ok());
  }

  // Reads every event and parses it. Returns the count.
  size_t ScanAndParse() {
    rocksdb::ReadOptions read_options;  // As our store's replay reads.
    read_options.fill_cache = false;
    read_options.readahead_size = 1 << 20;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, handles_[1]));
    rating::v1::Envelope envelope;
    size_t n = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      RATING_CHECK(envelope.ParseFromArray(it->value().data(),
                                           static_cast<int>(it->value().size())));
      ++n;
    }
    RATING_CHECK(it->status().ok());
    return n;
  }

 private:
  std::string dir_;
  rocksdb::WriteOptions write_options_;
  // Before db_: OpenRawRocksDb fills it while db_ is initialized.
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::unique_ptr<rocksdb::DB> db_;
  std::atomic<uint64_t> next_{1};
};

class OurLog {
 public:
  OurLog(const std::string& dir, bool sync) : dir_(dir) {
    RocksDbEventStoreOptions options;
    options.sync = sync;
    auto store = RocksDbEventStore::Open(dir, common::SystemClock::Get(), options);
    RATING_CHECK(store.ok());
    store_ = *std::move(store);
    for (int i = 0; i < kStreams; ++i) streams_.push_back(absl::StrCat("bench-", i));
  }
  ~OurLog() {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Appends `n` events (client-supplied ids, as services send them) in one append.
  // Thread-safe.
  size_t Append(size_t n) {
    std::vector<NewEvent> events(n);
    for (NewEvent& e : events) {
      e.event_id = common::NewUuid();
      e.type = "bench.v1";
      e.payload = Payload();
    }
    const std::string& stream = streams_[next_stream_.fetch_add(1) % kStreams];
    RATING_CHECK(store_->Append(stream, kExpectAny, std::move(events)).ok());
    return n;
  }

  // Full replay through ForEach (one reused envelope, as a projection rebuild reads).
  size_t ScanAndParse() {
    size_t n = 0;
    RATING_CHECK(store_->ForEach(1, [&n](const rating::v1::Envelope&) {
                   ++n;
                   return true;
                 }).ok());
    return n;
  }

  // Full replay through ReadAll pages (an owned envelope per event, as subscriptions read).
  size_t ScanAndParsePages() {
    size_t n = 0;
    for (uint64_t from = 1;;) {
      auto page = store_->ReadAll(from, Subscription::kPageSize);
      RATING_CHECK(page.ok());
      if (page->empty()) return n;
      n += page->size();
      from = page->back().position() + 1;
    }
  }

  RocksDbEventStore& store() { return *store_; }

 private:
  std::string dir_;
  std::unique_ptr<RocksDbEventStore> store_;
  std::vector<std::string> streams_;
  std::atomic<uint64_t> next_stream_{0};
};

// Calls `op` (which returns the events it wrote) from `threads` threads until `d` passed.
// Returns {events, seconds}.
std::pair<uint64_t, double> RunFor(int threads, absl::Duration d,
                                   const std::function<size_t()>& op) {
  std::atomic<uint64_t> total{0};
  const absl::Time start = absl::Now();
  const absl::Time deadline = start + d;
  auto loop = [&] {
    uint64_t n = 0;
    while (absl::Now() < deadline) n += op();
    total += n;
  };
  if (threads == 1) {
    loop();
  } else {
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) pool.emplace_back(loop);
    for (auto& t : pool) t.join();
  }
  return {total.load(), absl::ToDoubleSeconds(absl::Now() - start)};
}

struct Totals {
  uint64_t events = 0;
  double seconds = 0;
  double rate() const { return seconds > 0 ? static_cast<double>(events) / seconds : 0; }
};

void Report(const std::string& name, const Totals& ours, const Totals& raw, double target) {
  const double ratio = raw.rate() > 0 ? ours.rate() / raw.rate() : 0;
  std::printf("RATE %s ours %.0f raw %.0f events/s\n", name.c_str(), ours.rate(), raw.rate());
  std::printf("RATIO %s %.3f\n", name.c_str(), ratio);
  std::printf("TARGET %s >= %.2f %s\n", name.c_str(), target, ratio >= target ? "met" : "MISSED");
  std::fflush(stdout);
}

// Write throughput: `threads` appenders of `batch` events each, sync or not.
void MeasureWrites(const Config& config, const std::string& name, bool sync, size_t batch,
                   int threads, double target) {
  if (!config.only.empty() && config.only != name) return;
  OurLog ours(FreshDir(config, name + "_ours"), sync);
  RawLog raw(FreshDir(config, name + "_raw"), sync);
  Totals ours_total, raw_total;
  // One short warm-up each (file creation, first memtable), not counted.
  RunFor(threads, config.round / 10, [&] { return ours.Append(batch); });
  RunFor(threads, config.round / 10, [&] { return raw.Append(batch); });
  for (int round = 0; round < config.rounds; ++round) {
    auto run_ours = [&] {
      if (config.side == "raw") return;
      auto [n, s] = RunFor(threads, config.round, [&] { return ours.Append(batch); });
      ours_total.events += n;
      ours_total.seconds += s;
    };
    auto run_raw = [&] {
      if (config.side == "ours") return;
      auto [n, s] = RunFor(threads, config.round, [&] { return raw.Append(batch); });
      raw_total.events += n;
      raw_total.seconds += s;
    };
    if (round % 2 == 0) {
      run_ours();
      run_raw();
    } else {
      run_raw();
      run_ours();
    }
  }
  Report(name, ours_total, raw_total, target);
}

// Full log scan, parsing every envelope, over the same envelopes on both sides.
void MeasureScan(const Config& config, double target) {
  const std::string name = "scan_parse";
  if (!config.only.empty() && config.only != name) return;
  OurLog ours(FreshDir(config, name + "_ours"), /*sync=*/false);
  RawLog raw(FreshDir(config, name + "_raw"), /*sync=*/false);
  constexpr size_t kEvents = 200000;
  for (size_t n = 0; n < kEvents; n += 250) ours.Append(250);
  for (uint64_t from = 1; from <= kEvents; from += 4096) {
    auto page = ours.store().ReadAll(from, 4096);
    RATING_CHECK(page.ok());
    raw.PutEnvelopes(*page);
  }
  Totals ours_total, pages_total, raw_total;
  auto timed = [](Totals& totals, const std::function<size_t()>& scan) {
    const absl::Time start = absl::Now();
    totals.events += scan();
    totals.seconds += absl::ToDoubleSeconds(absl::Now() - start);
  };
  for (int round = 0; round < config.rounds; ++round) {
    if (round % 2 == 0) {
      timed(raw_total, [&] { return raw.ScanAndParse(); });
      timed(ours_total, [&] { return ours.ScanAndParse(); });
    } else {
      timed(ours_total, [&] { return ours.ScanAndParse(); });
      timed(raw_total, [&] { return raw.ScanAndParse(); });
    }
    timed(pages_total, [&] { return ours.ScanAndParsePages(); });
  }
  Report(name, ours_total, raw_total, target);
  // For information: the same replay through ReadAll, which hands out owned envelopes.
  const double pages_ratio = raw_total.rate() > 0 ? pages_total.rate() / raw_total.rate() : 0;
  std::printf("RATE scan_parse_readall ours %.0f raw %.0f events/s (ratio %.3f, no target)\n",
              pages_total.rate(), raw_total.rate(), pages_ratio);
}

int Main(int argc, char** argv) {
  Config config;
  config.root = std::filesystem::temp_directory_path().string();
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    int value = 0;
    if (absl::ConsumePrefix(&arg, "--rounds=") && absl::SimpleAtoi(arg, &value) && value > 0) {
      config.rounds = value;
    } else if (absl::ConsumePrefix(&arg, "--round_ms=") && absl::SimpleAtoi(arg, &value) &&
               value > 0) {
      config.round = absl::Milliseconds(value);
    } else if (absl::ConsumePrefix(&arg, "--dir=")) {
      config.root = std::string(arg);
    } else if (absl::ConsumePrefix(&arg, "--only=")) {
      config.only = std::string(arg);
    } else if (absl::ConsumePrefix(&arg, "--side=")) {
      config.side = std::string(arg);
    } else {
      std::fprintf(stderr, "unknown flag %s\n", argv[i]);
      return 1;
    }
  }
  std::printf("eventstore_bench: %d rounds of %s per side, payload %zu bytes, dir %s\n",
              config.rounds, absl::FormatDuration(config.round).c_str(), kPayloadBytes,
              config.root.c_str());
  MeasureWrites(config, "durable_b1", /*sync=*/true, 1, 1, 0.85);
  MeasureWrites(config, "durable_b16", /*sync=*/true, 16, 1, 0.85);
  MeasureWrites(config, "durable_b256", /*sync=*/true, 256, 1, 0.70);
  MeasureWrites(config, "nondurable_b1", /*sync=*/false, 1, 1, 0.60);
  MeasureWrites(config, "nondurable_b16", /*sync=*/false, 16, 1, 0.70);
  MeasureWrites(config, "group_commit_16", /*sync=*/true, 1, 16, 1.0);
  MeasureWrites(config, "group_commit_64", /*sync=*/true, 1, 64, 1.0);
  MeasureScan(config, 0.50);
  return 0;
}

}  // namespace
}  // namespace rating::eventstore

int main(int argc, char** argv) { return rating::eventstore::Main(argc, argv); }
