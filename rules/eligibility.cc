// Who is rated (RULES.md §3): R-SUBJ-1..5.
#include "rules/eligibility.h"

#include <optional>
#include <string>
#include <vector>

#include "rules/internal/finding_util.h"
#include "rules/internal/text_util.h"
#include "rules/placement.h"

namespace rating::rules {

using internal::Cat;
using internal::Holds;
namespace {

using rating::v1::MemberStatus;

// Statuses in force at any time in [from, to].
std::vector<MemberStatus> StatusesDuring(const std::vector<StatusSpan>& statuses, Date from,
                                         Date to) {
  std::vector<MemberStatus> out;
  out.push_back(StatusAt(statuses, from));
  for (const StatusSpan& span : statuses) {
    if (span.from > from && span.from <= to) out.push_back(span.status);
  }
  return out;
}

void SetOnce(Eligibility& e, RatingStatus status, std::string_view rule_id) {
  if (e.status == rating::v1::RATING_STATUS_UNSPECIFIED) {
    e.status = status;
    e.rule_id = std::string(rule_id);
  }
}

// R-SUBJ-3 (IV.2): a subject who is rated waits for its review to be completed.
void MarkReviewMissing(Eligibility& e) {
  SetOnce(e, rating::v1::RATING_STATUS_PENDING, "R-SUBJ-3");
  e.findings.push_back(Holds("R-SUBJ-3", "Chưa hoàn thành kiểm điểm, chưa thể xếp loại",
                             "the review (kiểm điểm) is not completed"));
  e.missing_inputs.push_back("review");
}

}  // namespace

Eligibility MemberEligibility(const MemberEligibilityFacts& facts, const Policy& policy) {
  Eligibility e;
  const Date ref = facts.reference_date;
  const Date year_start(facts.year, 1, 1);

  // R-SUBJ-1 (B.I.2): exempt, suspended, or admitted less than N calendar months before.
  const MemberStatus status = StatusAt(facts.statuses, ref);
  if (status == rating::v1::MEMBER_STATUS_EXEMPT) {
    SetOnce(e, rating::v1::RATING_STATUS_NOT_SUBJECT, "R-SUBJ-1");
    e.findings.push_back(
        Holds("R-SUBJ-1",
              Cat("đảng viên được miễn công tác và sinh hoạt đảng tại ngày ", FormatDate(ref)),
              Cat("member exempt from party work and activity at ", FormatDate(ref))));
  } else if (status == rating::v1::MEMBER_STATUS_SUSPENDED) {
    SetOnce(e, rating::v1::RATING_STATUS_NOT_SUBJECT, "R-SUBJ-1");
    e.findings.push_back(
        Holds("R-SUBJ-1", Cat("đảng viên bị đình chỉ sinh hoạt đảng tại ngày ", FormatDate(ref)),
              Cat("member suspended from party activity at ", FormatDate(ref))));
  }
  // Admitted exactly N months before the reference date is rated; one day later is not.
  if (AddMonths(facts.admitted_on, policy.member_admission_months) > ref) {
    SetOnce(e, rating::v1::RATING_STATUS_NOT_SUBJECT, "R-SUBJ-1");
    e.findings.push_back(
        Holds("R-SUBJ-1",
              Cat("kết nạp ngày ", FormatDate(facts.admitted_on), ", chưa đủ ",
                  policy.member_admission_months, " tháng tại ngày ", FormatDate(ref)),
              Cat("admitted on ", FormatDate(facts.admitted_on), ", less than ",
                  policy.member_admission_months, " months before ", FormatDate(ref))));
  }

  // NOT_SUBJECT beats PENDING: a member who is not rated misses no input.
  const bool rated = e.status != rating::v1::RATING_STATUS_NOT_SUBJECT;
  // R-SUBJ-3 (IV.2): the review must be completed.
  if (rated && !facts.review_completed && !facts.member_review_completed) MarkReviewMissing(e);
  // R-SUBJ-4 (IV.4): temporary activity elsewhere needs the temporary cell's comments.
  if (rated && status == rating::v1::MEMBER_STATUS_TEMPORARY_ELSEWHERE &&
      !facts.comments_temporary_cell) {
    SetOnce(e, rating::v1::RATING_STATUS_PENDING, "R-SUBJ-4");
    e.findings.push_back(Holds("R-SUBJ-4", "thiếu nhận xét của chi bộ nơi sinh hoạt tạm thời",
                               "missing the temporary cell's comments"));
    e.missing_inputs.push_back("comments:temporary_cell");
  }
  // R-SUBJ-4 (IV.5): transferred in during Y after N+ months at a previous org in Y.
  const std::optional<std::string> current = OrgAt(facts.memberships, ref);
  if (rated && current.has_value() && !facts.comments_previous_org) {
    bool needs = false;
    std::string previous;
    for (const MembershipSpan& span : facts.memberships) {
      if (span.org == *current || !span.to.has_value()) continue;
      const Date from = span.from > year_start ? span.from : year_start;
      const Date to = *span.to < ref ? *span.to : ref;
      if (from < to && AddMonths(from, policy.transfer_comment_months) <= to) {
        needs = true;
        previous = span.org;
      }
    }
    if (needs) {
      SetOnce(e, rating::v1::RATING_STATUS_PENDING, "R-SUBJ-4");
      e.findings.push_back(
          Holds("R-SUBJ-4",
                Cat("chuyển sinh hoạt trong năm sau ", policy.transfer_comment_months,
                    " tháng trở lên ở tổ chức đảng ", previous, ": thiếu nhận xét"),
                Cat("transferred in after ", policy.transfer_comment_months, "+ months at org ",
                    previous, " this year: missing its comments")));
      e.missing_inputs.push_back("comments:previous_org");
    }
  }

  // R-SUBJ-5 (IV.3): a note only.
  bool sick = false;
  bool maternity = false;
  for (MemberStatus s : StatusesDuring(facts.statuses, year_start, ref)) {
    sick = sick || s == rating::v1::MEMBER_STATUS_SICK_LEAVE;
    maternity = maternity || s == rating::v1::MEMBER_STATUS_MATERNITY;
  }
  if (sick) {
    e.notes.push_back("R-SUBJ-5: sick_leave");
    e.findings.push_back(Holds("R-SUBJ-5",
                               "nghỉ ốm: xếp loại theo kết quả làm việc thực tế trong năm",
                               "sick leave: rated on the work actually done"));
  }
  if (maternity) {
    e.notes.push_back("R-SUBJ-5: maternity");
    e.findings.push_back(Holds("R-SUBJ-5",
                               "nghỉ thai sản: xếp loại theo kết quả làm việc thực tế trong năm",
                               "maternity leave: rated on the work actually done"));
  }
  return e;
}

Eligibility OrgEligibility(const OrgEligibilityFacts& facts, const Policy& policy) {
  Eligibility e;
  const Date ref = facts.reference_date;
  // R-SUBJ-2 (IV.1): founded, split or merged less than N months before the reference date.
  if (facts.founded_on.has_value() && AddMonths(*facts.founded_on, policy.org_age_months) > ref) {
    SetOnce(e, rating::v1::RATING_STATUS_NOT_SUBJECT, "R-SUBJ-2");
    e.findings.push_back(Holds("R-SUBJ-2",
                               Cat("thành lập ngày ", FormatDate(*facts.founded_on), ", chưa đủ ",
                                   policy.org_age_months, " tháng"),
                               Cat("founded on ", FormatDate(*facts.founded_on), ", less than ",
                                   policy.org_age_months, " months before ", FormatDate(ref))));
  }
  for (const Date& on : facts.split_or_merged_on) {
    if (on <= ref && AddMonths(on, policy.org_age_months) > ref) {
      SetOnce(e, rating::v1::RATING_STATUS_NOT_SUBJECT, "R-SUBJ-2");
      e.findings.push_back(Holds("R-SUBJ-2",
                                 Cat("chia tách, sáp nhập ngày ", FormatDate(on), ", chưa đủ ",
                                     policy.org_age_months, " tháng"),
                                 Cat("split or merged on ", FormatDate(on), ", less than ",
                                     policy.org_age_months, " months before ", FormatDate(ref))));
    }
  }
  // NOT_SUBJECT beats PENDING.
  const bool rated = e.status != rating::v1::RATING_STATUS_NOT_SUBJECT;
  // R-SUBJ-3 (IV.2).
  if (rated && !facts.review_completed) MarkReviewMissing(e);
  // R-SUBJ-4 (IV.1): transferred to a new superior during year Y.
  bool transferred = false;
  for (const Date& on : facts.transferred_on) {
    transferred = transferred || (on.year() == facts.year && on <= ref);
  }
  if (rated && transferred && !facts.comments_previous_superior) {
    SetOnce(e, rating::v1::RATING_STATUS_PENDING, "R-SUBJ-4");
    e.findings.push_back(Holds("R-SUBJ-4",
                               "chuyển giao trong năm: thiếu nhận xét của cấp ủy cấp trên nơi "
                               "chuyển giao",
                               "transferred this year: missing the previous superior's comments"));
    e.missing_inputs.push_back("comments:previous_superior");
  }
  return e;
}

}  // namespace rating::rules
