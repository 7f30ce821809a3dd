// Helpers shared by the event store tests: per-test directories and event builders.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/crypto.h"
#include "eventstore/event_store.h"

namespace rating::eventstore::testing {

// A fresh, empty directory path under the test temp dir, unique to this test and process.
inline std::string NewTestDir() {
  static std::atomic<int> counter{0};
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = absl::StrCat(info != nullptr ? info->test_suite_name() : "none", ".",
                                  info != nullptr ? info->name() : "none");
  name = absl::StrReplaceAll(name, {{"/", "_"}});
  std::string dir = absl::StrCat(::testing::TempDir(), "rating_es_", name, "_", getpid(), "_",
                                 counter.fetch_add(1));
  std::filesystem::remove_all(dir);
  return dir;
}

// An event with a fresh id, a type and `payload`.
inline NewEvent Event(std::string_view payload = "payload", std::string_view type = "test.v1") {
  NewEvent e;
  e.event_id = common::NewUuid();
  e.type = std::string(type);
  e.payload = std::string(payload);
  e.actor = "tester";
  return e;
}

// The files of `dir` whose names end in `suffix` (".log", ".sst"), sorted by name, so the
// newest RocksDB file comes last.
inline std::vector<std::string> FilesEndingIn(const std::string& dir, std::string_view suffix) {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.size() >= suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      out.push_back(entry.path().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline std::string ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void WriteFileBytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Flips one bit of the byte `offset` bytes into the first occurrence of `needle` in the file
// at `path`. False if the needle is not there.
inline bool FlipBitInFile(const std::string& path, std::string_view needle, size_t offset = 3) {
  std::string bytes = ReadFileBytes(path);
  const size_t at = bytes.find(needle);
  if (at == std::string::npos) return false;
  bytes[at + offset] ^= 0x04;
  WriteFileBytes(path, bytes);
  return true;
}

// The one file of `dir` ending in `suffix` that contains `needle`, or "".
inline std::string FileContaining(const std::string& dir, std::string_view suffix,
                                  std::string_view needle) {
  for (const std::string& path : FilesEndingIn(dir, suffix)) {
    if (ReadFileBytes(path).find(needle) != std::string::npos) return path;
  }
  return "";
}

// Matches an OK StatusOr whose value matches `matcher`.
MATCHER_P(IsOkAndHolds, matcher, "is OK and holds a matching value") {
  if (!arg.ok()) {
    *result_listener << "status is " << arg.status();
    return false;
  }
  return ::testing::ExplainMatchResult(matcher, *arg, result_listener);
}

}  // namespace rating::eventstore::testing
