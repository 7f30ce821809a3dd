#include "services/engine.h"

#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/crypto.h"
#include "common/status_macros.h"
#include "services/auth.h"
#include "services/command_table.h"
#include "services/internal/input_limits.h"

namespace rating::services {
namespace {

constexpr char kEventType[] = "rating.v1.Event";
constexpr size_t kReplayPage = 1024;

// Applies the store's events from `from` up to `to` (0 = head) to `state`, with an optional
// recorded-time bound (0 = none).
absl::Status Replay(const eventstore::EventStore& store, projections::RatingState& state,
                    uint64_t to, int64_t until_micros) {
  absl::Status applied = absl::OkStatus();
  RATING_RETURN_IF_ERROR(store.ForEach(state.position() + 1, [&](const v1::Envelope& envelope) {
    if (to != 0 && envelope.position() > to) return false;
    if (until_micros != 0 && envelope.recorded_at_micros() > until_micros) return false;
    applied = state.Apply(envelope);
    return applied.ok();
  }));
  return applied;
}

// The principal the server itself acts as (seeding, the auth config).
v1::Principal SystemPrincipal() {
  v1::Principal system;
  system.set_id("system");
  system.set_role(v1::ROLE_ADMIN);
  return system;
}

bool IsScopedRole(v1::Role role) {
  return role == v1::ROLE_MEMBER || role == v1::ROLE_CELL_COMMITTEE ||
         role == v1::ROLE_GRASSROOTS_COMMITTEE || role == v1::ROLE_BLOC_COMMITTEE ||
         role == v1::ROLE_COUNTING_TEAM;
}

// A principal fit to be created with `token` (16..256 characters): INVALID_ARGUMENT naming the
// field otherwise. Stateless.
absl::Status CheckNewPrincipal(const v1::Principal& p, const std::string& token) {
  RATING_RETURN_IF_ERROR(internal::CheckLimits(p));
  if (!rules::IsValidId(p.id())) {
    return absl::InvalidArgumentError(
        absl::StrCat("principal.id: '", internal::Echo(p.id()), "' is not a valid id"));
  }
  if (p.role() == v1::ROLE_UNSPECIFIED || !v1::Role_IsValid(p.role())) {
    return absl::InvalidArgumentError("principal.role: required");
  }
  if (IsScopedRole(p.role()) && !rules::IsValidId(p.scope())) {
    return absl::InvalidArgumentError(
        absl::StrCat("principal.scope: role ", RoleName(p.role()), " needs an org or member id"));
  }
  if (!IsScopedRole(p.role()) && !p.scope().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("principal.scope: role ", RoleName(p.role()), " has no scope"));
  }
  if (p.revoked()) return absl::InvalidArgumentError("principal.revoked: must be false");
  if (token.size() < 16 || token.size() > 256) {
    return absl::InvalidArgumentError("token: 16..256 characters");
  }
  return absl::OkStatus();
}

// Collects into `rules` every rule id `message` names: its string fields "rule" and "rule_id"
// and its repeated string fields "rules" and "overridden_rules", at any depth.
void CollectRules(const google::protobuf::Message& message, std::vector<std::string>& rules,
                  std::set<std::string>& seen) {
  const google::protobuf::Reflection* reflection = message.GetReflection();
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  auto add = [&](std::string rule) {
    if (!rule.empty() && seen.insert(rule).second) rules.push_back(std::move(rule));
  };
  for (const google::protobuf::FieldDescriptor* field : fields) {
    const std::string& name = field->name();
    if (field->type() == google::protobuf::FieldDescriptor::TYPE_STRING) {
      if (!field->is_repeated() && (name == "rule" || name == "rule_id")) {
        add(reflection->GetString(message, field));
      } else if (field->is_repeated() && (name == "rules" || name == "overridden_rules")) {
        for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
          add(reflection->GetRepeatedString(message, field, i));
        }
      }
    } else if (field->type() == google::protobuf::FieldDescriptor::TYPE_MESSAGE) {
      if (field->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
          CollectRules(reflection->GetRepeatedMessage(message, field, i), rules, seen);
        }
      } else {
        CollectRules(reflection->GetMessage(message, field), rules, seen);
      }
    }
  }
}

// The reply of a command validated only (AIP-163): what it would append, and the rules that
// speak in it.
v1::CommandReply ValidationReply(const Plan& plan) {
  v1::CommandReply reply;
  reply.set_validate_only(true);
  std::vector<std::string> rules;
  std::set<std::string> seen;
  for (const v1::Event& event : plan.events) {
    *reply.add_planned_events() = event;
    // A re-rating is R-RETRO-2's by definition; its event names no rule field of its own.
    if (event.has_rerated()) {
      if (seen.insert("R-RETRO-2").second) rules.push_back("R-RETRO-2");
    }
    CollectRules(event, rules, seen);
  }
  for (std::string& rule : rules) reply.add_rule_ids(std::move(rule));
  return reply;
}

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

Engine::Engine(eventstore::EventStore& store)
    : store_(store), state_(std::make_unique<projections::RatingState>()) {}

absl::StatusOr<std::unique_ptr<Engine>> Engine::Open(eventstore::EventStore& store) {
  std::unique_ptr<Engine> engine(new Engine(store));
  absl::MutexLock lock(&engine->mu_);
  RATING_RETURN_IF_ERROR(Replay(store, *engine->state_, 0, 0));
  return engine;
}

absl::StatusOr<v1::Principal> Engine::Authenticate(std::string_view token) const {
  absl::ReaderMutexLock lock(&mu_);
  return services::Authenticate(*state_, token);
}

absl::StatusOr<std::optional<v1::CommandReply>> Engine::ReplayedLocked(const v1::Principal& caller,
                                                                       std::string_view sent) {
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

absl::StatusOr<v1::CommandReply> Engine::AppendLocked(const v1::Principal& caller,
                                                      const std::string& stream,
                                                      const std::vector<v1::Event>& events,
                                                      std::string_view request_id) {
  const std::string correlation = request_id.empty() ? common::NewUuid() : std::string(request_id);
  std::vector<eventstore::NewEvent> batch;
  batch.reserve(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    eventstore::NewEvent e;
    if (!request_id.empty()) e.event_id = DerivedEventId(request_id, static_cast<int>(i));
    e.type = kEventType;
    e.schema_version = 1;
    e.payload = events[i].SerializeAsString();
    e.actor = caller.id();
    e.correlation_id = correlation;
    e.causation_id = correlation;
    batch.push_back(std::move(e));
  }
  // Optimistic concurrency: the plan was made against this version of the stream.
  const int64_t expected = static_cast<int64_t>(state_->StreamVersion(stream));
  RATING_ASSIGN_OR_RETURN(eventstore::AppendResult result,
                          store_.Append(stream, expected, std::move(batch)));
  RATING_ASSIGN_OR_RETURN(std::vector<v1::Envelope> stored,
                          store_.ReadAll(result.positions.front(), result.positions.size()));
  for (size_t i = 0; i < stored.size(); ++i) {
    absl::Status applied = state_->Apply(stored[i], events[i]);
    if (!applied.ok()) {
      // The event is durable but the projection refused it: rebuild from the log so the
      // state stays exactly what the log says.
      auto rebuilt = std::make_unique<projections::RatingState>();
      RATING_RETURN_IF_ERROR(Replay(store_, *rebuilt, 0, 0));
      state_ = std::move(rebuilt);
      return absl::InternalError(
          absl::StrCat("projection refused a stored event: ", applied.message()));
    }
  }
  v1::CommandReply reply;
  reply.set_first_position(result.positions.front());
  reply.set_last_position(result.positions.back());
  for (const std::string& id : result.event_ids) reply.add_event_ids(id);
  reply.set_replayed(result.replayed);
  return reply;
}

absl::StatusOr<v1::CommandReply> Engine::ExecuteLocked(const v1::Principal& caller,
                                                       const v1::Command& command,
                                                       std::string_view request_id,
                                                       bool validate_only) {
  RATING_ASSIGN_OR_RETURN(std::optional<v1::CommandReply> replayed,
                          ReplayedLocked(caller, request_id));
  if (replayed) {
    replayed->set_validate_only(validate_only);
    return *std::move(replayed);
  }
  RATING_RETURN_IF_ERROR(AuthorizeCommand(*state_, caller, command));
  RATING_ASSIGN_OR_RETURN(Plan plan, PlanCommand(*state_, command));
  if (validate_only) return ValidationReply(plan);
  return AppendLocked(caller, plan.stream, plan.events, CanonicalRequestId(request_id));
}

absl::StatusOr<v1::CommandReply> Engine::Execute(const v1::Principal& caller,
                                                 const v1::Command& command,
                                                 std::string_view request_id, bool validate_only) {
  // What this version does not know is never planned on nor stored.
  v1::Command clean = command;
  clean.DiscardUnknownFields();
  RATING_RETURN_IF_ERROR(internal::CheckCommandLimits(clean));
  absl::MutexLock lock(&mu_);
  return ExecuteLocked(caller, clean, request_id, validate_only);
}

absl::StatusOr<v1::CommandReply> Engine::ExecuteWithToken(std::string_view token,
                                                          const v1::Command& command,
                                                          std::string_view request_id,
                                                          bool validate_only) {
  // Who asks is known before the command is looked at, and again when it is sequenced.
  RATING_RETURN_IF_ERROR(Authenticate(token).status());
  v1::Command clean = command;
  clean.DiscardUnknownFields();
  RATING_RETURN_IF_ERROR(internal::CheckCommandLimits(clean));
  absl::MutexLock lock(&mu_);
  RATING_ASSIGN_OR_RETURN(v1::Principal caller, services::Authenticate(*state_, token));
  return ExecuteLocked(caller, clean, request_id, validate_only);
}

absl::StatusOr<v1::CreatePrincipalResponse> Engine::CreatePrincipal(
    const v1::Principal& caller, const v1::CreatePrincipalRequest& request) {
  RATING_RETURN_IF_ERROR(AuthorizeAdmin(caller));
  v1::Principal p = request.principal();
  p.DiscardUnknownFields();  // Only what this version knows is stored.
  std::string token = request.token();
  if (token.empty()) token = common::RandomHex(24);
  RATING_RETURN_IF_ERROR(CheckNewPrincipal(p, token));
  absl::MutexLock lock(&mu_);
  if (state_->principals().Find(p.id()) != nullptr) {
    return absl::AlreadyExistsError(absl::StrCat("principal ", p.id(), ": already exists"));
  }
  if (state_->principals().FindByTokenHash(TokenHash(token)) != nullptr) {
    return absl::AlreadyExistsError("token: already in use");
  }
  v1::Event event;
  *event.mutable_principal_created()->mutable_principal() = p;
  event.mutable_principal_created()->set_token_sha256(TokenHash(token));
  RATING_ASSIGN_OR_RETURN(v1::CommandReply reply,
                          AppendLocked(caller, kPrincipalsStream, {event}, ""));
  v1::CreatePrincipalResponse response;
  *response.mutable_principal() = p;
  response.set_token(token);
  *response.mutable_reply() = std::move(reply);
  return response;
}

absl::StatusOr<v1::CommandReply> Engine::RevokePrincipal(const v1::Principal& caller,
                                                         const std::string& principal_id) {
  RATING_RETURN_IF_ERROR(AuthorizeAdmin(caller));
  absl::MutexLock lock(&mu_);
  const projections::PrincipalRecord* record = state_->principals().Find(principal_id);
  if (record == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("principal ", internal::Echo(principal_id), ": not found"));
  }
  if (record->principal.revoked()) {
    return absl::FailedPreconditionError(
        absl::StrCat("principal ", principal_id, ": already revoked"));
  }
  v1::Event event;
  event.mutable_principal_revoked()->set_principal_id(principal_id);
  return AppendLocked(caller, kPrincipalsStream, {event}, "");
}

absl::StatusOr<bool> Engine::SeedPrincipal(const v1::Principal& principal,
                                           const std::string& token) {
  {
    absl::ReaderMutexLock lock(&mu_);
    if (state_->principals().Find(principal.id()) != nullptr) return false;
  }
  v1::CreatePrincipalRequest request;
  *request.mutable_principal() = principal;
  request.set_token(token);
  RATING_RETURN_IF_ERROR(CreatePrincipal(SystemPrincipal(), request).status());
  return true;
}

absl::StatusOr<AuthConfigChanges> Engine::ApplyAuthConfig(
    const std::vector<ConfiguredPrincipal>& principals) {
  // Every entry is checked before anything is written.
  std::set<std::string> listed;
  std::map<std::string, std::string> holder_of_hash;  // Within the file.
  for (const ConfiguredPrincipal& c : principals) {
    RATING_RETURN_IF_ERROR(CheckNewPrincipal(c.principal, c.token));
    if (!listed.insert(c.principal.id()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("principal ", c.principal.id(), ": listed twice"));
    }
    if (!holder_of_hash.emplace(TokenHash(c.token), c.principal.id()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("principal ", c.principal.id(), ": token listed twice"));
    }
  }
  AuthConfigChanges changes;
  std::vector<v1::Event> events;
  absl::MutexLock lock(&mu_);
  const projections::PrincipalView& view = state_->principals();
  for (const ConfiguredPrincipal& c : principals) {
    const std::string& id = c.principal.id();
    const std::string hash = TokenHash(c.token);
    // The token may be held only by this principal (any principal the file does not list,
    // revoked ones included, keeps its hash).
    if (const projections::PrincipalRecord* holder = view.FindByTokenHash(hash);
        holder != nullptr && holder->principal.id() != id) {
      return absl::AlreadyExistsError(
          absl::StrCat("principal ", id, ": token already in use by another principal"));
    }
    const projections::PrincipalRecord* record = view.Find(id);
    if (record == nullptr) {
      v1::PrincipalCreated* created = events.emplace_back().mutable_principal_created();
      *created->mutable_principal() = c.principal;
      created->mutable_principal()->DiscardUnknownFields();
      created->set_token_sha256(hash);
      created->set_from_auth_config(true);
      changes.created.push_back(id);
      continue;
    }
    if (record->principal.role() != c.principal.role() ||
        record->principal.scope() != c.principal.scope()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "principal ", id, ": exists as ", RoleName(record->principal.role()), " of '",
          record->principal.scope(), "', the auth config says ", RoleName(c.principal.role()),
          " of '", c.principal.scope(), "' (roles never change: use a new id)"));
    }
    if (record->principal.revoked()) {
      changes.kept_revoked.push_back(id);
      continue;
    }
    if (record->token_sha256 != hash) {
      v1::PrincipalTokenRotated* rotated = events.emplace_back().mutable_principal_token_rotated();
      rotated->set_principal_id(id);
      rotated->set_token_sha256(hash);
      rotated->set_reason("token changed in the auth config");
      changes.rotated.push_back(id);
    }
  }
  for (const auto& [id, record] : view.principals()) {
    if (!record.from_auth_config || record.principal.revoked() || listed.count(id) > 0) continue;
    v1::PrincipalRevoked* revoked = events.emplace_back().mutable_principal_revoked();
    revoked->set_principal_id(id);
    revoked->set_reason("removed from the auth config");
    changes.revoked.push_back(id);
  }
  if (!events.empty()) {
    RATING_RETURN_IF_ERROR(AppendLocked(SystemPrincipal(), kPrincipalsStream, events, "").status());
  }
  return changes;
}

absl::StatusOr<std::unique_ptr<projections::RatingState>> Engine::Rebuild(uint64_t position) const {
  auto state = std::make_unique<projections::RatingState>();
  RATING_RETURN_IF_ERROR(Replay(store_, *state, position, 0));
  return state;
}

absl::Status Engine::Read(
    const v1::AsOf& as_of,
    const std::function<absl::Status(const projections::RatingState&)>& read) const {
  return Read(
      as_of, [](const projections::RatingState&) { return absl::OkStatus(); }, read);
}

absl::Status Engine::Read(
    const v1::AsOf& as_of,
    const std::function<absl::Status(const projections::RatingState& live)>& authorize,
    const std::function<absl::Status(const projections::RatingState&)>& read) const {
  if (as_of.position() == 0 && as_of.recorded_at_micros() == 0) {
    absl::ReaderMutexLock lock(&mu_);
    RATING_RETURN_IF_ERROR(authorize(*state_));
    return read(*state_);
  }
  {
    // Authorization before any costly work: a refused caller never causes a replay.
    absl::ReaderMutexLock lock(&mu_);
    RATING_RETURN_IF_ERROR(authorize(*state_));
  }
  const uint64_t head = store_.HeadPosition();
  if (as_of.position() > head) {
    return absl::OutOfRangeError(
        absl::StrCat("as_of.position: ", as_of.position(), " is past the head ", head));
  }
  if (as_of.recorded_at_micros() < 0) {
    return absl::InvalidArgumentError("as_of.recorded_at_micros: negative");
  }
  // R-RETRO-4: the state exactly as recorded then, rebuilt from the log. The last rebuilt
  // state is kept: reads as of the same moment reuse it, later moments replay on from it.
  std::shared_ptr<const projections::RatingState> base;
  {
    absl::MutexLock lock(&history_mu_);
    base = history_;
  }
  const uint64_t to = as_of.position() == 0 ? head : as_of.position();
  const int64_t until = as_of.recorded_at_micros();
  const bool usable = base != nullptr && base->position() <= to &&
                      (until == 0 || base->recorded_at_micros() <= until);
  std::shared_ptr<const projections::RatingState> state;
  if (usable && base->position() == to) {
    state = base;
  } else {
    auto rebuilt = usable ? std::make_shared<projections::RatingState>(*base)
                          : std::make_shared<projections::RatingState>();
    as_of_rebuilds_.fetch_add(1);
    RATING_RETURN_IF_ERROR(Replay(store_, *rebuilt, to, until));
    state = std::move(rebuilt);
    absl::MutexLock lock(&history_mu_);
    history_ = state;
  }
  return read(*state);
}

}  // namespace rating::services
