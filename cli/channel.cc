#include "cli/channel.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace rating::cli {
namespace {

// The contents of the PEM file `path`, given as --`flag`.
absl::StatusOr<std::string> ReadPem(const std::string& flag, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("--", flag, ": cannot read \"", path, "\": ", std::strerror(errno)));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(const ChannelOptions& options) {
  if (options.tls_ca.empty() && options.tls_cert.empty() && options.tls_key.empty()) {
    return grpc::CreateChannel(options.server, grpc::InsecureChannelCredentials());
  }
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    return absl::InvalidArgumentError("--tls_cert and --tls_key go together");
  }
  grpc::SslCredentialsOptions ssl;
  if (!options.tls_ca.empty()) {
    RATING_ASSIGN_OR_RETURN(ssl.pem_root_certs, ReadPem("tls_ca", options.tls_ca));
  }
  if (!options.tls_cert.empty()) {
    RATING_ASSIGN_OR_RETURN(ssl.pem_cert_chain, ReadPem("tls_cert", options.tls_cert));
    RATING_ASSIGN_OR_RETURN(ssl.pem_private_key, ReadPem("tls_key", options.tls_key));
  }
  return grpc::CreateChannel(options.server, grpc::SslCredentials(ssl));
}

}  // namespace rating::cli
