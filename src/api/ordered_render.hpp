// Rendering with the data file's key order from inside the library (the batch runner's records are json_data
// Documents, not public vanban::Data): Jinja iterates a mapping in the order the data writes it.
#pragma once

#include <string>

#include "json/json_source.hpp"
#include "vanban/vanban.hpp"

namespace vanban::detail {

struct OrderedRender {
    static std::string render(const Template& t, const nlohmann::json& data, const RenderOptions& options,
                              const json_data::KeyOrder* key_order) {
        return t.render_ordered(data, options, key_order);
    }
};

}  // namespace vanban::detail
