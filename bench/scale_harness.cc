// scale_bench's harness (scale_bench.h): flags, helpers, the load runner, the raw scan and
// the generated history.
#include "bench/scale_bench.h"

namespace rating::bench {

void Usage(const std::string& why) {
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

// Iterates the events column family of the store at `dir` (closed) read-only, with the read
// options of the store's replay, and parses every Envelope and its Event payload. Calls
// `visit` with each envelope (its bytes too) unless null. Returns the count.
int64_t RawScan(const std::string& dir,
                const std::function<void(const v1::Envelope&, std::string_view)>& visit,
                double* seconds) {
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

// A unary call by method name with serialized bytes, through a generic stub: the same client
// code for every rpc compared. Returns the status; the reply bytes in `reply` if not null.
grpc::Status GenericCall(grpc::GenericStub& stub, const std::string& method,
                         const std::string& request, const std::string& token,
                         std::string* reply) {
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

}  // namespace rating::bench
