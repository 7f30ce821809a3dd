// scale_bench's import measure and its raw baseline (scale_bench.h).
#include "bench/scale_bench.h"

namespace rating::bench {

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

}  // namespace rating::bench
