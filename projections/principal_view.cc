#include "projections/principal_view.h"

#include "absl/strings/str_cat.h"

namespace rating::projections {

const PrincipalRecord* PrincipalView::Find(const std::string& id) const {
  auto it = principals_.find(id);
  return it == principals_.end() ? nullptr : &it->second;
}

const PrincipalRecord* PrincipalView::FindByTokenHash(const std::string& hash) const {
  auto it = by_token_.find(hash);
  return it == by_token_.end() ? nullptr : Find(it->second);
}

void PrincipalView::OnPrincipalCreated(const v1::PrincipalCreated& p) {
  principals_[p.principal().id()] = {p.principal(), p.token_sha256(), p.from_auth_config()};
  by_token_[p.token_sha256()] = p.principal().id();
}

void PrincipalView::OnPrincipalRevoked(const v1::PrincipalRevoked& r) {
  auto it = principals_.find(r.principal_id());
  if (it != principals_.end()) it->second.principal.set_revoked(true);
}

void PrincipalView::OnPrincipalTokenRotated(const v1::PrincipalTokenRotated& r) {
  auto it = principals_.find(r.principal_id());
  if (it == principals_.end()) return;
  auto old = by_token_.find(it->second.token_sha256);
  if (old != by_token_.end() && old->second == r.principal_id()) by_token_.erase(old);
  it->second.token_sha256 = r.token_sha256();
  by_token_[r.token_sha256()] = r.principal_id();
}

std::string PrincipalView::Dump() const {
  std::string out;
  for (const auto& [id, p] : principals_) {
    absl::StrAppend(&out, "principal ", id, " ", static_cast<int>(p.principal.role()), " '",
                    p.principal.scope(), "' revoked ", p.principal.revoked(), " ", p.token_sha256,
                    p.from_auth_config ? " auth_config" : "", "\n");
  }
  return out;
}

}  // namespace rating::projections
