// The OpenDocument package beyond its story parts: the page layout that sets the width of pictures, where pictures
// go and how the manifest lists them, and the styles and fonts `vanban check` looks at. All of it reads OpenDocument
// as XML (libxml2).
#pragma once

#include "core/package_format.hpp"

namespace vanban::odt {

const core::PackageFormat& package_format();

}  // namespace vanban::odt
