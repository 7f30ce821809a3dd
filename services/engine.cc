#include "services/engine.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/crypto.h"
#include "common/error_details.h"
#include "common/status_macros.h"
#include "services/auth.h"
#include "services/command_table.h"
#include "services/internal/input_limits.h"
#include "services/internal/replay.h"
#include "services/internal/validation.h"

namespace rating::services {
namespace {

constexpr char kEventType[] = "rating.v1.Event";
constexpr size_t kReplayPage = 1024;

}  // namespace

std::string CanonicalRequestId(std::string_view request_id) {
  return absl::AsciiStrToLower(std::string(request_id));
}

std::string DerivedEventId(std::string_view request_id, int index) {
  std::string digest =
      common::Sha256(absl::StrCat("rating.v1/request/", std::string(request_id), "/", index));
  digest[6] = static_cast<char>((digest[6] & 0x0f) | 0x50);  // Version 5 (name-based).
  digest[8] = static_cast<char>((digest[8] & 0x3f) | 0x80);
  const std::string hex = common::ToHex(std::string_view(digest).substr(0, 16));
  return absl::StrCat(hex.substr(0, 8), "-", hex.substr(8, 4), "-", hex.substr(12, 4), "-",
                      hex.substr(16, 4), "-", hex.substr(20, 12));
}

Engine::Engine(eventstore::EventStore& store, SnapshotOptions snapshots)
    : store_(store), state_(std::make_unique<projections::RatingState>()), snapshots_(snapshots) {}

Engine::~Engine() {
  {
    absl::MutexLock lock(&snapshot_mu_);
    stopping_ = true;
  }
  if (snapshotter_.joinable()) snapshotter_.join();
}

absl::StatusOr<std::unique_ptr<Engine>> Engine::Open(eventstore::EventStore& store,
                                                     SnapshotOptions snapshots) {
  std::unique_ptr<Engine> engine(new Engine(store, snapshots));
  {
    absl::MutexLock lock(&engine->mu_);
    if (snapshots.store != nullptr) {
      RATING_ASSIGN_OR_RETURN(
          std::unique_ptr<projections::RatingState> loaded,
          engine->LoadSnapshot(store.HeadPosition(), 0, &engine->open_report_.discarded));
      if (loaded != nullptr) {
        engine->open_report_.snapshot_position = loaded->position();
        engine->last_snapshot_ = loaded->position();
        engine->state_ = std::move(loaded);
      }
    }
    const uint64_t from = engine->state_->position();
    RATING_RETURN_IF_ERROR(internal::Replay(store, *engine->state_, 0, 0));
    engine->open_report_.replayed = engine->state_->position() - from;
  }
  if (snapshots.store != nullptr && snapshots.every > 0) {
    engine->snapshotter_ = std::thread([e = engine.get()] { e->SnapshotLoop(); });
  }
  return engine;
}

absl::StatusOr<std::pair<v1::Principal, uint64_t>> Engine::AuthenticateAt(
    std::string_view token) const {
  absl::ReaderMutexLock lock(&mu_);
  RATING_ASSIGN_OR_RETURN(v1::Principal principal, services::Authenticate(*state_, token));
  return std::make_pair(std::move(principal), state_->position());
}

uint64_t Engine::AppliedPosition() const {
  absl::ReaderMutexLock lock(&mu_);
  return state_->position();
}

uint64_t Engine::WaitForAppliedPast(uint64_t position, absl::Duration timeout) const {
  auto past = [this, position]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return state_->position() > position;
  };
  mu_.ReaderLockWhenWithTimeout(absl::Condition(&past), timeout);
  const uint64_t applied = state_->position();
  mu_.ReaderUnlock();
  return applied;
}

absl::StatusOr<v1::Principal> Engine::Authenticate(std::string_view token) const {
  absl::ReaderMutexLock lock(&mu_);
  return services::Authenticate(*state_, token);
}

absl::StatusOr<std::optional<v1::CommandReply>> Engine::Replayed(const v1::Principal& caller,
                                                                 std::string_view sent) const {
  if (sent.empty()) return std::optional<v1::CommandReply>();
  const std::string request_id = CanonicalRequestId(sent);
  if (!common::IsUuid(request_id)) {
    return absl::InvalidArgumentError(
        absl::StrCat("request_id: '", internal::Echo(sent), "' is not a UUID"));
  }
  RATING_ASSIGN_OR_RETURN(std::optional<uint64_t> first,
                          store_.FindEvent(DerivedEventId(request_id, 0)));
  // Keys were once kept as sent: a command stored under its key's upper-case or mixed-case
  // spelling is found by that spelling (or by the upper-case one, the other usual form).
  for (const std::string& spelling : {std::string(sent), absl::AsciiStrToUpper(request_id)}) {
    if (first || spelling == request_id) continue;
    RATING_ASSIGN_OR_RETURN(first, store_.FindEvent(DerivedEventId(spelling, 0)));
  }
  if (!first) return std::optional<v1::CommandReply>();
  v1::CommandReply reply;
  reply.set_replayed(true);
  uint64_t next = *first;
  while (true) {
    RATING_ASSIGN_OR_RETURN(std::vector<v1::Envelope> page, store_.ReadAll(next, kReplayPage));
    bool done = page.empty();
    for (const v1::Envelope& e : page) {
      if (!absl::EqualsIgnoreCase(e.correlation_id(), request_id)) {
        done = true;
        break;
      }
      if (e.actor() != caller.id()) {
        return absl::AlreadyExistsError(
            absl::StrCat("request_id ", request_id, ": used by another principal"));
      }
      if (reply.first_position() == 0) reply.set_first_position(e.position());
      reply.set_last_position(e.position());
      reply.add_event_ids(e.event_id());
      next = e.position() + 1;
    }
    if (done) break;
  }
  return std::optional<v1::CommandReply>(std::move(reply));
}

void Engine::PlanCommand(const projections::RatingState& state, const v1::Principal& caller,
                         const v1::Command& command, std::string_view request_id,
                         bool validate_only, Step& step) const {
  step.caller = caller;
  absl::StatusOr<std::optional<v1::CommandReply>> replayed = Replayed(caller, request_id);
  if (!replayed.ok()) {
    step.status = replayed.status();
    return;
  }
  if (*replayed) {
    step.reply = **std::move(replayed);
    step.reply->set_validate_only(validate_only);
    return;
  }
  step.status = AuthorizeCommand(state, caller, command);
  if (!step.status.ok()) {
    step.status = common::WithYear(std::move(step.status), CommandYear(command));
    return;
  }
  absl::StatusOr<Plan> plan = services::PlanCommand(state, command);
  if (!plan.ok()) {
    step.status = common::WithYear(plan.status(), CommandYear(command));
    return;
  }
  if (validate_only) {
    // AIP-163: every check ran; nothing is appended.
    step.reply = ValidationReply(plan->events);
    return;
  }
  step.stream = std::move(plan->stream);
  step.events = std::move(plan->events);
  step.request_id = CanonicalRequestId(request_id);
}

absl::Status Engine::ApplyLocked(const eventstore::AppendResult& result, const Step& step) {
  // The envelopes as stored: handed back by the append, else read back.
  std::vector<v1::Envelope> read;
  if (result.envelopes.size() != result.positions.size()) {
    RATING_ASSIGN_OR_RETURN(read,
                            store_.ReadAll(result.positions.front(), result.positions.size()));
  }
  const std::vector<v1::Envelope>& stored = read.empty() ? result.envelopes : read;
  for (size_t i = 0; i < stored.size(); ++i) {
    absl::Status applied = state_->Apply(stored[i], step.events[i]);
    if (!applied.ok()) {
      // The event is durable but the projection refused it: rebuild from the log so the
      // state stays exactly what the log says.
      auto rebuilt = std::make_unique<projections::RatingState>();
      RATING_RETURN_IF_ERROR(internal::Replay(store_, *rebuilt, 0, 0));
      state_ = std::move(rebuilt);
      return absl::InternalError(
          absl::StrCat("projection refused a stored event: ", applied.message()));
    }
  }
  return absl::OkStatus();
}

absl::Status Engine::Pipeline(const Planner& plan, std::vector<Step>& steps) {
  // Applied commands remembered for the conflict check; a plan older than all of them is made
  // again.
  constexpr size_t kRecent = 4096;
  // A store found damaged refuses every write (FenceWrites), before any planning.
  RATING_RETURN_IF_ERROR(write_fence());
  uint64_t ticket = 0;
  Footprint footprint;
  while (true) {
    steps.clear();
    footprint = Footprint();
    uint64_t planned_at = 0;
    {
      absl::ReaderMutexLock lock(&mu_);
      planned_at = state_->position();
      RATING_RETURN_IF_ERROR(plan(*state_, steps, footprint));
    }
    footprint.Normalize();
    bool appends = false;
    for (const Step& step : steps) appends = appends || !step.events.empty();
    if (!appends) return absl::OkStatus();  // Refusals and replays: read-only.

    absl::MutexLock lock(&commit_mu_);
    // Anything applied since the plan that it may depend on: plan again (the state has it).
    bool stale = planned_at < recent_floor_;
    for (auto it = recent_.rbegin(); !stale && it != recent_.rend() && it->first > planned_at;
         ++it) {
      stale = Conflicts(it->second, footprint);
    }
    // Anything appended and not applied yet that it may depend on, or that may depend on it:
    // wait until it is applied, then plan again.
    std::optional<uint64_t> wait_for;
    for (const auto& [other, theirs] : in_flight_) {
      if (Conflicts(theirs, footprint) || Conflicts(footprint, theirs)) {
        wait_for = other;
        break;
      }
    }
    if (wait_for) {
      auto applied = [this, id = *wait_for]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(commit_mu_) {
        return in_flight_.count(id) == 0;
      };
      commit_mu_.Await(absl::Condition(&applied));
      stale = true;
    }
    if (stale) {
      replans_.fetch_add(1);
      continue;
    }
    ticket = next_ticket_++;
    in_flight_.emplace(ticket, footprint);
    break;
  }

  // Append without any lock: concurrent commands share the store's group commit. A global
  // command runs alone, so it checks its stream's version exactly.
  std::vector<eventstore::AppendRequest> requests;
  std::vector<size_t> step_of;
  for (size_t i = 0; i < steps.size(); ++i) {
    Step& step = steps[i];
    if (step.events.empty()) continue;
    eventstore::AppendRequest& r = requests.emplace_back();
    r.stream = step.stream;
    r.expected_version = step.expected_version;
    const std::string correlation =
        step.request_id.empty() ? common::NewUuid() : step.request_id;
    r.events.reserve(step.events.size());
    for (size_t k = 0; k < step.events.size(); ++k) {
      eventstore::NewEvent e;
      if (!step.request_id.empty()) e.event_id = DerivedEventId(step.request_id, static_cast<int>(k));
      e.type = kEventType;
      e.schema_version = 1;
      e.payload = step.events[k].SerializeAsString();
      e.actor = step.caller.id();
      e.correlation_id = correlation;
      e.causation_id = correlation;
      r.events.push_back(std::move(e));
    }
    step_of.push_back(i);
  }
  std::function<void(absl::Duration, const absl::Status&)> observer;
  {
    absl::MutexLock lock(&fence_mu_);
    observer = append_observer_;
  }
  const absl::Time append_start = absl::Now();
  std::vector<absl::StatusOr<eventstore::AppendResult>> results =
      store_.AppendMany(std::move(requests));
  for (const absl::StatusOr<eventstore::AppendResult>& result : results) {
    if (observer) observer(absl::Now() - append_start, result.status());
    if (absl::IsDataLoss(result.status())) {
      FenceWrites(absl::DataLossError(absl::StrCat("append: ", result.status().message())));
    }
  }

  // Apply in log order: each append waits until the state reaches the position before it.
  uint64_t last_applied = 0;
  absl::Status failure = absl::OkStatus();
  for (size_t k = 0; k < results.size(); ++k) {
    Step& step = steps[step_of[k]];
    if (!results[k].ok()) {
      step.status = results[k].status();
      continue;
    }
    const eventstore::AppendResult& result = *results[k];
    v1::CommandReply reply;
    reply.set_first_position(result.positions.front());
    reply.set_last_position(result.positions.back());
    for (const std::string& id : result.event_ids) reply.add_event_ids(id);
    reply.set_replayed(result.replayed);
    if (!result.replayed) {
      const uint64_t before = result.positions.front() - 1;
      auto ready = [this, before]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
        return state_->position() >= before;
      };
      mu_.LockWhen(absl::Condition(&ready));
      absl::Status applied = state_->position() == before
                                 ? ApplyLocked(result, step)
                                 : absl::InternalError(absl::StrCat(
                                       "the state is at position ", state_->position(),
                                       ", past the append at ", result.positions.front()));
      mu_.Unlock();
      if (!applied.ok()) {
        step.status = applied;
        if (failure.ok()) failure = applied;
        continue;
      }
      last_applied = result.positions.back();
    }
    step.reply = std::move(reply);
  }
  if (snapshots_.every > 0 && last_applied >= last_snapshot_.load() + snapshots_.every) {
    absl::MutexLock lock(&snapshot_mu_);
    snapshot_wanted_ = true;
  }
  {
    absl::MutexLock lock(&commit_mu_);
    Footprint done = std::move(in_flight_[ticket]);
    in_flight_.erase(ticket);
    if (last_applied != 0) {
      recent_.emplace_back(last_applied, std::move(done));
      while (recent_.size() > kRecent) {
        recent_floor_ = recent_.front().first;
        recent_.pop_front();
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::CommandReply> Engine::RunOne(const Planner& plan) {
  std::vector<Step> steps;
  RATING_RETURN_IF_ERROR(Pipeline(plan, steps));
  if (steps.size() != 1) return absl::InternalError("one step expected");
  if (!steps[0].status.ok()) return steps[0].status;
  if (!steps[0].reply) return absl::InternalError("no reply");
  return *std::move(steps[0].reply);
}

void Engine::FenceWrites(const absl::Status& reason) {
  std::function<void(const absl::Status&)> observer;
  absl::Status fence;
  {
    absl::MutexLock lock(&fence_mu_);
    if (!write_fence_.ok()) return;  // The first reason stands.
    write_fence_ = absl::FailedPreconditionError(
        absl::StrCat("writes are refused until the store is repaired (see ratingctl verify "
                     "--data_dir and salvage): ",
                     reason.message()));
    fence = write_fence_;
    observer = fence_observer_;
  }
  if (observer) observer(fence);
}

absl::Status Engine::write_fence() const {
  absl::MutexLock lock(&fence_mu_);
  return write_fence_;
}

void Engine::set_fence_observer(std::function<void(const absl::Status&)> observer) {
  absl::MutexLock lock(&fence_mu_);
  fence_observer_ = std::move(observer);
}

void Engine::set_append_observer(
    std::function<void(absl::Duration, const absl::Status&)> observer) {
  absl::MutexLock lock(&fence_mu_);
  append_observer_ = std::move(observer);
}

uint64_t Engine::applied_position() const {
  absl::ReaderMutexLock lock(&mu_);
  return state_->position();
}

absl::StatusOr<v1::CommandReply> Engine::Execute(const v1::Principal& caller,
                                                 const v1::Command& command,
                                                 std::string_view request_id, bool validate_only) {
  // What this version does not know is never planned on nor stored.
  v1::Command clean = command;
  clean.DiscardUnknownFields();
  RATING_RETURN_IF_ERROR(internal::CheckCommandLimits(clean));
  return RunOne([&](const projections::RatingState& state, std::vector<Step>& steps,
                    Footprint& footprint) {
    PlanCommand(state, caller, clean, request_id, validate_only, steps.emplace_back());
    footprint = FootprintOf(state, clean, CanonicalRequestId(request_id));
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::CommandReply> Engine::ExecuteWithToken(std::string_view token,
                                                          const v1::Command& command,
                                                          std::string_view request_id,
                                                          bool validate_only) {
  std::vector<BatchCommand> one(1);
  one[0].command = command;
  one[0].request_id = std::string(request_id);
  one[0].validate_only = validate_only;
  std::vector<absl::StatusOr<v1::CommandReply>> results = ExecuteMany(token, one);
  return std::move(results[0]);
}

std::vector<absl::StatusOr<v1::CommandReply>> Engine::ExecuteMany(
    std::string_view token, const std::vector<BatchCommand>& commands) {
  // A run stops at this many commands or payload bytes (the store bounds a group too).
  constexpr size_t kMaxRun = 256;
  constexpr size_t kMaxRunBytes = 2 << 20;
  std::vector<absl::StatusOr<v1::CommandReply>> out;
  out.reserve(commands.size());
  // Who asks is known before the commands are looked at, and again for each run.
  if (absl::Status known = Authenticate(token).status(); !known.ok()) {
    while (out.size() < commands.size()) out.push_back(known);
    return out;
  }
  // What this version does not know is never planned on nor stored; limits before anything.
  std::vector<v1::Command> clean(commands.size());
  std::vector<absl::Status> checked(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    clean[i] = commands[i].command;
    clean[i].DiscardUnknownFields();
    checked[i] = internal::CheckCommandLimits(clean[i]);
  }
  size_t next = 0;
  std::vector<Step> steps;
  while (next < commands.size()) {
    if (!checked[next].ok()) {
      out.push_back(checked[next]);
      ++next;
      continue;
    }
    absl::Status ran = Pipeline(
        [&](const projections::RatingState& state, std::vector<Step>& run, Footprint& union_fp) {
          RATING_ASSIGN_OR_RETURN(v1::Principal caller, services::Authenticate(state, token));
          size_t bytes = 0;
          for (size_t i = next; i < commands.size() && run.size() < kMaxRun; ++i) {
            if (!checked[i].ok()) break;  // Reported on its own, in order.
            const std::string request_id = CanonicalRequestId(commands[i].request_id);
            Footprint mine = FootprintOf(state, clean[i], request_id);
            mine.Normalize();
            // A command that may depend on an earlier one of the run waits for the next run.
            if (!run.empty() && (mine.global || Conflicts(union_fp, mine))) break;
            Step& step = run.emplace_back();
            PlanCommand(state, caller, clean[i], commands[i].request_id,
                        commands[i].validate_only, step);
            if (step.events.empty()) continue;
            for (const v1::Event& e : step.events) bytes += e.ByteSizeLong();
            if (mine.global) step.expected_version =
                static_cast<int64_t>(state.StreamVersion(step.stream));
            Merge(union_fp, mine);
            if (mine.global || bytes > kMaxRunBytes) break;
          }
          return absl::OkStatus();
        },
        steps);
    if (!ran.ok()) {
      // The token no longer authenticates (or the log cannot be read): nothing more runs.
      while (out.size() < commands.size()) out.push_back(ran);
      return out;
    }
    for (Step& step : steps) {
      if (!step.status.ok()) {
        out.push_back(step.status);
      } else if (step.reply) {
        out.push_back(*std::move(step.reply));
      } else {
        out.push_back(absl::InternalError("no reply"));
      }
      ++next;
    }
  }
  return out;
}

}  // namespace rating::services
