// AdminService: principals (create, list, revoke) and online backups. Admin only.
#include "common/status_macros.h"
#include "services/auth.h"
#include "services/internal/grpc_common.h"

namespace rating::services::internal {
namespace {

using grpc::ServerContext;
using grpc::Status;

class AdminServiceImpl final : public v1::AdminService::Service {
 public:
  AdminServiceImpl(Engine& engine, BackupFunction backup)
      : engine_(engine), backup_(std::move(backup)) {}

  Status CreatePrincipal(ServerContext* c, const v1::CreatePrincipalRequest* r,
                         v1::CreatePrincipalResponse* out) override {
    auto caller = Caller(engine_, c);
    if (!caller.ok()) return ToGrpcStatus(caller.status());
    auto result = engine_.CreatePrincipal(*caller, *r);
    if (!result.ok()) return ToGrpcStatus(result.status());
    *out = *std::move(result);
    return Status::OK;
  }

  Status ListPrincipals(ServerContext* c, const v1::ListPrincipalsRequest* r,
                        v1::ListPrincipalsResponse* out) override {
    auto page = ParsePage("ListPrincipals", *r, r->page_size(), r->page_token());
    if (!page.ok()) return ToGrpcStatus(page.status());
    auto admin_only = [](const v1::Principal& caller, const projections::RatingState&) {
      return AuthorizeAdmin(caller);
    };
    return RunPagedRead(engine_, c, v1::AsOf(), *page, admin_only,
                        [&](const v1::Principal& caller, const projections::RatingState& state) {
                          RATING_RETURN_IF_ERROR(AuthorizeAdmin(caller));
                          for (const auto& [id, record] : state.principals().principals()) {
                            *out->add_principals() = record.principal;
                          }
                          TakePage(*page, false, state.position(), out->mutable_principals(),
                                   out->mutable_next_page_token());
                          return absl::OkStatus();
                        });
  }

  Status RevokePrincipal(ServerContext* c, const v1::RevokePrincipalRequest* r,
                         v1::CommandReply* out) override {
    auto caller = Caller(engine_, c);
    if (!caller.ok()) return ToGrpcStatus(caller.status());
    auto result = engine_.RevokePrincipal(*caller, r->principal_id());
    if (!result.ok()) return ToGrpcStatus(result.status());
    *out = *std::move(result);
    return Status::OK;
  }

  Status Backup(ServerContext* c, const v1::BackupRequest* r, v1::BackupResponse* out) override {
    auto caller = Caller(engine_, c);
    if (!caller.ok()) return ToGrpcStatus(caller.status());
    if (absl::Status allowed = AuthorizeAdmin(*caller); !allowed.ok()) {
      return ToGrpcStatus(allowed);
    }
    if (!backup_) {
      return ToGrpcStatus(
          absl::FailedPreconditionError("backup: this server's store cannot be checkpointed"));
    }
    auto result = backup_(r->dir());
    if (!result.ok()) return ToGrpcStatus(result.status());
    *out = *std::move(result);
    return Status::OK;
  }

 private:
  Engine& engine_;
  const BackupFunction backup_;
};

}  // namespace

std::unique_ptr<grpc::Service> MakeAdminService(Engine& engine, const ServiceOptions& options) {
  return std::make_unique<AdminServiceImpl>(engine, options.backup);
}

}  // namespace rating::services::internal
