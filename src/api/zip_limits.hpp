// The package limits of vanban::Limits as the zip reader's limits: one conversion for templates and imported documents.
#pragma once

#include "vanban/vanban.hpp"
#include "zip/zip.hpp"

namespace vanban {

zip::Limits zip_limits(const Limits& limits);

}  // namespace vanban
