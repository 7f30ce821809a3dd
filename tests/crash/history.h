// The small, realistic history that crash_rounds drives through ratingd: a period, and per
// round and client one grassroots cell with its members, reviews, self-assessments, a ballot,
// decisions, a reward, an org scorecard, a ruling and its re-rating. Layer: tests/crash (built
// from conformance-format steps, so every command reads as a scenario step would).
#pragma once

#include <string>
#include <vector>

#include "rating/v1/api.pb.h"

namespace rating::crash {

// Who sends a command: one of the principals of the auth config (see Principals()).
enum class Actor { kAdmin, kBloc, kCell };

// One command of the history, with the principal that sends it.
struct HistoryCommand {
  // "r3-c1 decide members": for messages.
  std::string label;
  v1::Command command;
  Actor actor = Actor::kAdmin;
};

// The year of the one period the history opens.
inline constexpr int kYear = 2025;

// The commands run before the first round (opens the period).
std::vector<HistoryCommand> SetupCommands();

// The org id client `client` works on in `round` (1-based rounds): "r3-c1".
std::string CellId(int round, int client);
// The member ids of that cell, in enrollment order.
std::vector<std::string> MemberIds(int round, int client);
// The ballot session of that cell.
std::string SessionId(int round, int client);

// The commands client `client` sends in `round`, in order (each depends on the ones before;
// none depends on another client's). Aborts (RATING_CHECK) if a step does not parse: the
// history is fixed text.
std::vector<HistoryCommand> ClientCommands(int round, int client);

}  // namespace rating::crash
