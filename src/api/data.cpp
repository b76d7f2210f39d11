// Public wrappers over the data reader (json/json_source), the schema validator (json/schema) and the file helpers.
#include "io/files.hpp"
#include "json/json_source.hpp"
#include "json/schema.hpp"
#include "vanban/vanban.hpp"

#ifndef VANBAN_VERSION
#error "VANBAN_VERSION must be defined by the build"
#endif

namespace vanban {

namespace detail {
struct DataImpl {
    json_data::Document document;
};
struct SchemaImpl {
    json_data::Schema schema;
};
}  // namespace detail

Data Data::parse(std::string_view text, std::string source) { return parse(text, std::move(source), DataLimits{}); }

Data Data::parse(std::string_view text, std::string source, const DataLimits& limits) {
    json_data::JsonLimits json_limits;
    json_limits.max_depth = limits.max_depth;
    json_limits.max_size = limits.max_size;
    json_limits.max_values = limits.max_values;
    return Data(std::make_shared<const detail::DataImpl>(
        detail::DataImpl{json_data::parse(text, std::move(source), json_limits)}));
}

Data Data::from_file(const std::string& path) { return from_file(path, DataLimits{}); }

Data Data::from_file(const std::string& path, const DataLimits& limits) {
    std::string text = io::read_file(path, limits.max_size);
    return parse(text, path == "-" ? "<stdin>" : path, limits);
}

Data::Data(nlohmann::json value, std::string source) {
    json_data::Document document;
    document.value = std::move(value);
    document.source = std::move(source);
    impl_ = std::make_shared<const detail::DataImpl>(detail::DataImpl{std::move(document)});
}

const nlohmann::json& Data::value() const noexcept { return impl_->document.value; }
const std::string& Data::source() const noexcept { return impl_->document.source; }

void Data::locate(Diagnostic& diagnostic) const {
    if (diagnostic.kind == DiagnosticKind::json_syntax) return;  // already points at the text
    if (!diagnostic.source.empty() && diagnostic.source != impl_->document.source) return;
    if (diagnostic.json_pointer.empty() && diagnostic.kind != DiagnosticKind::schema) return;
    impl_->document.locate(diagnostic);
}

void Data::locate(std::vector<Diagnostic>& diagnostics) const {
    for (auto& d : diagnostics) locate(d);
}

Schema::Schema(const nlohmann::json& schema, std::string name)
    : impl_(
          std::make_shared<const detail::SchemaImpl>(detail::SchemaImpl{json_data::Schema(schema, std::move(name))})) {}

Schema Schema::parse(std::string_view text, std::string name) {
    json_data::Document document = json_data::parse(text, name);
    return Schema(document.value, std::move(name));
}

std::vector<Diagnostic> Schema::validate(const Data& data) const {
    return impl_->schema.validate(data.impl_->document);
}

const nlohmann::json& Schema::source() const { return impl_->schema.source(); }

std::string Template::render(const Data& data, const RenderOptions& options) const {
    try {
        return render_ordered(data.value(), options, &data.impl_->document.key_order);
    } catch (const Error& e) {
        auto located = e.diagnostics();
        data.locate(located);
        throw Error(std::move(located));
    }
}

std::string read_file(const std::string& path, std::uint64_t max_size) { return io::read_file(path, max_size); }

void write_file_atomic(const std::string& path, std::string_view bytes) { io::write_file_atomic(path, bytes); }

nlohmann::json diagnostics_to_json(const std::vector<Diagnostic>& diagnostics) {
    return diagnostics_to_json(diagnostics, Language::en);
}

nlohmann::json diagnostics_to_json(const std::vector<Diagnostic>& diagnostics, Language language) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& d : diagnostics) {
        nlohmann::json j = {{"kind", std::string(to_string(d.kind))}, {"message", d.text(language)}};
        if (!d.code.empty()) j["code"] = d.code;
        j["message_en"] = d.message;
        if (!d.message_vi.empty()) j["message_vi"] = d.message_vi;
        if (!d.part.empty()) j["part"] = d.part;
        if (d.paragraph) j["paragraph"] = d.paragraph;
        if (!d.tag.empty()) j["tag"] = d.tag;
        if (!d.context.empty()) j["context"] = d.context;
        if (!d.json_pointer.empty() || d.kind == DiagnosticKind::schema) j["json_pointer"] = d.json_pointer;
        if (!d.source.empty()) j["source"] = d.source;
        if (d.line) {
            j["line"] = d.line;
            j["column"] = d.column;
        }
        if (!d.hint.empty()) j["hint"] = d.hint;
        arr.push_back(std::move(j));
    }
    return arr;
}

std::string_view version() noexcept { return VANBAN_VERSION; }

}  // namespace vanban
