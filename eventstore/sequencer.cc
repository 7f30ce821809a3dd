#include "eventstore/sequencer.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/crypto.h"
#include "common/status_macros.h"
#include "eventstore/append_checks.h"
#include "common/check.h"
#include "eventstore/chain.h"
#include "eventstore/keys.h"

namespace rating::eventstore {

// One pending Append, owned by its caller's stack frame.
struct Sequencer::Writer {
  std::string_view stream;
  int64_t expected_version = 0;
  std::vector<NewEvent>* events = nullptr;
  // generated[i] != 0: the store made up events[i]'s id (it cannot be stored yet). Empty
  // when every id was supplied.
  std::vector<char> generated;
  size_t payload_bytes = 0;

  absl::Status status;
  AppendResult* result = nullptr;
  size_t first_envelope = 0;  // Its envelopes in the group: [first, first + events->size()).

  bool done = false;
  absl::CondVar cv;
};

// What the leader builds for one group before committing it.
struct Sequencer::Group {
  std::vector<rating::v1::Envelope> envelopes;
  // Streams written by the group so far -> their new head.
  absl::flat_hash_map<absl::string_view, uint64_t> stream_heads;
  // Supplied ids written by the group so far -> index in `envelopes` (stable: reserved).
  absl::flat_hash_map<absl::string_view, size_t> ids;
  uint64_t position = 0;
  std::string hash;
  int64_t micros = 0;
};

namespace {

// A group stops growing past this many payload bytes (the first writer always goes).
constexpr size_t kMaxGroupBytes = 4 << 20;

}  // namespace

Sequencer::Sequencer(Backend* backend, const common::Clock& clock, Head head)
    : backend_(backend),
      clock_(clock),
      last_position_(head.position),
      last_hash_(head.hash.empty() ? ZeroHash() : head.hash),
      last_micros_(head.recorded_at_micros),
      head_position_(head.position),
      head_hash_(last_hash_) {}

absl::Status Sequencer::Prepare(Writer& w, std::string_view stream, int64_t expected_version,
                                std::vector<NewEvent>& events, AppendResult& result) {
  RATING_RETURN_IF_ERROR(ValidateAppend(stream, expected_version, events));
  w.stream = stream;
  w.expected_version = expected_version;
  w.events = &events;
  w.result = &result;
  for (size_t i = 0; i < events.size(); ++i) {
    NewEvent& e = events[i];
    w.payload_bytes += e.payload.size();
    if (e.event_id.empty()) {
      // Generated here, outside the leader, so groups do not serialize on the RNG.
      e.event_id = common::NewUuid();
      if (w.generated.empty()) w.generated.resize(events.size(), 0);
      w.generated[i] = 1;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<AppendResult> Sequencer::Append(std::string_view stream, int64_t expected_version,
                                               std::vector<NewEvent> events) {
  Writer w;
  AppendResult result;
  RATING_RETURN_IF_ERROR(Prepare(w, stream, expected_version, events, result));
  Run({&w});
  if (!w.status.ok()) return w.status;
  return result;
}

std::vector<absl::StatusOr<AppendResult>> Sequencer::AppendMany(
    std::vector<AppendRequest>& requests) {
  std::vector<absl::StatusOr<AppendResult>> out;
  out.reserve(requests.size());
  std::deque<Writer> writers;  // A deque: writers never move once queued.
  std::vector<AppendResult> results(requests.size());
  std::vector<Writer*> mine;
  std::vector<size_t> index_of;
  for (size_t i = 0; i < requests.size(); ++i) {
    Writer& w = writers.emplace_back();
    absl::Status prepared = Prepare(w, requests[i].stream, requests[i].expected_version,
                                    requests[i].events, results[i]);
    if (!prepared.ok()) {
      out.push_back(prepared);
      continue;
    }
    out.push_back(absl::UnknownError("not committed"));  // Replaced below.
    mine.push_back(&w);
    index_of.push_back(i);
  }
  if (!mine.empty()) Run(mine);
  for (size_t k = 0; k < mine.size(); ++k) {
    const size_t i = index_of[k];
    if (mine[k]->status.ok()) {
      out[i] = std::move(results[i]);
    } else {
      out[i] = mine[k]->status;
    }
  }
  return out;
}

void Sequencer::Run(const std::vector<Writer*>& mine) {
  queue_mu_.Lock();
  for (Writer* w : mine) writers_.push_back(w);
  size_t next = 0;  // The first of `mine` not done.
  while (true) {
    while (next < mine.size() && mine[next]->done) ++next;
    if (next == mine.size()) break;
    Writer* w = mine[next];
    if (writers_.front() != w) {
      w->cv.Wait(&queue_mu_);
      continue;
    }
    // This writer leads: it takes the queue's front run of writers as its group.
    std::vector<Writer*> group;
    size_t bytes = 0;
    for (Writer* other : writers_) {
      if (!group.empty() && bytes + other->payload_bytes > kMaxGroupBytes) break;
      bytes += other->payload_bytes;
      group.push_back(other);
    }
    // Writers queue up behind the group while it commits; they form the next group.
    queue_mu_.Unlock();
    RunGroup(group);
    queue_mu_.Lock();
    for (Writer* member : group) {
      RATING_CHECK(writers_.front() == member);
      writers_.pop_front();
      member->done = true;
      member->cv.Signal();  // Under the lock: the member cannot vanish before we unlock.
    }
    if (!writers_.empty()) writers_.front()->cv.Signal();
  }
  queue_mu_.Unlock();
}

void Sequencer::RunGroup(const std::vector<Writer*>& group) {
  Group g;
  size_t total_events = 0;
  for (const Writer* w : group) total_events += w->events->size();
  g.envelopes.reserve(total_events);
  g.position = last_position_;
  g.hash = last_hash_;
  // recorded_at never goes backwards, even if the clock does.
  g.micros = std::max(last_micros_, absl::ToUnixMicros(clock_.Now()));

  for (Writer* w : group) w->status = Plan(*w, g);
  if (g.envelopes.empty()) return;  // Only replays and refusals: nothing to write.

  if (absl::Status s = backend_->Commit(g.envelopes); !s.ok()) {
    // Nothing was written: every writer that would have been acknowledged fails, replays
    // included (they may point at events of this group).
    for (Writer* w : group) {
      if (w->status.ok()) w->status = s;
    }
    return;
  }
  // The envelopes go back to their writers (the group is done with them).
  for (Writer* w : group) {
    if (!w->status.ok() || w->result->replayed) continue;
    auto first = g.envelopes.begin() + static_cast<std::ptrdiff_t>(w->first_envelope);
    w->result->envelopes.assign(std::make_move_iterator(first),
                                std::make_move_iterator(first + static_cast<std::ptrdiff_t>(
                                                                    w->events->size())));
  }
  last_position_ = g.position;
  last_hash_ = g.hash;
  last_micros_ = g.micros;
  {
    absl::MutexLock lock(&streams_mu_);
    for (const auto& [stream, version] : g.stream_heads) {
      stream_versions_[stream] = version;
    }
  }
  absl::MutexLock lock(&head_mu_);
  head_hash_ = g.hash;
  head_position_.store(g.position, std::memory_order_release);
}

absl::Status Sequencer::Plan(Writer& w, Group& g) {
  std::vector<NewEvent>& events = *w.events;
  AppendResult& result = *w.result;

  // Idempotency: look up every supplied id, in the group first, then in the log.
  size_t found = 0;
  const NewEvent* missing = nullptr;
  const NewEvent* present = nullptr;
  uint64_t present_position = 0;
  uint64_t last_version = 0;
  std::optional<rating::v1::Envelope> loaded;
  for (size_t i = 0; i < events.size(); ++i) {
    const NewEvent& e = events[i];
    if (!w.generated.empty() && w.generated[i]) {
      missing = &e;
      continue;
    }
    const rating::v1::Envelope* stored = nullptr;
    if (auto it = g.ids.find(absl::string_view(e.event_id)); it != g.ids.end()) {
      stored = &g.envelopes[it->second];
    } else {
      RATING_ASSIGN_OR_RETURN(loaded, backend_->LoadEvent(e.event_id));
      if (loaded.has_value()) stored = &*loaded;
    }
    if (stored == nullptr) {
      missing = &e;
      continue;
    }
    if (!SameContent(w.stream, e, *stored)) {
      return absl::AlreadyExistsError(absl::StrCat("event ", e.event_id,
                                                   ": already stored with different content "
                                                   "at position ",
                                                   stored->position()));
    }
    ++found;
    present = &e;
    present_position = stored->position();
    last_version = stored->stream_version();
    result.positions.push_back(stored->position());
    result.event_ids.push_back(e.event_id);
  }
  if (found == events.size()) {
    result.stream_version = last_version;
    result.replayed = true;
    return absl::OkStatus();
  }
  if (found > 0) {
    return absl::AlreadyExistsError(absl::StrCat(
        "event ", present->event_id, ": already stored at position ", present_position,
        ", but event ", missing->event_id, " of the same batch is not"));
  }
  result.positions.clear();
  result.event_ids.clear();

  // Optimistic concurrency against the head as of the writers before this one.
  uint64_t head = 0;
  auto head_it = g.stream_heads.find(AsAbsl(w.stream));
  if (head_it != g.stream_heads.end()) {
    head = head_it->second;
  } else {
    RATING_ASSIGN_OR_RETURN(head, CachedStreamVersion(w.stream));
  }
  RATING_RETURN_IF_ERROR(CheckExpectedVersion(w.stream, w.expected_version, head));

  result.positions.reserve(events.size());
  result.event_ids.reserve(events.size());
  w.first_envelope = g.envelopes.size();
  for (size_t i = 0; i < events.size(); ++i) {
    NewEvent& e = events[i];
    rating::v1::Envelope& env = g.envelopes.emplace_back();
    env.set_event_id(std::move(e.event_id));
    env.set_stream(w.stream.data(), w.stream.size());
    env.set_stream_version(++head);
    env.set_position(++g.position);
    env.set_type(std::move(e.type));
    env.set_schema_version(e.schema_version);
    env.set_payload(std::move(e.payload));
    env.set_recorded_at_micros(g.micros);
    env.set_actor(std::move(e.actor));
    env.set_correlation_id(std::move(e.correlation_id));
    env.set_causation_id(std::move(e.causation_id));
    env.set_prev_hash(std::move(g.hash));
    g.hash = ComputeHash(env, &scratch_);
    env.set_hash(g.hash);
    result.positions.push_back(env.position());
    result.event_ids.push_back(env.event_id());
    if (w.generated.empty() || !w.generated[i]) {
      g.ids.emplace(env.event_id(), g.envelopes.size() - 1);
    }
  }
  g.stream_heads[AsAbsl(w.stream)] = head;
  result.stream_version = head;
  result.replayed = false;
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> Sequencer::CachedStreamVersion(std::string_view stream) const {
  {
    absl::ReaderMutexLock lock(&streams_mu_);
    auto it = stream_versions_.find(AsAbsl(stream));
    if (it != stream_versions_.end()) return it->second;
  }
  RATING_ASSIGN_OR_RETURN(uint64_t version, backend_->LoadStreamVersion(stream));
  // Unknown streams are not cached, so reads of made-up names cannot grow the cache.
  if (version == 0) return version;
  // try_emplace: a committed head set meanwhile by the leader is newer than what we read.
  absl::MutexLock lock(&streams_mu_);
  return stream_versions_.try_emplace(AsAbsl(stream), version).first->second;
}

absl::StatusOr<uint64_t> Sequencer::StreamVersion(std::string_view stream) const {
  return CachedStreamVersion(stream);
}

std::string Sequencer::HeadHash() const {
  absl::MutexLock lock(&head_mu_);
  return head_hash_;
}

uint64_t Sequencer::WaitForHeadPast(uint64_t position, absl::Duration timeout) const {
  absl::MutexLock lock(&head_mu_);
  auto past = [this, position] {
    return head_position_.load(std::memory_order_acquire) > position ||
           shutdown_.load(std::memory_order_acquire);
  };
  head_mu_.AwaitWithTimeout(absl::Condition(&past), timeout);
  return head_position_.load(std::memory_order_acquire);
}

void Sequencer::Shutdown() {
  absl::MutexLock lock(&head_mu_);
  shutdown_.store(true, std::memory_order_release);
}

}  // namespace rating::eventstore
