// Helpers shared by the event store tests: per-test directories and event builders.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <string_view>

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

// Matches an OK StatusOr whose value matches `matcher`.
MATCHER_P(IsOkAndHolds, matcher, "is OK and holds a matching value") {
  if (!arg.ok()) {
    *result_listener << "status is " << arg.status();
    return false;
  }
  return ::testing::ExplainMatchResult(matcher, *arg, result_listener);
}

}  // namespace rating::eventstore::testing
