// QueryService: ratings with their explanations, an org's ratings, tallies, overrides,
// dossiers, rewards and the impact of a ruling; each reply holds only what the caller may read.
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "projections/rating_facts.h"
#include "projections/rating_reads.h"
#include "rules/rewards.h"
#include "services/auth.h"
#include "services/internal/commands.h"
#include "services/internal/grpc_common.h"
#include "services/internal/input_limits.h"

namespace rating::services::internal {
namespace {

using grpc::ServerContext;
using grpc::Status;
using projections::RatingState;

bool HasAsOf(const v1::AsOf& as_of) {
  return as_of.position() != 0 || as_of.recorded_at_micros() != 0;
}

// The authorization step of the lists every authenticated caller may read (each leaves out
// what the caller may not read).
absl::Status Anyone(const v1::Principal&, const RatingState&) { return absl::OkStatus(); }

class QueryServiceImpl final : public v1::QueryService::Service {
 public:
  explicit QueryServiceImpl(Engine& engine) : engine_(engine) {}

  Status GetRating(ServerContext* c, const v1::GetRatingRequest* r, v1::RatingView* out) override {
    auto authorize = [&](const v1::Principal& caller, const RatingState& live) -> absl::Status {
      RATING_ASSIGN_OR_RETURN(rules::Subject subject, ReadSubject(live, r->subject()));
      return AuthorizeSubjectRead(live, caller, subject.ToString(), r->year());
    };
    return RunRead(
        engine_, c, r->as_of(), authorize,
        [&](const v1::Principal& caller, const RatingState& s) -> absl::Status {
          RATING_ASSIGN_OR_RETURN(rules::Subject subject, ReadSubject(s, r->subject()));
          RATING_RETURN_IF_ERROR(AuthorizeSubjectRead(s, caller, subject.ToString(), r->year()));
          RATING_ASSIGN_OR_RETURN(const projections::PeriodInfo* period,
                                  projections::OpenPeriod(s, r->year()));
          *out = projections::RatingViewOf(projections::RatingFacts(s, *period), subject);
          return absl::OkStatus();
        });
  }

  Status ListRatings(ServerContext* c, const v1::ListRatingsRequest* r,
                     v1::ListRatingsResponse* out) override {
    auto authorize = [&](const v1::Principal& caller, const RatingState& live) {
      RATING_RETURN_IF_ERROR(CheckId("org", r->org()));
      return AuthorizeOrgRead(live, caller, r->org());
    };
    auto page = ParsePage("ListRatings", *r, r->page_size(), r->page_token());
    if (!page.ok()) return ToGrpcStatus(page.status());
    return RunPagedRead(engine_, c, r->as_of(), *page, authorize,
                        [&](const v1::Principal& caller, const RatingState& s) -> absl::Status {
                          RATING_RETURN_IF_ERROR(AuthorizeOrgRead(s, caller, r->org()));
                          RATING_ASSIGN_OR_RETURN(const projections::PeriodInfo* period,
                                                  projections::OpenPeriod(s, r->year()));
                          RATING_ASSIGN_OR_RETURN(
                              auto views,
                              projections::RatingsOfOrg(projections::RatingFacts(s, *period),
                                                        r->org(), r->level()));
                          for (auto& v : views) *out->add_ratings() = std::move(v);
                          TakePage(*page, HasAsOf(r->as_of()), s.position(), out->mutable_ratings(),
                                   out->mutable_next_page_token());
                          return absl::OkStatus();
                        });
  }

  Status GetTally(ServerContext* c, const v1::GetTallyRequest* r, v1::TallyMinutes* out) override {
    auto find = [&](const RatingState& s) -> absl::StatusOr<const projections::SessionRecord*> {
      const projections::SessionRecord* session = s.ballots().Find(r->session());
      if (session == nullptr) {
        return absl::NotFoundError(
            absl::StrCat("ballot session ", Echo(r->session()), ": not found"));
      }
      return session;
    };
    auto authorize = [&](const v1::Principal& caller, const RatingState& live) -> absl::Status {
      RATING_ASSIGN_OR_RETURN(const projections::SessionRecord* session, find(live));
      return AuthorizeOrgRead(live, caller, session->org);
    };
    return RunRead(engine_, c, r->as_of(), authorize,
                   [&](const v1::Principal& caller, const RatingState& s) -> absl::Status {
                     RATING_ASSIGN_OR_RETURN(const projections::SessionRecord* session, find(s));
                     RATING_RETURN_IF_ERROR(AuthorizeOrgRead(s, caller, session->org));
                     *out = projections::TallyMinutesOf(*session);
                     return absl::OkStatus();
                   });
  }

  Status ListOverrides(ServerContext* c, const v1::ListOverridesRequest* r,
                       v1::ListOverridesResponse* out) override {
    auto page = ParsePage("ListOverrides", *r, r->page_size(), r->page_token());
    if (!page.ok()) return ToGrpcStatus(page.status());
    return RunPagedRead(
        engine_, c, r->as_of(), *page, Anyone,
        [&](const v1::Principal& caller, const RatingState& s) {
          for (const v1::OverrideRecord& o : s.audit().overrides()) {
            if (r->year() != 0 && o.year() != r->year()) continue;
            // Only the ratings of the document the caller may read; none: the record is left out.
            v1::OverrideRecord visible = o;
            visible.clear_ratings();
            visible.clear_forced();
            for (const v1::SubjectLevel& rating : o.ratings()) {
              if (AuthorizeSubjectRead(s, caller, rating.subject(), o.year()).ok()) {
                *visible.add_ratings() = rating;
              }
            }
            if (visible.ratings().empty()) continue;
            for (const v1::Breach& b : o.forced()) {
              if (b.subject().empty() ||
                  AuthorizeSubjectRead(s, caller, b.subject(), o.year()).ok()) {
                *visible.add_forced() = b;
              }
            }
            visible.set_subject(visible.ratings(0).subject());
            visible.set_level(visible.ratings(0).level());
            *out->add_overrides() = std::move(visible);
          }
          TakePage(*page, HasAsOf(r->as_of()), s.position(), out->mutable_overrides(),
                   out->mutable_next_page_token());
          return absl::OkStatus();
        });
  }

  Status ListDossiers(ServerContext* c, const v1::ListDossiersRequest* r,
                      v1::ListDossiersResponse* out) override {
    auto page = ParsePage("ListDossiers", *r, r->page_size(), r->page_token());
    if (!page.ok()) return ToGrpcStatus(page.status());
    return RunPagedRead(
        engine_, c, r->as_of(), *page, Anyone,
        [&](const v1::Principal& caller, const RatingState& s) {
          for (const auto& [key, d] : s.dossiers().dossiers()) {
            if (r->year() != 0 && key.second != r->year()) continue;
            if (!AuthorizeOrgRead(s, caller, key.first).ok()) continue;
            const projections::PeriodInfo* period = s.FindPeriod(key.second);
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
          TakePage(*page, HasAsOf(r->as_of()), s.position(), out->mutable_dossiers(),
                   out->mutable_next_page_token());
          return absl::OkStatus();
        });
  }

  Status ListRewards(ServerContext* c, const v1::ListRewardsRequest* r,
                     v1::ListRewardsResponse* out) override {
    auto page = ParsePage("ListRewards", *r, r->page_size(), r->page_token());
    if (!page.ok()) return ToGrpcStatus(page.status());
    return RunPagedRead(
        engine_, c, r->as_of(), *page, Anyone,
        [&](const v1::Principal& caller, const RatingState& s) {
          std::vector<const projections::RewardRecord*> records;
          if (r->subject().empty()) {
            for (const projections::RewardRecord& rec : s.rewards().rewards())
              records.push_back(&rec);
          } else {
            RATING_ASSIGN_OR_RETURN(rules::Subject parsed,
                                    ParseSubjectText("subject", r->subject()));
            records = s.rewards().OfSubject(parsed.ToString());
          }
          for (const projections::RewardRecord* rec : records) {
            if (r->year() != 0 && rec->grant.year() != r->year()) continue;
            if (!AuthorizeSubjectRead(s, caller, rec->grant.subject(), rec->grant.year()).ok()) {
              continue;
            }
            v1::RewardView* v = out->add_rewards();
            v->set_subject(rec->grant.subject());
            v->set_year(rec->grant.year());
            v->set_kind(rec->grant.kind());
            v->set_status(rec->annulled_position == 0 ? "active" : "annulled");
            v->set_granted_at_position(rec->granted_position);
            v->set_annulled_at_position(rec->annulled_position);
          }
          TakePage(*page, HasAsOf(r->as_of()), s.position(), out->mutable_rewards(),
                   out->mutable_next_page_token());
          return absl::OkStatus();
        });
  }

  Status GetImpact(ServerContext* c, const v1::GetImpactRequest* r,
                   v1::GetImpactResponse* out) override {
    auto page = ParsePage("GetImpact", *r, r->page_size(), r->page_token());
    if (!page.ok()) return ToGrpcStatus(page.status());
    return RunPagedRead(
        engine_, c, v1::AsOf(), *page, Anyone,
        [&](const v1::Principal& caller, const RatingState& s) {
          if (r->position() == 0 || r->position() > s.position()) {
            return absl::NotFoundError(absl::StrCat("position ", r->position(), ": no such event"));
          }
          for (const v1::ImpactItem& item : s.audit().ImpactOf(r->position())) {
            if (!AuthorizeSubjectRead(s, caller, item.subject(), item.year()).ok()) continue;
            *out->add_items() = item;
          }
          TakePage(*page, false, s.position(), out->mutable_items(),
                   out->mutable_next_page_token());
          return absl::OkStatus();
        });
  }

 private:
  Engine& engine_;
};

}  // namespace

std::unique_ptr<grpc::Service> MakeQueryService(Engine& engine) {
  return std::make_unique<QueryServiceImpl>(engine);
}

}  // namespace rating::services::internal
