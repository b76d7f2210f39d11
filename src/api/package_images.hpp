// Pictures from the data in the output package: the media files, and whatever lists them in the package (the
// format's adapter writes that: core::PackageFormat::list_pictures). What a render needs of the
// template — the texts of the parts it may extend, the numbers already taken, the width of the text — is gathered
// once when the template is compiled; a render without pictures touches nothing and copies every part as prepared.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/image.hpp"
#include "core/package_format.hpp"
#include "core/program.hpp"
#include "vanban/vanban.hpp"

namespace vanban::detail {

struct PackageImages {
    const core::PackageFormat* format = nullptr;  // the template's format (set before the first note())
    std::map<std::string, std::string> texts;     // the parts that list pictures (PackageFormat::lists_pictures)
    std::set<std::string> entries;                // every entry of the template
    int first_number = 1;                         // vanban_image<N>: above every such name or id in the template
    std::int64_t text_width = 160 * core::kEmuPerMm;

    // Called for every entry of the template while it is compiled; `read` gives its content when it is needed.
    void note(const std::string& name, const std::function<std::string()>& read);
};

// What one render with pictures writes instead of, and besides, the template's entries.
struct PackageEdits {
    std::map<std::string, std::string> replaced;             // entry name → new content
    std::vector<std::pair<std::string, std::string>> added;  // new XML parts (relationships of a part that had none)
    std::vector<std::pair<std::string, const std::string*>> media;  // new media files, stored as they are
    std::size_t size() const;
};

// `state` is the render's: its pictures and what the format adapter kept (DOCX sub-documents).
PackageEdits package_edits(const PackageImages& package, const core::RenderState& state);

}  // namespace vanban::detail
