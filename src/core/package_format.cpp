#include "core/package_format.hpp"

#include "vanban/diagnostic.hpp"

namespace vanban::core {

bool append_to_root(std::string& xml, std::string_view root, const std::string& content) {
    const std::string close = "</" + std::string(root) + ">";
    if (const std::size_t end = xml.rfind(close); end != std::string::npos) {
        xml.insert(end, content);
        return true;
    }
    const std::size_t open = xml.find("<" + std::string(root));
    const std::size_t tag_end = open == std::string::npos ? std::string::npos : xml.find('>', open);
    if (tag_end == std::string::npos || xml[tag_end - 1] != '/') return false;
    xml.replace(tag_end - 1, 2, ">" + content + close);
    return true;
}

void refuse_package(const std::string& part, std::string code, std::string message, std::string message_vi) {
    Diagnostic d;
    d.kind = DiagnosticKind::package;
    d.part = part;
    d.code = std::move(code);
    d.message = std::move(message);
    d.message_vi = std::move(message_vi);
    throw Error(std::move(d));
}

void unusual_picture_part(const std::string& part) {
    Diagnostic d;
    d.kind = DiagnosticKind::package;
    d.part = part;
    d.message = "cannot add the pictures: this part of the template is not in the usual form";
    throw Error(std::move(d));
}

}  // namespace vanban::core
