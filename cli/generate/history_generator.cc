#include "cli/generate/history_generator.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/generate/generator.h"
#include "common/crypto.h"
#include "common/status_macros.h"

namespace rating::cli {
namespace generate {

absl::Status Generator::Emit(const v1::Command& command, const v1::Principal& issuer) {
  ++stats_.commands;
  ++by_case_[command.command_case()];
  return sink_(command, issuer);
}

absl::Status Generator::EmitDecisions(const v1::Principal& issuer, int year,
                                      std::vector<Rating> ratings) {
  // R-QUOTA is checked at each document over the decided ratings: the excellent come last, so
  // that every prefix stays within the quota the whole batch respects.
  std::stable_partition(ratings.begin(), ratings.end(),
                        [](const Rating& r) { return r.level != v1::LEVEL_HTXSNV; });
  for (size_t first = 0; first < ratings.size(); first += kMaxRatingsPerDecision) {
    v1::Command command;
    v1::Decision* decision = command.mutable_decide_ratings();
    decision->set_year(year);
    const size_t last = std::min(ratings.size(), first + kMaxRatingsPerDecision);
    for (size_t i = first; i < last; ++i) {
      v1::SubjectLevel* rating = decision->add_ratings();
      rating->set_subject(ratings[i].subject);
      rating->set_level(ratings[i].level);
    }
    RATING_RETURN_IF_ERROR(Emit(command, issuer));
  }
  return absl::OkStatus();
}

v1::Principal Generator::MakePrincipal(std::string id, v1::Role role, std::string scope) {
  v1::Principal p;
  p.set_id(std::move(id));
  p.set_role(role);
  p.set_scope(std::move(scope));
  return p;
}

v1::Principal Generator::Bloc() const {
  return MakePrincipal("bloc-standing-committee", v1::ROLE_BLOC_COMMITTEE, "bloc");
}

v1::Principal Generator::CommitteeOf(int org) const {
  const Org& o = orgs_[org];
  return MakePrincipal(absl::StrCat("committee-", o.id),
                       o.IsCell() ? v1::ROLE_CELL_COMMITTEE : v1::ROLE_GRASSROOTS_COMMITTEE, o.id);
}

v1::Principal Generator::TeamOf(int cell) const {
  return MakePrincipal(absl::StrCat("counting-team-", orgs_[cell].id), v1::ROLE_COUNTING_TEAM,
                       orgs_[cell].id);
}

v1::Principal Generator::Self(int member) const {
  return MakePrincipal(absl::StrCat("member-", MemberId(member)), v1::ROLE_MEMBER,
                       MemberId(member));
}

// R-SUBJ-1 at the year's reference date.
bool Generator::Rated(const Member& m, int year) const {
  return m.status != v1::MEMBER_STATUS_EXEMPT && m.status != v1::MEMBER_STATUS_SUSPENDED &&
         AddMonths(m.admitted_on, kAdmissionMonths) <= Reference(year);
}

// ------------------------------------------------------------------ one year

absl::StatusOr<HistoryStats> Generator::Run() {
  RATING_RETURN_IF_ERROR(CheckHistoryOptions(options_));
  BuildLayout();
  const int last = options_.first_year + options_.years - 1;
  for (int year = options_.first_year; year <= last; ++year) {
    RATING_RETURN_IF_ERROR(Year(year));
  }
  // Rulings on the last year's violations arrive early the next year (no period needed).
  RATING_RETURN_IF_ERROR(LateRulings(last + 1));
  for (const auto& [kind, count] : by_case_) {
    stats_.by_kind[v1::Command::descriptor()->FindFieldByNumber(kind)->name()] = count;
  }
  return stats_;
}

absl::Status Generator::Year(int year) {
  disciplined_.clear();
  concluded_.clear();
  results_.clear();
  RATING_RETURN_IF_ERROR(OpenPeriod(year));
  if (year == options_.first_year) {
    for (int o = 0; o < static_cast<int>(orgs_.size()); ++o) {
      RATING_RETURN_IF_ERROR(RegisterOrg(o));
    }
    for (int m = 0; m < static_cast<int>(members_.size()); ++m) {
      RATING_RETURN_IF_ERROR(EnrollMember(m));
    }
  } else {
    RATING_RETURN_IF_ERROR(RevertStatuses(year));
    RATING_RETURN_IF_ERROR(LateRulings(year));
    RATING_RETURN_IF_ERROR(FoundCells(year));
    RATING_RETURN_IF_ERROR(Successions(year));
    RATING_RETURN_IF_ERROR(Admissions(year));
  }
  RATING_RETURN_IF_ERROR(Transfers(year));
  RATING_RETURN_IF_ERROR(StatusChanges(year));
  RATING_RETURN_IF_ERROR(RulingsOfTheYear(year));
  // Bottom-up, one grassroots org at a time (R-ORDER), then the bloc.
  for (int o = 0; o < static_cast<int>(orgs_.size()); ++o) {
    if (orgs_[o].IsGrassroots()) RATING_RETURN_IF_ERROR(GrassrootsOrg(o, year));
  }
  return BlocDecisions(year);
}

absl::Status Generator::OpenPeriod(int year) {
  v1::Command command;
  command.mutable_open_period()->set_year(year);  // Reference date: the policy's 15/12.
  return Emit(command, Bloc());
}

// Members temporarily active elsewhere or suspended last year are back from early this year.
absl::Status Generator::RevertStatuses(int year) {
  Rng rng = Stream(Purpose::kRegistry, year, 1);
  for (int m = 0; m < static_cast<int>(members_.size()); ++m) {
    Member& member = members_[m];
    if (member.status != v1::MEMBER_STATUS_TEMPORARY_ELSEWHERE &&
        member.status != v1::MEMBER_STATUS_SUSPENDED) {
      continue;
    }
    member.status = v1::MEMBER_STATUS_ACTIVE;
    RATING_RETURN_IF_ERROR(SetStatus(m, v1::MEMBER_STATUS_ACTIVE, RandomDay(rng, year, 1, 4)));
  }
  return absl::OkStatus();
}

// Rulings on violations of a decided year (`year` - 1), each followed by the QĐ 01 of the
// direct superior committee (R-RETRO-1, R-RETRO-2): KHTNV, or the same level after a
// self-remedied one reviewed.
absl::Status Generator::LateRulings(int year) {
  Rng rng = Stream(Purpose::kLate, year, 0);
  for (const LateRuling& late : late_) {
    Member& m = members_[late.member];
    v1::Command ruling;
    v1::DisciplineRuling* r = ruling.mutable_rule_discipline();
    r->set_subject(MemberSubject(late.member));
    r->set_form(rng.PerMille(800) ? v1::DISCIPLINE_FORM_REPRIMAND : v1::DISCIPLINE_FORM_WARNING);
    r->set_decided_on(Text(RandomDay(rng, year, 2, 6)));
    const Date from = RandomDay(rng, late.year, 2, 9);
    r->set_violation_from(Text(from));
    r->set_violation_to(Text(from + rng.Between(0, 60)));
    r->set_self_remedied(late.self_remedied);
    ++stats_.late_rulings;
    // The committee over the member's org now (RuleDiscipline's authority).
    RATING_RETURN_IF_ERROR(Emit(ruling, CommitteeOf(GrassrootsOf(m.org))));

    v1::Command rerate;
    v1::Rerating* q = rerate.mutable_rerate();
    q->set_subject(MemberSubject(late.member));
    q->set_year(late.year);
    q->set_level(late.self_remedied ? late.level : v1::LEVEL_KHTNV);
    q->set_decision_no(absl::StrFormat("%d-QĐ/ĐU", ++decision_numbers_));
    ++stats_.reratings;
    RATING_RETURN_IF_ERROR(Emit(rerate, CommitteeOf(late.grassroots)));
    if (!late.self_remedied) m.excellent_streak = 0;  // The year is KHTNV now.
  }
  late_.clear();
  return absl::OkStatus();
}

// A few grassroots committees found a subordinate cell: some members move there (one heads it)
// and a few new members are admitted into it. Founded after mid-June, it is not rated this
// year (R-SUBJ-2).
absl::Status Generator::FoundCells(int year) {
  Rng rng = Stream(Purpose::kRegistry, year, 2);
  const int count = static_cast<int>(orgs_.size());
  for (int gc = 0; gc < count; ++gc) {
    if (orgs_[gc].kind != v1::ORG_KIND_GRASSROOTS_COMMITTEE || !rng.PerMille(35)) continue;
    const Date founded = RandomDay(rng, year, 2, 9);
    std::vector<int> movers;
    for (int cell : orgs_[gc].cells) {
      const std::vector<int>& pool = orgs_[cell].members;
      if (static_cast<int>(pool.size()) < kMinCellSize + 4) continue;
      const int m = pool[rng.Below(static_cast<int>(pool.size()))];
      const Member& member = members_[m];
      if (member.posts == 0 && member.status == v1::MEMBER_STATUS_ACTIVE &&
          member.joined_on < founded && member.transfer_year != year) {
        movers.push_back(m);
      }
      if (movers.size() == 5) break;
    }
    if (movers.size() < 3) continue;
    Org cell;
    cell.id = absl::StrFormat("%s-cb%02d", orgs_[gc].id, orgs_[gc].cells.size() + 1);
    cell.name =
        absl::StrCat("Chi bộ ", DepartmentName(rng, static_cast<int>(orgs_[gc].cells.size()) + 1));
    cell.kind = v1::ORG_KIND_SUBORDINATE_CELL;
    cell.parent = gc;
    cell.founded_on = founded;
    orgs_.push_back(std::move(cell));
    const int c = static_cast<int>(orgs_.size()) - 1;
    orgs_[gc].cells.push_back(c);
    RATING_RETURN_IF_ERROR(RegisterOrg(c));
    for (int m : movers) {
      RATING_RETURN_IF_ERROR(Transfer(m, c, founded + rng.Between(0, 10), CommitteeOf(gc)));
    }
    // The first to move heads the new cell and sits on the grassroots committee.
    const int head = movers.front();
    members_[head].posts = kHeadsCell | kSeatOnCell | kSeatOnGrassrootsCommittee;
    orgs_[c].head = head;
    RATING_RETURN_IF_ERROR(ChangePosts(head, members_[head].joined_on));
    for (int k = rng.Between(2, 4); k > 0; --k) {
      const Date admitted = founded + rng.Between(5, 60);
      if (admitted.year() != year) break;
      RATING_RETURN_IF_ERROR(EnrollMember(AddMember(c, admitted)));
    }
  }
  return absl::OkStatus();
}

// A few grassroots orgs change their head (bí thư) during the year (R-TIME-1: the posts from
// that date; earlier years keep the old head).
absl::Status Generator::Successions(int year) {
  Rng rng = Stream(Purpose::kRegistry, year, 3);
  for (int o = 0; o < static_cast<int>(orgs_.size()); ++o) {
    Org& org = orgs_[o];
    if (!org.IsGrassroots() || org.head < 0 || !rng.PerMille(40)) continue;
    std::vector<int> pool;
    if (org.IsCell()) {
      pool = org.members;
    } else {
      for (int cell : org.cells) {
        pool.insert(pool.end(), orgs_[cell].members.begin(), orgs_[cell].members.end());
      }
    }
    const int successor = pool.empty() ? -1 : pool[rng.Below(static_cast<int>(pool.size()))];
    if (successor < 0 || members_[successor].posts != 0 ||
        members_[successor].status != v1::MEMBER_STATUS_ACTIVE ||
        members_[successor].admitted_on.year() >= year) {
      continue;
    }
    const Date on = RandomDay(rng, year, 3, 10);
    const int previous = org.head;
    members_[previous].posts = 0;  // Steps down from the committee.
    RATING_RETURN_IF_ERROR(ChangePosts(previous, on));
    members_[successor].posts = org.IsCell()
                                    ? (kHeadsCell | kSeatOnCell)
                                    : (kHeadsGrassrootsCommittee | kSeatOnGrassrootsCommittee);
    org.head = successor;
    RATING_RETURN_IF_ERROR(ChangePosts(successor, on));
  }
  return absl::OkStatus();
}

// About 4% new members a year, admitted into cells that exist by then; those admitted after
// mid-June are rated from the next year (R-SUBJ-1).
absl::Status Generator::Admissions(int year) {
  Rng rng = Stream(Purpose::kRegistry, year, 4);
  const int admitted = std::max(1, options_.members * 4 / 100);
  std::vector<int> cells;
  for (int o = 0; o < static_cast<int>(orgs_.size()); ++o) {
    if (orgs_[o].IsCell()) cells.push_back(o);
  }
  for (int k = 0; k < admitted; ++k) {
    const int cell = cells[rng.Below(static_cast<int>(cells.size()))];
    Date on = RandomDay(rng, year, 1, 11);
    if (on < orgs_[cell].founded_on) on = orgs_[cell].founded_on + 7;
    if (on.year() != year) continue;
    RATING_RETURN_IF_ERROR(EnrollMember(AddMember(cell, on)));
  }
  return absl::OkStatus();
}

// About 1.5% of the plain members move a year, most within their grassroots committee.
absl::Status Generator::Transfers(int year) {
  Rng rng = Stream(Purpose::kRegistry, year, 5);
  std::vector<int> cells;
  for (int o = 0; o < static_cast<int>(orgs_.size()); ++o) {
    if (orgs_[o].IsCell() && orgs_[o].founded_on.year() < year) cells.push_back(o);
  }
  const int moves = std::max(1, options_.members * 15 / 1000);
  for (int k = 0; k < moves && cells.size() > 1; ++k) {
    const int m = rng.Below(static_cast<int>(members_.size()));
    Member& member = members_[m];
    const Date on = RandomDay(rng, year, 2, 11);
    if (member.posts != 0 || member.status != v1::MEMBER_STATUS_ACTIVE ||
        member.transfer_year == year || member.joined_on >= on ||
        static_cast<int>(orgs_[member.org].members.size()) <= kMinCellSize) {
      continue;
    }
    const int from = member.org;
    const Org& from_cell = orgs_[from];
    int to = -1;
    if (from_cell.parent >= 0 && orgs_[from_cell.parent].cells.size() > 1 && rng.PerMille(700)) {
      const std::vector<int>& siblings = orgs_[from_cell.parent].cells;
      to = siblings[rng.Below(static_cast<int>(siblings.size()))];
      if (orgs_[to].founded_on >= on) to = -1;
    } else {
      to = cells[rng.Below(static_cast<int>(cells.size()))];
    }
    if (to < 0 || to == from) continue;
    // A grassroots committee moves members between its own cells; otherwise the bloc.
    const bool within = GrassrootsOf(from) == GrassrootsOf(to);
    RATING_RETURN_IF_ERROR(Transfer(m, to, on, within ? CommitteeOf(GrassrootsOf(from)) : Bloc()));
  }
  return absl::OkStatus();
}

// Status changes of plain members (R-SUBJ-1, R-SUBJ-4, R-SUBJ-5): exemptions (for good),
// sick and maternity leave (back before the reference date), temporary activity elsewhere and
// suspensions (still in force at the reference date; back early next year).
absl::Status Generator::StatusChanges(int year) {
  Rng rng = Stream(Purpose::kRegistry, year, 6);
  for (int m = 0; m < static_cast<int>(members_.size()); ++m) {
    Member& member = members_[m];
    const int draw = rng.Below(1000);
    if (draw >= 25 || member.posts != 0 || member.status != v1::MEMBER_STATUS_ACTIVE ||
        member.admitted_on.year() >= year) {
      continue;
    }
    if (draw < 3) {  // Miễn công tác và sinh hoạt đảng.
      member.status = v1::MEMBER_STATUS_EXEMPT;
      RATING_RETURN_IF_ERROR(SetStatus(m, member.status, RandomDay(rng, year, 1, 11)));
    } else if (draw < 11) {
      const Date from = RandomDay(rng, year, 2, 6);
      RATING_RETURN_IF_ERROR(SetStatus(m, v1::MEMBER_STATUS_SICK_LEAVE, from));
      RATING_RETURN_IF_ERROR(
          SetStatus(m, v1::MEMBER_STATUS_ACTIVE, AddMonths(from, rng.Between(3, 5))));
    } else if (draw < 18) {
      if (!member.female) continue;
      const Date from = RandomDay(rng, year, 1, 5);
      RATING_RETURN_IF_ERROR(SetStatus(m, v1::MEMBER_STATUS_MATERNITY, from));
      RATING_RETURN_IF_ERROR(SetStatus(m, v1::MEMBER_STATUS_ACTIVE, AddMonths(from, 6)));
    } else if (draw < 24) {
      member.status = v1::MEMBER_STATUS_TEMPORARY_ELSEWHERE;
      RATING_RETURN_IF_ERROR(SetStatus(m, member.status, RandomDay(rng, year, 8, 11)));
    } else {
      member.status = v1::MEMBER_STATUS_SUSPENDED;
      RATING_RETURN_IF_ERROR(SetStatus(m, member.status, RandomDay(rng, year, 9, 11)));
    }
  }
  return absl::OkStatus();
}

// A few rulings on violations of the year, before it is rated (R-MEM-1: KHTNV unless
// self-remedied; at most one per cell, so that D3 never fires), and a few conclusions.
absl::Status Generator::RulingsOfTheYear(int year) {
  Rng rng = Stream(Purpose::kRulings, year, 0);
  std::set<int> cells_ruled;
  for (int m = 0; m < static_cast<int>(members_.size()); ++m) {
    Member& member = members_[m];
    const int draw = rng.Below(1000);
    if (draw >= 4 || member.posts != 0 || member.ruled || !Rated(member, year) ||
        member.transfer_year == year || orgs_[member.org].members.size() < 6) {
      continue;
    }
    if (draw < 3) {
      if (!cells_ruled.insert(member.org).second) continue;
      v1::Command command;
      v1::DisciplineRuling* r = command.mutable_rule_discipline();
      r->set_subject(MemberSubject(m));
      r->set_form(rng.PerMille(800) ? v1::DISCIPLINE_FORM_REPRIMAND : v1::DISCIPLINE_FORM_WARNING);
      const Date from = RandomDay(rng, year, 3, 7);
      r->set_violation_from(Text(from));
      r->set_violation_to(Text(from + rng.Between(0, 60)));
      r->set_decided_on(Text(RandomDay(rng, year, 9, 11)));
      const bool self_remedied = rng.PerMille(200);
      r->set_self_remedied(self_remedied);
      member.ruled = true;
      disciplined_[m] = self_remedied;
      ++stats_.rulings_in_year;
      RATING_RETURN_IF_ERROR(Emit(command, CommitteeOf(GrassrootsOf(member.org))));
    } else {
      v1::Command command;
      v1::Conclusion* c = command.mutable_record_conclusion();
      c->set_subject(MemberSubject(m));
      c->set_kind(rng.PerMille(500) ? v1::CONCLUSION_KIND_PROHIBITED_ACT
                                    : v1::CONCLUSION_KIND_EXEMPLARY_BREACH);
      c->set_year(year);
      concluded_.insert(m);
      RATING_RETURN_IF_ERROR(Emit(command, Bloc()));
    }
  }
  return absl::OkStatus();
}

}  // namespace generate

absl::StatusOr<HistoryOptions> SizePreset(std::string_view size) {
  HistoryOptions options;
  if (size == "small") {
    options.members = 1000;
    options.years = 3;
  } else if (size == "province") {
    options.members = 30000;
    options.years = 5;
  } else if (size == "nation-slice") {
    options.members = 300000;
    options.years = 5;
  } else {
    return absl::InvalidArgumentError(absl::StrCat("size: '", std::string(size.substr(0, 64)),
                                                   "' is not small, province or nation-slice"));
  }
  return options;
}

absl::Status CheckHistoryOptions(const HistoryOptions& options) {
  if (options.members < 30 || options.members > 5000000) {
    return absl::InvalidArgumentError(
        absl::StrCat("members: ", options.members, " is not in 30..5000000"));
  }
  if (options.years < 1 || options.years > 20) {
    return absl::InvalidArgumentError(absl::StrCat("years: ", options.years, " is not in 1..20"));
  }
  if (options.first_year < 2000 || options.first_year + options.years - 1 > 2100) {
    return absl::InvalidArgumentError(absl::StrCat("first_year: ", options.first_year, " with ",
                                                   options.years,
                                                   " years does not fit in 2000..2100"));
  }
  return absl::OkStatus();
}

std::string DescribeOptions(const HistoryOptions& options) {
  return absl::StrCat("members=", options.members, " years=", options.years, " seed=", options.seed,
                      " first_year=", options.first_year);
}

std::string HistoryRequestId(const HistoryOptions& options, uint64_t sequence) {
  std::string digest =
      common::Sha256(absl::StrCat("rating.v1/generate/", DescribeOptions(options), "/", sequence));
  digest[6] = static_cast<char>((digest[6] & 0x0f) | 0x50);  // Version 5 (name-based).
  digest[8] = static_cast<char>((digest[8] & 0x3f) | 0x80);
  const std::string hex = common::ToHex(std::string_view(digest).substr(0, 16));
  return absl::StrCat(hex.substr(0, 8), "-", hex.substr(8, 4), "-", hex.substr(12, 4), "-",
                      hex.substr(16, 4), "-", hex.substr(20, 12));
}

absl::StatusOr<HistoryStats> GenerateHistory(const HistoryOptions& options,
                                             const CommandSink& sink) {
  return generate::Generator(options, sink).Run();
}

}  // namespace rating::cli
