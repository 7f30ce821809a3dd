// Subscribe streams fed from the log (services/internal/subscription_hub.h).
//
// Ownership of a stream's state: exactly one party acts on a stream at a time, named by its
// State (guarded by the hub's mutex): the reader thread while kRefilling, gRPC's write callback
// while kWriting, the watcher (or OnCancel) while kIdle. Only the owner calls StartWrite or
// Finish, outside the mutex, and Finish is the last thing anyone does to a stream: gRPC then
// calls OnDone, which deletes it.
#include "services/internal/subscription_hub.h"

#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/error_details.h"
#include "common/grpc_status.h"
#include "common/names.h"
#include "services/auth.h"
#include "services/internal/grpc_common.h"
#include "services/internal/input_limits.h"

namespace rating::services::internal {
namespace {

constexpr int kMaxFilters = 16;
constexpr size_t kMaxPrefixBytes = 64;

// UNAVAILABLE with ErrorInfo reason SERVER_SHUTDOWN: the server ends the stream, the client
// resumes from its last checkpoint once the server is back.
absl::Status ShutdownStatus() {
  google::rpc::Status details;
  google::rpc::ErrorInfo info;
  info.set_domain(common::kErrorDomain);
  info.set_reason("SERVER_SHUTDOWN");
  details.add_details()->PackFrom(info);
  return common::WithDetails(
      absl::UnavailableError(
          "subscribe: the server is shutting down; resume from the last checkpoint"),
      std::move(details));
}

// The request's filters checked: INVALID_ARGUMENT naming the field otherwise.
absl::Status CheckFilters(const v1::SubscribeRequest& request) {
  if (request.stream_prefixes_size() > kMaxFilters) {
    return common::FieldRefusal("stream_prefixes", absl::StrCat("at most ", kMaxFilters));
  }
  for (int i = 0; i < request.stream_prefixes_size(); ++i) {
    if (request.stream_prefixes(i).size() > kMaxPrefixBytes) {
      return common::FieldRefusal(absl::StrCat("stream_prefixes[", i, "]"),
                                  absl::StrCat("longer than ", kMaxPrefixBytes, " bytes"));
    }
  }
  if (request.event_kinds_size() > v1::Event::descriptor()->field_count()) {
    return common::FieldRefusal("event_kinds", "more kinds than there are");
  }
  for (int i = 0; i < request.event_kinds_size(); ++i) {
    const google::protobuf::FieldDescriptor* field =
        v1::Event::descriptor()->FindFieldByName(request.event_kinds(i));
    if (field == nullptr || field->containing_oneof() == nullptr) {
      return common::FieldRefusal(
          absl::StrCat("event_kinds[", i, "]"),
          absl::StrCat("'", Echo(request.event_kinds(i)),
                       "' is not an event kind (an Event oneof case name, e.g. ratings_decided)"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

class SubscriptionHub::Stream final : public grpc::ServerWriteReactor<v1::SubscribeResponse> {
 public:
  Stream(SubscriptionHub* hub, std::string token, const v1::SubscribeRequest& request)
      : hub_(hub),
        token_(std::move(token)),
        every_(request.checkpoint_every() == 0 ? 100 : request.checkpoint_every()),
        prefixes_(request.stream_prefixes().begin(), request.stream_prefixes().end()),
        kinds_(request.event_kinds().begin(), request.event_kinds().end()),
        position_(request.after_position()),
        last_checkpoint_(request.after_position()) {
    read_position_.store(position_, std::memory_order_relaxed);
  }

  // Does the request's filter let `envelope` through (its stream)?
  bool StreamWanted(const v1::Envelope& envelope) const {
    if (prefixes_.empty()) return true;
    for (const std::string& prefix : prefixes_) {
      if (absl::StartsWith(envelope.stream(), prefix)) return true;
    }
    return false;
  }
  // ... and its kind?
  bool KindWanted(const v1::Event& event) const {
    return kinds_.empty() || kinds_.count(common::EventKind(event)) > 0;
  }

  void OnWriteDone(bool ok) override { hub_->WriteDone(this, ok); }
  void OnCancel() override { hub_->Cancelled(this); }
  void OnDone() override { hub_->Done(this); }

 private:
  friend class SubscriptionHub;

  SubscriptionHub* const hub_;
  const std::string token_;
  const uint32_t every_;
  const std::vector<std::string> prefixes_;
  const std::set<std::string> kinds_;
  // Owned by the party the state names.
  uint64_t position_;  // Last event buffered.
  std::atomic<uint64_t> read_position_{0};  // position_, for metrics (any thread).
  uint64_t last_checkpoint_;
  uint32_t since_checkpoint_ = 0;
  std::deque<v1::SubscribeResponse> batch_;
  grpc::Status final_status_;
  // Guarded by hub_->mu_.
  State state_ = State::kRefilling;
  bool cancelled_ = false;
  bool registered_ = false;
};

SubscriptionHub::SubscriptionHub(Engine& engine, int max_streams, size_t buffer_bytes)
    : engine_(engine), max_streams_(max_streams), buffer_bytes_(buffer_bytes) {
  watcher_ = std::thread([this] { Watch(); });
}

SubscriptionHub::~SubscriptionHub() {
  stopping_ = true;
  watcher_.join();
}

std::vector<uint64_t> SubscriptionHub::Positions() const {
  absl::MutexLock lock(&mu_);
  std::vector<uint64_t> positions;
  positions.reserve(open_set_.size());
  for (const Stream* stream : open_set_) {
    positions.push_back(stream->read_position_.load(std::memory_order_relaxed));
  }
  return positions;
}

int SubscriptionHub::open_streams() const {
  absl::MutexLock lock(&mu_);
  return open_;
}

grpc::ServerWriteReactor<v1::SubscribeResponse>* SubscriptionHub::Open(
    grpc::CallbackServerContext* context, const v1::SubscribeRequest& request) {
  absl::StatusOr<std::string> token = TokenOf(context);
  auto* stream = new Stream(this, token.ok() ? *token : "", request);
  // Refused streams end here; gRPC holds a Finish made before the handler returns.
  auto refuse = [&](const absl::Status& status) {
    stream->state_ = State::kDone;
    stream->Finish(ToGrpcStatus(status));
    return stream;
  };
  if (!token.ok()) return refuse(token.status());
  absl::StatusOr<v1::Principal> caller = engine_.Authenticate(*token);
  if (!caller.ok()) return refuse(caller.status());
  if (absl::Status allowed = AuthorizeLogRead(*caller); !allowed.ok()) return refuse(allowed);
  if (absl::Status filters = CheckFilters(request); !filters.ok()) return refuse(filters);
  const uint64_t head = engine_.store().HeadPosition();
  if (request.after_position() > head) {
    return refuse(absl::OutOfRangeError(
        absl::StrCat("after_position: ", request.after_position(), " is past the head ", head)));
  }
  if (engine_.store().IsShutdown()) return refuse(ShutdownStatus());
  {
    absl::MutexLock lock(&mu_);
    if (open_ >= max_streams_) {
      stream->state_ = State::kDone;
    } else {
      ++open_;
      stream->registered_ = true;
      open_set_.insert(stream);
    }
  }
  if (!stream->registered_) {
    return refuse(absl::ResourceExhaustedError(
        absl::StrCat("subscribe: ", max_streams_,
                     " streams are open, the server's limit (--max_subscriptions)")));
  }
  reader_.Schedule([this, stream] { Refill(stream); });
  return stream;
}

void SubscriptionHub::Refill(Stream* stream) {
  // Every batch is sent on the authority of the token as it stands now.
  // Nothing past the state the token was checked on is sent on its authority (a revocation
  // being applied is in the log before it is in the state).
  absl::StatusOr<std::pair<v1::Principal, uint64_t>> caller =
      engine_.AuthenticateAt(stream->token_);
  absl::Status status = caller.ok() ? AuthorizeLogRead(caller->first) : caller.status();
  const uint64_t checked_at = caller.ok() ? caller->second : 0;
  bool caught_up = true;
  if (status.ok() && !engine_.store().IsShutdown()) {
    size_t bytes = 0;
    absl::Status failed = absl::OkStatus();
    absl::Status read =
        engine_.store().ForEach(stream->position_ + 1, [&](const v1::Envelope& envelope) {
          if (envelope.position() > checked_at) return false;
          absl::StatusOr<v1::LogEntry> entry;
          if (stream->StreamWanted(envelope)) {
            entry = ToLogEntry(envelope);
            if (!entry.ok()) {
              failed = entry.status();
              return false;
            }
          }
          if (entry.ok() && stream->KindWanted(entry->event())) {
            v1::SubscribeResponse& response = stream->batch_.emplace_back();
            *response.mutable_entry() = *std::move(entry);
            bytes += response.ByteSizeLong();
          } else {
            // Filtered out: passed over, and counted towards the batch's work and the next
            // checkpoint, so a long filtered catch-up still moves the checkpoint along.
            bytes += envelope.ByteSizeLong();
          }
          stream->position_ = envelope.position();
          stream->read_position_.store(stream->position_, std::memory_order_relaxed);
          if (++stream->since_checkpoint_ >= stream->every_) {
            stream->batch_.emplace_back().set_checkpoint(stream->position_);
            stream->last_checkpoint_ = stream->position_;
            stream->since_checkpoint_ = 0;
          }
          if (bytes >= buffer_bytes_) {
            caught_up = false;
            return false;
          }
          return true;
        });
    status = failed.ok() ? read : failed;
    // Caught up: confirm everything delivered so far.
    if (status.ok() && caught_up && stream->position_ != stream->last_checkpoint_) {
      stream->batch_.emplace_back().set_checkpoint(stream->position_);
      stream->last_checkpoint_ = stream->position_;
      stream->since_checkpoint_ = 0;
    }
  }
  bool write = false;
  bool again = false;
  {
    absl::MutexLock lock(&mu_);
    if (!status.ok() || stream->cancelled_ || engine_.store().IsShutdown()) {
      // A refused token, a read error, a cancelled call or a store shutting down
      // (SERVER_SHUTDOWN) ends it.
      if (status.ok() && !stream->cancelled_) status = ShutdownStatus();
      stream->final_status_ = ToGrpcStatus(status);
      FinishLocked(stream);
    } else if (!stream->batch_.empty()) {
      stream->state_ = State::kWriting;
      write = true;
    } else if (engine_.AppliedPosition() > stream->position_) {
      again = true;  // The log grew while the batch was read.
    } else {
      stream->state_ = State::kIdle;
      idle_.insert(stream);
    }
  }
  // From here the stream is the writer's (or finished): it is not touched again.
  if (write) {
    stream->StartWrite(&stream->batch_.front());
  } else if (again) {
    reader_.Schedule([this, stream] { Refill(stream); });
  }
}

void SubscriptionHub::WriteDone(Stream* stream, bool ok) {
  stream->batch_.pop_front();
  bool write = false;
  {
    absl::MutexLock lock(&mu_);
    if (!ok || stream->cancelled_) {
      stream->final_status_ = grpc::Status::OK;  // The client is gone: no one reads it.
      FinishLocked(stream);
      return;
    }
    if (!stream->batch_.empty()) {
      write = true;
    } else {
      stream->state_ = State::kRefilling;
    }
  }
  if (write) {
    stream->StartWrite(&stream->batch_.front());
  } else {
    reader_.Schedule([this, stream] { Refill(stream); });
  }
}

void SubscriptionHub::Cancelled(Stream* stream) {
  absl::MutexLock lock(&mu_);
  stream->cancelled_ = true;
  if (stream->state_ == State::kIdle) {  // No one else acts on it: finish it here.
    stream->final_status_ = ToGrpcStatus(absl::CancelledError("subscribe: cancelled"));
    FinishLocked(stream);
  }
}

void SubscriptionHub::Done(Stream* stream) {
  {
    absl::MutexLock lock(&mu_);
    if (stream->registered_) --open_;
    idle_.erase(stream);
    open_set_.erase(stream);
  }
  delete stream;
}

void SubscriptionHub::FinishLocked(Stream* stream) {
  if (stream->state_ == State::kDone) return;
  idle_.erase(stream);
  stream->state_ = State::kDone;
  // Finish only queues the status: gRPC calls OnDone later, on its own thread, never inside
  // this call, so holding the mutex here cannot deadlock with Done.
  stream->Finish(stream->final_status_);
}

void SubscriptionHub::Watch() {
  const eventstore::EventStore& store = engine_.store();
  uint64_t seen = engine_.AppliedPosition();
  while (!stopping_) {
    // Wakes once an append is applied, or on the store's shutdown (within the timeout, which
    // also lets the destructor in).
    const uint64_t head = engine_.WaitForAppliedPast(seen, absl::Milliseconds(200));
    const bool shutdown = store.IsShutdown();
    if (head <= seen && !shutdown) continue;
    std::vector<Stream*> wake;
    {
      absl::MutexLock lock(&mu_);
      if (shutdown) {
        const std::vector<Stream*> idle(idle_.begin(), idle_.end());
        for (Stream* stream : idle) {
          stream->final_status_ = ToGrpcStatus(ShutdownStatus());  // api.proto.
          FinishLocked(stream);
        }
      }
      for (auto it = idle_.begin(); it != idle_.end();) {
        Stream* stream = *it;
        if (stream->position_ < head) {
          stream->state_ = State::kRefilling;
          wake.push_back(stream);
          it = idle_.erase(it);
        } else {
          ++it;
        }
      }
    }
    for (Stream* stream : wake) reader_.Schedule([this, stream] { Refill(stream); });
    seen = head;
    if (shutdown) return;  // Streams busy now finish when they next look (Refill).
  }
}

}  // namespace rating::services::internal
