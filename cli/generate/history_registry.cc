// The generator's registry: the layout of orgs and members, and the commands that record it.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/generate/generator.h"
#include "common/status_macros.h"

namespace rating::cli::generate {

// ------------------------------------------------------------------ the registry

// Cells of ~30 members (seeded, 15..45); about 70% of them grouped under grassroots committees
// of 3..8 subordinate cells, the rest grassroots cells. Heads and committee seats among the
// members admitted before the first year.
void Generator::BuildLayout() {
  Rng rng = Stream(Purpose::kLayout, 0, 0);
  std::vector<int> sizes;
  for (int left = options_.members; left > 0;) {
    int size = std::min(left, rng.Between(15, 45));
    if (left - size < kMinCellSize) size = left;  // The last cell takes the rest.
    sizes.push_back(size);
    left -= size;
  }
  const int first = options_.first_year;
  auto new_org = [&](v1::OrgKind kind, int parent, std::string id, std::string name) {
    Org org;
    org.id = std::move(id);
    org.name = std::move(name);
    org.kind = kind;
    org.parent = parent;
    org.founded_on = Date(rng.Between(1976, first - 3), rng.Between(1, 12), rng.Between(1, 28));
    orgs_.push_back(std::move(org));
    return static_cast<int>(orgs_.size()) - 1;
  };
  int committees = 0, grassroots_cells = 0;
  for (size_t next = 0; next < sizes.size();) {
    const int left = static_cast<int>(sizes.size() - next);
    if (left >= 3 && rng.PerMille(300)) {
      const std::string company = CompanyName(rng);
      const int gc =
          new_org(v1::ORG_KIND_GRASSROOTS_COMMITTEE, -1, absl::StrFormat("dbcs%04d", ++committees),
                  absl::StrCat("Đảng bộ ", company));
      const int cells = std::min(left, rng.Between(3, 8));
      for (int c = 0; c < cells; ++c) {
        const int cell = new_org(v1::ORG_KIND_SUBORDINATE_CELL, gc,
                                 absl::StrFormat("%s-cb%02d", orgs_[gc].id, c + 1),
                                 absl::StrCat("Chi bộ ", DepartmentName(rng, c + 1)));
        orgs_[gc].cells.push_back(cell);
      }
      next += cells;
    } else {
      new_org(v1::ORG_KIND_GRASSROOTS_CELL, -1, absl::StrFormat("cbcs%04d", ++grassroots_cells),
              absl::StrCat("Chi bộ ", CompanyName(rng)));
      ++next;
    }
  }
  // Members, cell by cell; 3% were admitted during the first year.
  size_t size_index = 0;
  for (int o = 0; o < static_cast<int>(orgs_.size()); ++o) {
    if (!orgs_[o].IsCell()) continue;
    for (int k = 0; k < sizes[size_index]; ++k) {
      const Date admitted = rng.PerMille(30) ? RandomDay(rng, first, 1, 11)
                                             : RandomDay(rng, rng.Between(1976, first - 1), 1, 12);
      AddMember(o, admitted);
    }
    ++size_index;
  }
  // Posts: a cell's head (bí thư) and committee (chi ủy); a grassroots committee's head and a
  // few more seats on its committee (đảng ủy), held by the heads of its cells and others.
  auto pick_plain = [&](const std::vector<int>& pool) {
    for (int tries = 0; tries < 50 && !pool.empty(); ++tries) {
      const int m = pool[rng.Below(static_cast<int>(pool.size()))];
      if (members_[m].posts == 0 && members_[m].admitted_on.year() < first) return m;
    }
    return -1;
  };
  for (int o = 0; o < static_cast<int>(orgs_.size()); ++o) {
    Org& org = orgs_[o];
    if (org.IsCell()) {
      const int head = pick_plain(org.members);
      if (head < 0) continue;
      org.head = head;
      members_[head].posts = kHeadsCell | kSeatOnCell;
      if (org.parent >= 0) members_[head].posts |= kSeatOnGrassrootsCommittee;
      const int seats = org.members.size() >= 9 ? 2 : 0;
      for (int s = 0; s < seats; ++s) {
        const int m = pick_plain(org.members);
        if (m >= 0) members_[m].posts = kSeatOnCell;
      }
    } else {
      std::vector<int> pool;
      for (int cell : org.cells) {
        pool.insert(pool.end(), orgs_[cell].members.begin(), orgs_[cell].members.end());
      }
      const int head = pick_plain(pool);
      if (head >= 0) {
        org.head = head;
        members_[head].posts = kSeatOnGrassrootsCommittee | kHeadsGrassrootsCommittee;
      }
      for (int s = rng.Between(1, 2); s > 0; --s) {
        const int m = pick_plain(pool);
        if (m >= 0) members_[m].posts = kSeatOnGrassrootsCommittee;
      }
    }
  }
}

int Generator::AddMember(int cell, Date admitted_on) {
  const int index = static_cast<int>(members_.size());
  Member m;
  m.org = cell;
  m.admitted_on = admitted_on;
  m.joined_on = admitted_on;
  m.female = Stream(Purpose::kPerson, 0, index).PerMille(450);
  members_.push_back(m);
  orgs_[cell].members.push_back(index);  // Indices grow: the list stays sorted.
  return index;
}

void Generator::MoveMember(int member, int to, Date on) {
  Member& m = members_[member];
  std::vector<int>& from = orgs_[m.org].members;
  from.erase(std::lower_bound(from.begin(), from.end(), member));
  std::vector<int>& into = orgs_[to].members;
  into.insert(std::lower_bound(into.begin(), into.end(), member), member);
  m.previous_since = m.joined_on;
  m.transferred_on = on;
  m.transfer_year = on.year();
  m.joined_on = on;
  m.org = to;
}

void Generator::FillPosts(v1::MemberPosts* posts, int member) const {
  const Member& m = members_[member];
  const Org& cell = orgs_[m.org];
  const std::string& gc = cell.parent >= 0 ? orgs_[cell.parent].id : cell.id;
  if (m.posts & kSeatOnCell) posts->add_committee_of(cell.id);
  if ((m.posts & kSeatOnGrassrootsCommittee) && cell.parent >= 0) posts->add_committee_of(gc);
  if (m.posts & kHeadsCell) posts->add_heads(cell.id);
  if ((m.posts & kHeadsGrassrootsCommittee) && cell.parent >= 0) posts->add_heads(gc);
}

absl::Status Generator::RegisterOrg(int org) {
  const Org& o = orgs_[org];
  v1::Command command;
  v1::OrgSpec* spec = command.mutable_register_org();
  spec->set_id(o.id);
  spec->set_kind(o.kind);
  spec->set_parent(o.parent >= 0 ? orgs_[o.parent].id : "bloc");
  spec->set_founded_on(Text(o.founded_on));
  spec->set_name(o.name);
  // RegisterOrg: a committee over the parent.
  return Emit(command, o.parent >= 0 ? CommitteeOf(o.parent) : Bloc());
}

absl::Status Generator::EnrollMember(int member) {
  Rng rng = Stream(Purpose::kPerson, 1, member);
  const Member& m = members_[member];
  v1::Command command;
  v1::MemberSpec* spec = command.mutable_enroll_member();
  spec->set_id(MemberId(member));
  spec->set_org(orgs_[m.org].id);
  spec->set_admitted_on(Text(m.admitted_on));
  spec->set_name(PersonName(rng, m.female));
  v1::MemberPosts posts;
  FillPosts(&posts, member);
  *spec->mutable_committee_of() = posts.committee_of();
  *spec->mutable_heads() = posts.heads();
  ++stats_.members_enrolled;
  // The grassroots org's committee keeps its members' records (and governs every post listed).
  return Emit(command, CommitteeOf(GrassrootsOf(m.org)));
}

absl::Status Generator::Transfer(int member, int to, Date on, const v1::Principal& issuer) {
  MoveMember(member, to, on);
  v1::Command command;
  v1::MemberTransfer* transfer = command.mutable_transfer_member();
  transfer->set_member(MemberId(member));
  transfer->set_to(orgs_[to].id);
  transfer->set_on(Text(on));
  ++stats_.transfers;
  return Emit(command, issuer);
}

absl::Status Generator::SetStatus(int member, v1::MemberStatus status, Date from) {
  v1::Command command;
  v1::MemberStatusChange* change = command.mutable_set_member_status();
  change->set_member(MemberId(member));
  change->set_status(status);
  change->set_from(Text(from));
  return Emit(command, CommitteeOf(GrassrootsOf(members_[member].org)));
}

absl::Status Generator::ChangePosts(int member, Date on) {
  v1::Command command;
  v1::MemberPosts* posts = command.mutable_change_member_posts();
  posts->set_member(MemberId(member));
  posts->set_on(Text(on));
  FillPosts(posts, member);
  return Emit(command, CommitteeOf(GrassrootsOf(members_[member].org)));
}

}  // namespace rating::cli::generate
