// XLSX through libxlsxwriter: one worksheet, the title merged across the table, bold wrapped
// headers with borders, counts as numbers. libxlsxwriter 1.1.4 writes only to a file, so the
// workbook goes to a temporary file that is read back and removed.
#include <unistd.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "cli/forms/form_writers.h"

namespace rating::cli::forms {
namespace {

// A sheet name: at most 31 characters, none of []:*?/\ .
std::string SheetName(const std::string& code) {
  std::string out;
  for (char c : code) {
    if (std::string_view("[]:*?/\\").find(c) == std::string_view::npos) out.push_back(c);
  }
  if (out.empty() || out.size() > 31) out = "Bieu";
  return out;
}

// Writes the workbook to `path`. INTERNAL naming libxlsxwriter's error.
absl::Status WriteWorkbook(const Form& form, const std::string& path) {
  lxw_workbook* workbook = workbook_new(path.c_str());
  if (workbook == nullptr) return absl::InternalError("xlsx: cannot create the workbook");
  lxw_worksheet* sheet = workbook_add_worksheet(workbook, SheetName(form.code).c_str());
  lxw_format* title = workbook_add_format(workbook);
  format_set_bold(title);
  format_set_font_size(title, 13);
  format_set_align(title, LXW_ALIGN_CENTER);
  lxw_format* bold = workbook_add_format(workbook);
  format_set_bold(bold);
  lxw_format* header = workbook_add_format(workbook);
  format_set_bold(header);
  format_set_text_wrap(header);
  format_set_border(header, LXW_BORDER_THIN);
  format_set_align(header, LXW_ALIGN_CENTER);
  format_set_align(header, LXW_ALIGN_VERTICAL_CENTER);
  format_set_bg_color(header, 0xE8E8E8);
  lxw_format* cell = workbook_add_format(workbook);
  format_set_text_wrap(cell);
  format_set_border(cell, LXW_BORDER_THIN);
  format_set_align(cell, LXW_ALIGN_VERTICAL_TOP);

  size_t width = 1;
  for (const Section& s : form.sections) width = std::max(width, s.columns.size());
  std::vector<double> widths(width, 8);
  for (const Section& s : form.sections) {
    for (size_t i = 0; i < s.columns.size(); ++i)
      widths[i] = std::max(widths[i], s.columns[i].width);
  }
  for (size_t i = 0; i < width; ++i) {
    worksheet_set_column(sheet, static_cast<lxw_col_t>(i), static_cast<lxw_col_t>(i), widths[i],
                         nullptr);
  }
  const auto last_col = static_cast<lxw_col_t>(width - 1);
  lxw_row_t row = 0;
  worksheet_write_string(sheet, row++, 0, form.code.c_str(), bold);
  if (last_col > 0) {
    worksheet_merge_range(sheet, row, 0, row, last_col, form.title.c_str(), title);
  } else {
    worksheet_write_string(sheet, row, 0, form.title.c_str(), title);
  }
  ++row;
  for (const std::string& l : form.preamble)
    worksheet_write_string(sheet, row++, 0, l.c_str(), nullptr);
  for (const Section& s : form.sections) {
    ++row;
    for (const std::string& l : s.heading) worksheet_write_string(sheet, row++, 0, l.c_str(), bold);
    for (size_t i = 0; i < s.columns.size(); ++i) {
      worksheet_write_string(sheet, row, static_cast<lxw_col_t>(i), s.columns[i].header.c_str(),
                             header);
    }
    ++row;
    for (const auto& cells : s.rows) {
      for (size_t i = 0; i < cells.size(); ++i) {
        const auto col = static_cast<lxw_col_t>(i);
        if (cells[i].number) {
          worksheet_write_number(sheet, row, col, static_cast<double>(*cells[i].number), cell);
        } else {
          worksheet_write_string(sheet, row, col, cells[i].text.c_str(), cell);
        }
      }
      ++row;
    }
  }
  if (!form.closing.empty()) ++row;
  for (const std::string& l : form.closing)
    worksheet_write_string(sheet, row++, 0, l.c_str(), nullptr);
  worksheet_set_landscape(sheet);
  worksheet_set_paper(sheet, 9);  // A4.
  const lxw_error error = workbook_close(workbook);
  if (error != LXW_NO_ERROR) {
    return absl::InternalError(absl::StrCat("xlsx: ", lxw_strerror(error)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> WriteXlsx(const Form& form) {
  std::string dir = std::filesystem::temp_directory_path().string();
  std::string pattern = dir + "/ratingctl-form-XXXXXX";
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  const int fd = mkstemp(name.data());
  if (fd < 0) return absl::InternalError(absl::StrCat("xlsx: cannot create a file in ", dir));
  close(fd);
  const std::string path(name.data());
  absl::Status written = WriteWorkbook(form, path);
  std::string bytes;
  if (written.ok()) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    bytes = buffer.str();
    if (!in.good() && !in.eof()) written = absl::InternalError("xlsx: cannot read back " + path);
  }
  std::remove(path.c_str());
  if (!written.ok()) return written;
  return bytes;
}

}  // namespace rating::cli::forms
