// The hash chain over the log: canonical bytes of an envelope, its hash, and a verifier that
// walks stored events in position order. Layer: eventstore (internal to the stores).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "eventstore/event_store.h"
#include "rating/v1/envelope.pb.h"

namespace rating::eventstore {

inline constexpr size_t kHashBytes = 32;

// The prev_hash of position 1: 32 zero bytes.
const std::string& ZeroHash();

// Appends the canonical bytes of `envelope` (every field but `hash`, fixed order,
// length-prefixed; see eventstore/FORMAT.md) to `out`.
void AppendCanonicalBytes(const rating::v1::Envelope& envelope, std::string* out);

// SHA-256(envelope.prev_hash() || canonical bytes of `envelope`). `scratch` is reused
// between calls to avoid allocations; its contents are overwritten.
std::string ComputeHash(const rating::v1::Envelope& envelope, std::string* scratch);

// Walks stored events in ascending position order and reports the first that breaks the
// chain. Not thread-safe.
class ChainVerifier {
 public:
  // Checks positions from `from_position` (>= 1) on. `prev_hash` is the stored hash of the
  // event before it (ZeroHash() for position 1), or empty if unknown (the first link is
  // then not checked).
  ChainVerifier(uint64_t from_position, std::string prev_hash);

  // Feeds the event stored under `key_position`; `envelope` is null if its bytes do not
  // parse. Returns false once a failure was found (later calls are ignored).
  bool Check(uint64_t key_position, const rating::v1::Envelope* envelope);

  // Records that the next expected position could not be read (`message` says why).
  void FailHere(std::string message);

  // Ends the walk at `to_position`: events missing at the end count as failures.
  VerifyResult Finish(uint64_t to_position);

 private:
  bool Fail(uint64_t position, std::string message);

  uint64_t next_position_;
  std::string prev_hash_;
  std::string scratch_;
  VerifyResult result_;
};

}  // namespace rating::eventstore
