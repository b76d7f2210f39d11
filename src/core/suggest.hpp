// "Có phải ý bạn là …?": the known name closest to a mistyped one (field names, template names, subcommands).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vanban::core {

// The name in `known` closest to `typed` by edit distance, comparing without diacritics, case or separators
// ("kehoach" → "ke-hoach", "Titel" → "title", "ngay_ban_hanh" → "ngày ban hành"); nullopt when none is close
// (at most a third of the letters differ) or `typed` is itself known.
std::optional<std::string> closest_name(std::string_view typed, const std::vector<std::string>& known);

}  // namespace vanban::core
