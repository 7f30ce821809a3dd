#include "services/internal/paging.h"

#include <memory>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/crypto.h"
#include "common/error_details.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace rating::services::internal {
namespace {

constexpr char kTokenVersion[] = "p1";

// The request without its paging fields, hashed with the list's name: a token fits only the
// list and the request it came from.
std::string Fingerprint(absl::string_view list, const google::protobuf::Message& request) {
  std::unique_ptr<google::protobuf::Message> rest(request.New());
  rest->CopyFrom(request);
  const google::protobuf::Descriptor* descriptor = rest->GetDescriptor();
  for (const char* name : {"page_size", "page_token"}) {
    if (const auto* field = descriptor->FindFieldByName(name); field != nullptr) {
      rest->GetReflection()->ClearField(rest.get(), field);
    }
  }
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream out(&bytes);
    google::protobuf::io::CodedOutputStream coded(&out);
    coded.SetSerializationDeterministic(true);
    rest->SerializeToCodedStream(&coded);
  }
  return common::ToHex(common::Sha256(absl::StrCat(list, "\n", bytes)).substr(0, 12));
}

absl::Status Foreign(absl::string_view list) {
  return common::FieldRefusal("page_token", absl::StrCat("not a next_page_token of ", list,
                                                         " for a request with the same fields"));
}

}  // namespace

absl::StatusOr<Page> ParsePage(absl::string_view list, const google::protobuf::Message& request,
                               uint32_t page_size, absl::string_view page_token) {
  if (page_size > kMaxPageSize) {
    return common::FieldRefusal("page_size", absl::StrCat(page_size, " is over ", kMaxPageSize));
  }
  Page page;
  page.list = std::string(list);
  page.request = Fingerprint(list, request);
  page.size = page_size == 0 ? kDefaultPageSize : page_size;
  if (page_token.empty()) return page;
  std::string text;
  if (!absl::WebSafeBase64Unescape(page_token, &text)) return Foreign(list);
  const std::vector<std::string> parts = absl::StrSplit(text, '\n');
  if (parts.size() != 5 || parts[0] != kTokenVersion || parts[1] != list ||
      parts[2] != page.request || !absl::SimpleAtoi(parts[3], &page.offset) ||
      !absl::SimpleAtoi(parts[4], &page.position) || page.offset == 0) {
    return Foreign(list);
  }
  return page;
}

v1::AsOf PageAsOf(const Page& page, const v1::AsOf& as_of) {
  if (as_of.position() != 0 || as_of.recorded_at_micros() != 0) return as_of;
  v1::AsOf pinned;
  pinned.set_position(page.position);
  return pinned;
}

std::string NextPageToken(const Page& page, uint64_t position) {
  std::string token;
  absl::WebSafeBase64Escape(absl::StrCat(kTokenVersion, "\n", page.list, "\n", page.request, "\n",
                                         page.offset, "\n", position),
                            &token);
  return token;
}

}  // namespace rating::services::internal
