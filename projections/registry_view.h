// The registry as dated histories (R-TIME-1): each org's superior and kind, its founding,
// splits, mergers and transfers; each member's org, status, committee seats and headships.
// Every question about year Y reads them at Y's reference date; a fact recorded late with an
// earlier date counts from that date. Layer: projections. Built only by its On<Event> handlers;
// not thread-safe (the owner locks).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"

#include "rating/v1/domain.pb.h"
#include "rules/placement.h"

namespace rating::projections {

class SnapshotCodec;

using rules::Date;
using OrgKind = v1::OrgKind;

// The first and last dates the histories use: an org registered without a founding date has
// existed since kBeginning; "now" for the registry's latest state is kEndOfTime.
inline const Date kBeginning(1000, 1, 1);
inline const Date kEndOfTime(9999, 12, 31);

struct OrgRecord {
  std::string id;
  std::string name;
  std::optional<Date> founded_on;
  // The superior from each date on (the first entry from the founding date); empty for the bloc.
  std::vector<rules::Dated<std::string>> parents;
  // The kind from each date on.
  std::vector<rules::Dated<OrgKind>> kinds;
  std::vector<Date> split_or_merged_on;
  std::vector<Date> transferred_on;
};

struct MemberRecord {
  std::string id;
  std::string name;
  Date admitted_on;
  std::vector<rules::MembershipSpan> memberships;  // In date order.
  std::vector<rules::StatusSpan> statuses;         // In date order, recording order per date.
  // The orgs whose committee the member sits on, and whose collective they head, from each
  // date on (in date order, recording order per date).
  std::vector<rules::Dated<std::vector<std::string>>> committee_of;
  std::vector<rules::Dated<std::vector<std::string>>> heads;
};

class RegistryView {
 public:
  // A registry holding only the bloc (id "bloc"), which exists from the start.
  RegistryView();

  // The record, or nullptr. Valid until the next On* call.
  const OrgRecord* FindOrg(const std::string& id) const;
  const MemberRecord* FindMember(const std::string& id) const;
  const absl::btree_map<std::string, OrgRecord>& orgs() const { return orgs_; }
  const absl::btree_map<std::string, MemberRecord>& members() const { return members_; }

  // ---- Reads at a date (R-TIME-1). Unknown ids read as "" / UNSPECIFIED / empty.

  // The org's superior at `date` ("" for the bloc, or before the org existed).
  std::string ParentAt(const std::string& org, Date date) const;
  // The org's kind at `date` (its first kind before that).
  OrgKind KindAt(const std::string& org, Date date) const;
  // True if the org exists at `date` (founded on or before it; the bloc always).
  bool ExistsAt(const std::string& org, Date date) const;
  // The org, then each superior up to the bloc, with their kinds at `date`.
  std::vector<rules::OrgAtDate> AncestryAt(const std::string& org, Date date) const;
  // The grassroots org `org` belongs to at `date` (itself if grassroots; "" if none).
  std::string GrassrootsAt(const std::string& org, Date date) const;
  // Direct subordinate orgs at `date`, sorted.
  std::vector<std::string> ChildrenAt(const std::string& org, Date date) const;
  // Every org below `org` at `date` (children, their children, ...), sorted.
  std::vector<std::string> DescendantsAt(const std::string& org, Date date) const;
  // Members whose org at `date` is `org`, sorted.
  std::vector<std::string> MembersAt(const std::string& org, Date date) const;
  // The member's org at `date`; before admission, the first org; "" for an unknown member.
  std::string OrgOfMemberAt(const std::string& member, Date date) const;
  // The orgs whose committee the member sits on / whose collective the member heads, at `date`.
  std::vector<std::string> SeatsAt(const std::string& member, Date date) const;
  std::vector<std::string> HeadshipsAt(const std::string& member, Date date) const;
  // The members sitting on `org`'s committee / heading its collective at `date`, sorted.
  std::vector<std::string> CommitteeMembersAt(const std::string& org, Date date) const;
  std::vector<std::string> HeadsAt(const std::string& org, Date date) const;

  // ---- Event handlers (the events were checked when accepted; replays never re-check).
  void OnOrgRegistered(const v1::OrgSpec& spec);
  void OnOrgRestructured(const v1::OrgRestructuring& change);
  void OnMemberEnrolled(const v1::MemberSpec& spec);
  void OnMemberTransferred(const v1::MemberTransfer& transfer);
  void OnMemberStatusChanged(const v1::MemberStatusChange& change);
  void OnMemberPostsChanged(const v1::MemberPosts& posts);

  // Canonical text of the registry (sorted), for rebuild equality checks.
  std::string Dump() const;

 private:
  friend class SnapshotCodec;  // Writes and loads snapshots (snapshot.cc).
  OrgRecord* MutableOrg(const std::string& id);
  MemberRecord* MutableMember(const std::string& id);
  void IndexPosts(const std::string& member, const std::vector<std::string>& committee_of,
                  const std::vector<std::string>& heads);

  // B-trees: sorted like std::map, with a few allocations per node instead of one per entry.
  absl::btree_map<std::string, OrgRecord> orgs_;
  absl::btree_map<std::string, MemberRecord> members_;
  // Indexes over every date (filtered by the histories at read time), so that reads never
  // scan every org or member: superior -> every org ever under it; org -> every member ever in
  // it; org -> every member who ever sat on its committee / headed its collective.
  absl::btree_map<std::string, absl::btree_set<std::string>> children_ever_;
  absl::btree_map<std::string, absl::btree_set<std::string>> members_ever_;
  absl::btree_map<std::string, absl::btree_set<std::string>> seat_holders_ever_;
  absl::btree_map<std::string, absl::btree_set<std::string>> heads_ever_;
};

// Parses a stored date; a stored event always carries a valid one, so a bad one reads as
// kBeginning (never reached in a log this server wrote).
Date StoredDate(const std::string& text);

}  // namespace rating::projections
