// CSV: the lines of the form as one-field records, each section's header and rows, a blank
// record between parts; UTF-8 with a BOM so that Excel reads Vietnamese.
#include "cli/csv.h"
#include "cli/forms/form_writers.h"

namespace rating::cli::forms {

std::string WriteCsv(const Form& form) {
  std::string out = "\xEF\xBB\xBF";
  auto line = [&](const std::string& text) { out += CsvRecord({text}); };
  line(form.code);
  line(form.title);
  for (const std::string& l : form.preamble) line(l);
  for (const Section& section : form.sections) {
    out += "\r\n";
    for (const std::string& l : section.heading) line(l);
    std::vector<std::string> fields;
    for (const Column& c : section.columns) fields.push_back(c.header);
    out += CsvRecord(fields);
    for (const auto& row : section.rows) {
      fields.clear();
      for (const Cell& cell : row) fields.push_back(cell.text);
      out += CsvRecord(fields);
    }
  }
  if (!form.closing.empty()) out += "\r\n";
  for (const std::string& l : form.closing) line(l);
  return out;
}

}  // namespace rating::cli::forms
