#include "cli/forms/form.h"

#include "absl/strings/str_format.h"

namespace rating::cli::forms {

std::string Percent(int64_t part, int64_t whole) {
  if (whole <= 0) return "0,00";
  // Hundredths of a percent, rounded half up: (part * 10000 * 2 + whole) / (2 * whole).
  const int64_t hundredths = (part * 20000 + whole) / (2 * whole);
  return absl::StrFormat("%d,%02d", hundredths / 100, hundredths % 100);
}

}  // namespace rating::cli::forms
