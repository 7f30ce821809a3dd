// One-line statements of every rule of RULES.md, in Vietnamese and English.
#include <string>
#include <string_view>
#include <vector>

#include "rules/internal/text_util.h"
#include "rules/types.h"

namespace rating::rules {
namespace {

struct RuleText {
  std::string_view id;
  std::string_view vi;
  std::string_view en;
};

// In RULES.md order.
constexpr RuleText kRuleTexts[] = {
    {"R-QUOTA",
     "Số xếp loại Hoàn thành xuất sắc nhiệm vụ không vượt quá 20% số xếp loại Hoàn thành tốt "
     "nhiệm vụ trở lên; dưới 05 thì chọn 01 nếu đủ điều kiện",
     "excellent ratings never exceed 20% of those rated good or better; under five, one may be "
     "excellent if it qualifies"},
    {"R-SUBJ-1",
     "Không xếp loại đảng viên được miễn công tác và sinh hoạt đảng, bị đình chỉ sinh hoạt "
     "đảng hoặc mới kết nạp chưa đủ 6 tháng",
     "members exempt from party work, suspended, or admitted less than 6 months earlier are not "
     "rated"},
    {"R-SUBJ-2",
     "Tổ chức đảng mới thành lập, chia tách, sáp nhập chưa đủ 6 tháng thì không xếp loại",
     "an org founded, split or merged less than 6 months earlier is not rated"},
    {"R-SUBJ-3", "Phải hoàn thành kiểm điểm mới được đánh giá, xếp loại",
     "no rating before the review is completed"},
    {"R-SUBJ-4",
     "Phải có ý kiến nhận xét của cấp ủy cấp trên nơi chuyển giao, chi bộ nơi sinh hoạt tạm "
     "thời hoặc tổ chức đảng trước đây",
     "the previous superior's, temporary cell's or previous org's written comments are needed"},
    {"R-TIME-1",
     "Cơ cấu tổ chức, sinh hoạt đảng và cấp ủy được xác định tại ngày chốt đánh giá của năm "
     "đánh giá; thay đổi về sau không làm thay đổi kết quả của năm trước",
     "the org tree, memberships and committee seats are read at the year's reference date; a "
     "later change never rewrites an earlier year"},
    {"R-SUBJ-5",
     "Đảng viên nghỉ ốm từ 03 tháng trở lên hoặc nghỉ thai sản được xếp loại theo kết quả làm "
     "việc thực tế",
     "members on long sick leave or maternity leave are rated on the work actually done"},
    {"R-ORG-1", "Tổ chức cơ sở đảng hoặc cấp ủy cơ sở bị kỷ luật thì Không hoàn thành nhiệm vụ",
     "an org or its committee disciplined in the year is not completed"},
    {"R-ORG-2", "Tổng điểm dưới 50 thì Không hoàn thành nhiệm vụ",
     "a total score below 50 is not completed"},
    {"R-ORG-3",
     "Có khuyết điểm: từ 70 điểm trở lên thì Hoàn thành nhiệm vụ, từ 50 đến dưới 70 điểm thì "
     "Không hoàn thành nhiệm vụ",
     "with a defect: 70 or more is completed, 50 to under 70 is not completed"},
    {"R-ORG-4",
     "Hoàn thành xuất sắc nhiệm vụ: từ 85 điểm, tiêu chí đều Tốt, tiêu chí trọng tâm Xuất sắc, "
     "100% đơn vị trực thuộc Hoàn thành nhiệm vụ trong đó 80% Hoàn thành tốt nhiệm vụ",
     "excellent: 85 or more, every criterion good, key criteria excellent, all units completed "
     "and 80% good"},
    {"R-ORG-5",
     "Hoàn thành tốt nhiệm vụ: từ 70 điểm, tiêu chí đều Trung bình, tiêu chí trọng tâm Tốt, "
     "50% đơn vị trực thuộc Hoàn thành tốt nhiệm vụ",
     "good: 70 or more, every criterion average, key criteria good, 50% of units good"},
    {"R-ORG-6", "Hoàn thành nhiệm vụ: từ 50 điểm trở lên", "completed: 50 points or more"},
    {"R-MEM-1",
     "Đảng viên Không hoàn thành nhiệm vụ: có tiêu chí Kém, bị kết luận suy thoái, trên 50% "
     "chỉ tiêu không hoàn thành, trên 50% phiếu tín nhiệm thấp hoặc bị kỷ luật",
     "a member is not completed with a poor criterion, a concluded degradation, over 50% of "
     "targets missed, over 50% low confidence, or discipline"},
    {"R-MEM-2",
     "Đảng viên Hoàn thành xuất sắc nhiệm vụ: tiêu chí đều Tốt, tiêu chí nhiệm vụ Xuất sắc, "
     "100% chỉ tiêu đúng tiến độ, ít nhất 50% vượt mức, là điển hình",
     "a member is excellent: every criterion good, task criteria excellent, every target on "
     "time, half exceeded, exemplary"},
    {"R-MEM-3",
     "Đảng viên Hoàn thành tốt nhiệm vụ: tiêu chí đều Trung bình, tiêu chí nhiệm vụ Tốt, 100% "
     "chỉ tiêu đúng tiến độ",
     "a member is good: every criterion average, task criteria good, every target on time"},
    {"R-MEM-4",
     "Đảng viên Hoàn thành nhiệm vụ: tiêu chí đều Trung bình, nhiệm vụ đều hoàn thành, không "
     "quá 20% tiêu chí chưa bảo đảm chất lượng, tiến độ",
     "a member is completed: every criterion average, every target completed, at most 20% of "
     "criteria not ensured"},
    {"R-COM-1",
     "Cấp ủy Không hoàn thành nhiệm vụ: mất đoàn kết, có thành viên suy thoái, đơn vị hoàn "
     "thành dưới 50% chỉ tiêu, bị kỷ luật, có cấp ủy viên bị kỷ luật từ cảnh cáo",
     "a committee is not completed: disunity, a degraded member, under 50% of targets, "
     "disciplined, or a member warned or worse"},
    {"R-COM-2",
     "Cấp ủy bị kỷ luật nhưng tự phát hiện và khắc phục xong hậu quả thì tối đa Hoàn thành "
     "nhiệm vụ",
     "a committee disciplined but self-remedied is at most completed"},
    {"R-COM-3",
     "Cấp ủy Hoàn thành xuất sắc nhiệm vụ: tiêu chí trọng tâm Xuất sắc, còn lại Tốt, là điển "
     "hình",
     "a committee is excellent: key criteria excellent, the rest good, exemplary"},
    {"R-COM-4", "Cấp ủy Hoàn thành tốt nhiệm vụ: tiêu chí trọng tâm Tốt, còn lại Trung bình",
     "a committee is good: key criteria good, the rest average"},
    {"R-COM-5", "Cấp ủy Hoàn thành nhiệm vụ: các tiêu chí đạt Trung bình trở lên",
     "a committee is completed: every criterion average or better"},
    {"R-COM-CAP", "Mức xếp loại của cấp ủy không cao hơn mức xếp loại của tổ chức đảng",
     "a committee is never rated above its org"},
    {"R-LEAD-1",
     "Cán bộ lãnh đạo, quản lý được xếp loại theo tiêu chuẩn đảng viên cùng các tiêu chí lãnh "
     "đạo, do Ban Thường vụ Đảng ủy Khối quyết định",
     "a leader is rated with the member rules plus the leader criteria, by the bloc standing "
     "committee"},
    {"R-LEAD-CAP", "Người đứng đầu không được xếp loại cao hơn tập thể, tổ chức do mình đứng đầu",
     "a head is never rated above the collective or org they head"},
    {"R-LEAD-QUOTA",
     "Cán bộ lãnh đạo Hoàn thành xuất sắc nhiệm vụ không vượt quá 20% của từng cơ quan, đơn vị",
     "excellent leaders are within 20% in each unit"},
    {"R-BAL-1",
     "Phiếu không hợp lệ: không do tổ kiểm phiếu phát ra, không đánh giá đối tượng nào hoặc "
     "viết thêm nội dung khác",
     "a ballot is invalid if not issued, marking no subject, or carrying other content"},
    {"R-BAL-2",
     "Mức xếp loại đạt khi trên 50% số phiếu; phiếu mức trên chưa đạt thì tính vào mức dưới "
     "liền kề",
     "a level needs more than half of the ballots; votes for a higher level flow down"},
    {"R-BAL-3", "Mức Hoàn thành xuất sắc nhiệm vụ được chọn từ cao xuống thấp đến hết tỷ lệ",
     "excellence is taken by votes, highest first, up to the quota"},
    {"R-BAL-4", "Bỏ phiếu kín: không ghi danh tính người bỏ phiếu",
     "secret ballot: no voter identity is stored"},
    {"R-BAL-5", "Ở chi bộ cơ sở, kết quả bỏ phiếu là kết quả xếp loại đảng viên",
     "in a grassroots cell the tally is the member's rating"},
    {"R-DEC-1", "Mức xếp loại do cấp có thẩm quyền quyết định",
     "a rating is decided by its competent authority"},
    {"R-DEC-2",
     "Không quyết định cao hơn mức tối đa theo tiêu chuẩn, tỷ lệ hoặc mức trần, trừ khi ghi rõ "
     "lý do",
     "no decision above the ceiling, quota or cap without a recorded override reason"},
    {"R-DEC-3", "Mức đã quyết định chỉ thay đổi bằng quyết định xếp loại lại",
     "a decided rating changes only through a re-rating"},
    {"R-ORDER",
     "Tổ chức đảng xếp loại sau đảng viên và tổ chức trực thuộc; cấp ủy sau tổ chức đảng",
     "an org is decided after its members and units; a committee after its org"},
    {"R-ATTR-1", "Kỷ luật tính vào năm và nơi xảy ra vi phạm, không tính cho nơi thi hành kỷ luật",
     "a discipline counts for the years and the org where the violation happened"},
    {"R-RETRO-1",
     "Kỷ luật cho vi phạm năm đã xếp loại thì phải xếp loại lại ở mức Không hoàn thành nhiệm "
     "vụ; tự khắc phục thì xem xét lại",
     "a late ruling requires re-rating as not completed; if self-remedied, a review"},
    {"R-RETRO-2", "Cấp ủy cấp trên trực tiếp hủy bỏ kết quả cũ, công nhận kết quả mới (QĐ 01)",
     "the direct superior annuls the old rating and records the new one (QĐ 01)"},
    {"R-RETRO-3", "Mức xếp loại có mức tối đa tính lại thấp hơn thì được đề nghị xem xét lại",
     "a rating whose recomputed ceiling fell below it is suggested for review"},
    {"R-RETRO-4", "Không ghi đè: kết quả cũ vẫn tra cứu được tại thời điểm trước",
     "nothing is overwritten: the old rating stays readable as of earlier moments"},
    {"R-REW-1",
     "Chỉ Hoàn thành xuất sắc nhiệm vụ mới được khen thưởng tiêu biểu; 05 năm liền cần 05 năm "
     "liên tiếp",
     "only excellent subjects are rewarded; the five-year award needs five consecutive years"},
    {"R-DEADLINE", "Hồ sơ gửi trước ngày 15/12 hằng năm", "dossiers are due before 15 December"},
};

}  // namespace

std::string_view RuleNameVi(std::string_view rule_id) {
  for (const RuleText& text : kRuleTexts) {
    if (text.id == rule_id) return text.vi;
  }
  return "";
}

std::string_view RuleNameEn(std::string_view rule_id) {
  for (const RuleText& text : kRuleTexts) {
    if (text.id == rule_id) return text.en;
  }
  return "";
}

std::string InputNameVi(std::string_view code) {
  struct Name {
    std::string_view code;
    std::string_view vi;
  };
  static constexpr Name kNames[] = {
      {"review", "kiểm điểm"},
      {"self_assessment", "bản tự đánh giá, tự xếp loại"},
      {"scorecard", "biểu chấm điểm"},
      {"committee_assessment", "kết quả đánh giá tập thể cấp ủy"},
      {"management rating", "kết quả xếp loại của tập thể lãnh đạo đơn vị"},
      {"comments:temporary_cell", "nhận xét của chi bộ nơi sinh hoạt tạm thời"},
      {"comments:previous_org", "nhận xét của tổ chức đảng nơi chuyển đi"},
      {"comments:previous_superior", "nhận xét của cấp ủy cấp trên nơi chuyển giao"},
      {"R-SUBJ-5: sick_leave", "nghỉ ốm: xếp loại theo kết quả làm việc thực tế"},
      {"R-SUBJ-5: maternity", "nghỉ thai sản: xếp loại theo kết quả làm việc thực tế"},
  };
  for (const Name& name : kNames) {
    if (name.code == code) return std::string(name.vi);
  }
  constexpr std::string_view kGrade = "grade:";
  if (code.substr(0, kGrade.size()) == kGrade) {
    return internal::Cat("đánh giá tiêu chí ", code.substr(kGrade.size()));
  }
  constexpr std::string_view kRating = " rating";
  if (code.size() > kRating.size() && code.substr(code.size() - kRating.size()) == kRating) {
    std::string_view subject = code.substr(0, code.size() - kRating.size());
    constexpr std::string_view kMassOrg = "mass_org:";
    if (subject.substr(0, kMassOrg.size()) == kMassOrg) {
      return internal::Cat("kết quả xếp loại của đoàn thể ", subject.substr(kMassOrg.size()));
    }
    return internal::Cat("kết quả xếp loại của ", subject);
  }
  return std::string(code);
}

const std::vector<std::string>& AllRuleIds() {
  static const std::vector<std::string>* const ids = [] {
    auto* out = new std::vector<std::string>();
    for (const RuleText& text : kRuleTexts) out->emplace_back(text.id);
    return out;
  }();
  return *ids;
}

}  // namespace rating::rules
