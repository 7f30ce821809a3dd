// A synthetic, deterministic rating history for the benchmarks: grassroots committees of five
// subordinate cells plus grassroots cells, ~30 members a cell; every member enrolled, reviewed,
// self-assessed, voted on and decided; every org scored and decided; committees assessed and
// decided. Built through the engine (authorize -> plan -> append -> apply) over an in-memory or
// a non-durable RocksDB store, never timed. Layer: bench (tooling, not the product).
#pragma once

#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_format.h"
#include "common/check.h"
#include "eventstore/event_store.h"
#include "rating/v1/api.pb.h"
#include "services/engine.h"

namespace rating::bench {

using services::Engine;

constexpr int kYear = 2025;
constexpr uint32_t kSeed = 20251215;
constexpr int kCellsPerCommittee = 5;  // Subordinate cells per grassroots committee.
constexpr int kCommitteeSeats = 3;     // The first members of a cell sit on its committee.
// Rulings, re-ratings and comments go to the members of the first five grassroots committees
// (25 subordinate cells, ~500 candidates) at every size, so that each cell reached carries the
// same number of rulings whatever N is: only the rest of the state grows.
constexpr int kMeasuredCommittees = 5;

// ------------------------------------------------------------------ the org tree

struct Cell {
  std::string id;
  std::string committee;  // The grassroots committee above a subordinate cell; "" otherwise.
  std::vector<std::string> members;
};

struct Layout {
  std::vector<std::string> committees;  // Grassroots committees (đảng bộ cơ sở).
  std::vector<Cell> cells;              // Subordinate cells first, then grassroots cells.
};

// N/30 cells: for every six, one grassroots committee holding five subordinate cells; the rest
// grassroots cells. Cell sizes vary around 30 (seeded), summing to `members`.
Layout MakeLayout(int members, std::mt19937& rng);

// ------------------------------------------------------------------ principals and commands

v1::Principal Principal(const std::string& id, v1::Role role, const std::string& scope);
v1::Principal GrassrootsCommittee(const std::string& org);
// A ruling (reprimand, not self-remedied) on a 2025 violation of `member`.
v1::Command Ruling(const std::string& member);
// A QĐ 01 re-rating of `member`'s 2025 rating to KHTNV.
v1::Command Rerate(const std::string& member);
// Written comments received for `member` in 2025 (a plain input command).
v1::Command Comments(const std::string& member);

// ------------------------------------------------------------------ one history per size

// A decided HTTNV member of a subordinate cell (no committee seat) and who governs them.
struct Candidate {
  std::string member;
  std::string cell;
  std::string committee;  // The grassroots committee: rules on, re-rates, records comments.
};

// One history of `members` members over its own store ("memory" or "rocksdb"). Not thread-safe.
class World {
 public:
  World(int members, const std::string& store_kind);
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  int members() const { return members_; }
  Engine& engine() { return *engine_; }

  // The next member to rule on (never one ruled on before).
  const Candidate& NextToRule() {
    RATING_CHECK(next_ruling_ + 1 < candidates_.size());  // The last one stays unruled.
    return candidates_[next_ruling_++];
  }
  // Records that `c` is now flagged RERATING_REQUIRED.
  void Flagged(const Candidate& c) { flagged_.push_back(c); }
  // A flagged member not yet re-rated; rules on a fresh one (untimed callers only) if none.
  Candidate TakeFlagged() {
    if (flagged_.empty()) MustRuleOn(NextToRule());
    Candidate c = flagged_.front();
    flagged_.pop_front();
    return c;
  }
  // A flagged member, left flagged (for planning only).
  const Candidate& PeekFlagged() {
    if (flagged_.empty()) MustRuleOn(NextToRule());
    return flagged_.front();
  }
  // A decided, unflagged member never ruled on (for planning only).
  const Candidate& Unruled() const { return candidates_.back(); }
  // Any decided member of a subordinate cell, round-robin.
  const Candidate& NextPlain() { return candidates_[next_plain_++ % candidates_.size()]; }

  // Rules on `c` and checks that the ruling flagged the rating (outside timed loops).
  void MustRuleOn(const Candidate& c) {
    auto reply = engine_->Execute(GrassrootsCommittee(c.committee), Ruling(c.member), "");
    RATING_CHECK(reply.ok());
    RATING_CHECK(reply->event_ids_size() >= 2);
    Flagged(c);
  }

  std::string Summary() const {
    return absl::StrFormat(
        "SETUP members=%d committees=%d cells=%d events=%d candidates=%d setup_seconds=%.1f",
        members_, static_cast<int>(layout_.committees.size()),
        static_cast<int>(layout_.cells.size()), static_cast<int>(events_after_setup_),
        static_cast<int>(candidates_.size()), setup_seconds_);
  }

 private:
  // Runs a setup command; aborts on a refusal (the history is wrong, not the engine).
  void Must(const v1::Principal& who, const v1::Command& command);
  void Build();

  const int members_;
  std::filesystem::path dir_;
  std::unique_ptr<eventstore::EventStore> store_;
  std::unique_ptr<Engine> engine_;
  Layout layout_;
  std::vector<Candidate> candidates_;
  size_t next_ruling_ = 0;
  size_t next_plain_ = 0;
  std::deque<Candidate> flagged_;
  uint64_t events_after_setup_ = 0;
  double setup_seconds_ = 0;
};

}  // namespace rating::bench
