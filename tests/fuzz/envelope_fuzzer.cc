// libFuzzer target (c): envelope decoding and replay. The first input byte picks the mode:
//  even: the rest is a stored rating.v1.Envelope. Its chain hash is computed and verified (a
//        freshly hashed envelope and its successor must verify; changing any hashed field must
//        change the hash), it is replayed into the fixed state (RatingState::Apply), and it is
//        appended to an in-memory store (what is read back is what was appended, the chain
//        verifies, a retry of the same event is a replay, not a second copy);
//  odd:  the rest is a rating.v1.Event payload, replayed as the next stored event.
// After a replay the store accepted, every read the query service makes must work.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "common/check.h"
#include "common/clock.h"
#include "eventstore/append_checks.h"
#include "eventstore/chain.h"
#include "eventstore/in_memory_event_store.h"
#include "projections/rating_state.h"
#include "tests/fuzz/fuzz_state.h"

namespace {

using rating::v1::Envelope;

// Every field of `e` but `hash`, changed one at a time, changes the computed hash.
void CheckEveryFieldIsHashed(const Envelope& e, const std::string& hash) {
  const google::protobuf::Descriptor* d = Envelope::descriptor();
  const google::protobuf::Reflection* r = Envelope::GetReflection();
  std::string scratch;
  for (int i = 0; i < d->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* f = d->field(i);
    if (f->name() == "hash" || f->is_repeated()) continue;
    Envelope changed = e;
    switch (f->cpp_type()) {
      case google::protobuf::FieldDescriptor::CPPTYPE_STRING:
        r->SetString(&changed, f, r->GetString(e, f) + "x");
        break;
      case google::protobuf::FieldDescriptor::CPPTYPE_UINT64:
        r->SetUInt64(&changed, f, r->GetUInt64(e, f) ^ 1);
        break;
      case google::protobuf::FieldDescriptor::CPPTYPE_INT64:
        r->SetInt64(&changed, f, r->GetInt64(e, f) ^ 1);
        break;
      case google::protobuf::FieldDescriptor::CPPTYPE_UINT32:
        r->SetUInt32(&changed, f, r->GetUInt32(e, f) ^ 1);
        break;
      case google::protobuf::FieldDescriptor::CPPTYPE_INT32:
        r->SetInt32(&changed, f, r->GetInt32(e, f) ^ 1);
        break;
      default:
        continue;
    }
    if (rating::eventstore::ComputeHash(changed, &scratch) == hash) {
      std::fprintf(stderr, "envelope field %s is not covered by the chain hash\n",
                   f->name().c_str());
      RATING_CHECK(false);
    }
  }
}

void Chain(Envelope e) {
  std::string scratch;
  e.set_hash(rating::eventstore::ComputeHash(e, &scratch));
  {
    rating::eventstore::ChainVerifier verifier(e.position(), e.prev_hash());
    RATING_CHECK(verifier.Check(e.position(), &e));
  }
  CheckEveryFieldIsHashed(e, e.hash());
  if (e.position() == UINT64_MAX) return;
  Envelope next = e;
  next.set_position(e.position() + 1);
  next.set_prev_hash(e.hash());
  next.set_hash(rating::eventstore::ComputeHash(next, &scratch));
  rating::eventstore::ChainVerifier verifier(e.position(), e.prev_hash());
  RATING_CHECK(verifier.Check(e.position(), &e));
  RATING_CHECK(verifier.Check(next.position(), &next));
  RATING_CHECK(verifier.Finish(next.position()).ok);
}

void Store(const Envelope& e) {
  static rating::common::FakeClock clock;
  rating::eventstore::InMemoryEventStore store(clock);
  rating::eventstore::NewEvent event;
  event.event_id = e.event_id();
  event.type = e.type();
  event.schema_version = e.schema_version();
  event.payload = e.payload();
  event.actor = e.actor();
  event.correlation_id = e.correlation_id();
  event.causation_id = e.causation_id();
  auto first = store.Append(e.stream(), rating::eventstore::kExpectAny, {event});
  if (first.ok()) {
    auto read = store.ReadAll(1, 10);
    RATING_CHECK(read.ok() && read->size() == 1);
    rating::eventstore::NewEvent expected = event;
    if (expected.event_id.empty()) expected.event_id = read->front().event_id();  // Generated.
    RATING_CHECK(rating::eventstore::SameContent(e.stream(), expected, read->front()));
    auto found = store.FindEvent(read->front().event_id());
    RATING_CHECK(found.ok() && found->has_value() && **found == 1);
    auto again = store.Append(e.stream(), rating::eventstore::kExpectAny, {event});
    if (!event.event_id.empty()) {
      // The same event id again is the idempotent retry: a replay at the same position.
      RATING_CHECK(again.ok() && again->replayed && again->positions == first->positions);
    }
    auto verified = store.Verify(0, 0);
    RATING_CHECK(verified.ok() && verified->ok && verified->checked == store.HeadPosition());
  }
  store.Shutdown();
}

void Replay(const Envelope& e) {
  rating::projections::RatingState state(rating::fuzz::FixedState());
  if (state.Apply(e).ok() && state.position() == e.position()) {
    rating::fuzz::ReadEverything(state);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  ++data;
  --size;
  if (mode % 2 == 0) {
    Envelope e;
    if (!e.ParseFromArray(data, static_cast<int>(size))) return 0;
    Chain(e);
    Store(e);
    Replay(e);
  } else {
    const rating::projections::RatingState& base = rating::fuzz::FixedState();
    rating::v1::Event event;
    if (!event.ParseFromArray(data, static_cast<int>(size))) return 0;
    Envelope e = rating::fuzz::NextEnvelope(base, "fuzz", event);
    e.set_payload(std::string(reinterpret_cast<const char*>(data), size));  // The bytes as given.
    Replay(e);
  }
  return 0;
}
