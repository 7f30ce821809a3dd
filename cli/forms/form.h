// The guideline's forms (BTH 02, BTH 03, biên bản kiểm phiếu, QĐ 01, overrides, late dossiers)
// as one neutral model: a title, lines above, sections of rows under Vietnamese column headers,
// and lines below. Builders fill it from the server's replies (form_builders.h); the writers
// (form_writers.h) turn it into CSV, XLSX or PDF. Layer: cli/forms, no I/O here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rating::cli::forms {

// One cell: its text, and its number when it is a count (XLSX writes it as a number).
struct Cell {
  std::string text;
  std::optional<int64_t> number;

  static Cell Text(std::string text) { return Cell{std::move(text), std::nullopt}; }
  static Cell Count(int64_t n) { return Cell{std::to_string(n), n}; }
};

// A column: its header (Vietnamese) and its relative width (about characters).
struct Column {
  std::string header;
  double width = 10;
};

// One table with the lines that introduce it.
struct Section {
  std::vector<std::string> heading;
  std::vector<Column> columns;
  std::vector<std::vector<Cell>> rows;  // Each row has columns.size() cells.
};

struct Form {
  // The form's code in the guideline, e.g. "Mẫu BTH 02".
  std::string code;
  // The title, e.g. "BIỂU TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG ĐẢNG VIÊN".
  std::string title;
  // Lines under the title (unit, year, as-of position).
  std::vector<std::string> preamble;
  std::vector<Section> sections;
  // Lines after the tables (notes, legal grounds, signature).
  std::vector<std::string> closing;
};

// `part` as a percentage of `whole` with two decimals and a decimal comma ("33,33"), rounded
// half up in integer arithmetic; "0,00" when `whole` is 0.
std::string Percent(int64_t part, int64_t whole);

}  // namespace rating::cli::forms
