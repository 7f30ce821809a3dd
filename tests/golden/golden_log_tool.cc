// golden_log_tool: records the golden log. Each scenario file (conformance FORMAT.md) is played
// through this version's engine (authorize -> plan with the rules -> append -> apply) over its
// own in-memory store, on a fake clock, every `do` step as its principal; then the scenario's
// principals are revoked. Each store's log becomes one segment of OUT.log, and OUT.dump holds
// what the segments replay to; a last segment records the --auth_config path. Used by
// scripts/record-golden-log; golden_log_test only reads.
//   golden_log_tool OUT.log OUT.dump SCENARIO.json...
//   golden_log_tool --append-auth-config OUT.log OUT.dump
//   golden_log_tool --append OUT.log OUT.dump SCENARIO.json...
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/conformance/scenario.h"
#include "common/clock.h"
#include "eventstore/in_memory_event_store.h"
#include "services/engine.h"
#include "tests/golden/golden_log.h"

namespace rating::golden {
namespace {

v1::Principal MakePrincipal(const std::string& id, v1::Role role, const std::string& scope) {
  v1::Principal p;
  p.set_id(id);
  p.set_role(role);
  p.set_scope(scope);
  return p;
}

absl::StatusOr<Segment> Record(const std::string& path) {
  absl::StatusOr<cli::Scenario> scenario = cli::LoadScenario(path);
  if (!scenario.ok()) return scenario.status();
  common::FakeClock clock;
  eventstore::InMemoryEventStore store(clock);
  absl::StatusOr<std::unique_ptr<services::Engine>> engine = services::Engine::Open(store);
  if (!engine.ok()) return engine.status();
  const v1::Principal admin = MakePrincipal("golden-admin", v1::ROLE_ADMIN, "");
  absl::StatusOr<bool> seeded = (*engine)->SeedPrincipal(admin, "golden-admin-token-0000");
  if (!seeded.ok()) return seeded.status();
  std::map<std::string, v1::Principal> principals;
  for (const cli::ScenarioPrincipal& p : scenario->principals) {
    principals[p.id] = MakePrincipal(p.id, p.role, p.scope);
    absl::StatusOr<bool> created =
        (*engine)->SeedPrincipal(principals[p.id], absl::StrCat("golden-token-", p.id, "-0000"));
    if (!created.ok()) return created.status();
  }
  for (const cli::Step& step : scenario->steps) {
    clock.Advance(absl::Seconds(1));
    if (!step.is_do || !step.sendable) continue;
    const v1::Principal& caller = step.as.empty() ? admin : principals[step.as];
    // A deterministic idempotency key per step; refusals write nothing and are expected.
    const std::string request_id =
        services::DerivedEventId(absl::StrCat(path, "#", step.number), 0);
    (*engine)->Execute(caller, step.command, request_id).IgnoreError();
  }
  for (const auto& [id, principal] : principals) {
    clock.Advance(absl::Seconds(1));
    (*engine)->RevokePrincipal(admin, id).IgnoreError();  // Pins principal_revoked's replay.
  }
  Segment segment;
  absl::Status read = store.ForEach(1, [&](const v1::Envelope& e) {
    segment.push_back(e);
    return true;
  });
  if (!read.ok()) return read;
  return segment;
}

// The --auth_config path, which no scenario takes: a start lists two principals (created), the
// next changes one token (rotated) and drops the other principal (revoked).
absl::StatusOr<Segment> RecordAuthConfig() {
  common::FakeClock clock;
  eventstore::InMemoryEventStore store(clock);
  absl::StatusOr<std::unique_ptr<services::Engine>> engine = services::Engine::Open(store);
  if (!engine.ok()) return engine.status();
  const services::ConfiguredPrincipal inspector{
      MakePrincipal("cfg-inspector", v1::ROLE_INSPECTOR, ""), "golden-cfg-inspector-0000"};
  const services::ConfiguredPrincipal integration{
      MakePrincipal("cfg-integration", v1::ROLE_INTEGRATION, ""), "golden-cfg-integration-00"};
  const services::ConfiguredPrincipal rotated{inspector.principal, "golden-cfg-inspector-0001"};
  for (const std::vector<services::ConfiguredPrincipal>& start :
       {std::vector{inspector, integration}, std::vector{rotated}}) {
    clock.Advance(absl::Seconds(1));
    absl::StatusOr<services::AuthConfigChanges> changes = (*engine)->ApplyAuthConfig(start);
    if (!changes.ok()) return changes.status();
  }
  Segment segment;
  absl::Status read = store.ForEach(1, [&](const v1::Envelope& e) {
    segment.push_back(e);
    return true;
  });
  if (!read.ok()) return read;
  return segment;
}

}  // namespace
}  // namespace rating::golden

int main(int argc, char** argv) {
  // --append-auth-config OUT.log OUT.dump: keeps OUT.log's segments byte for byte and appends
  // the auth-config segment (a new kind of event joins the log without re-recording the old).
  // --append OUT.log OUT.dump SCENARIO.json...: keeps them and appends a segment per scenario
  // (a new form of an event joins the same way).
  const std::string mode = argc > 1 ? argv[1] : "";
  const bool append_auth = argc == 4 && mode == "--append-auth-config";
  const bool append_scenarios = argc >= 5 && mode == "--append";
  const bool append = append_auth || append_scenarios;
  if (argc < 4 || (!append && mode.rfind("--", 0) == 0)) {
    std::fprintf(stderr,
                 "usage: golden_log_tool OUT.log OUT.dump SCENARIO.json...\n"
                 "       golden_log_tool --append-auth-config OUT.log OUT.dump\n"
                 "       golden_log_tool --append OUT.log OUT.dump SCENARIO.json...\n");
    return 2;
  }
  const char* log_path = append ? argv[2] : argv[1];
  const char* dump_path = append ? argv[3] : argv[2];
  std::vector<rating::golden::Segment> segments;
  if (append) {
    absl::StatusOr<std::vector<rating::golden::Segment>> old =
        rating::golden::ReadGoldenLog(log_path);
    if (!old.ok()) {
      std::fprintf(stderr, "%s: %s\n", log_path, std::string(old.status().message()).c_str());
      return 1;
    }
    segments = *std::move(old);
  }
  for (int i = append_scenarios ? 4 : 3; !append_auth && i < argc; ++i) {
    absl::StatusOr<rating::golden::Segment> segment = rating::golden::Record(argv[i]);
    if (!segment.ok()) {
      std::fprintf(stderr, "%s: %s\n", argv[i], std::string(segment.status().message()).c_str());
      return 1;
    }
    segments.push_back(*std::move(segment));
  }
  if (!append_scenarios) {
    absl::StatusOr<rating::golden::Segment> auth_config = rating::golden::RecordAuthConfig();
    if (!auth_config.ok()) {
      std::fprintf(stderr, "auth config: %s\n",
                   std::string(auth_config.status().message()).c_str());
      return 1;
    }
    segments.push_back(*std::move(auth_config));
  }
  absl::Status written = rating::golden::WriteGoldenLog(log_path, segments);
  absl::StatusOr<std::string> dump = rating::golden::ReplayDump(segments);
  if (!written.ok() || !dump.ok()) {
    std::fprintf(stderr, "%s\n",
                 std::string((written.ok() ? dump.status() : written).message()).c_str());
    return 1;
  }
  std::ofstream(dump_path, std::ios::binary | std::ios::trunc) << *dump;
  size_t events = 0;
  for (const auto& s : segments) events += s.size();
  std::printf("%zu segments, %zu events written to %s; dump in %s\n", segments.size(), events,
              log_path, dump_path);
  return 0;
}
