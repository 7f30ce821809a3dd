// RFC 4180 CSV writing for ratingctl's exports. Layer: cli, pure functions.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace rating::cli {

// `field` as one CSV field: quoted (with inner quotes doubled) when it holds a comma, a quote,
// CR or LF, or starts or ends with a space; as is otherwise. Bytes pass through (UTF-8 stays).
std::string CsvField(absl::string_view field);

// One CSV record: the fields joined by commas, ended by CRLF (RFC 4180).
std::string CsvRecord(const std::vector<std::string>& fields);

}  // namespace rating::cli
