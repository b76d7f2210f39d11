// The page's own files (web/), embedded into the executable at build time by cmake/embed_files.cmake.
#pragma once

#include <cstddef>

namespace vanban::server {

struct WebAsset {
    const char* path;  // "/index.html"
    const char* content_type;
    const unsigned char* data;
    std::size_t size;
};

extern const WebAsset kWebAssets[];
extern const std::size_t kWebAssetCount;

}  // namespace vanban::server
