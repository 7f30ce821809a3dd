#include "cli/offline.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/clock.h"
#include "common/crypto.h"
#include "common/status_macros.h"
#include "eventstore/chain.h"
#include "eventstore/rocksdb_event_store.h"
#include "eventstore/wal_scan.h"

namespace rating::cli {
namespace {

using eventstore::RocksDbEventStore;
using eventstore::VerifyResult;
using eventstore::WalRecovery;

// Read-only, and reporting rather than refusing: the offline commands look, never repair
// in place.
RocksDbEventStore::Options LookOptions(WalRecovery recovery) {
  RocksDbEventStore::Options options;
  options.read_only = true;
  options.wal_recovery = recovery;
  options.enforce_anchor = false;
  options.block_cache_bytes = 8 << 20;
  return options;
}

// The store opened read-only: with strict WAL replay if it allows, else as far as
// point-in-time recovery goes (`wal_damage` then says why the strict replay failed).
struct LookedAt {
  std::unique_ptr<RocksDbEventStore> store;
  std::string wal_damage;
};

absl::StatusOr<LookedAt> LookAt(const std::string& dir) {
  const common::Clock& clock = common::SystemClock::Get();
  auto strict = RocksDbEventStore::Open(dir, clock, LookOptions(WalRecovery::kStrict));
  if (strict.ok()) return LookedAt{*std::move(strict), ""};
  if (absl::IsNotFound(strict.status())) return strict.status();
  auto recovered = RocksDbEventStore::Open(dir, clock, LookOptions(WalRecovery::kPointInTime));
  if (!recovered.ok()) {
    return absl::Status(recovered.status().code(),
                        absl::StrCat("cannot open ", dir,
                                     " even to a point in time: ", recovered.status().message(),
                                     " (strict open: ", strict.status().message(), ")"));
  }
  return LookedAt{*std::move(recovered), std::string(strict.status().message())};
}

// The lowest bad position found so far, and why.
struct FirstBad {
  uint64_t position = 0;
  std::string why;
  void Note(uint64_t p, std::string reason) {
    if (position == 0 || p < position) {
      position = p;
      why = std::move(reason);
    }
  }
};

// "1 event", "3 events".
std::string Events(uint64_t n) { return absl::StrCat(n, n == 1 ? " event" : " events"); }

// "1..4, 7, 9..12" for sorted positions.
std::string Ranges(const std::vector<uint64_t>& sorted) {
  std::string out;
  for (size_t i = 0; i < sorted.size();) {
    size_t j = i;
    while (j + 1 < sorted.size() && sorted[j + 1] == sorted[j] + 1) ++j;
    if (!out.empty()) out += ", ";
    out += j == i ? absl::StrCat(sorted[i]) : absl::StrCat(sorted[i], "..", sorted[j]);
    i = j + 1;
  }
  return out;
}

// Writes what every offline report starts with: head, WAL, anchor, last verified mark.
// Notes the positions the WAL and the anchor say are bad.
void ReportHeadAndAnchor(const std::string& dir, const LookedAt& looked, FirstBad& bad,
                         bool& damaged, std::ostream& out) {
  const RocksDbEventStore& store = *looked.store;
  const uint64_t head = store.HeadPosition();
  out << "store: " << dir << "\n";
  if (looked.wal_damage.empty()) {
    out << "write-ahead log: intact\n";
  } else {
    damaged = true;
    out << "write-ahead log: DAMAGED (" << looked.wal_damage << ")\n"
        << "  point-in-time recovery keeps positions 1.." << head
        << " and drops every write after the damage\n";
    bad.Note(head + 1, absl::StrCat("the write-ahead log is damaged after position ", head));
  }
  for (const std::string& note : store.open_report().notes) out << "  recovery: " << note << "\n";
  out << "head: position " << head << ", hash " << common::ToHex(store.HeadHash()) << "\n";
  const eventstore::RocksDbOpenReport& report = store.open_report();
  if (report.anchor.has_value()) {
    out << "anchor: position " << report.anchor->position << ", hash "
        << common::ToHex(report.anchor->hash) << ", id " << report.anchor->anchor_id << "\n";
  } else {
    out << "anchor: none"
        << (report.anchor_marker.has_value() ? " (but the store was anchored)" : "") << "\n";
  }
  if (!report.anchor_problem.empty()) {
    damaged = true;
    out << "anchor check: FAILED: " << report.anchor_problem << "\n";
    if (report.anchor.has_value()) {
      if (head < report.anchor->position) {
        bad.Note(head + 1, absl::StrCat("positions ", head + 1, "..", report.anchor->position,
                                        " were acknowledged (anchored) and are missing"));
      } else if (report.anchor_marker.value_or(report.anchor->anchor_id) ==
                 report.anchor->anchor_id) {
        bad.Note(report.anchor->position, absl::StrCat("position ", report.anchor->position,
                                                       " no longer has the anchored hash"));
      }
    }
  } else {
    out << "anchor check: OK\n";
  }
  absl::StatusOr<std::optional<std::pair<uint64_t, std::string>>> mark = store.LastVerified();
  if (!mark.ok()) {
    out << "last verified: unreadable (" << mark.status().message() << ")\n";
  } else if (mark->has_value()) {
    out << "last verified: position " << (*mark)->first << "\n";
  } else {
    out << "last verified: never\n";
  }
}

// Checks table files and the chain; returns the chain's result.
absl::StatusOr<VerifyResult> ReportFilesAndChain(const RocksDbEventStore& store, FirstBad& bad,
                                                 bool& damaged, std::ostream& out) {
  if (absl::Status files = store.VerifyFiles(); files.ok()) {
    out << "table files: checksums OK\n";
  } else {
    damaged = true;
    out << "table files: DAMAGED (" << files.message() << ")\n";
  }
  RATING_ASSIGN_OR_RETURN(VerifyResult chain, store.Verify(0, 0));
  if (chain.ok) {
    out << "chain: " << chain.checked << " events verified\n";
  } else {
    damaged = true;
    out << "chain: BROKEN at position " << chain.first_bad_position << " (" << chain.message
        << "), " << chain.checked << " events verified before it\n";
    bad.Note(chain.first_bad_position, chain.message);
  }
  return chain;
}

}  // namespace

absl::StatusOr<OfflineVerdict> VerifyOffline(const std::string& data_dir, std::ostream& out) {
  RATING_ASSIGN_OR_RETURN(LookedAt looked, LookAt(data_dir));
  FirstBad bad;
  bool damaged = false;
  ReportHeadAndAnchor(data_dir, looked, bad, damaged, out);
  RATING_RETURN_IF_ERROR(ReportFilesAndChain(*looked.store, bad, damaged, out).status());
  if (!damaged) {
    out << "OK: nothing lost or damaged\n";
    return OfflineVerdict::kIntact;
  }
  if (bad.position != 0) {
    out << "DAMAGED: first bad position " << bad.position << ": " << bad.why << "\n";
  } else {
    out << "DAMAGED: see above\n";
  }
  out << "(ratingctl salvage --data_dir " << data_dir
      << " tells what is lost and can write a repaired copy)\n";
  return OfflineVerdict::kDamaged;
}

absl::StatusOr<OfflineVerdict> Salvage(const std::string& data_dir, const std::string& write_to,
                                       std::ostream& out) {
  RATING_ASSIGN_OR_RETURN(LookedAt looked, LookAt(data_dir));
  const RocksDbEventStore& store = *looked.store;
  FirstBad bad;
  bool damaged = false;
  ReportHeadAndAnchor(data_dir, looked, bad, damaged, out);
  RATING_ASSIGN_OR_RETURN(VerifyResult chain, ReportFilesAndChain(store, bad, damaged, out));

  const uint64_t head = store.HeadPosition();
  const uint64_t intact = chain.ok ? head : chain.first_bad_position - 1;
  const auto& anchor = store.open_report().anchor;
  const uint64_t anchored = anchor.has_value() ? anchor->position : 0;
  // Events past the damage that the WAL still holds intact: RocksDB's replay cannot reach
  // them (it stops at the damaged record, or drops the rest of its block).
  std::vector<rating::v1::Envelope> beyond;
  if (!looked.wal_damage.empty()) {
    if (absl::StatusOr<eventstore::WalScan> scan = eventstore::ScanWal(data_dir); scan.ok()) {
      std::map<uint64_t, rating::v1::Envelope> latest;
      for (rating::v1::Envelope& e : scan->events) {
        if (e.position() > intact) latest[e.position()] = std::move(e);
      }
      for (auto& [position, e] : latest) beyond.push_back(std::move(e));
    } else {
      out << "write-ahead log scan: failed (" << scan.status().message() << ")\n";
    }
  }
  const uint64_t end =
      std::max({head, anchored, beyond.empty() ? uint64_t{0} : beyond.back().position()});
  out << "intact prefix: positions 1.." << intact << "\n";
  if (end > intact) {
    out << "lost from the chain: positions " << intact + 1 << ".." << end << " ("
        << Events(end - intact) << ")";
    if (anchored > intact) {
      out << ", of which " << intact + 1 << ".." << anchored
          << " were acknowledged (the anchor is at " << anchored << ")";
    }
    out << "\n";
    if (head > intact) {
      out << "  positions " << intact + 1 << ".." << head
          << " are in the store but the chain breaks at " << intact + 1
          << "; a repaired copy stops before it\n";
    }
    if (!beyond.empty()) {
      std::vector<uint64_t> positions;
      bool sound = true;
      std::string scratch;
      for (size_t i = 0; i < beyond.size(); ++i) {
        positions.push_back(beyond[i].position());
        if (eventstore::ComputeHash(beyond[i], &scratch) != beyond[i].hash()) sound = false;
        if (i > 0 && beyond[i].position() == beyond[i - 1].position() + 1 &&
            beyond[i].prev_hash() != beyond[i - 1].hash()) {
          sound = false;
        }
      }
      out << "  still readable in the write-ahead log past the damage: positions "
          << Ranges(positions) << " (" << Events(positions.size())
          << (sound ? "; their hashes recompute and consecutive ones link" : "; NOT all sound")
          << "); recovery cannot replay them and a repaired copy does not hold them, " << data_dir
          << " keeps them\n";
      std::vector<uint64_t> unreadable;
      for (uint64_t p = std::max(intact, head) + 1; p <= end; ++p) {
        if (!std::binary_search(positions.begin(), positions.end(), p)) unreadable.push_back(p);
      }
      if (!unreadable.empty()) {
        out << "  unreadable anywhere: positions " << Ranges(unreadable) << " ("
            << Events(unreadable.size()) << ")\n";
      }
    }
  } else {
    out << "lost: nothing\n";
  }
  if (!write_to.empty()) {
    RATING_RETURN_IF_ERROR(RocksDbEventStore::CopyChain(
        store, intact, write_to, common::SystemClock::Get(), RocksDbEventStore::Options()));
    out << "repaired copy: " << write_to << " holds positions 1.." << intact
        << ", anchored and verified there; " << data_dir << " is unchanged\n";
  }
  if (!damaged && end == intact) {
    out << "OK: nothing lost or damaged\n";
    return OfflineVerdict::kIntact;
  }
  if (bad.position != 0) {
    out << "DAMAGED: first bad position " << bad.position << ": " << bad.why << "\n";
  } else {
    out << "DAMAGED: see above\n";
  }
  return OfflineVerdict::kDamaged;
}

}  // namespace rating::cli
