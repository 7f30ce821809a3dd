// `ratingctl conformance`: plays each scenario file against a fresh ratingd child process
// (own temp data dir, own admin token) and reports `N passed, N failed`. Layer: cli/conformance,
// the harness's entry point (ratingctl_main.cc calls it).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace rating::cli {

// How RunConformance starts ratingd and reports; the defaults suit `ratingctl conformance`.
struct ConformanceOptions {
  // The ratingd binary ("" = FindRatingd()).
  std::string ratingd;
  // Print passing steps too.
  bool verbose = false;
  // Keep each temp data dir (and print where it is).
  bool keep_data = false;
  // How long ratingd may take to print its ready line.
  absl::Duration startup_timeout = absl::Seconds(20);
  // Deadline of each rpc.
  absl::Duration rpc_timeout = absl::Seconds(30);
};

// Runs every file in order, writing the report to `out`; its last line is
// `N passed, N failed` (expectations over all files). Returns the process exit code: 0 iff
// nothing failed and every file could be played, 1 otherwise. Call from the main thread.
int RunConformance(const ConformanceOptions& options, const std::vector<std::string>& files,
                   std::ostream& out);

}  // namespace rating::cli
