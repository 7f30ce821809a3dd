// The compact rating's comment sources: one bit per source the guideline knows.
#include "projections/subject_year_view.h"

#include <gtest/gtest.h>

#include "tests/projections/state_builder.h"

namespace rating::projections {
namespace {

using testing::StateBuilder;

TEST(SubjectYearViewTest, EachKnownCommentSourceIsKeptOnItsOwn) {
  StateBuilder b;
  b.Add("comments_received { subject: 'member/m1' year: 2025 "
        "source: COMMENT_SOURCE_TEMPORARY_CELL }");
  const SubjectYear* rating = b.state().ratings().Find("member/m1", 2025);
  ASSERT_NE(rating, nullptr);
  EXPECT_TRUE(rating->HasComments(v1::COMMENT_SOURCE_TEMPORARY_CELL));
  EXPECT_FALSE(rating->HasComments(v1::COMMENT_SOURCE_PREVIOUS_SUPERIOR));
}

// A stored event may carry a source this version does not know (an open enum: the fuzzer's
// envelope with source 104 once shifted a 32-bit one by 104 bits). It replays and sets nothing.
TEST(SubjectYearViewTest, AnUnknownCommentSourceReplaysAndCountsAsNone) {
  StateBuilder b;
  b.Add("comments_received { subject: 'member/m1' year: 2025 source: 104 }");
  b.Add("comments_received { subject: 'member/m1' year: 2025 source: -3 }");
  const SubjectYear* rating = b.state().ratings().Find("member/m1", 2025);
  ASSERT_NE(rating, nullptr);
  EXPECT_FALSE(rating->HasComments(v1::COMMENT_SOURCE_TEMPORARY_CELL));
  EXPECT_FALSE(rating->HasComments(static_cast<v1::CommentSource>(104)));
}

}  // namespace
}  // namespace rating::projections
