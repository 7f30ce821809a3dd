#include "services/grpc_services.h"

#include <functional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/crypto.h"
#include "common/grpc_status.h"
#include "common/status_macros.h"
#include "projections/rating_views.h"
#include "services/auth.h"

namespace rating::services {
namespace {

using common::ToGrpcStatus;
using grpc::ServerContext;
using grpc::Status;

std::string Metadata(const ServerContext* context, const std::string& key) {
  const auto& md = context->client_metadata();
  auto it = md.find(key);
  if (it == md.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

absl::StatusOr<v1::Principal> Caller(const Engine& engine, const ServerContext* context) {
  const std::string header = Metadata(context, "authorization");
  if (header.empty()) return absl::UnauthenticatedError("authorization: missing bearer token");
  RATING_ASSIGN_OR_RETURN(std::string token, BearerToken(header));
  return engine.Authenticate(token);
}

// Runs one command RPC: authenticate, wrap the request into a Command, execute.
Status RunCommand(Engine& engine, ServerContext* context,
                  const std::function<void(v1::Command&)>& fill, v1::CommandReply* reply) {
  auto caller = Caller(engine, context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  v1::Command command;
  fill(command);
  auto result = engine.Execute(*caller, command, Metadata(context, "x-request-id"));
  if (!result.ok()) return ToGrpcStatus(result.status());
  *reply = *std::move(result);
  return Status::OK;
}

// Runs one read as `caller`, against the state as of `as_of`.
Status RunRead(const Engine& engine, ServerContext* context, const v1::AsOf& as_of,
               const std::function<absl::Status(const v1::Principal&,
                                                const projections::RatingState&)>& read) {
  auto caller = Caller(engine, context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  return ToGrpcStatus(engine.Read(
      as_of, [&](const projections::RatingState& state) { return read(*caller, state); }));
}

std::string EventKind(const v1::Event& event) {
  const auto* field = v1::Event::descriptor()->FindFieldByNumber(event.payload_case());
  return field == nullptr ? "unknown" : field->name();
}

// The date a fact is about (valid time), "" if none.
std::string ValidDate(const v1::Event& event) {
  switch (event.payload_case()) {
    case v1::Event::kDisciplineRuled: return event.discipline_ruled().ruling().decided_on();
    case v1::Event::kDossierSubmitted: return event.dossier_submitted().on();
    case v1::Event::kMemberTransferred: return event.member_transferred().on();
    case v1::Event::kMemberStatusChanged: return event.member_status_changed().from();
    case v1::Event::kOrgRestructured: return event.org_restructured().on();
    default: return "";
  }
}

std::string Summary(const v1::Event& event) {
  switch (event.payload_case()) {
    case v1::Event::kReviewCompleted: return "Hoàn thành kiểm điểm";
    case v1::Event::kCommentsReceived: return "Nhận ý kiến nhận xét bằng văn bản";
    case v1::Event::kSelfAssessmentSubmitted:
      return absl::StrCat("Tự đánh giá, tự xếp loại: ",
                          std::string(rules::LevelCode(event.self_assessment_submitted().level())));
    case v1::Event::kScorecardSubmitted: return "Chấm điểm theo biểu điểm";
    case v1::Event::kCommitteeAssessed: return "Đánh giá tập thể cấp ủy";
    case v1::Event::kExternalRatingRecorded:
      return absl::StrCat("Kết quả xếp loại ", event.external_rating_recorded().body(), ": ",
                          std::string(rules::LevelCode(event.external_rating_recorded().level())));
    case v1::Event::kUnitIncidentRecorded: return "Vụ việc vi phạm trong đơn vị";
    case v1::Event::kBallotsCounted:
      return absl::StrCat("Kiểm phiếu phiên ", event.ballots_counted().session());
    case v1::Event::kRatingsDecided: {
      const auto& d = event.ratings_decided();
      std::string out = absl::StrCat("Quyết định xếp loại (cấp ủy ", d.authority(), ")");
      if (!d.decision().override_reason().empty()) {
        absl::StrAppend(&out, "; lý do vượt quy định: ", d.decision().override_reason());
      }
      return out;
    }
    case v1::Event::kDisciplineRuled: {
      const auto& r = event.discipline_ruled().ruling();
      return absl::StrCat("Kỷ luật ngày ", r.decided_on(), " cho vi phạm ", r.violation_from(),
                          "..", r.violation_to(), " tại ", event.discipline_ruled().attributed_org(),
                          r.self_remedied() ? " (đã tự khắc phục)" : "");
    }
    case v1::Event::kConclusionRecorded: return "Kết luận của cấp có thẩm quyền";
    case v1::Event::kConfidenceVoteRecorded: return "Kết quả lấy phiếu tín nhiệm";
    case v1::Event::kRerated: {
      const auto& r = event.rerated();
      return absl::StrCat("Xếp loại lại theo ", r.rerating().decision_no(), ": hủy ",
                          std::string(std::string(rules::LevelCode(r.previous_level()))), ", công nhận ",
                          std::string(rules::LevelCode(r.rerating().level())));
    }
    case v1::Event::kRewardGranted: return "Khen thưởng";
    case v1::Event::kRewardAnnulled:
      return absl::StrCat("Hủy khen thưởng (", event.reward_annulled().rule(), ")");
    case v1::Event::kDossierSubmitted: return "Nộp hồ sơ đánh giá, xếp loại";
    case v1::Event::kRatingFlagged: return event.rating_flagged().reason();
    default: return EventKind(event);
  }
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

absl::StatusOr<v1::LogEntry> ToLogEntry(const v1::Envelope& envelope) {
  v1::LogEntry entry;
  *entry.mutable_envelope() = envelope;
  if (!entry.mutable_event()->ParseFromString(envelope.payload())) {
    return absl::DataLossError(absl::StrCat("position ", envelope.position(), ": payload does not parse"));
  }
  return entry;
}

// ------------------------------------------------------------------------------ services

class RegistryServiceImpl final : public v1::RegistryService::Service {
 public:
  explicit RegistryServiceImpl(Engine& engine) : engine_(engine) {}
  Status OpenPeriod(ServerContext* c, const v1::PeriodSpec* r, v1::CommandReply* out) override {
    return RunCommand(engine_, c, [&](v1::Command& cmd) { *cmd.mutable_open_period() = *r; }, out);
  }
  Status RegisterOrg(ServerContext* c, const v1::OrgSpec* r, v1::CommandReply* out) override {
    return RunCommand(engine_, c, [&](v1::Command& cmd) { *cmd.mutable_register_org() = *r; }, out);
  }
  Status RestructureOrg(ServerContext* c, const v1::OrgRestructuring* r,
                        v1::CommandReply* out) override {
    return RunCommand(engine_, c, [&](v1::Command& cmd) { *cmd.mutable_restructure_org() = *r; }, out);
  }
  Status EnrollMember(ServerContext* c, const v1::MemberSpec* r, v1::CommandReply* out) override {
    return RunCommand(engine_, c, [&](v1::Command& cmd) { *cmd.mutable_enroll_member() = *r; }, out);
  }
  Status TransferMember(ServerContext* c, const v1::MemberTransfer* r,
                        v1::CommandReply* out) override {
    return RunCommand(engine_, c, [&](v1::Command& cmd) { *cmd.mutable_transfer_member() = *r; }, out);
  }
  Status SetMemberStatus(ServerContext* c, const v1::MemberStatusChange* r,
                         v1::CommandReply* out) override {
    return RunCommand(engine_, c, [&](v1::Command& cmd) { *cmd.mutable_set_member_status() = *r; }, out);
  }

 private:
  Engine& engine_;
};

class ReviewServiceImpl final : public v1::ReviewService::Service {
 public:
  explicit ReviewServiceImpl(Engine& engine) : engine_(engine) {}
  Status RecordReviewCompleted(ServerContext* c, const v1::ReviewCompletion* r,
                               v1::CommandReply* out) override {
    return RunCommand(engine_, c, [&](v1::Command& cmd) { *cmd.mutable_record_review_completed() = *r; }, out);
  }
  Status RecordComments(ServerContext* c, const v1::CommentsReceipt* r,
                        v1::CommandReply* out) override {
    return RunCommand(engine_, c, [&](v1::Command& cmd) { *cmd.mutable_record_comments() = *r; }, out);
  }
  Status SubmitSelfAssessment(ServerContext* c, const v1::SelfAssessment* r,
                              v1::CommandReply* out) override {
    return RunCommand(engine_, c, [&](v1::Command& cmd) { *cmd.mutable_submit_self_assessment() = *r; }, out);
  }
  Status SubmitScorecard(ServerContext* c, const v1::Scorecard* r, v1::CommandReply* out) override {
    return RunCommand(engine_, c, [&](v1::Command& cmd) { *cmd.mutable_submit_scorecard() = *r; }, out);
  }
  Status SubmitCommitteeAssessment(ServerContext* c, const v1::CommitteeAssessment* r,
                                   v1::CommandReply* out) override {
    return RunCommand(engine_, c, [&](v1::Command& cmd) { *cmd.mutable_submit_committee_assessment() = *r; }, out);
  }
  Status RecordExternalRating(ServerContext* c, const v1::ExternalRating* r,
                              v1::CommandReply* out) override {
    return RunCommand(engine_, c, [&](v1::Command& cmd) { *cmd.mutable_record_external_rating() = *r; }, out);
  }
  Status RecordUnitIncident(ServerContext* c, const v1::UnitIncident* r,
                            v1::CommandReply* out) override {
    return RunCommand(engine_, c, [&](v1::Command& cmd) { *cmd.mutable_record_unit_incident() = *r; }, out);
  }
  Status RecordConclusion(ServerContext* c, const v1::Conclusion* r, v1::CommandReply* out) override {
    return RunCommand(engine_, c, [&](v1::Command& cmd) { *cmd.mutable_record_conclusion() = *r; }, out);
  }
  Status RecordConfidenceVote(ServerContext* c, const v1::ConfidenceVote* r,
                              v1::CommandReply* out) override {
    return RunCommand(engine_, c, [&](v1::Command& cmd) { *cmd.mutable_record_confidence_vote() = *r; }, out);
  }
  Status SubmitDossier(ServerContext* c, const v1::DossierSubmission* r,
                       v1::CommandReply* out) override {
    return RunCommand(engine_, c, [&](v1::Command& cmd) { *cmd.mutable_submit_dossier() = *r; }, out);
  }
  Status RecordBallots(ServerContext* c, const v1::BallotSession* r, v1::CommandReply* out) override {
    return RunCommand(engine_, c, [&](v1::Command& cmd) { *cmd.mutable_record_ballots() = *r; }, out);
  }

 private:
  Engine& engine_;
};

class DecisionServiceImpl final : public v1::DecisionService::Service {
 public:
  explicit DecisionServiceImpl(Engine& engine) : engine_(engine) {}
  Status DecideRatings(ServerContext* c, const v1::Decision* r, v1::CommandReply* out) override {
    return RunCommand(engine_, c, [&](v1::Command& cmd) { *cmd.mutable_decide_ratings() = *r; }, out);
  }
  Status RuleDiscipline(ServerContext* c, const v1::DisciplineRuling* r,
                        v1::CommandReply* out) override {
    return RunCommand(engine_, c, [&](v1::Command& cmd) { *cmd.mutable_rule_discipline() = *r; }, out);
  }
  Status Rerate(ServerContext* c, const v1::Rerating* r, v1::CommandReply* out) override {
    return RunCommand(engine_, c, [&](v1::Command& cmd) { *cmd.mutable_rerate() = *r; }, out);
  }
  Status GrantReward(ServerContext* c, const v1::RewardGrant* r, v1::CommandReply* out) override {
    return RunCommand(engine_, c, [&](v1::Command& cmd) { *cmd.mutable_grant_reward() = *r; }, out);
  }

 private:
  Engine& engine_;
};

class QueryServiceImpl final : public v1::QueryService::Service {
 public:
  explicit QueryServiceImpl(Engine& engine) : engine_(engine) {}

  Status GetRating(ServerContext* c, const v1::GetRatingRequest* r, v1::RatingView* out) override {
    return RunRead(engine_, c, r->as_of(), [&](const v1::Principal& caller, const auto& state) {
      RATING_RETURN_IF_ERROR(AuthorizeSubjectRead(state, caller, r->subject(), r->year()));
      RATING_ASSIGN_OR_RETURN(*out, projections::RatingViews(state).View(r->subject(), r->year()));
      return absl::OkStatus();
    });
  }

  Status ListRatings(ServerContext* c, const v1::ListRatingsRequest* r,
                     v1::ListRatingsResponse* out) override {
    return RunRead(engine_, c, r->as_of(), [&](const v1::Principal& caller, const auto& state) {
      RATING_RETURN_IF_ERROR(AuthorizeOrgRead(state, caller, r->org()));
      RATING_ASSIGN_OR_RETURN(auto views,
                              projections::RatingViews(state).ListForOrg(r->org(), r->year(), r->level()));
      for (auto& v : views) *out->add_ratings() = std::move(v);
      return absl::OkStatus();
    });
  }

  Status GetTally(ServerContext* c, const v1::GetTallyRequest* r, v1::TallyMinutes* out) override {
    return RunRead(engine_, c, r->as_of(), [&](const v1::Principal& caller, const auto& state) {
      const projections::SessionRecord* s = state.FindSession(r->session());
      if (s == nullptr) return absl::NotFoundError(absl::StrCat("ballot session ", r->session(), ": not found"));
      RATING_RETURN_IF_ERROR(AuthorizeOrgRead(state, caller, s->session.org()));
      const rules::TallyResult& t = s->tally;
      out->set_session(r->session());
      out->set_org(s->session.org());
      out->set_year(s->session.year());
      out->set_issued(t.issued);
      out->set_returned(t.returned);
      out->set_valid(t.valid);
      out->set_invalid(t.invalid);
      out->set_quota(t.quota);
      for (const auto& ib : t.invalid_ballots) {
        v1::InvalidBallot* b = out->add_invalid_ballots();
        b->set_serial(ib.serial);
        b->set_reason(absl::StrCat(ib.reason_vi, " / ", ib.reason_en));
        b->set_rule_id(ib.rule_id);
      }
      int void_rows = 0;
      for (const auto& st : t.subjects) {
        v1::SubjectTally* o = out->add_subjects();
        o->set_subject(st.subject);
        o->set_htxsnv(st.votes[4]);
        o->set_httnv(st.votes[3]);
        o->set_htnv(st.votes[2]);
        o->set_khtnv(st.votes[1]);
        o->set_majority_level(st.majority_level);
        if (st.level) {
          o->set_level(*st.level);
          o->set_level_name(std::string(rules::LevelNameVi(*st.level)));
        }
        o->set_tie_at_quota(st.tie_at_quota);
        void_rows += st.void_rows;
      }
      out->set_void_rows(void_rows);
      return absl::OkStatus();
    });
  }

  Status ListOverrides(ServerContext* c, const v1::ListOverridesRequest* r,
                       v1::ListOverridesResponse* out) override {
    return RunRead(engine_, c, r->as_of(), [&](const v1::Principal& caller, const auto& state) {
      for (const v1::OverrideRecord& o : state.overrides()) {
        if (r->year() != 0 && o.year() != r->year()) continue;
        if (!AuthorizeSubjectRead(state, caller, o.subject(), o.year()).ok()) continue;
        *out->add_overrides() = o;
      }
      return absl::OkStatus();
    });
  }

  Status ListDossiers(ServerContext* c, const v1::ListDossiersRequest* r,
                      v1::ListDossiersResponse* out) override {
    return RunRead(engine_, c, r->as_of(), [&](const v1::Principal& caller, const auto& state) {
      for (const auto& [key, d] : state.dossiers()) {
        if (r->year() != 0 && key.second != r->year()) continue;
        if (!AuthorizeOrgRead(state, caller, key.first).ok()) continue;
        const projections::PeriodInfo* period = state.FindPeriod(key.second);
        auto on = rules::ParseDate(d.submission.on());
        if (period == nullptr || !on.ok()) continue;
        const bool late = rules::DossierLate(*on, key.second, period->policy);
        if (r->late_only() && !late) continue;
        v1::DossierView* v = out->add_dossiers();
        v->set_org(key.first);
        v->set_year(key.second);
        v->set_submitted_on(d.submission.on());
        v->set_due(rules::FormatDate(rules::DossierDue(key.second, period->policy)));
        v->set_late(late);
      }
      return absl::OkStatus();
    });
  }

  Status ListRewards(ServerContext* c, const v1::ListRewardsRequest* r,
                     v1::ListRewardsResponse* out) override {
    return RunRead(engine_, c, r->as_of(), [&](const v1::Principal& caller, const auto& state) {
      std::string subject = r->subject();
      if (!subject.empty()) {
        auto parsed = rules::ParseSubject(subject);
        if (!parsed.ok()) return absl::InvalidArgumentError(absl::StrCat("subject: ", parsed.status().message()));
        subject = parsed->ToString();
      }
      for (const projections::RewardRecord& rec : state.rewards()) {
        if (!subject.empty() && rec.grant.subject() != subject) continue;
        if (r->year() != 0 && rec.grant.year() != r->year()) continue;
        if (!AuthorizeSubjectRead(state, caller, rec.grant.subject(), rec.grant.year()).ok()) continue;
        v1::RewardView* v = out->add_rewards();
        v->set_subject(rec.grant.subject());
        v->set_year(rec.grant.year());
        v->set_kind(rec.grant.kind());
        v->set_status(rec.annulled_position == 0 ? "active" : "annulled");
        v->set_granted_at_position(rec.granted_position);
        v->set_annulled_at_position(rec.annulled_position);
      }
      return absl::OkStatus();
    });
  }

  Status GetImpact(ServerContext* c, const v1::GetImpactRequest* r,
                   v1::GetImpactResponse* out) override {
    return RunRead(engine_, c, v1::AsOf(), [&](const v1::Principal& caller, const auto& state) {
      if (r->position() == 0 || r->position() > state.position()) {
        return absl::NotFoundError(absl::StrCat("position ", r->position(), ": no such event"));
      }
      auto it = state.impacts().find(r->position());
      if (it == state.impacts().end()) return absl::OkStatus();
      for (const v1::ImpactItem& item : it->second) {
        if (!AuthorizeSubjectRead(state, caller, item.subject(), item.year()).ok()) continue;
        *out->add_items() = item;
      }
      return absl::OkStatus();
    });
  }

 private:
  Engine& engine_;
};

class AuditServiceImpl final : public v1::AuditService::Service {
 public:
  explicit AuditServiceImpl(Engine& engine) : engine_(engine) {}

  Status GetHistory(ServerContext* c, const v1::GetHistoryRequest* r,
                    v1::GetHistoryResponse* out) override {
    return RunRead(engine_, c, r->as_of(), [&](const v1::Principal& caller, const auto& state) {
      RATING_ASSIGN_OR_RETURN(rules::Subject subject,
                              projections::RatingViews(state).ResolveSubject(r->subject()));
      RATING_RETURN_IF_ERROR(AuthorizeSubjectRead(state, caller, subject.ToString(), r->year()));
      const projections::SubjectYear* sy = state.FindSubjectYear(subject.ToString(), r->year());
      if (sy == nullptr) return absl::OkStatus();
      for (uint64_t position : sy->history) {
        RATING_ASSIGN_OR_RETURN(std::vector<v1::Envelope> read, engine_.store().ReadAll(position, 1));
        if (read.empty() || read[0].position() != position) {
          return absl::DataLossError(absl::StrCat("position ", position, ": missing from the log"));
        }
        RATING_ASSIGN_OR_RETURN(v1::LogEntry entry, ToLogEntry(read[0]));
        v1::HistoryEntry* h = out->add_entries();
        h->set_position(position);
        h->set_event_id(read[0].event_id());
        h->set_kind(EventKind(entry.event()));
        h->set_actor(read[0].actor());
        h->set_recorded_at_micros(read[0].recorded_at_micros());
        h->set_valid_date(ValidDate(entry.event()));
        h->set_summary(Summary(entry.event()));
        *h->mutable_event() = entry.event();
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
      return ToGrpcStatus(absl::OutOfRangeError(
          absl::StrCat("from_position: ", from, " is past the head ", head)));
    }
    auto read = engine_.store().ReadAll(from, r->limit() == 0 ? 100 : r->limit());
    if (!read.ok()) return ToGrpcStatus(read.status());
    for (const v1::Envelope& e : *read) {
      auto entry = ToLogEntry(e);
      if (!entry.ok()) return ToGrpcStatus(entry.status());
      *out->add_entries() = *std::move(entry);
    }
    out->set_head_position(head);
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

class IntegrationServiceImpl final : public v1::IntegrationService::Service {
 public:
  explicit IntegrationServiceImpl(Engine& engine) : engine_(engine) {}

  Status Subscribe(ServerContext* c, const v1::SubscribeRequest* r,
                   grpc::ServerWriter<v1::SubscribeResponse>* writer) override {
    auto caller = Caller(engine_, c);
    if (!caller.ok()) return ToGrpcStatus(caller.status());
    absl::Status allowed = AuthorizeLogRead(*caller);
    if (!allowed.ok()) return ToGrpcStatus(allowed);
    const uint64_t head = engine_.store().HeadPosition();
    if (r->after_position() > head) {
      return ToGrpcStatus(absl::OutOfRangeError(
          absl::StrCat("after_position: ", r->after_position(), " is past the head ", head)));
    }
    const uint32_t every = r->checkpoint_every() == 0 ? 100 : r->checkpoint_every();
    auto subscription = engine_.store().Subscribe(r->after_position());
    uint64_t last_checkpoint = r->after_position();
    uint32_t since_checkpoint = 0;
    while (!c->IsCancelled()) {
      auto next = subscription->Next(absl::Milliseconds(200));
      if (!next.ok()) {
        if (next.status().code() == absl::StatusCode::kCancelled) break;  // Server shutdown.
        return ToGrpcStatus(next.status());
      }
      v1::SubscribeResponse response;
      if (!next->has_value()) {
        // Caught up: confirm everything delivered so far.
        if (subscription->position() != last_checkpoint) {
          response.set_checkpoint(subscription->position());
          if (!writer->Write(response)) break;
          last_checkpoint = subscription->position();
          since_checkpoint = 0;
        }
        continue;
      }
      auto entry = ToLogEntry(**next);
      if (!entry.ok()) return ToGrpcStatus(entry.status());
      *response.mutable_entry() = *std::move(entry);
      if (!writer->Write(response)) break;
      if (++since_checkpoint >= every) {
        v1::SubscribeResponse checkpoint;
        checkpoint.set_checkpoint(subscription->position());
        if (!writer->Write(checkpoint)) break;
        last_checkpoint = subscription->position();
        since_checkpoint = 0;
      }
    }
    return Status::OK;
  }

  Status Import(ServerContext* c, grpc::ServerReader<v1::ImportRequest>* reader,
                v1::ImportResponse* out) override {
    auto caller = Caller(engine_, c);
    if (!caller.ok()) return ToGrpcStatus(caller.status());
    v1::ImportRequest request;
    while (reader->Read(&request)) {
      v1::ImportResult* result = out->add_results();
      result->set_request_id(request.request_id());
      absl::StatusOr<v1::CommandReply> reply =
          request.request_id().empty()
              ? absl::InvalidArgumentError("request_id: required for import")
              : engine_.Execute(*caller, request.command(), request.request_id());
      if (reply.ok()) {
        *result->mutable_reply() = *std::move(reply);
        out->set_accepted(out->accepted() + 1);
      } else {
        result->set_code(static_cast<int>(reply.status().code()));
        result->set_message(std::string(reply.status().message()));
        out->set_rejected(out->rejected() + 1);
      }
    }
    return Status::OK;
  }

 private:
  Engine& engine_;
};

class AdminServiceImpl final : public v1::AdminService::Service {
 public:
  explicit AdminServiceImpl(Engine& engine) : engine_(engine) {}

  Status CreatePrincipal(ServerContext* c, const v1::CreatePrincipalRequest* r,
                         v1::CreatePrincipalResponse* out) override {
    auto caller = Caller(engine_, c);
    if (!caller.ok()) return ToGrpcStatus(caller.status());
    auto result = engine_.CreatePrincipal(*caller, *r);
    if (!result.ok()) return ToGrpcStatus(result.status());
    *out = *std::move(result);
    return Status::OK;
  }

  Status ListPrincipals(ServerContext* c, const v1::ListPrincipalsRequest*,
                        v1::ListPrincipalsResponse* out) override {
    return RunRead(engine_, c, v1::AsOf(), [&](const v1::Principal& caller, const auto& state) {
      RATING_RETURN_IF_ERROR(AuthorizeAdmin(caller));
      for (const auto& [id, record] : state.principals()) *out->add_principals() = record.principal;
      return absl::OkStatus();
    });
  }

  Status RevokePrincipal(ServerContext* c, const v1::RevokePrincipalRequest* r,
                         v1::CommandReply* out) override {
    auto caller = Caller(engine_, c);
    if (!caller.ok()) return ToGrpcStatus(caller.status());
    auto result = engine_.RevokePrincipal(*caller, r->principal_id());
    if (!result.ok()) return ToGrpcStatus(result.status());
    *out = *std::move(result);
    return Status::OK;
  }

 private:
  Engine& engine_;
};

}  // namespace

std::vector<std::unique_ptr<grpc::Service>> MakeServices(Engine& engine) {
  std::vector<std::unique_ptr<grpc::Service>> services;
  services.push_back(std::make_unique<RegistryServiceImpl>(engine));
  services.push_back(std::make_unique<ReviewServiceImpl>(engine));
  services.push_back(std::make_unique<DecisionServiceImpl>(engine));
  services.push_back(std::make_unique<QueryServiceImpl>(engine));
  services.push_back(std::make_unique<AuditServiceImpl>(engine));
  services.push_back(std::make_unique<IntegrationServiceImpl>(engine));
  services.push_back(std::make_unique<AdminServiceImpl>(engine));
  return services;
}

}  // namespace rating::services
