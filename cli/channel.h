// The channel ratingctl talks to ratingd through: plaintext, or TLS (grpc::SslCredentials) when
// any of --tls_ca, --tls_cert, --tls_key is given. Layer: cli.
#pragma once

#include <grpcpp/channel.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace rating::cli {

// Where and how to connect. The server's certificate is checked against `tls_ca` (the system
// roots when it is empty); `tls_cert` + `tls_key` present a client certificate (mutual TLS).
struct ChannelOptions {
  // HOST:PORT.
  std::string server = "127.0.0.1:50051";
  // PEM file paths; all empty = plaintext (ratingd without --tls_cert/--tls_key).
  std::string tls_ca;
  std::string tls_cert;
  std::string tls_key;
};

// A channel to `options.server`. INVALID_ARGUMENT when only one of tls_cert and tls_key is
// given; NOT_FOUND when a PEM file cannot be read (naming the flag and the path).
absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(const ChannelOptions& options);

}  // namespace rating::cli
