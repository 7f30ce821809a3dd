#include "cli/forms/form_writers.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace rating::cli::forms {

absl::StatusOr<Format> ParseFormat(absl::string_view text) {
  const std::string lower = absl::AsciiStrToLower(text);
  if (lower == "csv") return Format::kCsv;
  if (lower == "xlsx") return Format::kXlsx;
  if (lower == "pdf") return Format::kPdf;
  return absl::InvalidArgumentError(
      absl::StrCat("--format: \"", text, "\" is not one of xlsx, csv, pdf"));
}

absl::StatusOr<std::string> WriteForm(const Form& form, Format format) {
  switch (format) {
    case Format::kCsv:
      return WriteCsv(form);
    case Format::kXlsx:
      return WriteXlsx(form);
    case Format::kPdf:
      return WritePdf(form);
  }
  return absl::InvalidArgumentError("unknown format");
}

}  // namespace rating::cli::forms
