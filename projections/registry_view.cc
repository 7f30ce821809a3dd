#include "projections/registry_view.h"

#include <algorithm>
#include <deque>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace rating::projections {
namespace {

constexpr char kBloc[] = "bloc";

// Inserts `value` from `from` into a dated history: after every entry from on or before that
// date, so that within one date the later record wins.
template <typename T>
void InsertDated(std::vector<rules::Dated<T>>& history, Date from, T value) {
  auto at = std::upper_bound(history.begin(), history.end(), from,
                             [](Date d, const rules::Dated<T>& e) { return d < e.from; });
  history.insert(at, rules::Dated<T>{from, std::move(value)});
}

std::vector<std::string> Listed(
    const absl::btree_map<std::string, absl::btree_set<std::string>>& index,
                                const std::string& key) {
  auto it = index.find(key);
  if (it == index.end()) return {};
  return std::vector<std::string>(it->second.begin(), it->second.end());
}

bool Contains(const std::vector<std::string>* values, const std::string& value) {
  return values != nullptr && std::find(values->begin(), values->end(), value) != values->end();
}

std::string DatedDump(const std::vector<rules::Dated<std::vector<std::string>>>& history) {
  std::string out;
  for (const auto& entry : history) {
    absl::StrAppend(&out, " ", rules::FormatDate(entry.from), "=[", absl::StrJoin(entry.value, ","),
                    "]");
  }
  return out;
}

}  // namespace

Date StoredDate(const std::string& text) {
  auto parsed = rules::ParseDate(text);
  return parsed.ok() ? *parsed : kBeginning;
}

RegistryView::RegistryView() {
  OrgRecord bloc;
  bloc.id = kBloc;
  bloc.name = "Đảng bộ Khối";
  bloc.kinds.push_back({kBeginning, v1::ORG_KIND_BLOC});
  orgs_[kBloc] = std::move(bloc);
}

const OrgRecord* RegistryView::FindOrg(const std::string& id) const {
  auto it = orgs_.find(id);
  return it == orgs_.end() ? nullptr : &it->second;
}

const MemberRecord* RegistryView::FindMember(const std::string& id) const {
  auto it = members_.find(id);
  return it == members_.end() ? nullptr : &it->second;
}

OrgRecord* RegistryView::MutableOrg(const std::string& id) {
  auto it = orgs_.find(id);
  return it == orgs_.end() ? nullptr : &it->second;
}

MemberRecord* RegistryView::MutableMember(const std::string& id) {
  auto it = members_.find(id);
  return it == members_.end() ? nullptr : &it->second;
}

std::string RegistryView::ParentAt(const std::string& org, Date date) const {
  const OrgRecord* record = FindOrg(org);
  if (record == nullptr) return "";
  const std::string* parent = rules::ValueAt(record->parents, date);
  return parent == nullptr ? "" : *parent;
}

OrgKind RegistryView::KindAt(const std::string& org, Date date) const {
  const OrgRecord* record = FindOrg(org);
  if (record == nullptr || record->kinds.empty()) return v1::ORG_KIND_UNSPECIFIED;
  const OrgKind* kind = rules::ValueAt(record->kinds, date);
  return kind == nullptr ? record->kinds.front().value : *kind;
}

bool RegistryView::ExistsAt(const std::string& org, Date date) const {
  if (org == kBloc) return true;
  const OrgRecord* record = FindOrg(org);
  return record != nullptr && !record->parents.empty() && record->parents.front().from <= date;
}

std::vector<rules::OrgAtDate> RegistryView::AncestryAt(const std::string& org, Date date) const {
  std::vector<rules::OrgAtDate> chain;
  std::string current = org;
  // An org tree is at most a few levels deep; the bound guards against a malformed log.
  while (!current.empty() && chain.size() < 64) {
    chain.push_back({current, KindAt(current, date)});
    if (current == kBloc) break;
    current = ParentAt(current, date);
  }
  return chain;
}

std::string RegistryView::GrassrootsAt(const std::string& org, Date date) const {
  return rules::GrassrootsOf(AncestryAt(org, date));
}

std::vector<std::string> RegistryView::ChildrenAt(const std::string& org, Date date) const {
  std::vector<std::string> out;
  auto it = children_ever_.find(org);
  if (it == children_ever_.end()) return out;
  for (const std::string& child : it->second) {
    if (ParentAt(child, date) == org) out.push_back(child);
  }
  return out;
}

std::vector<std::string> RegistryView::DescendantsAt(const std::string& org, Date date) const {
  std::vector<std::string> out;
  std::deque<std::string> queue = {org};
  // Each org once: a malformed log (an org its own superior, a cycle) cannot make the walk
  // go round (the envelope fuzzer's forged org "" under "" made it run a million steps).
  std::set<std::string> seen = {org};
  while (!queue.empty()) {
    const std::string current = std::move(queue.front());
    queue.pop_front();
    for (std::string& child : ChildrenAt(current, date)) {
      if (!seen.insert(child).second) continue;
      out.push_back(child);
      queue.push_back(std::move(child));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> RegistryView::MembersAt(const std::string& org, Date date) const {
  std::vector<std::string> out;
  auto it = members_ever_.find(org);
  if (it == members_ever_.end()) return out;
  for (const std::string& id : it->second) {
    const MemberRecord* member = FindMember(id);
    if (member != nullptr && rules::OrgAt(member->memberships, date) == org) out.push_back(id);
  }
  return out;
}

std::string RegistryView::OrgOfMemberAt(const std::string& member, Date date) const {
  const MemberRecord* record = FindMember(member);
  if (record == nullptr || record->memberships.empty()) return "";
  if (auto org = rules::OrgAt(record->memberships, date)) return *org;
  return record->memberships.front().org;
}

std::vector<std::string> RegistryView::SeatsAt(const std::string& member, Date date) const {
  const MemberRecord* record = FindMember(member);
  if (record == nullptr) return {};
  const std::vector<std::string>* seats = rules::ValueAt(record->committee_of, date);
  return seats == nullptr ? std::vector<std::string>() : *seats;
}

std::vector<std::string> RegistryView::HeadshipsAt(const std::string& member, Date date) const {
  const MemberRecord* record = FindMember(member);
  if (record == nullptr) return {};
  const std::vector<std::string>* heads = rules::ValueAt(record->heads, date);
  return heads == nullptr ? std::vector<std::string>() : *heads;
}

std::vector<std::string> RegistryView::CommitteeMembersAt(const std::string& org, Date date) const {
  std::vector<std::string> out;
  for (const std::string& id : Listed(seat_holders_ever_, org)) {
    const MemberRecord* member = FindMember(id);
    if (member != nullptr && Contains(rules::ValueAt(member->committee_of, date), org)) {
      out.push_back(id);
    }
  }
  return out;
}

std::vector<std::string> RegistryView::HeadsAt(const std::string& org, Date date) const {
  std::vector<std::string> out;
  for (const std::string& id : Listed(heads_ever_, org)) {
    const MemberRecord* member = FindMember(id);
    if (member != nullptr && Contains(rules::ValueAt(member->heads, date), org)) {
      out.push_back(id);
    }
  }
  return out;
}

void RegistryView::OnOrgRegistered(const v1::OrgSpec& spec) {
  OrgRecord record;
  record.id = spec.id();
  record.name = spec.name();
  Date from = kBeginning;
  if (!spec.founded_on().empty()) {
    record.founded_on = StoredDate(spec.founded_on());
    from = *record.founded_on;
  }
  record.parents.push_back({from, spec.parent()});
  record.kinds.push_back({from, spec.kind()});
  orgs_[spec.id()] = std::move(record);
  children_ever_[spec.parent()].insert(spec.id());
}

void RegistryView::OnOrgRestructured(const v1::OrgRestructuring& change) {
  OrgRecord* org = MutableOrg(change.id());
  if (org == nullptr) return;
  const Date on = StoredDate(change.on());
  if (change.change() == v1::RESTRUCTURE_CHANGE_TRANSFERRED) {
    org->transferred_on.push_back(on);
    if (!change.new_parent().empty()) {
      InsertDated(org->parents, on, change.new_parent());
      children_ever_[change.new_parent()].insert(change.id());
    }
  } else {
    org->split_or_merged_on.push_back(on);
  }
  if (change.new_kind() != v1::ORG_KIND_UNSPECIFIED) InsertDated(org->kinds, on, change.new_kind());
}

void RegistryView::IndexPosts(const std::string& member,
                              const std::vector<std::string>& committee_of,
                              const std::vector<std::string>& heads) {
  for (const std::string& org : committee_of) seat_holders_ever_[org].insert(member);
  for (const std::string& org : heads) heads_ever_[org].insert(member);
}

void RegistryView::OnMemberEnrolled(const v1::MemberSpec& spec) {
  MemberRecord record;
  record.id = spec.id();
  record.name = spec.name();
  record.admitted_on = StoredDate(spec.admitted_on());
  record.memberships.push_back({spec.org(), record.admitted_on, std::nullopt});
  // The posts named at enrollment hold from the admission on (the only date recorded).
  std::vector<std::string> committee_of(spec.committee_of().begin(), spec.committee_of().end());
  std::vector<std::string> heads(spec.heads().begin(), spec.heads().end());
  IndexPosts(spec.id(), committee_of, heads);
  record.committee_of.push_back({record.admitted_on, std::move(committee_of)});
  record.heads.push_back({record.admitted_on, std::move(heads)});
  members_[spec.id()] = std::move(record);
  members_ever_[spec.org()].insert(spec.id());
}

void RegistryView::OnMemberTransferred(const v1::MemberTransfer& transfer) {
  MemberRecord* member = MutableMember(transfer.member());
  if (member == nullptr) return;
  const Date on = StoredDate(transfer.on());
  auto& spans = member->memberships;
  if (!spans.empty() && !spans.back().to.has_value()) spans.back().to = on;
  spans.push_back({transfer.to(), on, std::nullopt});
  members_ever_[transfer.to()].insert(transfer.member());
}

void RegistryView::OnMemberStatusChanged(const v1::MemberStatusChange& change) {
  MemberRecord* member = MutableMember(change.member());
  if (member == nullptr) return;
  auto& statuses = member->statuses;
  const Date from = StoredDate(change.from());
  // R-SUBJ-1: in date order, recording order within one date (the later record wins).
  auto at = std::upper_bound(statuses.begin(), statuses.end(), from,
                             [](Date d, const rules::StatusSpan& s) { return d < s.from; });
  statuses.insert(at, rules::StatusSpan{change.status(), from});
}

void RegistryView::OnMemberPostsChanged(const v1::MemberPosts& posts) {
  MemberRecord* member = MutableMember(posts.member());
  if (member == nullptr) return;
  const Date on = StoredDate(posts.on());
  std::vector<std::string> committee_of(posts.committee_of().begin(), posts.committee_of().end());
  std::vector<std::string> heads(posts.heads().begin(), posts.heads().end());
  IndexPosts(posts.member(), committee_of, heads);
  InsertDated(member->committee_of, on, std::move(committee_of));
  InsertDated(member->heads, on, std::move(heads));
}

std::string RegistryView::Dump() const {
  std::string out;
  for (const auto& [id, o] : orgs_) {
    absl::StrAppend(&out, "org ", id, " name '", o.name, "' founded ",
                    o.founded_on ? rules::FormatDate(*o.founded_on) : "-", " parents");
    for (const auto& p : o.parents) {
      absl::StrAppend(&out, " ", rules::FormatDate(p.from), "=", p.value);
    }
    absl::StrAppend(&out, " kinds");
    for (const auto& k : o.kinds) {
      absl::StrAppend(&out, " ", rules::FormatDate(k.from), "=", static_cast<int>(k.value));
    }
    absl::StrAppend(&out, " splits");
    for (Date d : o.split_or_merged_on) absl::StrAppend(&out, " ", rules::FormatDate(d));
    absl::StrAppend(&out, " transfers");
    for (Date d : o.transferred_on) absl::StrAppend(&out, " ", rules::FormatDate(d));
    out += "\n";
  }
  for (const auto& [id, m] : members_) {
    absl::StrAppend(&out, "member ", id, " name '", m.name, "' admitted ",
                    rules::FormatDate(m.admitted_on), " orgs");
    for (const auto& span : m.memberships) {
      absl::StrAppend(&out, " [", span.org, " ", rules::FormatDate(span.from), " ",
                      span.to ? rules::FormatDate(*span.to) : "-", "]");
    }
    absl::StrAppend(&out, " statuses");
    for (const auto& s : m.statuses) {
      absl::StrAppend(&out, " ", rules::FormatDate(s.from), "=", static_cast<int>(s.status));
    }
    absl::StrAppend(&out, " seats", DatedDump(m.committee_of), " heads", DatedDump(m.heads), "\n");
  }
  return out;
}

}  // namespace rating::projections
