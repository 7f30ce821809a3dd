// The synthetic history's generator (history_generator.h): it builds the registry and plays
// each year of the guideline, emitting every command to the sink as the competent principal
// issues it. Its parts live in history_generator.cc (output, principals, each year's steps),
// history_registry.cc, grassroots_year.cc and unit_outcomes.cc. Internal to cli/generate.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/generate/history_generator.h"
#include "cli/generate/history_model.h"

namespace rating::cli::generate {

// Generates one history (GenerateHistory). Run() once.
class Generator {
 public:
  Generator(const HistoryOptions& options, const CommandSink& sink)
      : options_(options), sink_(sink) {}

  absl::StatusOr<HistoryStats> Run();

 private:
  // Streams and output.
  Rng Stream(Purpose purpose, int year, int entity) const {
    uint64_t key = Mix(options_.seed ^ static_cast<uint64_t>(purpose));
    key = Mix(key ^ static_cast<uint64_t>(year));
    return Rng(Mix(key ^ static_cast<uint64_t>(entity)));
  }
  absl::Status Emit(const v1::Command& command, const v1::Principal& issuer);
  absl::Status EmitDecisions(const v1::Principal& issuer, int year, std::vector<Rating> ratings);

  // Principals competent for each command (R-DEC-1, R-RETRO-2, the command table).
  static v1::Principal MakePrincipal(std::string id, v1::Role role, std::string scope);
  v1::Principal Bloc() const;
  v1::Principal CommitteeOf(int org) const;
  v1::Principal TeamOf(int cell) const;
  v1::Principal Self(int member) const;

  // Ids and subjects.
  std::string MemberId(int member) const { return absl::StrFormat("dv%07d", member + 1); }
  std::string MemberSubject(int member) const { return absl::StrCat("member/", MemberId(member)); }
  int GrassrootsOf(int org) const { return orgs_[org].parent >= 0 ? orgs_[org].parent : org; }
  bool Rated(const Member& m, int year) const;
  bool OrgRated(const Org& org, int year) const {
    return AddMonths(org.founded_on, kOrgAgeMonths) <= Reference(year);
  }

  // The registry.
  void BuildLayout();
  int AddMember(int cell, Date admitted_on);
  void MoveMember(int member, int to, Date on);
  void FillPosts(v1::MemberPosts* posts, int member) const;
  absl::Status RegisterOrg(int org);
  absl::Status EnrollMember(int member);
  absl::Status Transfer(int member, int to, Date on, const v1::Principal& issuer);
  absl::Status SetStatus(int member, v1::MemberStatus status, Date from);
  absl::Status ChangePosts(int member, Date on);

  // One year.
  absl::Status Year(int year);
  absl::Status OpenPeriod(int year);
  absl::Status RevertStatuses(int year);
  absl::Status LateRulings(int year);
  absl::Status FoundCells(int year);
  absl::Status Successions(int year);
  absl::Status Admissions(int year);
  absl::Status Transfers(int year);
  absl::Status StatusChanges(int year);
  absl::Status RulingsOfTheYear(int year);
  absl::Status GrassrootsOrg(int org, int year);
  absl::Status BlocDecisions(int year);

  // Parts of a grassroots org's year.
  CellPlan PlanCell(int cell, int year, Rng& rng);
  absl::Status MemberInputs(const CellPlan& plan, int year, Rng& rng);
  absl::Status EmitSelfAssessment(const MemberPlan& plan, int year, Rng& rng);
  absl::Status Ballots(const CellPlan& plan, int year);
  absl::Status MemberRewards(const std::vector<const MemberPlan*>& decided, int grassroots,
                             int year, Rng& rng);
  void ChooseLateRuling(const MemberPlan& plan, int grassroots, int year, Rng& rng);
  // Records an org's review, scorecard, external ratings and incident; returns its ceiling.
  absl::StatusOr<Level> OrgInputs(int org, const Units& units, int year, bool defect_below,
                                  bool* defect);
  absl::Status CommitteeInputs(int org, Level org_level, int year, const v1::Principal& assessor,
                               Level* ceiling);

  const HistoryOptions options_;
  const CommandSink& sink_;
  HistoryStats stats_;
  std::map<v1::Command::CommandCase, int64_t> by_case_;

  std::vector<Org> orgs_;
  std::vector<Member> members_;
  // This year's facts about a few members: in-year rulings (member -> self-remedied) and
  // conclusions (R-MEM-1).
  std::map<int, bool> disciplined_;
  std::set<int> concluded_;
  std::vector<GrassrootsResult> results_;
  std::vector<LateRuling> late_;  // Chosen in a year, ruled on in the next.
  int decision_numbers_ = 0;      // QĐ 01 numbers.
};


}  // namespace rating::cli::generate
