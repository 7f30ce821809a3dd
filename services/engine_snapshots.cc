// The engine's projection snapshots: loading the newest fit one, writing one, and the thread
// that writes them every SnapshotOptions::every events (engine.h).
#include <cstdio>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/arena.h"
#include "common/crypto.h"
#include "common/status_macros.h"
#include "projections/snapshot.h"
#include "services/engine.h"

namespace rating::services {
namespace {

// Reads a snapshot's chunks 1..count on a thread of its own, a few ahead of the one who takes
// them: each read, hashed (the digests the header checks) and parsed. Next() gives them in
// order; the first failure ends the reading and is what Next() gives from then on.
class ChunkReader {
 public:
  ChunkReader(eventstore::SnapshotStore& store, uint64_t at, uint32_t count)
      : thread_([this, &store, at, count] { Run(store, at, count); }) {}
  ~ChunkReader() {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
    }
    thread_.join();
  }

  // A parsed chunk and the arena that holds its messages (freed together, not message by
  // message: malloc and free were a third of a load's time).
  struct Chunk {
    std::unique_ptr<google::protobuf::Arena> arena;
    v1::SnapshotChunk* message = nullptr;
  };

  absl::StatusOr<Chunk> Next() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](ChunkReader* r) { return !r->ready_.empty() || r->done_; }, this));
    if (ready_.empty()) {
      return failed_.ok() ? absl::DataLossError("fewer chunks than the header says") : failed_;
    }
    Chunk chunk = std::move(ready_.front());
    ready_.pop_front();
    return chunk;
  }

  // The chunks' digests in order, once every chunk was read.
  absl::StatusOr<std::string> Digests() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(+[](ChunkReader* r) { return r->done_; }, this));
    if (!failed_.ok()) return failed_;
    return digests_;
  }

 private:
  static constexpr size_t kAhead = 3;

  void Run(eventstore::SnapshotStore& store, uint64_t at, uint32_t count) {
    absl::Status failed;
    for (uint32_t i = 1; i <= count && failed.ok(); ++i) {
      {
        absl::MutexLock lock(&mu_);
        mu_.Await(absl::Condition(
            +[](ChunkReader* r) { return r->ready_.size() < kAhead || r->stopping_; }, this));
        if (stopping_) break;
      }
      absl::StatusOr<std::string> bytes = store.Chunk(at, i);
      if (!bytes.ok()) {
        failed = bytes.status();
        break;
      }
      std::string digest = common::Sha256(*bytes);
      Chunk chunk;
      chunk.arena = std::make_unique<google::protobuf::Arena>();
      chunk.message = google::protobuf::Arena::CreateMessage<v1::SnapshotChunk>(chunk.arena.get());
      if (!chunk.message->ParseFromString(*bytes)) {
        failed = absl::DataLossError(absl::StrCat("chunk ", i, " does not parse"));
        break;
      }
      absl::MutexLock lock(&mu_);
      digests_ += digest;
      ready_.push_back(std::move(chunk));
    }
    absl::MutexLock lock(&mu_);
    failed_ = failed;
    done_ = true;
  }

  absl::Mutex mu_;
  std::deque<Chunk> ready_ ABSL_GUARDED_BY(mu_);
  std::string digests_ ABSL_GUARDED_BY(mu_);
  absl::Status failed_ ABSL_GUARDED_BY(mu_);
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;  // Last: started once the members above exist.
};

}  // namespace

absl::StatusOr<std::unique_ptr<projections::RatingState>> Engine::LoadSnapshot(
    uint64_t position, int64_t until_micros, std::vector<std::string>* discarded) const {
  eventstore::SnapshotStore& snapshots = *snapshots_.store;
  RATING_ASSIGN_OR_RETURN(std::vector<uint64_t> positions, snapshots.Positions(position));
  for (uint64_t at : positions) {
    // Any reason not to trust it discards it: the state is then rebuilt from the log.
    auto load = [&]() -> absl::StatusOr<std::unique_ptr<projections::RatingState>> {
      RATING_ASSIGN_OR_RETURN(std::string bytes, snapshots.Header(at));
      v1::SnapshotHeader header;
      if (!header.ParseFromString(bytes) || header.position() != at) {
        return absl::DataLossError("the header does not parse");
      }
      if (header.projection_version() != projections::kProjectionVersion) {
        return absl::FailedPreconditionError(
            absl::StrCat("projection version ", header.projection_version(), ", this code has ",
                         projections::kProjectionVersion));
      }
      if (until_micros != 0 && header.recorded_at_micros() > until_micros) {
        return std::unique_ptr<projections::RatingState>();  // Fit, but recorded too late.
      }
      RATING_ASSIGN_OR_RETURN(std::vector<v1::Envelope> event, store_.ReadAll(at, 1));
      if (event.empty() || event[0].position() != at || event[0].hash() != header.chain_hash()) {
        return absl::FailedPreconditionError(absl::StrCat(
            "its chain hash is not the log's at position ", at, " (a snapshot of another log)"));
      }
      // Two stages on two threads: the chunks are read, hashed and parsed ahead (ReadChunks)
      // while the loader builds the state from the ones before.
      projections::SnapshotLoader loader;
      ChunkReader reader(snapshots, at, header.chunks());
      for (uint32_t i = 1; i <= header.chunks(); ++i) {
        RATING_ASSIGN_OR_RETURN(ChunkReader::Chunk chunk, reader.Next());
        RATING_RETURN_IF_ERROR(loader.Add(*chunk.message));
      }
      RATING_ASSIGN_OR_RETURN(std::string digests, reader.Digests());
      if (common::Sha256(digests) != header.chunks_sha256()) {
        return absl::DataLossError("its chunks do not match the header's digest");
      }
      return loader.Finish(header.position(), header.recorded_at_micros());
    };
    absl::StatusOr<std::unique_ptr<projections::RatingState>> state = load();
    if (state.ok() && *state == nullptr) continue;
    if (state.ok()) return state;
    if (discarded != nullptr) {
      discarded->push_back(absl::StrCat("snapshot at ", at, ": ", state.status().message()));
    }
    std::fprintf(stderr, "engine: snapshot at %llu discarded: %s\n",
                 static_cast<unsigned long long>(at), std::string(state.status().message()).c_str());
    snapshots.Remove(at).IgnoreError();  // Never trusted again; a new one replaces it.
  }
  return std::unique_ptr<projections::RatingState>();
}

absl::StatusOr<uint64_t> Engine::WriteSnapshot() {
  if (snapshots_.store == nullptr) {
    return absl::FailedPreconditionError("no snapshot store (--snapshot_dir)");
  }
  absl::MutexLock write(&snapshot_write_mu_);
  // Serialized under the shared lock (reads go on; an apply waits for it), written without.
  std::vector<std::string> chunks;
  v1::SnapshotHeader header;
  {
    absl::ReaderMutexLock lock(&mu_);
    if (state_->position() == 0 || state_->position() == last_snapshot_.load()) {
      return state_->position();
    }
    header.set_position(state_->position());
    header.set_recorded_at_micros(state_->recorded_at_micros());
    RATING_RETURN_IF_ERROR(projections::WriteSnapshot(
        *state_, snapshots_.chunk_bytes, [&](const v1::SnapshotChunk& chunk) {
          chunks.push_back(chunk.SerializeAsString());
          return absl::OkStatus();
        }));
  }
  header.set_projection_version(projections::kProjectionVersion);
  RATING_ASSIGN_OR_RETURN(std::vector<v1::Envelope> event, store_.ReadAll(header.position(), 1));
  if (event.empty()) return absl::InternalError("the snapshot's position is not in the log");
  header.set_chain_hash(event[0].hash());
  header.set_chunks(static_cast<uint32_t>(chunks.size()));
  std::string digests;
  eventstore::SnapshotStore::Writer writer = snapshots_.store->Write(header.position());
  for (std::string& chunk : chunks) {
    digests += common::Sha256(chunk);
    RATING_RETURN_IF_ERROR(writer.AddChunk(chunk));
    std::string().swap(chunk);
  }
  header.set_chunks_sha256(common::Sha256(digests));
  RATING_RETURN_IF_ERROR(writer.Commit(header.SerializeAsString()));
  last_snapshot_ = header.position();
  RATING_RETURN_IF_ERROR(snapshots_.store->Prune(snapshots_.keep));
  return header.position();
}

void Engine::SnapshotLoop() {
  while (true) {
    {
      absl::MutexLock lock(&snapshot_mu_);
      auto woken = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(snapshot_mu_) {
        return snapshot_wanted_ || stopping_;
      };
      snapshot_mu_.Await(absl::Condition(&woken));
      if (stopping_) return;
      snapshot_wanted_ = false;
    }
    absl::StatusOr<uint64_t> written = WriteSnapshot();
    if (!written.ok()) {
      std::fprintf(stderr, "engine: snapshot not written: %s\n",
                   std::string(written.status().message()).c_str());
    }
  }
}

}  // namespace rating::services
