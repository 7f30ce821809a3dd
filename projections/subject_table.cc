#include "projections/subject_table.h"

namespace rating::projections {

SubjectTable::SubjectTable(const SubjectTable& other) : names_(other.names_) {
  for (uint32_t id = 0; id < names_.size(); ++id) ids_.emplace(std::string_view(names_[id]), id);
}

uint32_t SubjectTable::Intern(std::string_view subject) {
  if (auto it = ids_.find(subject); it != ids_.end()) return it->second;
  const uint32_t id = static_cast<uint32_t>(names_.size());
  names_.emplace_back(subject);
  ids_.emplace(std::string_view(names_.back()), id);
  return id;
}

std::optional<uint32_t> SubjectTable::Find(std::string_view subject) const {
  auto it = ids_.find(subject);
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

}  // namespace rating::projections
