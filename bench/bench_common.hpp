// What the benchmark programs share: peak memory, and a template named as the `vanban` command names it.
#pragma once

#include <sys/resource.h>

#include <string>

#include <vanban/catalog.hpp>

namespace vanban::bench {

inline long peak_rss_kib() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

// A bundled template name ("bao-cao-thanh-tich") or a path, resolved as `vanban batch` resolves it (its schema too).
inline ResolvedTemplate resolve(const std::string& name_or_path) { return resolve_template(name_or_path, "docx"); }

}  // namespace vanban::bench
