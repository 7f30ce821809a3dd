// Status propagation macros (Abseil 20220623 ships none). Layer: common, no domain logic.
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define RATING_STATUS_CONCAT_INNER_(a, b) a##b
#define RATING_STATUS_CONCAT_(a, b) RATING_STATUS_CONCAT_INNER_(a, b)

// Returns `expr`'s status from the enclosing function when it is not OK.
#define RATING_RETURN_IF_ERROR(expr)                 \
  do {                                               \
    ::absl::Status rating_status_ = (expr);          \
    if (!rating_status_.ok()) return rating_status_; \
  } while (false)

// `RATING_ASSIGN_OR_RETURN(auto x, F());` assigns the value or returns the error.
#define RATING_ASSIGN_OR_RETURN(lhs, expr) \
  RATING_ASSIGN_OR_RETURN_IMPL_(RATING_STATUS_CONCAT_(rating_statusor_, __LINE__), lhs, expr)

#define RATING_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                                  \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()
