// Who is rated, and whether inputs are missing (RULES.md §3: R-SUBJ-1..5). Layer: rules (pure).
#pragma once

#include "rules/facts.h"
#include "rules/policy.h"

namespace rating::rules {

// R-SUBJ-1, R-SUBJ-3, R-SUBJ-4 (temporary activity, transfer in), R-SUBJ-5 (notes).
// NOT_SUBJECT (R-SUBJ-1) beats PENDING and then names no missing input. Admission: rated iff
// AddMonths(admitted_on, member_admission_months) <= reference_date. Statuses are read at the
// reference date. R-SUBJ-3: the review recorded on member/ID serves leader/ID too. Transfer in:
// comments:previous_org is needed when a membership span at another org than the one at the
// reference date covers transfer_comment_months or more of [Jan 1 of Y, reference_date].
// Notes: "R-SUBJ-5: sick_leave" / "R-SUBJ-5: maternity" when such a status is in force at any
// time in [Jan 1 of Y, reference_date].
Eligibility MemberEligibility(const MemberEligibilityFacts& facts, const Policy& policy);

// R-SUBJ-2, R-SUBJ-3, R-SUBJ-4 (transferred org). R-SUBJ-2: founded, split or merged on a date
// d <= reference_date with AddMonths(d, org_age_months) > reference_date (founded after the
// reference date: also NOT_SUBJECT). R-SUBJ-4: a transfer dated in year Y, on or before the
// reference date (a later one is next year's business).
Eligibility OrgEligibility(const OrgEligibilityFacts& facts, const Policy& policy);

}  // namespace rating::rules
