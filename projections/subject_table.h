// Interns the subject strings of the read model ("member/m1", "org/c1") as dense ids, so that
// the per-rating maps key on (id, year) in eight bytes and every name is stored once. Ids are
// assigned in first-seen order: a replay of the same log assigns the same ids. Layer:
// projections. Not thread-safe (the owner locks).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"

namespace rating::projections {

class SnapshotCodec;

class SubjectTable {
 public:
  SubjectTable() = default;
  // A deep copy (the index is rebuilt over the copy's own names).
  SubjectTable(const SubjectTable& other);
  SubjectTable& operator=(const SubjectTable&) = delete;

  // The id of `subject`, assigned on first sight.
  uint32_t Intern(std::string_view subject);
  // The id of `subject`, or nullopt if it was never interned.
  std::optional<uint32_t> Find(std::string_view subject) const;
  // The subject of an id returned by Intern. Valid as long as the table.
  const std::string& Name(uint32_t id) const { return names_[id]; }
  size_t size() const { return names_.size(); }

  // The key of (subject id, year) in the per-rating maps; years are 2000..2100.
  static uint64_t Key(uint32_t id, int year) {
    return (static_cast<uint64_t>(id) << 16) | static_cast<uint16_t>(year);
  }
  static uint32_t IdOf(uint64_t key) { return static_cast<uint32_t>(key >> 16); }
  static int YearOf(uint64_t key) { return static_cast<int>(key & 0xffff); }

 private:
  friend class SnapshotCodec;  // Writes and loads snapshots (snapshot.cc).
  std::deque<std::string> names_;  // Stable addresses: ids_ keys view into it.
  absl::flat_hash_map<std::string_view, uint32_t> ids_;
};

}  // namespace rating::projections
