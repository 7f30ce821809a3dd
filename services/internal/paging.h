// Paging of the List rpcs (AIP-158): page_size and an opaque page_token bound to the list and
// to the request's other fields, and pinned to the log position the first page read, so the
// pages together are one consistent list. Internal to services/. Thread-safe: pure functions.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "rating/v1/api.pb.h"

namespace rating::services::internal {

inline constexpr uint32_t kDefaultPageSize = 100;
inline constexpr uint32_t kMaxPageSize = 1000;

// Where a page starts, how long it is, and the log position its list is read at (0 = the
// first page: read as the request says).
struct Page {
  std::string list;     // "ListRatings".
  std::string request;  // Fingerprint of the request's other fields.
  uint64_t offset = 0;  // Items before this page.
  uint32_t size = kDefaultPageSize;
  uint64_t position = 0;  // Pinned by the first page when the request has no as_of.
};

// The page a request asks for. `request` is the whole request (its page_size and page_token
// fields are left out of the fingerprint, so a page size may change between pages).
// INVALID_ARGUMENT: page_size over kMaxPageSize; a page_token not from a reply of `list` to a
// request with the same other fields.
absl::StatusOr<Page> ParsePage(absl::string_view list, const google::protobuf::Message& request,
                               uint32_t page_size, absl::string_view page_token);

// The moment a page reads: the request's `as_of` when set, else the pinned position (none for
// a first page: now).
v1::AsOf PageAsOf(const Page& page, const v1::AsOf& as_of);

// Keeps only `page`'s items of the whole list `items`, and sets `next_page_token` when more
// follow (pinned at `position`, the log position of the state the list was read from, unless
// the request had an as_of).
template <typename T>
void TakePage(const Page& page, bool has_as_of, uint64_t position,
              google::protobuf::RepeatedPtrField<T>* items, std::string* next_page_token);

// The token of the page after `page` (whose list was read at `position`; 0 when pinned by
// an as_of).
std::string NextPageToken(const Page& page, uint64_t position);

// ------------------------------------------------------------------ implementation

template <typename T>
void TakePage(const Page& page, bool has_as_of, uint64_t position,
              google::protobuf::RepeatedPtrField<T>* items, std::string* next_page_token) {
  const uint64_t total = static_cast<uint64_t>(items->size());
  const uint64_t begin = std::min<uint64_t>(page.offset, total);
  const uint64_t end = std::min<uint64_t>(begin + page.size, total);
  if (end < total) {
    Page next = page;
    next.offset = end;
    *next_page_token = NextPageToken(next, has_as_of ? 0 : position);
  } else {
    next_page_token->clear();
  }
  items->DeleteSubrange(static_cast<int>(end), static_cast<int>(total - end));
  items->DeleteSubrange(0, static_cast<int>(begin));
}

}  // namespace rating::services::internal
