// The three writers of a Form: CSV (UTF-8 with a BOM, RFC 4180), XLSX (libxlsxwriter) and PDF
// (cairo + pango, A4 landscape, DejaVu Sans, so Vietnamese is shaped; tables wrap and break
// across pages, repeating their header row). Layer: cli/forms. Thread-compatible.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cli/forms/form.h"

namespace rating::cli::forms {

enum class Format { kCsv, kXlsx, kPdf };

// "csv", "xlsx" or "pdf" (any case). INVALID_ARGUMENT naming the text otherwise.
absl::StatusOr<Format> ParseFormat(absl::string_view text);

// The file's bytes. CSV never fails. XLSX: INTERNAL when libxlsxwriter fails (it writes
// through a temporary file under $TMPDIR, removed before returning). PDF: INTERNAL when cairo
// reports an error.
std::string WriteCsv(const Form& form);
absl::StatusOr<std::string> WriteXlsx(const Form& form);
absl::StatusOr<std::string> WritePdf(const Form& form);
absl::StatusOr<std::string> WriteForm(const Form& form, Format format);

}  // namespace rating::cli::forms
