// QueryService: ratings with their explanations, an org's ratings, tallies, overrides,
// dossiers, rewards and the impact of a ruling; each reply holds only what the caller may read.
#include <algorithm>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "common/names.h"
#include "common/status_macros.h"
#include "projections/rating_facts.h"
#include "projections/rating_reads.h"
#include "rules/rewards.h"
#include "services/auth.h"
#include "services/internal/commands.h"
#include "services/internal/executor.h"
#include "services/internal/grpc_common.h"
#include "services/internal/input_limits.h"

namespace rating::services::internal {
namespace {

constexpr char kPageTokenPrefix[] = "after:";

// The page size asked for: 0 = 100; INVALID_ARGUMENT outside 0..1000.
absl::StatusOr<int> PageSize(int32_t page_size) {
  if (page_size < 0 || page_size > 1000) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size: ", page_size, " is outside 0..1000"));
  }
  return page_size == 0 ? 100 : page_size;
}

// The id a page token resumes after ("" for the first page). INVALID_ARGUMENT when the token
// is not one a reply gave.
absl::StatusOr<std::string> PageStart(const std::string& token) {
  if (token.empty()) return std::string();
  const std::string_view prefix = kPageTokenPrefix;
  if (token.rfind(prefix, 0) != 0 || !rules::IsValidId(token.substr(prefix.size()))) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_token: '", Echo(token), "' is not a token from a reply"));
  }
  return token.substr(prefix.size());
}

// The date a registry list reads: the year's reference date, or now for year 0. NOT_FOUND
// when the year's period is not open.
absl::StatusOr<rules::Date> ListDate(const RatingState& s, int year) {
  if (year == 0) return projections::kEndOfTime;
  RATING_ASSIGN_OR_RETURN(const projections::PeriodInfo* period, projections::OpenPeriod(s, year));
  return period->reference_date;
}

// Fills one page from the sorted `ids`, starting after `start`; `add` returns false for an id
// the caller may not see. Returns the next page's token ("" at the end).
template <typename Add>
std::string FillPage(const std::vector<std::string>& ids, const std::string& start, int size,
                     Add add) {
  int added = 0;
  auto it = std::upper_bound(ids.begin(), ids.end(), start);
  for (; it != ids.end(); ++it) {
    if (added == size) return absl::StrCat(kPageTokenPrefix, *std::prev(it));
    if (add(*it)) ++added;
  }
  return "";
}

using grpc::ServerContext;
using grpc::Status;
using projections::RatingState;

bool HasAsOf(const v1::AsOf& as_of) {
  return as_of.position() != 0 || as_of.recorded_at_micros() != 0;
}

// The authorization step of the lists every authenticated caller may read (each leaves out
// what the caller may not read).
absl::Status Anyone(const v1::Principal&, const RatingState&) { return absl::OkStatus(); }

// GetRating, the hottest read, is a callback method: a live read runs on the gRPC thread that
// received it (a short shared lock, no hand-off to a sync worker thread); a read as of a past
// moment, which may replay the log, runs on the service's own threads.
using QueryBase = v1::QueryService::WithCallbackMethod_GetRating<v1::QueryService::Service>;

class QueryServiceImpl final : public QueryBase {
 public:
  explicit QueryServiceImpl(Engine& engine) : engine_(engine) {}

  grpc::ServerUnaryReactor* GetRating(grpc::CallbackServerContext* c,
                                      const v1::GetRatingRequest* r, v1::RatingView* out) override {
    grpc::ServerUnaryReactor* reactor = c->DefaultReactor();
    if (!HasAsOf(r->as_of())) {
      reactor->Finish(ReadRating(c, r, out));
      return reactor;
    }
    // Only an authenticated caller queues a past read; one cancelled while queued costs nothing.
    if (absl::StatusOr<v1::Principal> caller = Caller(engine_, c); !caller.ok()) {
      reactor->Finish(ToGrpcStatus(caller.status()));
      return reactor;
    }
    past_reads_.Schedule([this, c, r, out, reactor] {
      reactor->Finish(c->IsCancelled() ? Status(grpc::StatusCode::CANCELLED, "cancelled")
                                       : ReadRating(c, r, out));
    });
    return reactor;
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

  Status ListBallotSessions(ServerContext* c, const v1::ListBallotSessionsRequest* r,
                            v1::ListBallotSessionsResponse* out) override {
    auto page = ParsePage("ListBallotSessions", *r, r->page_size(), r->page_token());
    if (!page.ok()) return ToGrpcStatus(page.status());
    return RunPagedRead(
        engine_, c, r->as_of(), *page, Anyone,
        [&](const v1::Principal& caller, const RatingState& s) {
          for (const projections::SessionRecord* session : s.ballots().InOrgYearOrder()) {
            if (!r->org().empty() && session->org != r->org()) continue;
            if (r->year() != 0 && session->year != r->year()) continue;
            if (!AuthorizeOrgRead(s, caller, session->org).ok()) continue;
            *out->add_sessions() = projections::BallotSessionViewOf(*session);
          }
          TakePage(*page, HasAsOf(r->as_of()), s.position(), out->mutable_sessions(),
                   out->mutable_next_page_token());
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

  Status ListOrgs(ServerContext* c, const v1::ListOrgsRequest* r,
                  v1::ListOrgsResponse* out) override {
    const std::string parent = r->parent().empty() ? "bloc" : r->parent();
    auto check = [&](const RatingState& s) -> absl::Status {
      RATING_RETURN_IF_ERROR(CheckId("parent", parent));
      RATING_RETURN_IF_ERROR(PageSize(r->page_size()).status());
      RATING_RETURN_IF_ERROR(PageStart(r->page_token()).status());
      if (s.registry().FindOrg(parent) == nullptr) {
        return absl::NotFoundError(absl::StrCat("org ", parent, ": not found"));
      }
      return absl::OkStatus();
    };
    auto authorize = [&](const v1::Principal&, const RatingState& live) { return check(live); };
    return RunRead(engine_, c, r->as_of(), authorize,
                   [&](const v1::Principal& caller, const RatingState& s) -> absl::Status {
                     RATING_RETURN_IF_ERROR(check(s));
                     RATING_ASSIGN_OR_RETURN(const rules::Date date, ListDate(s, r->year()));
                     const projections::RegistryView& registry = s.registry();
                     std::vector<std::string> ids = r->subtree()
                                                        ? registry.DescendantsAt(parent, date)
                                                        : registry.ChildrenAt(parent, date);
                     if (r->include_parent()) {
                       ids.push_back(parent);
                       std::sort(ids.begin(), ids.end());
                     }
                     out->set_next_page_token(
                         FillPage(ids, *PageStart(r->page_token()), *PageSize(r->page_size()),
                                  [&](const std::string& id) {
                                    const projections::OrgRecord* org = registry.FindOrg(id);
                                    if (org == nullptr || !AuthorizeOrgRead(s, caller, id).ok())
                                      return false;
                                    v1::OrgView* v = out->add_orgs();
                                    v->set_id(id);
                                    v->set_name(org->name);
                                    v->set_kind(registry.KindAt(id, date));
                                    v->set_kind_name(common::NameVi(v->kind()));
                                    v->set_parent(registry.ParentAt(id, date));
                                    if (org->founded_on)
                                      v->set_founded_on(rules::FormatDate(*org->founded_on));
                                    return true;
                                  }));
                     return absl::OkStatus();
                   });
  }

  Status ListMembers(ServerContext* c, const v1::ListMembersRequest* r,
                     v1::ListMembersResponse* out) override {
    auto check = [&](const RatingState& s) -> absl::Status {
      RATING_RETURN_IF_ERROR(CheckId("org", r->org()));
      RATING_RETURN_IF_ERROR(PageSize(r->page_size()).status());
      RATING_RETURN_IF_ERROR(PageStart(r->page_token()).status());
      if (s.registry().FindOrg(r->org()) == nullptr) {
        return absl::NotFoundError(absl::StrCat("org ", r->org(), ": not found"));
      }
      return absl::OkStatus();
    };
    auto authorize = [&](const v1::Principal& caller, const RatingState& live) -> absl::Status {
      RATING_RETURN_IF_ERROR(check(live));
      return AuthorizeOrgRead(live, caller, r->org());
    };
    return RunRead(engine_, c, r->as_of(), authorize,
                   [&](const v1::Principal& caller, const RatingState& s) -> absl::Status {
                     RATING_RETURN_IF_ERROR(check(s));
                     RATING_RETURN_IF_ERROR(AuthorizeOrgRead(s, caller, r->org()));
                     RATING_ASSIGN_OR_RETURN(const rules::Date date, ListDate(s, r->year()));
                     const projections::RegistryView& registry = s.registry();
                     std::vector<std::string> orgs = {r->org()};
                     if (r->subtree()) {
                       for (std::string& o : registry.DescendantsAt(r->org(), date)) {
                         orgs.push_back(std::move(o));
                       }
                     }
                     std::vector<std::string> ids;
                     for (const std::string& org : orgs) {
                       if (!AuthorizeOrgRead(s, caller, org).ok()) continue;
                       for (std::string& id : registry.MembersAt(org, date))
                         ids.push_back(std::move(id));
                     }
                     std::sort(ids.begin(), ids.end());
                     out->set_next_page_token(
                         FillPage(ids, *PageStart(r->page_token()), *PageSize(r->page_size()),
                                  [&](const std::string& id) {
                                    const projections::MemberRecord* m = registry.FindMember(id);
                                    if (m == nullptr) return false;
                                    v1::MemberView* v = out->add_members();
                                    v->set_id(id);
                                    v->set_name(m->name);
                                    v->set_org(registry.OrgOfMemberAt(id, date));
                                    v->set_status(rules::StatusAt(m->statuses, date));
                                    v->set_status_name(common::NameVi(v->status()));
                                    v->set_admitted_on(rules::FormatDate(m->admitted_on));
                                    return true;
                                  }));
                     return absl::OkStatus();
                   });
  }

 private:
  Status ReadRating(const grpc::ServerContextBase* c, const v1::GetRatingRequest* r,
                    v1::RatingView* out) {
    auto authorize = [&](const v1::Principal& caller, const RatingState& live) -> absl::Status {
      RATING_ASSIGN_OR_RETURN(rules::Subject subject, ReadSubject(live, r->subject()));
      return AuthorizeSubjectRead(live, caller, subject.ToString(), r->year());
    };
    return RunRead(
        engine_, c, r->as_of(), authorize,
        [&](const v1::Principal& caller, const RatingState& s) -> absl::Status {
          RATING_ASSIGN_OR_RETURN(rules::Subject subject, ReadSubject(s, r->subject()));
          // A live read is the state `authorize` just checked, under the same lock; a past
          // state is checked again (the subject or the caller's scope may differ then).
          if (HasAsOf(r->as_of())) {
            RATING_RETURN_IF_ERROR(
                AuthorizeSubjectRead(s, caller, subject.ToString(), r->year()));
          }
          RATING_ASSIGN_OR_RETURN(const projections::PeriodInfo* period,
                                  projections::OpenPeriod(s, r->year()));
          *out = projections::RatingViewOf(projections::RatingFacts(s, *period), subject);
          return absl::OkStatus();
        });
  }

  Engine& engine_;
  // Reads as of a past moment, in arrival order (each may replay the log; they share the
  // engine's last rebuilt state).
  Executor past_reads_{2};
};

}  // namespace

std::unique_ptr<grpc::Service> MakeQueryService(Engine& engine) {
  return std::make_unique<QueryServiceImpl>(engine);
}

}  // namespace rating::services::internal
