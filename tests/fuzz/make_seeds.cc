// Writes the seed corpora of the command and envelope fuzzers from conformance scenarios:
// plays each scenario's `do` steps through an engine over an in-memory store (as an
// administrator) and keeps, per command kind and per event kind, the first few commands and
// stored envelopes / event payloads. Run by hand when the API grows:
//   build-fuzz/tests/fuzz/fuzz_make_seeds tests/fuzz/corpus tests/scenarios/*.json
// With --print-events instead of a corpus dir, prints every stored event in text format (how
// fuzz_state.cc's fixed events were written: the planners' own events).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "cli/conformance/scenario.h"
#include "common/clock.h"
#include "common/crypto.h"
#include "eventstore/in_memory_event_store.h"
#include "google/protobuf/text_format.h"
#include "services/engine.h"

namespace {

constexpr int kPerKind = 3;

void Write(const std::filesystem::path& dir, const std::string& bytes) {
  std::filesystem::create_directories(dir);
  std::ofstream out(dir / rating::common::ToHex(rating::common::Sha256(bytes)).substr(0, 16),
                    std::ios::binary);
  out << bytes;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR SCENARIO.json...\n", argv[0]);
    return 2;
  }
  const bool print = std::string(argv[1]) == "--print-events";
  const std::filesystem::path corpus = argv[1];
  std::map<int, int> commands_per_kind;
  std::map<int, int> events_per_kind;
  rating::v1::Principal admin;
  admin.set_id("admin");
  admin.set_role(rating::v1::ROLE_ADMIN);
  for (int i = 2; i < argc; ++i) {
    auto scenario = rating::cli::LoadScenario(argv[i]);
    if (!scenario.ok()) continue;
    rating::common::FakeClock clock;
    rating::eventstore::InMemoryEventStore store(clock);
    auto engine = rating::services::Engine::Open(store);
    if (!engine.ok()) return 1;
    for (const rating::cli::Step& step : scenario->steps) {
      if (!step.is_do || !step.sendable) continue;
      if (!print && commands_per_kind[step.command.command_case()]++ < kPerKind) {
        Write(corpus / "command", step.command.SerializeAsString());
      }
      (*engine)->Execute(admin, step.command, "").IgnoreError();  // Refusals are seeds too.
    }
    auto log = store.ReadAll(1, 100000);
    if (!log.ok()) return 1;
    for (const rating::v1::Envelope& envelope : *log) {
      rating::v1::Event event;
      if (!event.ParseFromString(envelope.payload())) continue;
      if (print) {
        google::protobuf::TextFormat::Printer printer;
        printer.SetSingleLineMode(true);
        std::string text;
        printer.PrintToString(event, &text);
        std::printf("%s\n", text.c_str());
        continue;
      }
      if (events_per_kind[event.payload_case()]++ >= kPerKind) continue;
      Write(corpus / "envelope", std::string(1, '\0') + envelope.SerializeAsString());
      Write(corpus / "envelope", std::string(1, '\1') + envelope.payload());
    }
    store.Shutdown();
  }
  std::fprintf(stderr, "%zu command kinds, %zu event kinds\n", commands_per_kind.size(),
               events_per_kind.size());
  return 0;
}
