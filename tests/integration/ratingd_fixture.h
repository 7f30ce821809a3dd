// A real ratingd process per test, on 127.0.0.1:0 with its own data dir and an --auth_config
// listing four principals (admin, inspector, integration, the committee of cell c1), and a
// stub of every service. The integration tests (server_test, operations_test,
// integrator_test) derive their fixtures from it.
#pragma once

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/conformance/server_process.h"
#include "common/crypto.h"
#include "rating/v1/api.grpc.pb.h"
#include "tests/testing/status_matchers.h"

namespace rating::integration {

inline constexpr char kAdminToken[] = "admin-token-0123456789abcdef";
inline constexpr char kInspectorToken[] = "inspector-token-0123456789";
inline constexpr char kIntegrationToken[] = "integration-token-0123456789";
inline constexpr char kCellToken[] = "cell-token-0123456789abcdef";

class RatingdTest : public ::testing::Test {
 protected:
  // Makes the test's directory and writes its auth.json; the server is started by the test
  // (or the derived fixture's SetUp) with StartServer.
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           absl::StrCat("ratingd_test_", common::RandomHex(8));
    std::filesystem::create_directories(dir_);
    std::ofstream config(dir_ / "auth.json");
    config << R"({"principals":[)"
           << R"({"id":"admin","role":"admin","scope":"","token":")" << kAdminToken << R"("},)"
           << R"({"id":"insp","role":"inspector","scope":"","token":")" << kInspectorToken
           << R"("},)"
           << R"({"id":"prov","role":"integration","scope":"","token":")" << kIntegrationToken
           << R"("},)"
           << R"({"id":"cell1","role":"cell_committee","scope":"c1","token":")" << kCellToken
           << R"("}]})";
  }

  void TearDown() override {
    if (server_) {
      EXPECT_THAT(StopServer(), ::rating::testing::IsOk());
    }
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  std::string DataDir() const { return (dir_ / "data").string(); }

  // Starts ratingd on `data_dir` with the auth config and `extra` flags; fails the test (a
  // fatal assertion in this function) if it does not start.
  void StartServer(const std::string& data_dir, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {absl::StrCat("--data_dir=", data_dir), "--listen=127.0.0.1:0",
                                     absl::StrCat("--auth_config=", (dir_ / "auth.json").string())};
    args.insert(args.end(), extra.begin(), extra.end());
    auto server = cli::ServerProcess::Start(RATINGD_PATH, args, absl::Seconds(30));
    ASSERT_THAT(server, ::rating::testing::IsOk());
    server_ = *std::move(server);
    channel_ = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
    registry_ = v1::RegistryService::NewStub(channel_);
    review_ = v1::ReviewService::NewStub(channel_);
    decision_ = v1::DecisionService::NewStub(channel_);
    query_ = v1::QueryService::NewStub(channel_);
    audit_ = v1::AuditService::NewStub(channel_);
    integration_ = v1::IntegrationService::NewStub(channel_);
    admin_ = v1::AdminService::NewStub(channel_);
  }

  // Closes our connection first: a server shutting down waits for connected clients to go.
  absl::Status StopServer() {
    registry_.reset();
    review_.reset();
    decision_.reset();
    query_.reset();
    audit_.reset();
    integration_.reset();
    admin_.reset();
    channel_.reset();
    absl::Status stopped = server_->Stop();
    server_.reset();
    return stopped;
  }

  // A context carrying `token` (none when empty) and a 30 s deadline.
  static std::unique_ptr<grpc::ClientContext> Ctx(const std::string& token = kAdminToken) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return ctx;
  }

  std::filesystem::path dir_;
  std::unique_ptr<cli::ServerProcess> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::RegistryService::Stub> registry_;
  std::unique_ptr<v1::ReviewService::Stub> review_;
  std::unique_ptr<v1::DecisionService::Stub> decision_;
  std::unique_ptr<v1::QueryService::Stub> query_;
  std::unique_ptr<v1::AuditService::Stub> audit_;
  std::unique_ptr<v1::IntegrationService::Stub> integration_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
};

}  // namespace rating::integration
