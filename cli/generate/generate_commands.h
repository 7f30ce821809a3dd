// `ratingctl generate` (a synthetic history into an import file or straight into ratingd) and
// `ratingctl import FILE` (an import file into ratingd). ratingctl_main.cc parses the flags and
// dispatches here. Layer: cli.
#pragma once

#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace rating::cli {

// `ratingctl generate [--size small|province|nation-slice] [--members N] [--years Y]
// [--seed S] [--first_year YYYY] (--out FILE | --server HOST:PORT [--token T])`: explicit
// flags override the size's. `server` is "" unless --server was given; `token` is the bearer
// token. Writes a report to `out` (and the importer's progress), errors to `err`. Returns the
// exit status: 0 done, 1 failed (a write error, a refused command: a generator bug), 2 usage.
int RunGenerate(const std::map<std::string, std::string>& flags,
                const std::vector<std::string>& positional, const std::string& server,
                const std::string& token, std::ostream& out, std::ostream& err);

// `ratingctl import FILE [--server HOST:PORT] [--token T]`: plays the file through
// IntegrationService.Import in batches of 1000 as the caller. Exit status as RunGenerate's.
int RunImport(const std::vector<std::string>& positional, const std::string& server,
              const std::string& token, std::ostream& out, std::ostream& err);

}  // namespace rating::cli
