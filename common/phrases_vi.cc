#include "common/phrases_vi.h"

#include <utility>
#include <vector>

namespace rating::common {
namespace {

// English phrase -> Vietnamese, longest first where one contains another. Each phrase is one
// the input checks (services/, cli/conformance) write; the values they quote stay as written.
const std::vector<std::pair<std::string_view, std::string_view>>& Phrases() {
  static const auto* const phrases = new std::vector<std::pair<std::string_view, std::string_view>>{
      {"is not a valid id (1..64 of A-Z a-z 0-9 . _ -)",
       "không phải mã hợp lệ (1..64 ký tự A-Z a-z 0-9 . _ -)"},
      {"is not a date YYYY-MM-DD", "không phải ngày dạng YYYY-MM-DD"},
      {"a level HTXSNV, HTTNV, HTNV or KHTNV is required",
       "cần một mức HTXSNV, HTTNV, HTNV hoặc KHTNV"},
      {"the QĐ 01 decision number is required (1..128 bytes)",
       "cần số quyết định QĐ 01 (1..128 byte)"},
      {"a decision rates at least one subject", "quyết định phải xếp loại ít nhất một đối tượng"},
      {"a session lists at least one subject", "phiên bỏ phiếu phải có ít nhất một đối tượng"},
      {"a transfer needs the new superior", "điều chuyển cần nêu cấp trên mới"},
      {"only a transfer names a new superior", "chỉ khi điều chuyển mới nêu cấp trên mới"},
      {"an org cannot be its own superior", "tổ chức không thể là cấp trên của chính mình"},
      {"would make a cycle", "sẽ tạo vòng lặp trong cây tổ chức"},
      {"the bloc itself is not rated here", "khối không được xếp loại ở đây"},
      {"a period of over 50 years", "kỳ đánh giá quá 50 năm"},
      {"must fall in the period's year or early the next",
       "phải thuộc năm của kỳ đánh giá hoặc đầu năm sau"},
      {"before the member's current membership began on ",
       "trước ngày bắt đầu sinh hoạt hiện tại của đảng viên, "},
      {"before the org's last change of superior on ",
       "trước lần thay đổi cấp trên gần nhất của tổ chức, ngày "},
      {"before the member's admission", "trước ngày kết nạp đảng viên"},
      {"before the org was founded", "trước ngày thành lập tổ chức"},
      {"before the violation began", "trước ngày bắt đầu vi phạm"},
      {"before violation_from", "trước violation_from"},
      {"member is already in ", "đảng viên đã sinh hoạt tại "},
      {"serials and totals cannot both be given", "không được nêu cả số seri phiếu lẫn số liệu tổng hợp"},
      {"papers and totals cannot both be given", "không được nêu cả từng phiếu lẫn số liệu tổng hợp"},
      {"more counts than the session has subjects", "nhiều dòng số liệu hơn số đối tượng của phiên"},
      {"at most one count per reason", "mỗi lý do chỉ một số liệu"},
      {"more marks than subjects", "nhiều dòng đánh giá hơn số đối tượng"},
      {"more kinds than there are", "nhiều loại hơn số loại hiện có"},
      {"counts cannot be negative", "số liệu không được âm"},
      {"more than completed", "nhiều hơn số đã hoàn thành"},
      {"more than assigned", "nhiều hơn số được giao"},
      {"must be 0..number of criteria graded", "phải trong khoảng 0..số tiêu chí được đánh giá"},
      {"must be 0..total", "phải trong khoảng 0..tổng số"},
      {"must be 0..100", "phải trong khoảng 0..100"},
      {"must be > 0", "phải lớn hơn 0"},
      {"must be false", "phải là false"},
      {"ballots counted on issued serials, only", "phiếu được kiểm theo số seri đã phát, trong khi chỉ phát"},
      {"(the rest must be invalid as not issued or duplicate)",
       "(số còn lại phải là phiếu không hợp lệ vì không do tổ phát ra hoặc trùng số)"},
      {"invalid ballots of", "phiếu không hợp lệ trên"},
      {"votes and void rows, only", "phiếu bầu và dòng bị hủy, trong khi chỉ có"},
      {"valid ballots", "phiếu hợp lệ"},
      {"is not a subject of the session", "không phải đối tượng của phiên"},
      {"no counts for", "thiếu số liệu của"},
      {"no known reason", "lý do không xác định"},
      {"reason given twice", "lý do được nêu hai lần"},
      {"count is negative", "số liệu âm"},
      {"a vote count is negative", "số phiếu âm"},
      {"void_rows is negative", "số dòng bị hủy âm"},
      {"is negative", "là số âm"},
      {"not a next_page_token of ", "không phải next_page_token của "},
      {"is not true or false", "không phải true hoặc false"},
      {"unknown criterion", "tiêu chí không xác định"},
      {"unknown level", "mức không xác định"},
      {"required for import", "bắt buộc khi nhập lô"},
      {"listed twice", "được nêu hai lần"},
      {"appears twice", "xuất hiện hai lần"},
      {"graded twice", "được đánh giá hai lần"},
      {"given twice", "được nêu hai lần"},
      {"issued twice", "được phát hai lần"},
      {"is missing", "còn thiếu"},
      {"is not in", "không thuộc khoảng"},
      {"is over", "vượt quá"},
      {"longer than", "dài hơn"},
      {"at most", "tối đa"},
      {"characters", "ký tự"},
      {"bytes", "byte"},
      {"ratings per decision", "xếp loại trong một quyết định"},
      {"subjects", "đối tượng"},
      {"ballots", "phiếu"},
      {"serials", "số seri"},
      {"criteria", "tiêu chí"},
      {"levels", "mức"},
      {"overrides", "lý do vượt quy định"},
      {"orgs", "tổ chức"},
      {"criterion", "tiêu chí"},
      {"required", "bắt buộc"},
      {"negative", "âm"},
      {" or ", " hoặc "},
  };
  return *phrases;
}

bool IsWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

}  // namespace

std::string FieldDescriptionVi(std::string_view description) {
  // One pass, left to right: at each position the first phrase of the table that starts there
  // on a word boundary is replaced; quoted input ('...') is copied as it is.
  std::string out;
  size_t i = 0;
  while (i < description.size()) {
    if (description[i] == '\'') {
      const size_t close = description.find('\'', i + 1);
      const size_t end = close == std::string_view::npos ? description.size() : close + 1;
      out.append(description.substr(i, end - i));
      i = end;
      continue;
    }
    bool replaced = false;
    if (i == 0 || !IsWordChar(description[i - 1]) || description[i] == ' ') {
      for (const auto& [english, vietnamese] : Phrases()) {
        if (description.substr(i, english.size()) != english) continue;
        const size_t after = i + english.size();
        if (after < description.size() && IsWordChar(english.back()) &&
            IsWordChar(description[after])) {
          continue;  // Part of a longer word (an id, a field name).
        }
        out.append(vietnamese);
        i = after;
        replaced = true;
        break;
      }
    }
    if (!replaced) out.push_back(description[i++]);
  }
  return out;
}

}  // namespace rating::common
