#include "cli/forms/form_command.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <algorithm>
#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/forms/form_builders.h"
#include "cli/forms/form_writers.h"

namespace rating::cli::forms {

const char kFormUsage[] =
    R"(usage: ratingctl form NAME ORG YEAR --format xlsx|csv|pdf [--out FILE] [--as_of POSITION]

The guideline's forms for an org and a year, read from ratingd as the caller (--token):
  bth02          Mẫu BTH 02: members' ratings per unit (counts and % per level, not rated
                 and why, disciplined), then the list of members
  bth03          Mẫu BTH 03: orgs and their committees, with counts and % per level
  tally          biên bản kiểm phiếu of each ballot session of the org and year
  qd01           Biểu mẫu QĐ 01: the re-ratings with their legal grounds (IV.9, R-RETRO-2)
  overrides      decisions forced past a rule with a reason (R-DEC-2)
  late-dossiers  dossiers received on or after the due date (R-DEADLINE)

Flags:
  --format F     xlsx, csv (UTF-8 with a BOM) or pdf (A4 landscape); required
  --out FILE     write to FILE instead of stdout
  --as_of POS    read the state as recorded at log position POS
  --server, --token as for every command

Example:
  ratingctl form bth02 c1 2025 --format xlsx --out bth02-c1-2025.xlsx --token $RATING_TOKEN
)";

int RunForm(const std::map<std::string, std::string>& flags,
            const std::vector<std::string>& positional, const std::string& server,
            const std::string& token, std::ostream& out, std::ostream& err) {
  if (flags.count("help") > 0) {
    out << kFormUsage;
    return 0;
  }
  auto usage = [&](const std::string& message) {
    err << "ratingctl form: " << message << "\n" << kFormUsage;
    return 2;
  };
  if (positional.size() != 3) return usage("needs NAME ORG YEAR");
  const std::vector<std::string>& names = FormNames();
  if (std::find(names.begin(), names.end(), positional[0]) == names.end()) {
    return usage(
        absl::StrCat("NAME \"", positional[0], "\" is not one of ", absl::StrJoin(names, ", ")));
  }
  int year = 0;
  if (!absl::SimpleAtoi(positional[2], &year)) {
    return usage(absl::StrCat("YEAR must be a number, got \"", positional[2], "\""));
  }
  auto format_flag = flags.find("format");
  if (format_flag == flags.end()) return usage("--format xlsx|csv|pdf is required");
  absl::StatusOr<Format> format = ParseFormat(format_flag->second);
  if (!format.ok()) return usage(std::string(format.status().message()));
  uint64_t as_of = 0;
  if (auto it = flags.find("as_of"); it != flags.end()) {
    if (!absl::SimpleAtoi(it->second, &as_of) || as_of == 0) {
      return usage(
          absl::StrCat("--as_of must be a log position (1 or more), got \"", it->second, "\""));
    }
  }
  FormReader reader(grpc::CreateChannel(server, grpc::InsecureChannelCredentials()), token, as_of);
  absl::StatusOr<Form> form = BuildForm(reader, positional[0], positional[1], year);
  absl::StatusOr<std::string> bytes =
      form.ok() ? WriteForm(*form, *format) : absl::StatusOr<std::string>(form.status());
  if (!bytes.ok()) {
    err << "ratingctl form: " << absl::StatusCodeToString(bytes.status().code()) << ": "
        << bytes.status().message() << "\n";
    return 1;
  }
  if (auto it = flags.find("out"); it != flags.end()) {
    std::ofstream file(it->second, std::ios::binary | std::ios::trunc);
    file.write(bytes->data(), static_cast<std::streamsize>(bytes->size()));
    file.close();
    if (!file) {
      err << "ratingctl form: cannot write " << it->second << "\n";
      return 1;
    }
    return 0;
  }
  out.write(bytes->data(), static_cast<std::streamsize>(bytes->size()));
  out.flush();
  return out ? 0 : 1;
}

}  // namespace rating::cli::forms
