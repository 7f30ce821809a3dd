// The engine's principals: creating and revoking them (admin), the seed at first start and
// the --auth_config file applied at each start (engine.h).
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/crypto.h"
#include "common/status_macros.h"
#include "services/auth.h"
#include "services/command_table.h"
#include "services/engine.h"
#include "services/internal/input_limits.h"

namespace rating::services {
namespace {

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

}  // namespace

absl::StatusOr<v1::CreatePrincipalResponse> Engine::CreatePrincipal(
    const v1::Principal& caller, const v1::CreatePrincipalRequest& request) {
  RATING_RETURN_IF_ERROR(AuthorizeAdmin(caller));
  RATING_RETURN_IF_ERROR(write_fence());
  v1::Principal p = request.principal();
  p.DiscardUnknownFields();  // Only what this version knows is stored.
  std::string token = request.token();
  if (token.empty()) token = common::RandomHex(24);
  RATING_RETURN_IF_ERROR(CheckNewPrincipal(p, token));
  RATING_ASSIGN_OR_RETURN(
      v1::CommandReply reply,
      RunOne([&](const projections::RatingState& state, std::vector<Step>& steps,
                 Footprint& footprint) {
        footprint = GlobalFootprint();
        Step& step = steps.emplace_back();
        step.caller = caller;
        if (state.principals().Find(p.id()) != nullptr) {
          step.status = absl::AlreadyExistsError(absl::StrCat("principal ", p.id(), ": already exists"));
          return absl::OkStatus();
        }
        if (state.principals().FindByTokenHash(TokenHash(token)) != nullptr) {
          step.status = absl::AlreadyExistsError("token: already in use");
          return absl::OkStatus();
        }
        v1::Event& event = step.events.emplace_back();
        *event.mutable_principal_created()->mutable_principal() = p;
        event.mutable_principal_created()->set_token_sha256(TokenHash(token));
        step.stream = kPrincipalsStream;
        step.expected_version = static_cast<int64_t>(state.StreamVersion(step.stream));
        return absl::OkStatus();
      }));
  v1::CreatePrincipalResponse response;
  *response.mutable_principal() = p;
  response.set_token(token);
  *response.mutable_reply() = std::move(reply);
  return response;
}

absl::StatusOr<v1::CommandReply> Engine::RevokePrincipal(const v1::Principal& caller,
                                                         const std::string& principal_id) {
  RATING_RETURN_IF_ERROR(AuthorizeAdmin(caller));
  return RunOne([&](const projections::RatingState& state, std::vector<Step>& steps,
                    Footprint& footprint) {
    footprint = GlobalFootprint();
    Step& step = steps.emplace_back();
    step.caller = caller;
    const projections::PrincipalRecord* record = state.principals().Find(principal_id);
    if (record == nullptr) {
      step.status = absl::NotFoundError(
          absl::StrCat("principal ", internal::Echo(principal_id), ": not found"));
    } else if (record->principal.revoked()) {
      step.status = absl::FailedPreconditionError(
          absl::StrCat("principal ", principal_id, ": already revoked"));
    } else {
      step.events.emplace_back().mutable_principal_revoked()->set_principal_id(principal_id);
      step.stream = kPrincipalsStream;
      step.expected_version = static_cast<int64_t>(state.StreamVersion(step.stream));
    }
    return absl::OkStatus();
  });
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
  std::vector<Step> steps;
  RATING_RETURN_IF_ERROR(Pipeline(
      [&](const projections::RatingState& state, std::vector<Step>& run, Footprint& footprint) {
  footprint = GlobalFootprint();
  changes = AuthConfigChanges();
  Step& step = run.emplace_back();
  step.caller = SystemPrincipal();
  step.stream = kPrincipalsStream;
  step.expected_version = static_cast<int64_t>(state.StreamVersion(step.stream));
  std::vector<v1::Event>& events = step.events;
  const projections::PrincipalView& view = state.principals();
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
  return absl::OkStatus();
      },
      steps));
  for (const Step& step : steps) RATING_RETURN_IF_ERROR(step.status);
  return changes;
}

}  // namespace rating::services
