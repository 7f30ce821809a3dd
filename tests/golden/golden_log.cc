#include "tests/golden/golden_log.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/delimited_message_util.h"
#include "projections/rating_state.h"

namespace rating::golden {

absl::StatusOr<std::vector<Segment>> ReadGoldenLog(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot be read"));
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string bytes = buffer.str();
  google::protobuf::io::ArrayInputStream stream(bytes.data(), static_cast<int>(bytes.size()));
  std::vector<Segment> segments;
  while (true) {
    v1::Envelope envelope;
    bool clean_eof = false;
    if (!google::protobuf::util::ParseDelimitedFromZeroCopyStream(&envelope, &stream, &clean_eof)) {
      if (clean_eof) break;
      return absl::DataLossError(absl::StrCat(path, ": an envelope does not parse"));
    }
    if (envelope.position() == 1 || segments.empty()) segments.emplace_back();
    segments.back().push_back(std::move(envelope));
  }
  return segments;
}

absl::Status WriteGoldenLog(const std::string& path, const std::vector<Segment>& segments) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return absl::InternalError(absl::StrCat(path, ": cannot be written"));
  for (const Segment& segment : segments) {
    for (const v1::Envelope& envelope : segment) {
      if (!google::protobuf::util::SerializeDelimitedToOstream(envelope, &out)) {
        return absl::InternalError(absl::StrCat(path, ": write error"));
      }
    }
  }
  out.flush();
  if (!out) return absl::InternalError(absl::StrCat(path, ": write error"));
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReplayDump(const std::vector<Segment>& segments) {
  std::string out;
  for (size_t i = 0; i < segments.size(); ++i) {
    projections::RatingState state;
    for (const v1::Envelope& envelope : segments[i]) {
      absl::Status applied = state.Apply(envelope);
      if (!applied.ok()) {
        return absl::InternalError(absl::StrCat("segment ", i + 1, " position ",
                                                envelope.position(), ": ", applied.message()));
      }
    }
    absl::StrAppend(&out, "== segment ", i + 1, " (", segments[i].size(), " events)\n",
                    state.Dump());
  }
  return out;
}

}  // namespace rating::golden
