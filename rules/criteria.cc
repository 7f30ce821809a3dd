#include "rules/criteria.h"

namespace rating::rules {
namespace {

// B.III.2.1 (every member) and B.III.2.2 (leaders add three).
constexpr CriterionInfo kMember[] = {
    {"political", "Phẩm chất chính trị, đạo đức, lối sống, ý thức tổ chức kỷ luật",
     "political quality, ethics, lifestyle and discipline", false},
    {"tasks", "Thực hiện nhiệm vụ và chỉ tiêu được giao trong năm",
     "the year's duties and assigned targets", true},
    {"commitment", "Thực hiện cam kết tu dưỡng, rèn luyện, phấn đấu hằng năm", "the yearly pledge",
     false},
    {"remediation", "Khắc phục hạn chế, khuyết điểm đã được chỉ ra",
     "remedying the faults pointed out earlier", false},
};
constexpr CriterionInfo kLeader[] = {
    {"leadership", "Kết quả lãnh đạo, chỉ đạo, quản lý, điều hành",
     "results of leading and managing", true},
    {"initiative", "Tinh thần trách nhiệm, đổi mới, sáng tạo, dám nghĩ, dám làm",
     "responsibility, innovation and daring", false},
    {"example", "Trách nhiệm nêu gương của bản thân và gia đình",
     "the exemplary duty of self and family", false},
};
// C.III.2; programs and results are the key criteria.
const std::vector<CriterionInfo>* const kCommittee = new std::vector<CriterionInfo>{
    {"democratic_centralism", "Thực hiện nguyên tắc tập trung dân chủ, quy chế làm việc, đoàn kết",
     "democratic centralism, rules of work and unity", false},
    {"leadership_responsibility", "Trách nhiệm lãnh đạo, chỉ đạo của cấp ủy",
     "the committee's leadership responsibility", false},
    {"programs", "Thực hiện các chương trình, kế hoạch công tác", "programs and work plans", true},
    {"results", "Kết quả xây dựng Đảng, sản xuất kinh doanh, quốc phòng, an ninh",
     "results in party building, production, defence and security", true},
    {"targets", "Thực hiện các chỉ tiêu, nhiệm vụ", "targets", false},
    {"unit_ratings", "Kết quả xếp loại các tổ chức, đơn vị", "the units' ratings", false},
    {"remediation", "Khắc phục hạn chế, khuyết điểm đã được chỉ ra",
     "remedying the faults pointed out earlier", false},
};

}  // namespace

std::vector<CriterionInfo> MemberCriteriaInfo(bool leader) {
  std::vector<CriterionInfo> out(std::begin(kMember), std::end(kMember));
  if (leader) out.insert(out.end(), std::begin(kLeader), std::end(kLeader));
  return out;
}

const std::vector<CriterionInfo>& CommitteeCriteriaInfo() { return *kCommittee; }

const CriterionInfo* FindCriterion(std::string_view id) {
  for (const CriterionInfo& c : kMember) {
    if (c.id == id) return &c;
  }
  for (const CriterionInfo& c : kLeader) {
    if (c.id == id) return &c;
  }
  for (const CriterionInfo& c : *kCommittee) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

std::vector<std::string> MemberCriteria(bool leader) {
  std::vector<std::string> out;
  for (const CriterionInfo& c : MemberCriteriaInfo(leader)) out.emplace_back(c.id);
  return out;
}

std::vector<std::string> MemberTaskCriteria(bool leader) {
  std::vector<std::string> out;
  for (const CriterionInfo& c : MemberCriteriaInfo(leader)) {
    if (c.special) out.emplace_back(c.id);
  }
  return out;
}

std::vector<std::string> CommitteeCriteria() {
  std::vector<std::string> out;
  for (const CriterionInfo& c : *kCommittee) out.emplace_back(c.id);
  return out;
}

std::vector<std::string> CommitteeKeyCriteria() {
  std::vector<std::string> out;
  for (const CriterionInfo& c : *kCommittee) {
    if (c.special) out.emplace_back(c.id);
  }
  return out;
}

}  // namespace rating::rules
