// vanban::import_document: picks the reader by format, then recognises the plan (see include/vanban/import.hpp).
#include "vanban/import.hpp"

#include <algorithm>

#include "core/ascii.hpp"
#include "import/document.hpp"
#include "import/recognise.hpp"
#include "io/fail.hpp"
#include "vanban/data.hpp"

namespace vanban {
namespace {

std::string format_of(std::string_view name_or_format) {
    std::string s(name_or_format);
    const std::size_t dot = s.rfind('.');
    if (dot != std::string::npos) s = s.substr(dot + 1);
    return core::ascii_lower(s);
}

std::vector<import::Paragraph> read(std::string_view bytes, const std::string& format, const std::string& name,
                                    const import::ReadLimits& limits) {
    std::vector<import::Paragraph> paragraphs;
    if (format == "docx") {
        paragraphs = import::read_docx(std::string(bytes), name, limits);
    } else if (format == "odt") {
        paragraphs = import::read_odt(std::string(bytes), name, limits);
    } else if (format == "txt" || format == "md" || format == "text" || format == "markdown") {
        paragraphs = import::read_text(bytes, name, format == "md" || format == "markdown", limits);
    } else {
        Diagnostic d;
        d.kind = DiagnosticKind::usage;
        d.code = "import.unknown_format";
        d.message = "cannot import \"" + name + "\": give a .docx, .odt, .txt or .md file";
        d.message_vi = "Không đọc được tệp \"" + name +
                       "\": chỉ nhập được tệp .docx, .odt, .txt hoặc .md (tệp .doc cũ hãy "
                       "mở bằng Word hoặc LibreOffice rồi lưu lại thành .docx).";
        throw Error(std::move(d));
    }
    return paragraphs;
}

// Problems of the readers (zip, XML, limits, encoding) as messages for the văn thư too.
[[noreturn]] void rethrow_for_people(const Error& e, const std::string& name) {
    std::vector<Diagnostic> out = e.diagnostics();
    for (auto& d : out) {
        if (!d.code.empty()) continue;
        if (d.kind == DiagnosticKind::limit) {
            d.code = "import.limit";
            d.message_vi = "Tệp \"" + name +
                           "\" vượt quá giới hạn an toàn khi đọc (quá lớn hoặc quá nhiều đoạn) nên không "
                           "được nhập. Hãy chia nhỏ văn bản hoặc bỏ bớt phần không cần thiết rồi nhập lại.";
        } else {
            d.code = "import.unreadable";
            d.message_vi = "Không đọc được tệp \"" + name +
                           "\": tệp bị hỏng hoặc không đúng định dạng .docx, .odt, .txt "
                           "(UTF-8). Hãy mở tệp bằng Word hoặc LibreOffice, lưu lại rồi nhập lại.";
        }
    }
    throw Error(std::move(out));
}

}  // namespace

ImportResult import_document(std::string_view bytes, std::string_view name_or_format, const ImportOptions& options) {
    if (options.template_name != "ke-hoach") {
        Diagnostic d;
        d.kind = DiagnosticKind::usage;
        d.code = "import.unknown_template";
        d.message = "the importer knows only the template \"ke-hoach\", not \"" + options.template_name + "\"";
        d.message_vi =
            "Chức năng nhập văn bản hiện chỉ nhận dạng được mẫu kế hoạch (\"ke-hoach\"), chưa nhận dạng được mẫu \"" +
            options.template_name + "\".";
        throw Error(std::move(d));
    }
    const std::string format = format_of(name_or_format);
    const std::string name =
        name_or_format.find('.') != std::string_view::npos ? std::string(name_or_format) : "document." + format;
    const import::ReadLimits limits{options.limits, options.max_paragraphs};
    std::vector<import::Paragraph> paragraphs;
    try {
        paragraphs = read(bytes, format, name, limits);
    } catch (const Error& e) {
        rethrow_for_people(e, name);
    }
    return import::recognise_plan(std::move(paragraphs), name);
}

nlohmann::json import_result_json(const ImportResult& result) {
    nlohmann::json places = nlohmann::json::array();
    for (const auto& u : result.unrecognised)
        places.push_back({{"part", u.part}, {"paragraph", u.paragraph}, {"text", u.text}, {"reason", u.reason}});
    nlohmann::json warnings = diagnostics_to_json(result.warnings);
    // The stable code and the Vietnamese text of each warning (the shared records may already carry them).
    for (std::size_t i = 0; i < warnings.size() && i < result.warnings.size(); ++i) {
        if (!result.warnings[i].code.empty()) warnings[i]["code"] = result.warnings[i].code;
        if (!result.warnings[i].message_vi.empty()) warnings[i]["message_vi"] = result.warnings[i].message_vi;
    }
    return {
        {"template", result.template_name}, {"data", result.data}, {"unrecognised", places}, {"warnings", warnings}};
}

}  // namespace vanban
