// crash_rounds: evidence that cannot silently vanish. Starts ratingd on a temp data dir, drives
// concurrent clients through a realistic history (each command with its own x-request-id),
// SIGKILLs the server at a random moment, restarts it, retries every unacknowledged command
// with the same request id, finishes the round, and checks after every round:
//   (a) every acknowledged command's events are in the log, at the positions and with the
//       event ids its reply gave (AuditService.ReadLog), right after the restart and at the end;
//   (b) the hash chain verifies (AuditService.VerifyChain), right after the restart and at the end;
//   (c) the live projections of the restarted server (built by replay and then incrementally)
//       equal a fresh rebuild: a second ratingd on a copy of the data dir, made while the first
//       is stopped, answers every query of the history the same;
//   (d) a retry is never a duplicate: an in-doubt command retried after the restart replies
//       replayed=true with the positions already in the log exactly when its first attempt
//       landed; acknowledged commands re-sent reply replayed=true with their original reply; the
//       log holds each request's events once, contiguous, and nothing else.
// Usage: crash_rounds --ratingd PATH [--rounds N] [--clients K] [--seed S] [--keep]
// Ends with one line `rounds=N acknowledged=A lost=L chain=ok|broken rebuild=equal|differs`;
// exits 0 only when nothing was lost, the chain verified, the rebuild was equal, no retry was
// duplicated and no command of the history was refused.
#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/support/byte_buffer.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "cli/client.h"
#include "cli/conformance/server_process.h"
#include "common/crypto.h"
#include "common/grpc_status.h"
#include "common/status_macros.h"
#include "google/protobuf/util/message_differencer.h"
#include "nlohmann/json.hpp"
#include "rating/v1/api.grpc.pb.h"
#include "tests/crash/history.h"

namespace rating::crash {
namespace {

namespace v1 = ::rating::v1;

constexpr absl::Duration kRpcTimeout = absl::Seconds(20);
constexpr absl::Duration kStartupTimeout = absl::Seconds(60);
constexpr int kRetryAttempts = 20;

struct Options {
  std::string ratingd;
  int rounds = 3;
  int clients = 4;
  uint64_t seed = 0;
  bool keep = false;
};

// The principals of the auth config and their tokens.
struct Principals {
  std::string admin_token = common::RandomHex(24);
  std::string bloc_token = common::RandomHex(24);
  std::string inspector_token = common::RandomHex(24);
  // By cell id.
  std::map<std::string, std::string> cell_tokens;
};

// One command of the history as sent: its idempotency key, its sender, and what came back.
struct Issued {
  HistoryCommand history;
  std::string request_id = common::NewUuid();
  std::string principal_id;
  std::string token;
  bool acked = false;
  v1::CommandReply reply;  // The first acknowledgement.
  int round = 0;
};

// One client's commands in a round and how far it got.
struct ClientRun {
  std::vector<Issued*> script;
  size_t next = 0;  // The first command not acknowledged.
};

// Totals over the run; printed at the end.
struct Totals {
  int acknowledged = 0;
  std::set<std::string> lost;  // Request ids of acknowledged commands not found intact.
  bool chain_ok = true;
  bool rebuild_equal = true;
  int in_doubt = 0;    // Commands whose call failed when the server died.
  int landed = 0;      // ... of which the first attempt was in the log after the restart.
  int resent = 0;      // Acknowledged commands sent again (replay expected).
  int duplicates = 0;  // Retries not replayed as they should be, second copies, stray events.
  int refused = 0;     // Commands of the history the server refused (a driver or server bug).
  int errors = 0;      // The harness could not do what it needed (server would not start...).
};

// Calls with these codes may or may not have been executed: the client retries them.
bool InDoubt(absl::StatusCode code) {
  return code == absl::StatusCode::kUnavailable || code == absl::StatusCode::kDeadlineExceeded ||
         code == absl::StatusCode::kCancelled || code == absl::StatusCode::kUnknown ||
         code == absl::StatusCode::kInternal || code == absl::StatusCode::kAborted;
}

// Sends `command` to the rpc its payload names, as `token`, with `request_id` as its
// x-request-id: Client::Execute, plus the idempotency key it does not send.
absl::StatusOr<v1::CommandReply> SendCommand(const cli::Client& client, grpc::GenericStub& stub,
                                             const v1::Command& command, const std::string& token,
                                             const std::string& request_id) {
  const google::protobuf::FieldDescriptor* field =
      v1::Command::descriptor()->FindFieldByNumber(command.command_case());
  if (field == nullptr) return absl::InvalidArgumentError("command: empty command");
  RATING_ASSIGN_OR_RETURN(std::string method, cli::CommandMethod(field->message_type()));
  const google::protobuf::Message& payload = command.GetReflection()->GetMessage(command, field);
  grpc::ByteBuffer request;
  bool own_buffer = false;
  grpc::Status serialized = grpc::SerializationTraits<google::protobuf::Message>::Serialize(
      payload, &request, &own_buffer);
  if (!serialized.ok()) return common::FromGrpcStatus(serialized);
  std::unique_ptr<grpc::ClientContext> context = client.NewContext(token);
  context->AddMetadata("x-request-id", request_id);
  grpc::CompletionQueue queue;
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> call =
      stub.PrepareUnaryCall(context.get(), method, request, &queue);
  call->StartCall();
  grpc::ByteBuffer response;
  grpc::Status status;
  int finish_tag = 0;
  call->Finish(&response, &status, &finish_tag);
  void* tag = nullptr;
  bool ok = false;
  if (!queue.Next(&tag, &ok) || !ok) {
    return absl::UnavailableError(absl::StrCat(method, ": the call did not complete"));
  }
  if (!status.ok()) return common::FromGrpcStatus(status);
  v1::CommandReply reply;
  grpc::Status parsed = grpc::SerializationTraits<v1::CommandReply>::Deserialize(&response, &reply);
  if (!parsed.ok()) return common::FromGrpcStatus(parsed);
  return reply;
}

std::string DescribeReply(const v1::CommandReply& reply) {
  return absl::StrCat("[", reply.first_position(), "..", reply.last_position(), "] ",
                      reply.event_ids_size(), " events", reply.replayed() ? " replayed" : "");
}

bool SameReply(const v1::CommandReply& a, const v1::CommandReply& b) {
  if (a.first_position() != b.first_position() || a.last_position() != b.last_position() ||
      a.event_ids_size() != b.event_ids_size()) {
    return false;
  }
  for (int i = 0; i < a.event_ids_size(); ++i) {
    if (a.event_ids(i) != b.event_ids(i)) return false;
  }
  return true;
}

// The whole log as ReadLog returns it, indexed.
struct Log {
  uint64_t head = 0;
  std::vector<v1::Envelope> envelopes;  // envelopes[i] is position i + 1.
  std::vector<bool> principal_seeds;    // principal_created by "system" (the auth config).
  std::map<std::string, std::vector<uint64_t>> by_correlation;
};

absl::StatusOr<Log> ReadWholeLog(const cli::Client& client, v1::AuditService::Stub& audit,
                                 const std::string& token) {
  Log log;
  uint64_t from = 1;
  while (true) {
    v1::ReadLogRequest request;
    request.set_from_position(from);
    request.set_limit(1000);
    v1::ReadLogResponse response;
    std::unique_ptr<grpc::ClientContext> context = client.NewContext(token);
    grpc::Status status = audit.ReadLog(context.get(), request, &response);
    if (!status.ok()) return common::FromGrpcStatus(status);
    for (v1::LogEntry& entry : *response.mutable_entries()) {
      v1::Envelope& e = *entry.mutable_envelope();
      if (e.position() != from) {
        return absl::DataLossError(
            absl::StrCat("ReadLog: expected position ", from, ", got ", e.position()));
      }
      e.clear_payload();  // Not needed here; the chain check covers it.
      log.principal_seeds.push_back(e.actor() == "system" && entry.event().has_principal_created());
      log.by_correlation[e.correlation_id()].push_back(e.position());
      log.envelopes.push_back(std::move(e));
      ++from;
    }
    log.head = response.head_position();
    if (response.entries().empty() || from > log.head) break;
  }
  if (log.envelopes.size() != log.head) {
    return absl::DataLossError(
        absl::StrCat("ReadLog: ", log.envelopes.size(), " events read, head is ", log.head));
  }
  return log;
}

// (a): `issued` is in `log` exactly as its acknowledgement said. "" if so, else why not.
std::string CheckPresent(const Issued& issued, const Log& log) {
  const v1::CommandReply& reply = issued.reply;
  if (reply.event_ids_size() == 0 || reply.first_position() == 0 ||
      reply.last_position() - reply.first_position() + 1 !=
          static_cast<uint64_t>(reply.event_ids_size())) {
    return absl::StrCat("acknowledgement is malformed: ", DescribeReply(reply));
  }
  if (reply.last_position() > log.head) {
    return absl::StrCat("acknowledged up to ", reply.last_position(), ", head is ", log.head);
  }
  for (int i = 0; i < reply.event_ids_size(); ++i) {
    const v1::Envelope& e = log.envelopes[reply.first_position() - 1 + i];
    if (e.event_id() != reply.event_ids(i) || e.correlation_id() != issued.request_id ||
        e.actor() != issued.principal_id) {
      return absl::StrCat("position ", e.position(), " holds event ", e.event_id(), " of request ",
                          e.correlation_id(), " by ", e.actor(), ", acknowledged ",
                          reply.event_ids(i));
    }
  }
  return "";
}

// A query and its answer, to compare two servers.
struct Answer {
  std::string query;
  absl::Status status;
  std::shared_ptr<google::protobuf::Message> message;
};

template <typename Response>
Answer MakeAnswer(std::string query, absl::StatusOr<Response> result) {
  Answer answer;
  answer.query = std::move(query);
  if (result.ok()) {
    answer.message = std::make_shared<Response>(*std::move(result));
  } else {
    answer.status = result.status();
  }
  return answer;
}

// Every query over what the history wrote so far: ratings of every org and subject, tallies,
// overrides, dossiers, rewards, histories, principals, the head.
std::vector<Answer> Snapshot(cli::Client& client, const Principals& principals,
                             const std::vector<std::vector<ClientRun>>& rounds) {
  const std::string& token = principals.inspector_token;
  std::vector<Answer> answers;
  answers.push_back(MakeAnswer("head", client.GetHead(token)));
  std::vector<std::string> orgs = {"bloc"};
  std::vector<std::string> subjects;
  std::vector<std::string> sessions;
  for (size_t r = 0; r < rounds.size(); ++r) {
    for (size_t c = 0; c < rounds[r].size(); ++c) {
      const int round = static_cast<int>(r) + 1;
      const int index = static_cast<int>(c);
      const std::string cell = CellId(round, index);
      orgs.push_back(cell);
      subjects.push_back("org/" + cell);
      subjects.push_back("committee/" + cell);
      for (const std::string& m : MemberIds(round, index)) subjects.push_back("member/" + m);
      sessions.push_back(SessionId(round, index));
    }
  }
  for (const std::string& org : orgs) {
    v1::ListRatingsRequest request;
    request.set_org(org);
    request.set_year(kYear);
    answers.push_back(MakeAnswer("ListRatings " + org, client.ListRatings(request, token)));
  }
  for (const std::string& subject : subjects) {
    v1::GetRatingRequest rating;
    rating.set_subject(subject);
    rating.set_year(kYear);
    answers.push_back(MakeAnswer("GetRating " + subject, client.GetRating(rating, token)));
    v1::GetHistoryRequest history;
    history.set_subject(subject);
    history.set_year(kYear);
    answers.push_back(MakeAnswer("GetHistory " + subject, client.GetHistory(history, token)));
  }
  for (const std::string& session : sessions) {
    v1::GetTallyRequest request;
    request.set_session(session);
    answers.push_back(MakeAnswer("GetTally " + session, client.GetTally(request, token)));
  }
  answers.push_back(MakeAnswer("ListOverrides", client.ListOverrides({}, token)));
  answers.push_back(MakeAnswer("ListDossiers", client.ListDossiers({}, token)));
  answers.push_back(MakeAnswer("ListRewards", client.ListRewards({}, token)));
  answers.push_back(MakeAnswer("ListPrincipals", client.ListPrincipals(principals.admin_token)));
  return answers;
}

std::string Shorten(std::string text) {
  if (text.size() > 600) text = text.substr(0, 600) + "...";
  return text;
}

// (c): the differences between two snapshots, one line each ("" = none).
std::vector<std::string> CompareSnapshots(const std::vector<Answer>& live,
                                          const std::vector<Answer>& rebuilt) {
  std::vector<std::string> differences;
  if (live.size() != rebuilt.size()) {
    differences.push_back(
        absl::StrCat(live.size(), " queries against ", rebuilt.size(), " (harness bug)"));
    return differences;
  }
  for (size_t i = 0; i < live.size(); ++i) {
    const Answer& a = live[i];
    const Answer& b = rebuilt[i];
    std::string why;
    if (a.status != b.status) {
      why = absl::StrCat("status ", a.status.ToString(), " vs ", b.status.ToString());
    } else if (a.message != nullptr &&
               !google::protobuf::util::MessageDifferencer::Equals(*a.message, *b.message)) {
      why = absl::StrCat("live {", Shorten(a.message->ShortDebugString()), "} rebuilt {",
                         Shorten(b.message->ShortDebugString()), "}");
    }
    if (!why.empty()) differences.push_back(absl::StrCat(a.query, ": ", why));
  }
  return differences;
}

// A temp directory, removed at the end unless kept.
absl::StatusOr<std::string> MakeTempDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      absl::StrCat(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp", "/crash-rounds-XXXXXX");
  if (::mkdtemp(pattern.data()) == nullptr) {
    return absl::InternalError(absl::StrCat("mkdtemp ", pattern, " failed"));
  }
  return pattern;
}

absl::Status WriteAuthConfig(const std::string& path, const Principals& principals) {
  nlohmann::json list = nlohmann::json::array();
  list.push_back(
      {{"id", "admin"}, {"role", "admin"}, {"scope", ""}, {"token", principals.admin_token}});
  list.push_back({{"id", "bloc"},
                  {"role", "bloc_committee"},
                  {"scope", "bloc"},
                  {"token", principals.bloc_token}});
  list.push_back({{"id", "insp"},
                  {"role", "inspector"},
                  {"scope", ""},
                  {"token", principals.inspector_token}});
  for (const auto& [cell, token] : principals.cell_tokens) {
    list.push_back(
        {{"id", "cell-" + cell}, {"role", "cell_committee"}, {"scope", cell}, {"token", token}});
  }
  std::ofstream out(path, std::ios::trunc);
  out << nlohmann::json{{"principals", list}}.dump(1) << "\n";
  out.close();
  if (!out) return absl::InternalError(absl::StrCat(path, ": write error"));
  ::chmod(path.c_str(), 0600);  // Bearer tokens.
  return absl::OkStatus();
}

// A running ratingd and a channel to it.
struct Server {
  std::unique_ptr<cli::ServerProcess> process;
  std::shared_ptr<grpc::Channel> channel;
};

absl::StatusOr<Server> StartServer(const Options& options, const std::string& data_dir,
                                   const std::string& auth_config) {
  RATING_ASSIGN_OR_RETURN(
      std::unique_ptr<cli::ServerProcess> process,
      cli::ServerProcess::Start(options.ratingd,
                                {absl::StrCat("--data_dir=", data_dir), "--listen=127.0.0.1:0",
                                 absl::StrCat("--auth_config=", auth_config)},
                                kStartupTimeout));
  Server server;
  server.channel = grpc::CreateChannel(process->address(), grpc::InsecureChannelCredentials());
  if (!server.channel->WaitForConnected(std::chrono::system_clock::now() +
                                        std::chrono::seconds(20))) {
    return absl::UnavailableError(
        absl::StrCat("cannot connect to ratingd at ", process->address()));
  }
  server.process = std::move(process);
  return server;
}

// Sends client `run`'s commands from `run.next` on. With `attempts` = 1 it stops at the first
// in-doubt failure (the server was killed), leaving that command as `run.next`; otherwise it
// retries an in-doubt command up to `attempts` times. Counts acknowledgements in `acks`.
class Driver {
 public:
  Driver(Totals& totals, absl::Mutex& mu) : totals_(totals), mu_(mu) {}

  void Run(std::shared_ptr<grpc::Channel> channel, ClientRun& run, int attempts, int& acks,
           int& finished) {
    cli::Client client(channel, kRpcTimeout);
    grpc::GenericStub stub(channel);
    while (run.next < run.script.size()) {
      Issued& issued = *run.script[run.next];
      absl::StatusOr<v1::CommandReply> reply;
      for (int attempt = 0; attempt < attempts; ++attempt) {
        reply = SendCommand(client, stub, issued.history.command, issued.token, issued.request_id);
        if (reply.ok() || !InDoubt(reply.status().code())) break;
      }
      absl::MutexLock lock(&mu_);
      if (reply.ok()) {
        issued.acked = true;
        issued.reply = *reply;
        ++totals_.acknowledged;
        ++acks;
        ++run.next;
        if (reply->replayed()) {
          // A fresh command must not find an earlier copy of itself.
          ++totals_.duplicates;
          std::printf("DUPLICATE %s: first attempt replied replayed=true %s\n",
                      issued.history.label.c_str(), DescribeReply(*reply).c_str());
        }
        continue;
      }
      if (InDoubt(reply.status().code())) {
        if (attempts > 1) {
          ++totals_.errors;
          std::printf("ERROR %s: %s after %d attempts\n", issued.history.label.c_str(),
                      reply.status().ToString().c_str(), attempts);
        }
        break;  // The server is gone: this command stays in doubt.
      }
      ++totals_.refused;
      std::printf("REFUSED %s: %s\n", issued.history.label.c_str(),
                  reply.status().ToString().c_str());
      ++run.next;
    }
    absl::MutexLock lock(&mu_);
    ++finished;
  }

 private:
  Totals& totals_;
  absl::Mutex& mu_;
};

class CrashRounds {
 public:
  explicit CrashRounds(Options options) : options_(std::move(options)), rng_(options_.seed) {}

  int Run() {
    absl::Status status = RunRounds();
    if (!status.ok()) {
      ++totals_.errors;
      std::printf("ERROR %s\n", status.ToString().c_str());
      // What cannot be read back cannot be shown to be there.
      for (const auto& issued : issued_) {
        if (issued->acked && !checked_once_) totals_.lost.insert(issued->request_id);
      }
    }
    if (server_.process != nullptr) StopServer(server_).IgnoreError();  // Best effort at exit.
    const bool ok = totals_.lost.empty() && totals_.chain_ok && totals_.rebuild_equal &&
                    totals_.duplicates == 0 && totals_.refused == 0 && totals_.errors == 0;
    if (!dir_.empty()) {
      if (options_.keep || !ok) {
        std::printf("data kept in %s\n", dir_.c_str());
      } else {
        std::error_code ignored;  // A leftover temp dir is not worth failing the run.
        std::filesystem::remove_all(dir_, ignored);
      }
    }
    std::printf("in_doubt=%d landed=%d resent=%d duplicates=%d refused=%d errors=%d seed=%llu\n",
                totals_.in_doubt, totals_.landed, totals_.resent, totals_.duplicates,
                totals_.refused, totals_.errors, static_cast<unsigned long long>(options_.seed));
    std::printf("rounds=%d acknowledged=%d lost=%zu chain=%s rebuild=%s\n", rounds_done_,
                totals_.acknowledged, totals_.lost.size(), totals_.chain_ok ? "ok" : "broken",
                totals_.rebuild_equal ? "equal" : "differs");
    std::fflush(stdout);
    return ok ? 0 : 1;
  }

 private:
  absl::Status RunRounds() {
    RATING_ASSIGN_OR_RETURN(dir_, MakeTempDir());
    data_dir_ = dir_ + "/data";
    copy_dir_ = dir_ + "/copy";
    auth_config_ = dir_ + "/auth.json";
    for (int r = 1; r <= options_.rounds; ++r) {
      for (int c = 0; c < options_.clients; ++c) {
        principals_.cell_tokens[CellId(r, c)] = common::RandomHex(24);
      }
    }
    RATING_RETURN_IF_ERROR(WriteAuthConfig(auth_config_, principals_));
    RATING_ASSIGN_OR_RETURN(server_, StartServer(options_, data_dir_, auth_config_));
    {
      // The period, before any client starts (every cell needs it).
      ClientRun setup;
      for (HistoryCommand& command : SetupCommands()) setup.script.push_back(Add(command, 0));
      int acks = 0;
      int finished = 0;
      Driver(totals_, mu_).Run(server_.channel, setup, kRetryAttempts, acks, finished);
    }
    for (int round = 1; round <= options_.rounds; ++round) {
      RATING_RETURN_IF_ERROR(RunRound(round));
      rounds_done_ = round;
    }
    return absl::OkStatus();
  }

  Issued* Add(HistoryCommand command, int round) {
    auto issued = std::make_unique<Issued>();
    switch (command.actor) {
      case Actor::kAdmin:
        issued->principal_id = "admin";
        issued->token = principals_.admin_token;
        break;
      case Actor::kBloc:
        issued->principal_id = "bloc";
        issued->token = principals_.bloc_token;
        break;
      case Actor::kCell:
        break;  // Set by the caller, who knows the cell.
    }
    issued->history = std::move(command);
    issued->round = round;
    issued_.push_back(std::move(issued));
    return issued_.back().get();
  }

  absl::Status RunRound(int round) {
    std::vector<ClientRun>& runs = rounds_.emplace_back(options_.clients);
    int total = 0;
    for (int c = 0; c < options_.clients; ++c) {
      const std::string cell = CellId(round, c);
      for (HistoryCommand& command : ClientCommands(round, c)) {
        const bool by_cell = command.actor == Actor::kCell;
        Issued* issued = Add(std::move(command), round);
        if (by_cell) {
          issued->principal_id = "cell-" + cell;
          issued->token = principals_.cell_tokens.at(cell);
        }
        runs[c].script.push_back(issued);
        ++total;
      }
    }

    // Drive until a random number of acknowledgements, wait a random few hundred microseconds
    // more (so the kill lands anywhere in a command: before, during or after its append), kill.
    const int kill_after = std::uniform_int_distribution<int>(1, std::max(1, total - 1))(rng_);
    const int jitter_us = std::uniform_int_distribution<int>(0, 1500)(rng_);
    int acks = 0;
    int finished = 0;
    {
      std::vector<std::thread> threads;
      Driver driver(totals_, mu_);
      for (ClientRun& run : runs) {
        threads.emplace_back([&driver, &acks, &finished, run = &run, channel = server_.channel] {
          driver.Run(channel, *run, /*attempts=*/1, acks, finished);
        });
      }
      WaitFor([&] { return acks >= kill_after || finished == options_.clients; });
      absl::SleepFor(absl::Microseconds(jitter_us));
      ::kill(server_.process->pid(), SIGKILL);
      server_.channel.reset();
      server_.process.reset();  // Reaps the child.
      for (std::thread& t : threads) t.join();
    }
    int pending = 0;
    for (const ClientRun& run : runs) pending += run.next < run.script.size() ? 1 : 0;

    // Restart on the same data dir; check (a) and (b) before anything else is written.
    RATING_ASSIGN_OR_RETURN(server_, StartServer(options_, data_dir_, auth_config_));
    cli::Client client(server_.channel, kRpcTimeout);
    auto audit = v1::AuditService::NewStub(server_.channel);
    RATING_ASSIGN_OR_RETURN(Log log, ReadWholeLog(client, *audit, principals_.inspector_token));
    checked_once_ = true;
    CheckAllPresent(log, "after restart");
    RATING_RETURN_IF_ERROR(CheckChain(client, "after restart"));
    const uint64_t head_after_restart = log.head;

    // (d) Retry every in-doubt command with its request id, knowing whether it landed.
    int landed_now = 0;
    {
      grpc::GenericStub stub(server_.channel);
      for (ClientRun& run : runs) {
        if (run.next >= run.script.size()) continue;
        Issued& issued = *run.script[run.next];
        ++totals_.in_doubt;
        auto found = log.by_correlation.find(issued.request_id);
        const bool landed = found != log.by_correlation.end();
        if (landed) {
          ++totals_.landed;
          ++landed_now;
        }
        absl::StatusOr<v1::CommandReply> reply = Retry(client, stub, issued);
        if (!reply.ok()) {
          ++totals_.refused;
          std::printf("REFUSED retry of %s: %s\n", issued.history.label.c_str(),
                      reply.status().ToString().c_str());
          ++run.next;
          continue;
        }
        bool consistent = reply->replayed() == landed;
        if (landed) {
          const std::vector<uint64_t>& positions = found->second;
          consistent = consistent && reply->first_position() == positions.front() &&
                       reply->last_position() == positions.back() &&
                       positions.size() == static_cast<size_t>(reply->event_ids_size());
        }
        if (!consistent) {
          ++totals_.duplicates;
          std::printf("DUPLICATE retry of %s: first attempt %s, retry %s\n",
                      issued.history.label.c_str(), landed ? "landed" : "did not land",
                      DescribeReply(*reply).c_str());
        }
        issued.acked = true;
        issued.reply = *reply;
        ++totals_.acknowledged;
        ++run.next;
      }
      // Acknowledged commands sent again: each client's last acknowledgement before the kill
      // and a few older ones must come back replayed, with their original reply.
      std::vector<Issued*> resend;
      for (ClientRun& run : runs) {
        for (size_t i = run.next; i-- > 0;) {
          if (run.script[i]->acked) {
            resend.push_back(run.script[i]);
            break;
          }
        }
      }
      for (int i = 0; i < 3; ++i) {
        Issued* any =
            issued_[std::uniform_int_distribution<size_t>(0, issued_.size() - 1)(rng_)].get();
        if (any->acked) resend.push_back(any);
      }
      for (Issued* issued : resend) {
        ++totals_.resent;
        absl::StatusOr<v1::CommandReply> reply = Retry(client, stub, *issued);
        if (!reply.ok() || !reply->replayed() || !SameReply(*reply, issued->reply)) {
          ++totals_.duplicates;
          std::printf(
              "DUPLICATE resend of %s: acknowledged %s, resend %s\n", issued->history.label.c_str(),
              DescribeReply(issued->reply).c_str(),
              reply.ok() ? DescribeReply(*reply).c_str() : reply.status().ToString().c_str());
        }
      }
    }

    // Finish the round on the restarted server (its projections now grow incrementally).
    {
      std::vector<std::thread> threads;
      Driver driver(totals_, mu_);
      int more_acks = 0;
      int more_finished = 0;
      for (ClientRun& run : runs) {
        threads.emplace_back(
            [&driver, &more_acks, &more_finished, run = &run, channel = server_.channel] {
              driver.Run(channel, *run, kRetryAttempts, more_acks, more_finished);
            });
      }
      for (std::thread& t : threads) t.join();
    }

    // (a), (b), (d) at the end of the round.
    RATING_ASSIGN_OR_RETURN(log, ReadWholeLog(client, *audit, principals_.inspector_token));
    CheckAllPresent(log, "end of round");
    CheckOnce(log);
    RATING_RETURN_IF_ERROR(CheckChain(client, "end of round"));

    // (c) The live projections against a fresh rebuild on a copy of the data dir.
    std::vector<Answer> live = Snapshot(client, principals_, rounds_);
    audit.reset();
    StopCleanly(server_, "the restarted server");
    std::error_code error;
    std::filesystem::remove_all(copy_dir_, error);
    std::filesystem::copy(data_dir_, copy_dir_, std::filesystem::copy_options::recursive, error);
    if (error) return absl::InternalError(absl::StrCat("copy ", data_dir_, ": ", error.message()));
    {
      RATING_ASSIGN_OR_RETURN(Server rebuilt, StartServer(options_, copy_dir_, auth_config_));
      std::vector<Answer> fresh;
      {
        cli::Client rebuilt_client(rebuilt.channel, kRpcTimeout);
        fresh = Snapshot(rebuilt_client, principals_, rounds_);
      }
      StopCleanly(rebuilt, "the server on the copy");
      const std::vector<std::string> differences = CompareSnapshots(live, fresh);
      if (!differences.empty()) totals_.rebuild_equal = false;
      for (const std::string& d : differences) std::printf("REBUILD DIFFERS %s\n", d.c_str());
      std::printf(
          "round %d: killed after %d acks (+%dus) of %d, %d in doubt (%d landed), head %llu after "
          "restart, %llu at end; %zu queries %s\n",
          round, kill_after, jitter_us, total, pending, landed_now,
          static_cast<unsigned long long>(head_after_restart),
          static_cast<unsigned long long>(log.head), live.size(),
          differences.empty() ? "equal" : "DIFFER");
      std::fflush(stdout);
    }
    std::filesystem::remove_all(copy_dir_, error);
    if (round < options_.rounds) {
      RATING_ASSIGN_OR_RETURN(server_, StartServer(options_, data_dir_, auth_config_));
    }
    return absl::OkStatus();
  }

  // Waits (bounded) until `done` holds under mu_.
  template <typename F>
  void WaitFor(F done) {
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(&done), absl::Seconds(120));
  }

  absl::StatusOr<v1::CommandReply> Retry(const cli::Client& client, grpc::GenericStub& stub,
                                         const Issued& issued) {
    absl::StatusOr<v1::CommandReply> reply;
    for (int attempt = 0; attempt < kRetryAttempts; ++attempt) {
      reply = SendCommand(client, stub, issued.history.command, issued.token, issued.request_id);
      if (reply.ok() || !InDoubt(reply.status().code())) break;
    }
    return reply;
  }

  // (a) over every acknowledged command so far.
  void CheckAllPresent(const Log& log, const char* when) {
    for (const auto& issued : issued_) {
      if (!issued->acked) continue;
      const std::string why = CheckPresent(*issued, log);
      if (why.empty()) continue;
      if (totals_.lost.insert(issued->request_id).second) {
        std::printf("LOST %s (%s): %s\n", issued->history.label.c_str(), when, why.c_str());
      }
    }
  }

  // (d) over the log: every request's events once and contiguous, as many as acknowledged;
  // event ids unique; nothing written by anyone else but the principal seeding.
  void CheckOnce(const Log& log) {
    std::map<std::string, const Issued*> by_request;
    for (const auto& issued : issued_) by_request[issued->request_id] = issued.get();
    std::set<std::string> event_ids;
    for (const v1::Envelope& e : log.envelopes) {
      if (!event_ids.insert(e.event_id()).second) {
        ++totals_.duplicates;
        std::printf("DUPLICATE event id %s at %llu\n", e.event_id().c_str(),
                    static_cast<unsigned long long>(e.position()));
      }
    }
    for (const auto& [correlation, positions] : log.by_correlation) {
      auto it = by_request.find(correlation);
      if (it == by_request.end()) {
        const v1::Envelope& e = log.envelopes[positions.front() - 1];
        bool seeds = true;  // The auth config's principals, seeded at start.
        for (uint64_t p : positions) seeds = seeds && log.principal_seeds[p - 1];
        if (seeds) continue;
        ++totals_.duplicates;
        std::printf("DUPLICATE stray request %s: %zu events from %llu by %s\n", correlation.c_str(),
                    positions.size(), static_cast<unsigned long long>(positions.front()),
                    e.actor().c_str());
        continue;
      }
      const Issued& issued = *it->second;
      const bool contiguous = positions.back() - positions.front() + 1 == positions.size();
      if (!issued.acked || !contiguous ||
          positions.size() != static_cast<size_t>(issued.reply.event_ids_size()) ||
          positions.front() != issued.reply.first_position()) {
        ++totals_.duplicates;
        std::printf("DUPLICATE %s: %zu events at %llu..%llu, acknowledged %s\n",
                    issued.history.label.c_str(), positions.size(),
                    static_cast<unsigned long long>(positions.front()),
                    static_cast<unsigned long long>(positions.back()),
                    issued.acked ? DescribeReply(issued.reply).c_str() : "never");
      }
    }
  }

  // (b) The chain verifies from the first event to the head.
  absl::Status CheckChain(cli::Client& client, const char* when) {
    RATING_ASSIGN_OR_RETURN(v1::VerifyChainResponse verify,
                            client.VerifyChain({}, principals_.inspector_token));
    if (!verify.ok() || verify.checked() != verify.head_position()) {
      totals_.chain_ok = false;
      std::printf("CHAIN BROKEN (%s): checked %llu of %llu, first bad %llu: %s\n", when,
                  static_cast<unsigned long long>(verify.checked()),
                  static_cast<unsigned long long>(verify.head_position()),
                  static_cast<unsigned long long>(verify.first_bad_position()),
                  verify.message().c_str());
    }
    return absl::OkStatus();
  }

  // StopServer, reporting (and counting as an error) a server that does not stop cleanly: its
  // data dir is still checked, but a crash on SIGTERM is a bug.
  void StopCleanly(Server& server, const char* which) {
    absl::Status stopped = StopServer(server);
    if (stopped.ok()) return;
    ++totals_.errors;
    std::printf("ERROR %s did not stop cleanly: %s\n", which, stopped.ToString().c_str());
  }

  // Stops cleanly (SIGTERM): our channel goes first, as a stopping server waits for clients.
  static absl::Status StopServer(Server& server) {
    server.channel.reset();
    absl::Status stopped = server.process->Stop();
    server.process.reset();
    return stopped;
  }

  Options options_;
  std::mt19937_64 rng_;
  Principals principals_;
  Totals totals_;
  absl::Mutex mu_;
  std::string dir_, data_dir_, copy_dir_, auth_config_;
  Server server_;
  std::vector<std::unique_ptr<Issued>> issued_;
  std::vector<std::vector<ClientRun>> rounds_;
  int rounds_done_ = 0;
  bool checked_once_ = false;
};

int Usage() {
  std::fprintf(stderr,
               "usage: crash_rounds --ratingd PATH [--rounds N] [--clients K] [--seed S] "
               "[--keep]\n");
  return 2;
}

}  // namespace
}  // namespace rating::crash

int main(int argc, char** argv) {
  using rating::crash::Options;
  Options options;
  options.seed = std::random_device()();
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    bool ok = true;
    if (arg == "--ratingd") {
      options.ratingd = value();
    } else if (arg == "--rounds") {
      ok = absl::SimpleAtoi(value(), &options.rounds) && options.rounds > 0;
    } else if (arg == "--clients") {
      ok = absl::SimpleAtoi(value(), &options.clients) && options.clients > 0;
    } else if (arg == "--seed") {
      ok = absl::SimpleAtoi(value(), &options.seed);
    } else if (arg == "--keep") {
      options.keep = true;
    } else {
      ok = false;
    }
    if (!ok) return rating::crash::Usage();
  }
  if (options.ratingd.empty()) return rating::crash::Usage();
  return rating::crash::CrashRounds(std::move(options)).Run();
}
