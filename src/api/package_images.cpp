#include "api/package_images.hpp"

#include <algorithm>

namespace vanban::detail {

namespace {

constexpr std::string_view kRelationshipId = "rIdVanbanImage";

}  // namespace

void PackageImages::note(const std::string& name, const std::function<std::string()>& read) {
    entries.insert(name);
    first_number = std::max(first_number, core::ImageSession::number_in_name(name) + 1);
    if (format->lists_pictures(name)) {
        std::string text = read();
        for (std::size_t at = text.find(kRelationshipId); at != std::string::npos;
             at = text.find(kRelationshipId, at + 1))
            first_number = std::max(first_number, std::atoi(text.c_str() + at + kRelationshipId.size()) + 1);
        texts.emplace(name, std::move(text));
    }
    if (const std::int64_t width = format->text_width(name, read); width > 0) text_width = width;
}

std::size_t PackageEdits::size() const {
    std::size_t n = 0;
    for (const auto& [name, text] : replaced) n += name.size() + text.size() + 100;
    for (const auto& [name, text] : added) n += name.size() + text.size() + 100;
    for (const auto& [name, bytes] : media) n += name.size() + bytes->size() + 100;
    return n;
}

PackageEdits package_edits(const PackageImages& package, const core::RenderState& state) {
    const core::ImageSession& images = state.images;
    PackageEdits edits;
    for (const auto& stored : images.stored())
        edits.media.emplace_back(std::string(package.format->media_folder()) +
                                     core::ImageSession::media_name(stored.number, stored.data->header.format),
                                 &stored.data->bytes);
    core::PictureEdits listing{// The text of a part as this render leaves it so far.
                               [&](const std::string& name) -> std::string& {
                                   if (auto it = edits.replaced.find(name); it != edits.replaced.end())
                                       return it->second;
                                   const auto original = package.texts.find(name);
                                   if (original == package.texts.end()) core::unusual_picture_part(name);
                                   return edits.replaced[name] = original->second;
                               },
                               edits.added, package.entries, edits.media};
    if (!images.stored().empty()) package.format->list_pictures(images, listing);
    if (state.package_grows()) package.format->list_additions(state, listing);
    return edits;
}

}  // namespace vanban::detail
