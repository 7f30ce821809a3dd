#include "eventstore/append_checks.h"

#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/crypto.h"
#include "eventstore/keys.h"

namespace rating::eventstore {
namespace {

absl::Status CheckMetadata(std::string_view field, size_t index, std::string_view value) {
  if (value.size() > kMaxMetadataBytes) {
    return absl::InvalidArgumentError(absl::StrCat("events[", index, "].", AsAbsl(field), ": ",
                                                   value.size(), " bytes, at most ",
                                                   kMaxMetadataBytes, " allowed"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateAppend(std::string_view stream, int64_t expected_version,
                            const std::vector<NewEvent>& events) {
  if (stream.empty()) return absl::InvalidArgumentError("stream: name is empty");
  if (stream.size() > kMaxStreamNameBytes) {
    return absl::InvalidArgumentError(absl::StrCat("stream: name is ", stream.size(),
                                                   " bytes, at most ", kMaxStreamNameBytes,
                                                   " allowed"));
  }
  if (stream.find('\0') != std::string_view::npos) {
    return absl::InvalidArgumentError("stream: name contains a NUL byte");
  }
  if (expected_version < 0 && expected_version != kExpectAny &&
      expected_version != kExpectNoStream) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected_version: unknown form ", expected_version,
                     " (use a version >= 0, -1 for any or -2 for no stream)"));
  }
  if (events.empty()) return absl::InvalidArgumentError("events: none given");
  if (events.size() > kMaxEventsPerAppend) {
    return absl::InvalidArgumentError(absl::StrCat("events: ", events.size(),
                                                   " in one append, at most ",
                                                   kMaxEventsPerAppend, " allowed"));
  }
  size_t total_bytes = 0;
  bool any_id = false;
  for (size_t i = 0; i < events.size(); ++i) {
    const NewEvent& e = events[i];
    if (!e.event_id.empty()) {
      any_id = true;
      if (!common::IsUuid(e.event_id)) {
        return absl::InvalidArgumentError(
            absl::StrCat("events[", i, "].event_id: '", e.event_id.substr(0, 64),
                         "' is not a uuid"));
      }
    }
    if (e.payload.size() > kMaxPayloadBytes) {
      return absl::InvalidArgumentError(absl::StrCat("events[", i, "].payload: ",
                                                     e.payload.size(), " bytes, at most ",
                                                     kMaxPayloadBytes, " allowed"));
    }
    total_bytes += e.payload.size();
    for (auto [field, value] : {std::pair<std::string_view, std::string_view>{"type", e.type},
                                {"actor", e.actor},
                                {"correlation_id", e.correlation_id},
                                {"causation_id", e.causation_id}}) {
      if (absl::Status s = CheckMetadata(field, i, value); !s.ok()) return s;
    }
  }
  if (total_bytes > kMaxAppendBytes) {
    return absl::InvalidArgumentError(absl::StrCat("events: payloads total ", total_bytes,
                                                   " bytes, at most ", kMaxAppendBytes,
                                                   " allowed"));
  }
  if (any_id && events.size() > 1) {
    absl::flat_hash_set<absl::string_view> seen;
    seen.reserve(events.size());
    for (size_t i = 0; i < events.size(); ++i) {
      if (events[i].event_id.empty()) continue;
      if (!seen.insert(events[i].event_id).second) {
        return absl::InvalidArgumentError(absl::StrCat(
            "events[", i, "].event_id: ", events[i].event_id, " appears twice in the batch"));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status CheckExpectedVersion(std::string_view stream, int64_t expected_version,
                                  uint64_t head) {
  if (expected_version == kExpectAny) return absl::OkStatus();
  if (expected_version == kExpectNoStream) {
    if (head == 0) return absl::OkStatus();
    return absl::AbortedError(
        absl::StrCat("stream ", AsAbsl(stream), ": expected no stream, head is ", head));
  }
  if (static_cast<uint64_t>(expected_version) == head) return absl::OkStatus();
  return absl::AbortedError(absl::StrCat("stream ", AsAbsl(stream), ": expected version ",
                                         expected_version, ", head is ", head));
}

bool SameContent(std::string_view stream, const NewEvent& event,
                 const rating::v1::Envelope& stored) {
  return stored.stream() == stream && stored.event_id() == event.event_id &&
         stored.type() == event.type && stored.schema_version() == event.schema_version &&
         stored.payload() == event.payload && stored.actor() == event.actor &&
         stored.correlation_id() == event.correlation_id &&
         stored.causation_id() == event.causation_id;
}

}  // namespace rating::eventstore
