#include "eventstore/chain.h"


#include <utility>

#include "absl/strings/str_cat.h"
#include "common/check.h"
#include "common/crypto.h"
#include "eventstore/keys.h"

namespace rating::eventstore {
namespace {

// Version of the canonical form, the first byte of the canonical bytes.
constexpr char kCanonicalFormat = 1;

void AppendField(std::string_view bytes, std::string* out) {
  AppendBigEndian32(static_cast<uint32_t>(bytes.size()), out);
  out->append(bytes.data(), bytes.size());
}

}  // namespace

const std::string& ZeroHash() {
  static const std::string* const kZero = new std::string(kHashBytes, '\0');
  return *kZero;
}

void AppendCanonicalBytes(const rating::v1::Envelope& e, std::string* out) {
  // Field order is the proto field-number order; `hash` (13) is left out. New fields are
  // appended after the last one (see FORMAT.md), so existing hashes stay valid.
  out->push_back(kCanonicalFormat);
  AppendField(e.event_id(), out);
  AppendField(e.stream(), out);
  AppendBigEndian64(e.stream_version(), out);
  AppendBigEndian64(e.position(), out);
  AppendField(e.type(), out);
  AppendBigEndian32(e.schema_version(), out);
  AppendField(e.payload(), out);
  AppendBigEndian64(static_cast<uint64_t>(e.recorded_at_micros()), out);
  AppendField(e.actor(), out);
  AppendField(e.correlation_id(), out);
  AppendField(e.causation_id(), out);
  AppendField(e.prev_hash(), out);
}

std::string ComputeHash(const rating::v1::Envelope& envelope, std::string* scratch) {
  scratch->clear();
  scratch->append(envelope.prev_hash());
  AppendCanonicalBytes(envelope, scratch);
  return common::Sha256(*scratch);
}

ChainVerifier::ChainVerifier(uint64_t from_position, std::string prev_hash)
    : next_position_(from_position), prev_hash_(std::move(prev_hash)) {}

bool ChainVerifier::Fail(uint64_t position, std::string message) {
  result_.ok = false;
  result_.first_bad_position = position;
  result_.message = std::move(message);
  return false;
}

bool ChainVerifier::Check(uint64_t key_position, const rating::v1::Envelope* envelope) {
  if (!result_.ok) return false;
  const uint64_t p = next_position_;
  if (key_position != p) {
    return Fail(p, absl::StrCat("position ", p, ": missing (next stored is ", key_position, ")"));
  }
  if (envelope == nullptr) {
    return Fail(p, absl::StrCat("position ", p, ": stored envelope does not parse"));
  }
  if (envelope->position() != p) {
    return Fail(p, absl::StrCat("position ", p, ": envelope says position ",
                                envelope->position()));
  }
  if (!prev_hash_.empty() && envelope->prev_hash() != prev_hash_) {
    return Fail(p, absl::StrCat("position ", p, ": prev_hash ",
                                common::ToHex(envelope->prev_hash()),
                                " does not match the previous hash ", common::ToHex(prev_hash_)));
  }
  std::string computed = ComputeHash(*envelope, &scratch_);
  if (computed != envelope->hash()) {
    return Fail(p, absl::StrCat("position ", p, ": stored hash ", common::ToHex(envelope->hash()),
                                " does not match the recomputed ", common::ToHex(computed)));
  }
  prev_hash_ = std::move(computed);
  ++next_position_;
  ++result_.checked;
  return true;
}

void ChainVerifier::FailHere(std::string message) {
  if (result_.ok) Fail(next_position_, absl::StrCat("position ", next_position_, ": ", message));
}

VerifyResult ChainVerifier::Finish(uint64_t to_position) {
  if (result_.ok && next_position_ <= to_position) {
    Fail(next_position_, absl::StrCat("position ", next_position_, ": missing (log ends at ",
                                      next_position_ - 1, ")"));
  }
  return result_;
}

}  // namespace rating::eventstore
