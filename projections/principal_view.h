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
  std::string token_sha256;
};

class PrincipalView {
 public:
  // The principal, or the one holding this token hash (revoked ones included), or nullptr.
  const PrincipalRecord* Find(const std::string& id) const;
  const PrincipalRecord* FindByTokenHash(const std::string& token_sha256) const;
  const std::map<std::string, PrincipalRecord>& principals() const { return principals_; }

  void OnPrincipalCreated(const v1::PrincipalCreated& created);
  void OnPrincipalRevoked(const v1::PrincipalRevoked& revoked);

  std::string Dump() const;

 private:
  friend class SnapshotCodec;  // Writes and loads snapshots (snapshot.cc).
  std::map<std::string, PrincipalRecord> principals_;
  std::map<std::string, std::string> by_token_;
};

}  // namespace rating::projections
