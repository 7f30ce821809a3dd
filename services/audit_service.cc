// AuditService: a rating's history (paged, redacted for its reader), the raw log (paged,
// without token hashes), the hash chain and the head.
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/crypto.h"
#include "common/names.h"
#include "common/status_macros.h"
#include "projections/rating_reads.h"
#include "services/auth.h"
#include "services/internal/grpc_common.h"
#include "services/internal/input_limits.h"
#include "services/internal/redaction.h"

namespace rating::services::internal {
namespace {

using grpc::ServerContext;
using grpc::Status;

// The date a fact is about (valid time), "" if none.
std::string ValidDate(const v1::Event& event) {
  switch (event.payload_case()) {
    case v1::Event::kDisciplineRuled:
      return event.discipline_ruled().ruling().decided_on();
    case v1::Event::kDossierSubmitted:
      return event.dossier_submitted().on();
    case v1::Event::kMemberTransferred:
      return event.member_transferred().on();
    case v1::Event::kMemberStatusChanged:
      return event.member_status_changed().from();
    case v1::Event::kMemberPostsChanged:
      return event.member_posts_changed().on();
    case v1::Event::kOrgRestructured:
      return event.org_restructured().on();
    case v1::Event::kRatingsDecided:
      return event.ratings_decided().decision().decided_on();
    case v1::Event::kRerated:
      return event.rerated().rerating().decided_on();
    default:
      return "";
  }
}

// What the event adds to its kind's name, in Vietnamese ("" when nothing).
std::string Detail(const v1::Event& event) {
  switch (event.payload_case()) {
    case v1::Event::kSelfAssessmentSubmitted:
      return common::NameVi(event.self_assessment_submitted().level());
    case v1::Event::kExternalRatingRecorded:
      return absl::StrCat(event.external_rating_recorded().body(), ": ",
                          common::NameVi(event.external_rating_recorded().level()));
    case v1::Event::kBallotsRecorded:
      return absl::StrCat("phiên ", event.ballots_recorded().session().session());
    case v1::Event::kBallotsCounted:
      return absl::StrCat("phiên ", event.ballots_counted().session());
    case v1::Event::kRatingsDecided: {
      const auto& d = event.ratings_decided();
      std::string out =
          absl::StrCat("cấp ủy ", d.authority().empty() ? "(nhiều cấp)" : d.authority());
      if (!d.decision().decision_no().empty()) {
        absl::StrAppend(&out, "; quyết định số ", d.decision().decision_no());
      }
      if (!d.decision().signer().empty()) absl::StrAppend(&out, "; ký: ", d.decision().signer());
      if (!d.decision().override_reason().empty()) {
        absl::StrAppend(&out, "; lý do quyết định vượt quy định: ", d.decision().override_reason());
      }
      return out;
    }
    case v1::Event::kDisciplineRuled: {
      const auto& r = event.discipline_ruled().ruling();
      return absl::StrCat(common::NameVi(r.form()), " ngày ", r.decided_on(), ", vi phạm ",
                          r.violation_from(), r.violation_to().empty() ? "" : "..",
                          r.violation_to(), " tại ", event.discipline_ruled().attributed_org(),
                          r.self_remedied() ? " (đã tự phát hiện và khắc phục)" : "");
    }
    case v1::Event::kConclusionRecorded:
      return std::string(common::NameVi(event.conclusion_recorded().kind()));
    case v1::Event::kRerated: {
      const auto& r = event.rerated();
      return absl::StrCat(r.rerating().decision_no(), ": hủy ", common::NameVi(r.previous_level()),
                          ", công nhận ", common::NameVi(r.rerating().level()),
                          r.rerating().signer().empty() ? "" : "; ký: ", r.rerating().signer());
    }
    case v1::Event::kRewardGranted:
      return std::string(common::NameVi(event.reward_granted().kind()));
    case v1::Event::kRewardAnnulled:
      return absl::StrCat(common::NameVi(event.reward_annulled().kind()), " (",
                          event.reward_annulled().rule(), ")");
    case v1::Event::kRatingFlagged:
      return event.rating_flagged().reason();
    default:
      return "";
  }
}

std::string Summary(const v1::Event& event) {
  const std::string detail = Detail(event);
  const std::string kind(common::EventKindVi(event));
  return detail.empty() ? kind : absl::StrCat(kind, ": ", detail);
}

// The log's head: position, hex hash and recorded time of the last event.
absl::StatusOr<v1::GetHeadResponse> HeadOf(const eventstore::EventStore& store) {
  v1::GetHeadResponse head;
  head.set_position(store.HeadPosition());
  if (head.position() == 0) return head;
  RATING_ASSIGN_OR_RETURN(std::vector<v1::Envelope> read, store.ReadAll(head.position(), 1));
  if (!read.empty()) {
    head.set_hash(common::ToHex(read[0].hash()));
    head.set_recorded_at_micros(read[0].recorded_at_micros());
  }
  return head;
}

class AuditServiceImpl final : public v1::AuditService::Service {
 public:
  explicit AuditServiceImpl(Engine& engine) : engine_(engine) {}

  Status GetHistory(ServerContext* c, const v1::GetHistoryRequest* r,
                    v1::GetHistoryResponse* out) override {
    uint64_t after = 0;  // The page starts after this position.
    if (!r->page_token().empty() && (!absl::SimpleAtoi(r->page_token(), &after) || after == 0)) {
      return ToGrpcStatus(absl::InvalidArgumentError(
          absl::StrCat("page_token: '", Echo(r->page_token()), "' is not a page token")));
    }
    // Who may read the subject is decided on the live state first: a refused caller never
    // makes the server rebuild a past state.
    auto authorize = [&](const v1::Principal& caller,
                         const projections::RatingState& live) -> absl::Status {
      RATING_ASSIGN_OR_RETURN(rules::Subject subject, ReadSubject(live, r->subject()));
      return AuthorizeSubjectRead(live, caller, subject.ToString(), r->year());
    };
    return RunRead(
        engine_, c, r->as_of(), authorize,
        [&](const v1::Principal& caller, const projections::RatingState& state) -> absl::Status {
          RATING_ASSIGN_OR_RETURN(rules::Subject subject, ReadSubject(state, r->subject()));
          RATING_RETURN_IF_ERROR(
              AuthorizeSubjectRead(state, caller, subject.ToString(), r->year()));
          size_t bytes = 0;
          for (uint64_t position : state.audit().History(subject.ToString(), r->year())) {
            if (position <= after) continue;
            RATING_ASSIGN_OR_RETURN(std::vector<v1::Envelope> read,
                                    engine_.store().ReadAll(position, 1));
            if (read.empty() || read[0].position() != position) {
              return absl::DataLossError(
                  absl::StrCat("position ", position, ": missing from the log"));
            }
            RATING_ASSIGN_OR_RETURN(v1::LogEntry entry, ToLogEntry(read[0]));
            v1::HistoryEntry h;
            h.set_position(position);
            h.set_event_id(read[0].event_id());
            h.set_kind(common::EventKind(entry.event()));
            h.set_actor(read[0].actor());
            h.set_recorded_at_micros(read[0].recorded_at_micros());
            h.set_valid_date(ValidDate(entry.event()));
            h.set_summary(Summary(entry.event()));
            *h.mutable_event() = std::move(*entry.mutable_event());
            RedactForReader(state, caller, r->year(), *h.mutable_event());
            const size_t size = h.ByteSizeLong();
            if (out->entries_size() > 0 && bytes + size > kReplyBudgetBytes) {
              out->set_next_page_token(
                  absl::StrCat(out->entries(out->entries_size() - 1).position()));
              break;
            }
            bytes += size;
            *out->add_entries() = std::move(h);
          }
          return absl::OkStatus();
        });
  }

  Status ReadLog(ServerContext* c, const v1::ReadLogRequest* r, v1::ReadLogResponse* out) override {
    auto caller = Caller(engine_, c);
    if (!caller.ok()) return ToGrpcStatus(caller.status());
    absl::Status allowed = AuthorizeLogRead(*caller);
    if (!allowed.ok()) return ToGrpcStatus(allowed);
    if (r->limit() > 1000) return ToGrpcStatus(absl::InvalidArgumentError("limit: at most 1000"));
    const uint64_t head = engine_.store().HeadPosition();
    const uint64_t from = r->from_position() == 0 ? 1 : r->from_position();
    if (from > head + 1) {
      return ToGrpcStatus(
          absl::OutOfRangeError(absl::StrCat("from_position: ", from, " is past the head ", head)));
    }
    const int limit = r->limit() == 0 ? 100 : static_cast<int>(r->limit());
    out->set_head_position(head);
    out->set_next_position(from);
    if (from > head) return Status::OK;
    // One event at a time, up to the byte budget: never more than one page in memory.
    size_t bytes = 0;
    absl::Status failed = absl::OkStatus();
    absl::Status read = engine_.store().ForEach(from, [&](const v1::Envelope& e) {
      if (e.position() > head) return false;
      auto entry = ToLogEntry(e);
      if (!entry.ok()) {
        failed = entry.status();
        return false;
      }
      const size_t size = entry->ByteSizeLong();
      if (out->entries_size() > 0 && bytes + size > kReplyBudgetBytes) return false;
      bytes += size;
      *out->add_entries() = *std::move(entry);
      out->set_next_position(e.position() + 1);
      return out->entries_size() < limit;
    });
    if (!failed.ok()) return ToGrpcStatus(failed);
    if (!read.ok()) return ToGrpcStatus(read);
    return Status::OK;
  }

  Status VerifyChain(ServerContext* c, const v1::VerifyChainRequest* r,
                     v1::VerifyChainResponse* out) override {
    auto caller = Caller(engine_, c);
    if (!caller.ok()) return ToGrpcStatus(caller.status());
    auto result = engine_.store().Verify(r->from_position(), r->to_position());
    if (!result.ok()) return ToGrpcStatus(result.status());
    out->set_ok(result->ok);
    out->set_checked(result->checked);
    out->set_first_bad_position(result->first_bad_position);
    out->set_message(result->message);
    auto head = HeadOf(engine_.store());
    if (!head.ok()) return ToGrpcStatus(head.status());
    out->set_head_position(head->position());
    out->set_head_hash(head->hash());
    return Status::OK;
  }

  Status GetHead(ServerContext* c, const v1::GetHeadRequest*, v1::GetHeadResponse* out) override {
    auto caller = Caller(engine_, c);
    if (!caller.ok()) return ToGrpcStatus(caller.status());
    auto head = HeadOf(engine_.store());
    if (!head.ok()) return ToGrpcStatus(head.status());
    *out = *std::move(head);
    return Status::OK;
  }

 private:
  Engine& engine_;
};

}  // namespace

std::unique_ptr<grpc::Service> MakeAuditService(Engine& engine) {
  return std::make_unique<AuditServiceImpl>(engine);
}

}  // namespace rating::services::internal
