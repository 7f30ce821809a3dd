// The fuzzers' findings as regression tests, in the normal build: the checked-in seed corpora
// replayed through the same entry points the fuzzers use (each must pass), and one test per
// crash the fuzzers found, with its minimal reproducer.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

// The fuzzers' LLVMFuzzerTestOneInput, renamed per target (tests/fuzz/CMakeLists.txt).
extern "C" int FuzzScenario(const uint8_t* data, size_t size);
extern "C" int FuzzCommand(const uint8_t* data, size_t size);
extern "C" int FuzzEnvelope(const uint8_t* data, size_t size);
extern "C" int FuzzPolicy(const uint8_t* data, size_t size);

namespace rating::fuzz {
namespace {

using Entry = int (*)(const uint8_t*, size_t);

std::vector<std::string> CorpusFiles(const std::string& target) {
  std::vector<std::string> files;
  const std::filesystem::path dir = std::filesystem::path(RATING_FUZZ_DIR) / "corpus" / target;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file()) files.push_back(entry.path().string());
  }
  return files;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

int Run(Entry entry, const std::string& input) {
  return entry(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

void ReplayCorpus(const std::string& target, Entry entry) {
  const std::vector<std::string> files = CorpusFiles(target);
  ASSERT_FALSE(files.empty()) << "no seeds for " << target;
  for (const std::string& file : files) {
    SCOPED_TRACE(file);
    EXPECT_EQ(Run(entry, ReadFile(file)), 0);
  }
}

TEST(FuzzCorpusTest, ScenarioSeedsPass) { ReplayCorpus("scenario", FuzzScenario); }
TEST(FuzzCorpusTest, CommandSeedsPass) { ReplayCorpus("command", FuzzCommand); }
TEST(FuzzCorpusTest, EnvelopeSeedsPass) { ReplayCorpus("envelope", FuzzEnvelope); }
TEST(FuzzCorpusTest, PolicySeedsPass) { ReplayCorpus("policy", FuzzPolicy); }

}  // namespace
}  // namespace rating::fuzz
