// Principals (who may call, with which role and scope) and their token hashes. Layer:
// projections; not thread-safe (the owner locks).
#pragma once

#include <map>
#include <string>

#include "rating/v1/events.pb.h"

namespace rating::projections {

class SnapshotCodec;

struct PrincipalRecord {
  v1::Principal principal;
  // The hash of the current token (the latest created or rotated).
  std::string token_sha256;
  // Created by ratingd's --auth_config (PrincipalCreated.from_auth_config).
  bool from_auth_config = false;
};

class PrincipalView {
 public:
  // The principal, or the one holding this token hash (revoked ones included), or nullptr.
  const PrincipalRecord* Find(const std::string& id) const;
  const PrincipalRecord* FindByTokenHash(const std::string& token_sha256) const;
  const std::map<std::string, PrincipalRecord>& principals() const { return principals_; }

  void OnPrincipalCreated(const v1::PrincipalCreated& created);
  void OnPrincipalRevoked(const v1::PrincipalRevoked& revoked);
  // The old token hash no longer finds the principal; the new one does.
  void OnPrincipalTokenRotated(const v1::PrincipalTokenRotated& rotated);

  std::string Dump() const;

 private:
  friend class SnapshotCodec;  // Writes and loads snapshots (snapshot.cc).
  std::map<std::string, PrincipalRecord> principals_;
  std::map<std::string, std::string> by_token_;
};

}  // namespace rating::projections
