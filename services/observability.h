// What ratingd tells its operator while it runs: one access-log line per RPC and Prometheus
// metrics (RPCs, appends, commits, the log head, projection and subscription lag). Layer:
// services; the store knows only eventstore::CommitObserver, never Prometheus.
#pragma once

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "eventstore/rocksdb_event_store.h"

namespace prometheus {
class Exposer;
class Registry;
template <typename T>
class Family;
class Counter;
class Histogram;
}  // namespace prometheus

namespace rating::services {

// One finished RPC, as the server interceptor saw it. Holds no token and no message content.
struct RpcRecord {
  std::string method;     // "/rating.v1.RegistryService/OpenPeriod"
  std::string principal;  // The authenticated principal id, "-" when none.
  grpc::StatusCode code = grpc::StatusCode::OK;
  absl::Duration latency;  // From the call's arrival to its status being sent.
  std::string peer;        // "ipv4:127.0.0.1:43210"
};

// Told about every RPC once, as its status is sent or, if it never sends one, when it ends
// (streams included). Implementations are thread-safe: RPCs end on many threads.
class RpcObserver {
 public:
  virtual ~RpcObserver() = default;
  virtual void OnRpc(const RpcRecord& record) = 0;
};

// The name of a status code as gRPC spells it ("OK", "FAILED_PRECONDITION").
std::string StatusCodeName(grpc::StatusCode code);

// The access log: one JSON object per line and RPC, with the time (RFC 3339, UTC), method,
// principal, code, latency in milliseconds and peer. Lines are written whole (one fwrite
// under a lock) and flushed. Thread-safe.
class AccessLog final : public RpcObserver {
 public:
  // "-" = stderr; otherwise the file, created or appended to (mode 0600). UNAVAILABLE if it
  // cannot be opened.
  static absl::StatusOr<std::unique_ptr<AccessLog>> Open(const std::string& path);
  ~AccessLog() override;

  void OnRpc(const RpcRecord& record) override;

  // The line written for `record` (no newline), at `now`.
  static std::string Line(const RpcRecord& record, absl::Time now);

 private:
  AccessLog(std::FILE* file, bool owned) : file_(file), owned_(owned) {}
  absl::Mutex mu_;
  std::FILE* const file_;
  const bool owned_;
};

// The figures read at each scrape (gauges).
struct ServerFigures {
  uint64_t head_position = 0;
  uint64_t applied_position = 0;
  // The position each open Subscribe stream has read up to.
  std::vector<uint64_t> subscription_positions;
  bool writes_fenced = false;
};

// Prometheus metrics served over HTTP (GET /metrics), through prometheus-cpp:
//  rating_rpc_total{method,code}                     counter
//  rating_rpc_duration_seconds{method,code}          histogram
//  rating_append_duration_seconds{outcome}           histogram (the engine's store appends)
//  rating_wal_write_duration_seconds                 histogram (WAL write + sync per group)
//  rating_anchor_sync_duration_seconds               histogram (anchor write + fdatasync)
//  rating_commit_events                              histogram (events per group commit)
//  rating_events_total / rating_head_position        the log's head
//  rating_projection_lag_events                      head - applied position
//  rating_subscriptions_open                         Subscribe streams open
//  rating_subscription_lag_max_events, _sum_events   head - each stream's position
//  rating_writes_fenced                              1 while writes are refused
// Thread-safe.
class Metrics final : public RpcObserver, public eventstore::CommitObserver {
 public:
  // Serves /metrics on `listen` (HOST:PORT; port 0 = any free one). `figures` is called at
  // each scrape, on the HTTP server's threads. INVALID_ARGUMENT for a malformed address,
  // UNAVAILABLE if it cannot be bound.
  static absl::StatusOr<std::unique_ptr<Metrics>> Start(const std::string& listen,
                                                        std::function<ServerFigures()> figures);
  ~Metrics() override;

  // The port /metrics is served on.
  int port() const { return port_; }

  void OnRpc(const RpcRecord& record) override;
  void OnCommit(size_t events, absl::Duration wal_write, absl::Duration anchor_sync) override;
  // One append by the engine (Engine::set_append_observer).
  void OnAppend(absl::Duration latency, const absl::Status& status);

 private:
  class FiguresCollectable;
  Metrics() = default;

  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<FiguresCollectable> figures_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_ = 0;
  prometheus::Family<prometheus::Counter>* rpc_total_ = nullptr;
  prometheus::Family<prometheus::Histogram>* rpc_duration_ = nullptr;
  prometheus::Family<prometheus::Histogram>* append_duration_ = nullptr;
  prometheus::Histogram* wal_write_ = nullptr;
  prometheus::Histogram* anchor_sync_ = nullptr;
  prometheus::Histogram* commit_events_ = nullptr;
};

// Fans one RPC out to several observers (not owned). Thread-safe once built.
class RpcObservers final : public RpcObserver {
 public:
  void Add(RpcObserver* observer) { observers_.push_back(observer); }
  bool empty() const { return observers_.empty(); }
  void OnRpc(const RpcRecord& record) override {
    for (RpcObserver* o : observers_) o->OnRpc(record);
  }

 private:
  std::vector<RpcObserver*> observers_;
};

}  // namespace rating::services
