// Helper for event_store_crash_test: appends batches to the store in argv[1] from a few
// threads until killed, and writes the last position of every acknowledged append to stdout
// ("<position>\n", one write per line). Each event's payload names its batch and the batch
// size, so the parent can check that no half batch survived.
#include <unistd.h>

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/clock.h"
#include "common/crypto.h"
#include "eventstore/rocksdb_event_store.h"

namespace {

constexpr int kThreads = 3;

void AppendForever(rating::eventstore::RocksDbEventStore& store, int thread) {
  for (uint64_t i = 0;; ++i) {
    const size_t size = 1 + (i * 7 + static_cast<uint64_t>(thread)) % 6;
    const std::string batch = rating::common::NewUuid();
    std::vector<rating::eventstore::NewEvent> events(size);
    for (size_t j = 0; j < size; ++j) {
      events[j].type = "crash.v1";
      // "batch <id> size <n> index <j>", padded so batches span more WAL bytes.
      events[j].payload = absl::StrCat("batch ", batch, " size ", size, " index ", j, " ",
                                       std::string(300, 'p'));
    }
    auto result = store.Append(absl::StrCat("crash-", thread, "-", i % 5),
                               rating::eventstore::kExpectAny, std::move(events));
    if (!result.ok()) {
      std::fprintf(stderr, "append failed: %s\n", result.status().ToString().c_str());
      _exit(2);
    }
    const std::string line = absl::StrCat(result->positions.back(), "\n");
    if (write(STDOUT_FILENO, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
      _exit(3);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <store dir>\n", argv[0]);
    return 1;
  }
  auto store = rating::eventstore::RocksDbEventStore::Open(
      argv[1], rating::common::SystemClock::Get());
  if (!store.ok()) {
    std::fprintf(stderr, "open failed: %s\n", store.status().ToString().c_str());
    return 2;
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back(AppendForever, std::ref(**store), t);
  }
  for (auto& t : threads) t.join();  // Never returns: the parent kills us.
  return 0;
}
