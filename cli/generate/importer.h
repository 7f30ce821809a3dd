// Streams commands to ratingd through IntegrationService.Import, in batches, as one caller
// (every command runs with the caller's rights: an administrator may play any history), and
// keeps count. Layer: cli (gRPC only).
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cli/client.h"
#include "rating/v1/api.grpc.pb.h"

namespace rating::cli {

// What an import did so far.
struct ImportSummary {
  int64_t commands = 0;
  int64_t accepted = 0;  // Replayed ones included.
  int64_t replayed = 0;  // Accepted as a retry of an earlier import (same request_id).
  int64_t refused = 0;
  double seconds = 0;
};

struct ImporterOptions {
  // One Import call carries at most this many requests (the server takes 10000) ...
  int batch_size = 1000;
  // ... and about this many bytes (the server takes 32 MiB).
  size_t batch_bytes = 16 << 20;
  // The deadline of one Import call (the server runs the whole batch before it replies).
  absl::Duration batch_timeout = absl::Minutes(10);
};

// Not thread-safe. Writes one progress line per batch, and every refusal, to `progress`, which
// must outlive the importer.
class Importer {
 public:
  Importer(std::shared_ptr<grpc::ChannelInterface> channel, std::string token,
           ImporterOptions options, std::ostream& progress);

  // Queues `request` and sends the batch once it is full. The call's status when a batch
  // fails as a whole (UNAUTHENTICATED, RESOURCE_EXHAUSTED, UNAVAILABLE, ...);
  // FAILED_PRECONDITION when a command of the batch was refused (each one is written to
  // `progress`, and nothing more is sent).
  absl::Status Add(v1::ImportRequest request);
  // Sends what is queued. The same errors as Add.
  absl::Status Flush();

  const ImportSummary& summary() const { return summary_; }

 private:
  Client client_;  // For its contexts: bearer token and deadline.
  std::unique_ptr<v1::IntegrationService::Stub> stub_;
  const std::string token_;
  const ImporterOptions options_;
  std::ostream& progress_;
  std::vector<v1::ImportRequest> batch_;
  size_t batch_bytes_ = 0;
  const absl::Time start_;
  ImportSummary summary_;
};

// One line: "12000 commands: 12000 accepted (0 replayed), 0 refused in 35.2 s".
std::string FormatImportSummary(const ImportSummary& summary);

}  // namespace rating::cli
