#include "services/observability.h"

#include <fcntl.h>
#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/histogram.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "google/protobuf/descriptor.h"

namespace rating::services {
namespace {

// Method names become metric labels, so only the API's own methods get their name: anything
// else a client sends (any path is accepted on the wire) counts as "unknown".
std::string MethodLabel(const std::string& method) {
  std::string name = method;
  if (!name.empty() && name[0] == '/') name.erase(0, 1);
  const size_t slash = name.rfind('/');
  if (slash == std::string::npos) return "unknown";
  name[slash] = '.';
  if (google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(name) == nullptr) {
    return "unknown";
  }
  return method;
}

void AppendJsonString(std::string& out, std::string_view text) {
  out.push_back('"');
  for (unsigned char c : text.substr(0, 256)) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c >= 0x7f) {
          absl::StrAppendFormat(&out, "\\u%04x", c);  // Bytes, not code points: never invalid.
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const auto* buckets = new prometheus::Histogram::BucketBoundaries{
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
      0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
  return *buckets;
}

prometheus::MetricFamily Gauge(std::string name, std::string help, double value) {
  prometheus::MetricFamily family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = prometheus::MetricType::Gauge;
  family.metric.emplace_back().gauge.value = value;
  return family;
}

}  // namespace

std::string StatusCodeName(grpc::StatusCode code) {
  // gRPC's and Abseil's codes are numerically equal (common/grpc_status.h asserts it).
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

absl::StatusOr<std::unique_ptr<AccessLog>> AccessLog::Open(const std::string& path) {
  if (path == "-") return std::unique_ptr<AccessLog>(new AccessLog(stderr, /*owned=*/false));
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::UnavailableError(
        absl::StrCat("access log ", path, ": cannot be opened: ", std::strerror(errno)));
  }
  std::FILE* file = ::fdopen(fd, "a");
  if (file == nullptr) {
    ::close(fd);
    return absl::UnavailableError(absl::StrCat("access log ", path, ": fdopen failed"));
  }
  return std::unique_ptr<AccessLog>(new AccessLog(file, /*owned=*/true));
}

AccessLog::~AccessLog() {
  if (owned_) std::fclose(file_);
}

std::string AccessLog::Line(const RpcRecord& record, absl::Time now) {
  std::string line = "{\"ts\":";
  AppendJsonString(line, absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", now, absl::UTCTimeZone()));
  line += ",\"method\":";
  AppendJsonString(line, record.method);
  line += ",\"principal\":";
  AppendJsonString(line, record.principal);
  line += ",\"code\":";
  AppendJsonString(line, StatusCodeName(record.code));
  absl::StrAppendFormat(&line, ",\"latency_ms\":%.3f", absl::ToDoubleMilliseconds(record.latency));
  line += ",\"peer\":";
  AppendJsonString(line, record.peer);
  line += "}";
  return line;
}

void AccessLog::OnRpc(const RpcRecord& record) {
  std::string line = Line(record, absl::Now());
  line.push_back('\n');
  absl::MutexLock lock(&mu_);
  std::fwrite(line.data(), 1, line.size(), file_);
  std::fflush(file_);
}

// The gauges, read when Prometheus scrapes.
class Metrics::FiguresCollectable final : public prometheus::Collectable {
 public:
  explicit FiguresCollectable(std::function<ServerFigures()> figures)
      : figures_(std::move(figures)) {}

  std::vector<prometheus::MetricFamily> Collect() const override {
    const ServerFigures f = figures_();
    std::vector<prometheus::MetricFamily> families;
    families.push_back(Gauge("rating_events_total", "Events in the log (its head position).",
                             static_cast<double>(f.head_position)));
    families.push_back(Gauge("rating_head_position", "Position of the last event of the log.",
                             static_cast<double>(f.head_position)));
    families.push_back(Gauge("rating_applied_position",
                             "Last log position applied to the live projections.",
                             static_cast<double>(f.applied_position)));
    families.push_back(Gauge(
        "rating_projection_lag_events", "Events in the log not yet applied to the projections.",
        static_cast<double>(f.head_position - std::min(f.head_position, f.applied_position))));
    families.push_back(Gauge("rating_subscriptions_open", "Subscribe streams open.",
                             static_cast<double>(f.subscription_positions.size())));
    uint64_t max_lag = 0;
    double sum_lag = 0;
    for (uint64_t p : f.subscription_positions) {
      const uint64_t lag = f.head_position - std::min(f.head_position, p);
      max_lag = std::max(max_lag, lag);
      sum_lag += static_cast<double>(lag);
    }
    families.push_back(Gauge("rating_subscription_lag_max_events",
                             "Largest number of events an open Subscribe stream is behind.",
                             static_cast<double>(max_lag)));
    families.push_back(Gauge("rating_subscription_lag_sum_events",
                             "Events the open Subscribe streams are behind, summed.", sum_lag));
    families.push_back(Gauge("rating_writes_fenced",
                             "1 while writes are refused (the chain failed its integrity check).",
                             f.writes_fenced ? 1 : 0));
    return families;
  }

 private:
  const std::function<ServerFigures()> figures_;
};

absl::StatusOr<std::unique_ptr<Metrics>> Metrics::Start(const std::string& listen,
                                                        std::function<ServerFigures()> figures) {
  const size_t colon = listen.rfind(':');
  int port = -1;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(listen.substr(colon + 1), &port) || port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("metrics_listen: '", listen.substr(0, 64), "' is not HOST:PORT"));
  }
  std::unique_ptr<Metrics> metrics(new Metrics());
  metrics->registry_ = std::make_shared<prometheus::Registry>();
  metrics->figures_ = std::make_shared<FiguresCollectable>(std::move(figures));
  prometheus::Registry& r = *metrics->registry_;
  metrics->rpc_total_ = &prometheus::BuildCounter()
                             .Name("rating_rpc_total")
                             .Help("RPCs finished, by method and status code.")
                             .Register(r);
  metrics->rpc_duration_ = &prometheus::BuildHistogram()
                                .Name("rating_rpc_duration_seconds")
                                .Help("RPC latency, by method and status code.")
                                .Register(r);
  metrics->append_duration_ = &prometheus::BuildHistogram()
                                   .Name("rating_append_duration_seconds")
                                   .Help(
                                       "Latency of the engine's appends to the event store "
                                       "(sequencing, WAL write and sync, anchor).")
                                   .Register(r);
  metrics->wal_write_ = &prometheus::BuildHistogram()
                             .Name("rating_wal_write_duration_seconds")
                             .Help("WAL write of one group commit, with its fsync when durable.")
                             .Register(r)
                             .Add({}, LatencyBuckets());
  metrics->anchor_sync_ = &prometheus::BuildHistogram()
                               .Name("rating_anchor_sync_duration_seconds")
                               .Help("Anchor write and fdatasync of one group commit.")
                               .Register(r)
                               .Add({}, LatencyBuckets());
  metrics->commit_events_ =
      &prometheus::BuildHistogram()
           .Name("rating_commit_events")
           .Help("Events per group commit.")
           .Register(r)
           .Add({}, prometheus::Histogram::BucketBoundaries{1, 2, 4, 8, 16, 64, 256, 1024, 10000});
  // prometheus-cpp reports a bind failure by throwing (civetweb); it stops here.
  try {
    metrics->exposer_ = std::make_unique<prometheus::Exposer>(listen, /*num_threads=*/2);
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("metrics_listen ", listen, ": cannot serve: ", e.what()));
  }
  const std::vector<int> ports = metrics->exposer_->GetListeningPorts();
  if (ports.empty()) {
    return absl::UnavailableError(absl::StrCat("metrics_listen ", listen, ": not listening"));
  }
  metrics->port_ = ports.front();
  metrics->exposer_->RegisterCollectable(metrics->registry_);
  metrics->exposer_->RegisterCollectable(metrics->figures_);
  return metrics;
}

Metrics::~Metrics() {
  exposer_.reset();  // Stops the HTTP threads before the collectables go.
}

void Metrics::OnRpc(const RpcRecord& record) {
  const std::map<std::string, std::string> labels = {{"method", MethodLabel(record.method)},
                                                     {"code", StatusCodeName(record.code)}};
  rpc_total_->Add(labels).Increment();
  rpc_duration_->Add(labels, LatencyBuckets()).Observe(absl::ToDoubleSeconds(record.latency));
}

void Metrics::OnCommit(size_t events, absl::Duration wal_write, absl::Duration anchor_sync) {
  wal_write_->Observe(absl::ToDoubleSeconds(wal_write));
  if (anchor_sync > absl::ZeroDuration()) anchor_sync_->Observe(absl::ToDoubleSeconds(anchor_sync));
  commit_events_->Observe(static_cast<double>(events));
}

void Metrics::OnAppend(absl::Duration latency, const absl::Status& status) {
  append_duration_->Add({{"outcome", status.ok() ? "ok" : "error"}}, LatencyBuckets())
      .Observe(absl::ToDoubleSeconds(latency));
}

}  // namespace rating::services
