// The synthetic history generator (cli/generate): deterministic to the byte, accepted command
// by command by the engine as the competent principals, realistic in what it leaves decided,
// round-tripped through an import file, and streamed year by year through its sink.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/generate/generate_commands.h"
#include "cli/generate/history_generator.h"
#include "cli/generate/import_file.h"
#include "common/clock.h"
#include "eventstore/in_memory_event_store.h"
#include "projections/rating_reads.h"
#include "rating/v1/events.pb.h"
#include "services/engine.h"
#include "tests/testing/status_matchers.h"

namespace rating::cli {
namespace {

using ::rating::testing::IsOk;
using ::rating::testing::StatusIs;

// A fresh directory of this test's own under the test temp dir.
std::filesystem::path TestDir() {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) /
      absl::StrCat("generate_test-", info->test_suite_name(), "-", info->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

std::string ReadBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// `ratingctl generate --members M --years Y --seed S --out PATH`; the exit status.
int GenerateFile(int members, int years, int seed, const std::filesystem::path& path) {
  std::ostringstream out, err;
  const int status = RunGenerate({{"members", absl::StrCat(members)},
                                  {"years", absl::StrCat(years)},
                                  {"seed", absl::StrCat(seed)},
                                  {"out", path.string()}},
                                 {}, "", "", out, err);
  EXPECT_EQ(err.str(), "");
  return status;
}

TEST(HistoryGeneratorTest, SameOptionsGiveTheSameBytesAnotherSeedDiffers) {
  const std::filesystem::path dir = TestDir();
  ASSERT_EQ(GenerateFile(300, 2, 7, dir / "a.imp"), 0);
  ASSERT_EQ(GenerateFile(300, 2, 7, dir / "b.imp"), 0);
  ASSERT_EQ(GenerateFile(300, 2, 8, dir / "c.imp"), 0);
  const std::string a = ReadBytes(dir / "a.imp");
  EXPECT_GT(a.size(), 100000u);
  EXPECT_EQ(a, ReadBytes(dir / "b.imp"));
  EXPECT_NE(a, ReadBytes(dir / "c.imp"));
}

TEST(HistoryGeneratorTest, SizesSetMembersAndYearsAndBadOptionsAreRefused) {
  ASSERT_THAT(SizePreset("province"), IsOk());
  EXPECT_EQ(SizePreset("province")->members, 30000);
  EXPECT_EQ(SizePreset("nation-slice")->years, 5);
  EXPECT_THAT(SizePreset("planet"), StatusIs(absl::StatusCode::kInvalidArgument));
  HistoryOptions options;
  options.members = 10;
  EXPECT_THAT(CheckHistoryOptions(options), StatusIs(absl::StatusCode::kInvalidArgument));
  options.members = 100;
  options.first_year = 2099;
  EXPECT_THAT(CheckHistoryOptions(options), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(GenerateHistory(options, [](const v1::Command&,
                                          const v1::Principal&) { return absl::OkStatus(); }),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

// Plays a 300-member, 3-year history into the engine, each command as its issuer (so that
// authority is checked too), then reads what it left.
class GeneratedHistoryTest : public ::testing::Test {
 protected:
  static constexpr int kFirstYear = 2021;
  static constexpr int kYears = 3;

  void SetUp() override {
    auto engine = services::Engine::Open(store_);
    ASSERT_THAT(engine, IsOk());
    engine_ = *std::move(engine);
    HistoryOptions options;
    options.members = 300;
    options.years = kYears;
    options.seed = 11;
    options.first_year = kFirstYear;
    int64_t index = 0;
    absl::StatusOr<HistoryStats> stats =
        GenerateHistory(options, [&](const v1::Command& command, const v1::Principal& issuer) {
          absl::StatusOr<v1::CommandReply> reply = engine_->Execute(issuer, command, "");
          ++index;
          if (reply.ok()) return absl::OkStatus();
          return absl::Status(reply.status().code(),
                              absl::StrCat("command ", index - 1, " as ", issuer.id(), ": ",
                                           reply.status().message(), "\n",
                                           command.ShortDebugString().substr(0, 1000)));
        });
    ASSERT_THAT(stats, IsOk());
    stats_ = *stats;
  }

  // Counts of each event kind in the log.
  std::map<v1::Event::PayloadCase, int> EventCounts() {
    std::map<v1::Event::PayloadCase, int> counts;
    EXPECT_THAT(store_.ForEach(1,
                               [&](const v1::Envelope& envelope) {
                                 v1::Event event;
                                 EXPECT_TRUE(event.ParseFromString(envelope.payload()));
                                 ++counts[event.payload_case()];
                                 return true;
                               }),
                IsOk());
    return counts;
  }

  common::FakeClock clock_;
  eventstore::InMemoryEventStore store_{clock_};
  std::unique_ptr<services::Engine> engine_;
  HistoryStats stats_;
};

TEST_F(GeneratedHistoryTest, EveryRatedMemberYearIsDecidedInARealisticMix) {
  std::map<v1::Level, int> levels;
  int decided = 0, not_subject = 0, pending = 0, members = 0;
  int orgs_decided = 0, orgs = 0;
  ASSERT_THAT(engine_->Read({},
                            [&](const projections::RatingState& state) {
                              for (int year = kFirstYear; year < kFirstYear + kYears; ++year) {
                                const projections::PeriodInfo* period = state.FindPeriod(year);
                                if (period == nullptr) return absl::NotFoundError("period");
                                const projections::RatingFacts facts(state, *period);
                                for (const auto& [id, member] : state.registry().members()) {
                                  const v1::RatingView view = projections::RatingViewOf(
                                      facts, {rules::SubjectKind::kMember, id});
                                  ++members;
                                  if (view.status() == v1::RATING_STATUS_NOT_SUBJECT) {
                                    ++not_subject;
                                  } else if (view.status() == v1::RATING_STATUS_PENDING) {
                                    ++pending;
                                  } else {
                                    ++decided;
                                    ++levels[view.level()];
                                  }
                                }
                                for (const std::string& org :
                                     state.registry().ChildrenAt("bloc", period->reference_date)) {
                                  ++orgs;
                                  const v1::RatingView view = projections::RatingViewOf(
                                      facts, {rules::SubjectKind::kOrg, org});
                                  if (view.level() != v1::LEVEL_UNSPECIFIED) ++orgs_decided;
                                }
                              }
                              return absl::OkStatus();
                            }),
              IsOk());
  EXPECT_EQ(pending, 0);
  EXPECT_EQ(decided, stats_.member_ratings);
  // Not rated: members admitted later (or less than 6 months before), exempt or suspended.
  EXPECT_GT(decided, members * 85 / 100) << not_subject << " not rated";
  EXPECT_EQ(orgs_decided, orgs);
  // Most HTTNV, some HTXSNV within the 20% quota, some HTNV, a few KHTNV (late re-ratings
  // included).
  EXPECT_GT(levels[v1::LEVEL_HTTNV], decided / 2);
  EXPECT_GT(levels[v1::LEVEL_HTXSNV], decided / 20);
  EXPECT_LE(levels[v1::LEVEL_HTXSNV], decided / 5);
  EXPECT_GT(levels[v1::LEVEL_HTNV], decided / 50);
  EXPECT_GE(levels[v1::LEVEL_KHTNV], 1);
}

TEST_F(GeneratedHistoryTest, HistoryHoldsLateRulingsReratingsAndTransfers) {
  EXPECT_GE(stats_.late_rulings, kYears);  // At least one per decided year.
  EXPECT_EQ(stats_.reratings, stats_.late_rulings);
  EXPECT_GE(stats_.transfers, 1);
  std::map<v1::Event::PayloadCase, int> events = EventCounts();
  EXPECT_EQ(events[v1::Event::kRerated], stats_.reratings);
  EXPECT_EQ(events[v1::Event::kMemberTransferred], stats_.transfers);
  EXPECT_EQ(events[v1::Event::kDisciplineRuled], stats_.late_rulings + stats_.rulings_in_year);
  // The late rulings flagged the decided ratings they reached (R-RETRO-1).
  EXPECT_GE(events[v1::Event::kRatingFlagged], 1);
  EXPECT_GT(events[v1::Event::kBallotsRecorded], 0);
  EXPECT_GT(events[v1::Event::kMemberStatusChanged], 0);
}

TEST(ImportFileTest, TheFileReadsBackAsTheCommandsGenerated) {
  const std::filesystem::path path = TestDir() / "history.imp";
  HistoryOptions options;
  options.members = 100;
  options.years = 1;
  std::vector<v1::ImportRequest> written;
  auto writer = ImportFileWriter::Create(path.string(), DescribeOptions(options));
  ASSERT_THAT(writer, IsOk());
  ASSERT_THAT(GenerateHistory(options,
                              [&](const v1::Command& command, const v1::Principal&) {
                                v1::ImportRequest& request = written.emplace_back();
                                request.set_request_id(HistoryRequestId(options, written.size()));
                                *request.mutable_command() = command;
                                return (*writer)->Append(request);
                              }),
              IsOk());
  ASSERT_THAT((*writer)->Close(), IsOk());

  auto reader = ImportFileReader::Open(path.string());
  ASSERT_THAT(reader, IsOk());
  EXPECT_EQ((*reader)->description(), DescribeOptions(options));
  for (const v1::ImportRequest& expected : written) {
    absl::StatusOr<std::optional<v1::ImportRequest>> read = (*reader)->Next();
    ASSERT_THAT(read, IsOk());
    ASSERT_TRUE(read->has_value());
    EXPECT_EQ((*read)->SerializeAsString(), expected.SerializeAsString());
  }
  absl::StatusOr<std::optional<v1::ImportRequest>> end = (*reader)->Next();
  ASSERT_THAT(end, IsOk());
  EXPECT_FALSE(end->has_value());
}

TEST(ImportFileTest, ATruncatedFileIsDataLossAndAnotherFileIsNotOne) {
  const std::filesystem::path dir = TestDir();
  ASSERT_EQ(GenerateFile(30, 1, 1, dir / "whole.imp"), 0);
  const std::string bytes = ReadBytes(dir / "whole.imp");
  std::ofstream(dir / "cut.imp", std::ios::binary) << bytes.substr(0, bytes.size() - 3);
  auto reader = ImportFileReader::Open((dir / "cut.imp").string());
  ASSERT_THAT(reader, IsOk());
  absl::Status status;
  while (status.ok()) {
    absl::StatusOr<std::optional<v1::ImportRequest>> next = (*reader)->Next();
    status = next.status();
    if (status.ok() && !next->has_value()) break;
  }
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kDataLoss));

  std::ofstream(dir / "other.txt") << "hello\n";
  EXPECT_THAT(ImportFileReader::Open((dir / "other.txt").string()),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ImportFileReader::Open((dir / "missing.imp").string()),
              StatusIs(absl::StatusCode::kNotFound));
}

// Memory is bounded by design: the generator hands each command to the sink as it makes it and
// keeps none. A sink's error stops it at once; years come one after the other (nothing of a
// year is produced after the next one opens, but its late rulings); no command carries more
// than one decision's thousand subjects or one cell's ballots.
TEST(HistoryGeneratorTest, CommandsStreamYearByYearThroughTheSink) {
  HistoryOptions options;
  options.members = 3000;
  options.years = 2;
  int calls = 0;
  EXPECT_THAT(GenerateHistory(options,
                              [&](const v1::Command&, const v1::Principal&) {
                                return ++calls == 500 ? absl::CancelledError("enough")
                                                      : absl::OkStatus();
                              }),
              StatusIs(absl::StatusCode::kCancelled));
  EXPECT_EQ(calls, 500);

  int open_year = 0;
  size_t largest = 0;
  int largest_decision = 0;
  std::vector<std::string> out_of_order;
  absl::StatusOr<HistoryStats> stats =
      GenerateHistory(options, [&](const v1::Command& command, const v1::Principal&) {
        largest = std::max(largest, command.ByteSizeLong());
        switch (command.command_case()) {
          case v1::Command::kOpenPeriod:
            open_year = command.open_period().year();
            break;
          case v1::Command::kDecideRatings:
            largest_decision = std::max(largest_decision, command.decide_ratings().ratings_size());
            if (command.decide_ratings().year() != open_year) {
              out_of_order.push_back(command.ShortDebugString().substr(0, 80));
            }
            break;
          case v1::Command::kRerate:  // QĐ 01 on the year before, early in the next.
            if (command.rerate().year() != open_year - 1 && command.rerate().year() != open_year) {
              out_of_order.push_back(command.ShortDebugString().substr(0, 80));
            }
            break;
          default:
            break;
        }
        return absl::OkStatus();
      });
  ASSERT_THAT(stats, IsOk());
  EXPECT_GT(stats->commands, 10000);
  EXPECT_TRUE(out_of_order.empty()) << out_of_order.front();
  EXPECT_LE(largest_decision, 1000);
  EXPECT_LT(largest, 512u << 10);
}

}  // namespace
}  // namespace rating::cli
