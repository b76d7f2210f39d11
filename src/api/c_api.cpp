// The C API (include/vanban/vanban.h) over the C++ API. Every entry point catches everything: no exception crosses
// the boundary. Handles are heap objects owned by the caller between the create and the matching free call.
#include "vanban/vanban.h"

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "vanban/import.hpp"
#include "vanban/vanban.hpp"

struct vanban_template {
    vanban::Template tpl;
    vanban::DataLimits data_limits;  // for the data of every render with this template
};

struct vanban_schema {
    vanban::Schema schema;
};

// The records point into `diagnostics` and `texts`, which never change after construction.
struct vanban_errors {
    std::vector<vanban::Diagnostic> diagnostics;
    std::vector<std::string> texts;
    std::vector<std::string> texts_vi;
    std::vector<vanban_error> records;
    std::string json;

    explicit vanban_errors(std::vector<vanban::Diagnostic> list);
};

namespace {

vanban_status status_of(vanban::DiagnosticKind kind) noexcept {
    using K = vanban::DiagnosticKind;
    switch (kind) {
        case K::template_syntax: return VANBAN_ERROR_TEMPLATE;
        case K::data: return VANBAN_ERROR_DATA;
        case K::schema: return VANBAN_ERROR_SCHEMA;
        case K::json_syntax: return VANBAN_ERROR_JSON;
        case K::package: return VANBAN_ERROR_PACKAGE;
        case K::io: return VANBAN_ERROR_IO;
        case K::limit: return VANBAN_ERROR_LIMIT;
        case K::usage: return VANBAN_ERROR_USAGE;
    }
    return VANBAN_ERROR_INTERNAL;
}

}  // namespace

vanban_errors::vanban_errors(std::vector<vanban::Diagnostic> list) : diagnostics(std::move(list)) {
    texts.reserve(diagnostics.size());
    for (const auto& d : diagnostics) texts.push_back(d.to_string());
    texts_vi.reserve(diagnostics.size());
    for (const auto& d : diagnostics) texts_vi.push_back(d.to_string(vanban::Language::vi));
    records.reserve(diagnostics.size());
    for (std::size_t i = 0; i < diagnostics.size(); ++i) {
        const auto& d = diagnostics[i];
        vanban_error r{};
        r.kind = status_of(d.kind);
        r.kind_name = vanban_status_name(r.kind);
        r.message = d.message.c_str();
        r.part = d.part.c_str();
        r.paragraph = d.paragraph;
        r.tag = d.tag.c_str();
        r.context = d.context.c_str();
        r.json_pointer = d.json_pointer.c_str();
        r.source = d.source.c_str();
        r.line = d.line;
        r.column = d.column;
        r.hint = d.hint.c_str();
        r.text = texts[i].c_str();
        r.code = d.code.c_str();
        r.message_en = d.message.c_str();
        r.message_vi = d.text(vanban::Language::vi).c_str();
        r.text_vi = texts_vi[i].c_str();
        records.push_back(r);
    }
    json = vanban::diagnostics_to_json(diagnostics).dump(2);
}

namespace {

// A failure: hands the diagnostics to the caller (when it asked for them) and returns the first one's status.
vanban_status fail(vanban_errors** errors, std::vector<vanban::Diagnostic> diagnostics) noexcept {
    const vanban_status status = diagnostics.empty() ? VANBAN_ERROR_INTERNAL : status_of(diagnostics.front().kind);
    if (errors) {
        try {
            *errors = new vanban_errors(std::move(diagnostics));
        } catch (...) {
            *errors = nullptr;
            return VANBAN_ERROR_NO_MEMORY;
        }
    }
    return status;
}

vanban_status fail(vanban_errors** errors, vanban::DiagnosticKind kind, const char* message) noexcept {
    try {
        vanban::Diagnostic d;
        d.kind = kind;
        d.message = message;
        return fail(errors, std::vector<vanban::Diagnostic>{std::move(d)});
    } catch (...) {
        if (errors) *errors = nullptr;
        return VANBAN_ERROR_NO_MEMORY;
    }
}

vanban_status usage(vanban_errors** errors, const char* message) noexcept {
    return fail(errors, vanban::DiagnosticKind::usage, message);
}

// Runs `body` (which returns VANBAN_OK or throws) with every exception turned into a status and error records.
template <class Body>
vanban_status guarded(vanban_errors** errors, Body&& body) noexcept {
    if (errors) *errors = nullptr;
    try {
        return body();
    } catch (const vanban::Error& e) {
        try {
            return fail(errors, e.diagnostics());
        } catch (...) {
            return VANBAN_ERROR_NO_MEMORY;
        }
    } catch (const std::bad_alloc&) {
        return VANBAN_ERROR_NO_MEMORY;
    } catch (const std::exception& e) {
        vanban_status s = fail(errors, vanban::DiagnosticKind::usage, e.what());
        return s == VANBAN_ERROR_NO_MEMORY ? s : VANBAN_ERROR_INTERNAL;
    } catch (...) {
        vanban_status s = fail(errors, vanban::DiagnosticKind::usage, "unknown exception");
        return s == VANBAN_ERROR_NO_MEMORY ? s : VANBAN_ERROR_INTERNAL;
    }
}

std::size_t text_size(const char* text, std::size_t size) noexcept {
    return size == VANBAN_NUL_TERMINATED ? std::strlen(text) : size;
}

// Copies into a malloc'd, NUL-terminated buffer.
void give(vanban_buffer* out, const std::string& bytes) {
    char* p = static_cast<char*>(std::malloc(bytes.size() + 1));
    if (!p) throw std::bad_alloc();
    std::memcpy(p, bytes.data(), bytes.size());
    p[bytes.size()] = '\0';
    out->data = p;
    out->size = bytes.size();
}

void clear(vanban_buffer* out) noexcept {
    if (out) {
        out->data = nullptr;
        out->size = 0;
    }
}

// The C limits as the C++ ones: fields beyond the caller's struct_size (a program built against an older header) keep
// their defaults.
vanban::Limits to_limits(const vanban_limits* in) {
    vanban::Limits out;
    if (!in) return out;
    auto has = [&](std::size_t offset, std::size_t size) { return in->struct_size >= offset + size; };
#define VANBAN_TAKE(field, target) \
    if (has(offsetof(vanban_limits, field), sizeof(in->field))) target = in->field
    VANBAN_TAKE(max_package_entries, out.max_package_entries);
    VANBAN_TAKE(max_part_size, out.max_part_size);
    VANBAN_TAKE(max_package_size, out.max_package_size);
    VANBAN_TAKE(max_compression_ratio, out.max_compression_ratio);
    VANBAN_TAKE(max_output_size, out.max_output_size);
    VANBAN_TAKE(max_loop_iterations, out.max_loop_iterations);
    VANBAN_TAKE(max_value_size, out.max_value_size);
    VANBAN_TAKE(max_work, out.max_work);
    VANBAN_TAKE(max_data_size, out.data.max_size);
    VANBAN_TAKE(max_data_depth, out.data.max_depth);
    VANBAN_TAKE(max_image_size, out.max_image_size);
    VANBAN_TAKE(max_images, out.max_images);
#undef VANBAN_TAKE
    return out;
}

vanban_status open_template(const char* function, const char* path, const vanban_limits* limits, vanban_template** out,
                            vanban_errors** errors) {
    return guarded(errors, [&] {
        if (!out) return usage(errors, (std::string(function) + ": out is NULL").c_str());
        *out = nullptr;
        if (!path) return usage(errors, (std::string(function) + ": path is NULL").c_str());
        vanban::CompileOptions options;
        options.limits = to_limits(limits);
        *out = new vanban_template{vanban::Template::from_file(path, options), options.limits.data};
        return VANBAN_OK;
    });
}

vanban_status template_from_memory(const char* function, const void* bytes, size_t size, const char* name,
                                   const vanban_limits* limits, vanban_template** out, vanban_errors** errors) {
    return guarded(errors, [&] {
        if (!out) return usage(errors, (std::string(function) + ": out is NULL").c_str());
        *out = nullptr;
        if (!bytes && size > 0) return usage(errors, (std::string(function) + ": bytes is NULL").c_str());
        std::string copy = size ? std::string(static_cast<const char*>(bytes), size) : std::string();
        vanban::CompileOptions options;
        options.limits = to_limits(limits);
        *out = new vanban_template{vanban::Template::from_bytes(std::move(copy), name ? name : "<memory>", options),
                                   options.limits.data};
        return VANBAN_OK;
    });
}

vanban::RenderOptions render_options(unsigned flags) {
    vanban::RenderOptions options;
    options.lenient = (flags & VANBAN_RENDER_LENIENT) != 0;
    return options;
}

// The C options as the C++ ones. Fields beyond the caller's struct_size (a program built against an older header)
// keep their defaults.
vanban::RenderOptions render_options(const vanban_render_options* in) {
    if (!in) return {};
    const auto has = [&](std::size_t offset, std::size_t size) { return in->struct_size >= offset + size; };
    vanban::RenderOptions options =
        render_options(has(offsetof(vanban_render_options, flags), sizeof in->flags) ? in->flags : 0u);
    if (has(offsetof(vanban_render_options, image_directory), sizeof in->image_directory) && in->image_directory)
        options.image_directory = in->image_directory;  // "" stays "": file paths refused
    if (has(offsetof(vanban_render_options, max_image_size), sizeof in->max_image_size))
        options.max_image_size = in->max_image_size;
    if (has(offsetof(vanban_render_options, max_images), sizeof in->max_images)) options.max_images = in->max_images;
    return options;
}

unsigned flags_of(const vanban_render_options* options) {
    return options && options->struct_size >= offsetof(vanban_render_options, flags) + sizeof options->flags
               ? options->flags
               : 0u;
}

vanban_status render_to_buffer(const char* function, const vanban_template* tpl, const char* data_json,
                               size_t data_size, const char* data_name, const vanban_render_options* options,
                               vanban_buffer* out, vanban_errors** errors) {
    clear(out);
    return guarded(errors, [&] {
        if (!tpl || !data_json || !out)
            return usage(errors, (std::string(function) + ": tpl, data_json or out is NULL").c_str());
        if (flags_of(options) & ~VANBAN_RENDER_LENIENT)
            return usage(errors, (std::string(function) + ": unknown flags").c_str());
        auto data = vanban::Data::parse(std::string_view(data_json, text_size(data_json, data_size)),
                                        data_name ? data_name : "data", tpl->data_limits);
        give(out, tpl->tpl.render(data, render_options(options)));
        return VANBAN_OK;
    });
}

vanban_status render_to_path(const char* function, const vanban_template* tpl, const char* data_json, size_t data_size,
                             const char* data_name, const vanban_render_options* options, const char* path,
                             vanban_errors** errors) {
    return guarded(errors, [&] {
        if (!tpl || !data_json || !path)
            return usage(errors, (std::string(function) + ": tpl, data_json or path is NULL").c_str());
        if (flags_of(options) & ~VANBAN_RENDER_LENIENT)
            return usage(errors, (std::string(function) + ": unknown flags").c_str());
        auto data = vanban::Data::parse(std::string_view(data_json, text_size(data_json, data_size)),
                                        data_name ? data_name : "data", tpl->data_limits);
        vanban::write_file_atomic(path, tpl->tpl.render(data, render_options(options)));
        return VANBAN_OK;
    });
}

}  // namespace

extern "C" {

const char* vanban_version(void) { return VANBAN_VERSION; }

const char* vanban_status_name(vanban_status status) {
    switch (status) {
        case VANBAN_OK: return "ok";
        case VANBAN_ERROR_TEMPLATE: return "template";
        case VANBAN_ERROR_DATA: return "data";
        case VANBAN_ERROR_SCHEMA: return "schema";
        case VANBAN_ERROR_JSON: return "json";
        case VANBAN_ERROR_PACKAGE: return "package";
        case VANBAN_ERROR_IO: return "io";
        case VANBAN_ERROR_LIMIT: return "limit";
        case VANBAN_ERROR_USAGE: return "usage";
        case VANBAN_ERROR_NO_MEMORY: return "no-memory";
        case VANBAN_ERROR_INTERNAL: return "internal";
    }
    return "unknown";
}

size_t vanban_errors_count(const vanban_errors* errors) { return errors ? errors->records.size() : 0; }

const vanban_error* vanban_errors_get(const vanban_errors* errors, size_t index) {
    return errors && index < errors->records.size() ? &errors->records[index] : nullptr;
}

const char* vanban_errors_json(const vanban_errors* errors) { return errors ? errors->json.c_str() : "[]"; }

void vanban_errors_free(vanban_errors* errors) { delete errors; }

void vanban_buffer_free(vanban_buffer* buffer) {
    if (!buffer) return;
    std::free(buffer->data);
    clear(buffer);
}

void vanban_limits_init(vanban_limits* limits) {
    if (!limits) return;
    const vanban::Limits d;
    limits->struct_size = sizeof(vanban_limits);
    limits->max_package_entries = d.max_package_entries;
    limits->max_part_size = d.max_part_size;
    limits->max_package_size = d.max_package_size;
    limits->max_compression_ratio = d.max_compression_ratio;
    limits->max_output_size = d.max_output_size;
    limits->max_loop_iterations = d.max_loop_iterations;
    limits->max_value_size = d.max_value_size;
    limits->max_work = d.max_work;
    limits->max_data_size = d.data.max_size;
    limits->max_data_depth = d.data.max_depth;
    limits->max_image_size = d.max_image_size;
    limits->max_images = d.max_images;
}

vanban_status vanban_template_open(const char* path, vanban_template** out, vanban_errors** errors) {
    return open_template("vanban_template_open", path, nullptr, out, errors);
}

vanban_status vanban_template_open_with_limits(const char* path, const vanban_limits* limits, vanban_template** out,
                                               vanban_errors** errors) {
    return open_template("vanban_template_open_with_limits", path, limits, out, errors);
}

vanban_status vanban_template_from_memory(const void* bytes, size_t size, const char* name, vanban_template** out,
                                          vanban_errors** errors) {
    return template_from_memory("vanban_template_from_memory", bytes, size, name, nullptr, out, errors);
}

vanban_status vanban_template_from_memory_with_limits(const void* bytes, size_t size, const char* name,
                                                      const vanban_limits* limits, vanban_template** out,
                                                      vanban_errors** errors) {
    return template_from_memory("vanban_template_from_memory_with_limits", bytes, size, name, limits, out, errors);
}

void vanban_template_free(vanban_template* tpl) { delete tpl; }

vanban_status vanban_template_inspect(const vanban_template* tpl, vanban_buffer* out, vanban_errors** errors) {
    clear(out);
    return guarded(errors, [&] {
        if (!tpl || !out) return usage(errors, "vanban_template_inspect: tpl or out is NULL");
        vanban::Inspection info = tpl->tpl.inspect();
        nlohmann::json j = {{"skeleton", info.skeleton},
                            {"loops", info.loops},
                            {"conditions", info.conditions},
                            {"outputs", info.outputs}};
        give(out, j.dump(2));
        return VANBAN_OK;
    });
}

vanban_status vanban_render(const vanban_template* tpl, const char* data_json, size_t data_size, const char* data_name,
                            unsigned flags, vanban_buffer* out, vanban_errors** errors) {
    vanban_render_options options;
    vanban_render_options_init(&options);
    options.flags = flags;
    return render_to_buffer("vanban_render", tpl, data_json, data_size, data_name, &options, out, errors);
}

vanban_status vanban_render_to_file(const vanban_template* tpl, const char* data_json, size_t data_size,
                                    const char* data_name, unsigned flags, const char* path, vanban_errors** errors) {
    vanban_render_options options;
    vanban_render_options_init(&options);
    options.flags = flags;
    return render_to_path("vanban_render_to_file", tpl, data_json, data_size, data_name, &options, path, errors);
}

void vanban_render_options_init(vanban_render_options* options) {
    if (!options) return;
    *options = vanban_render_options{};
    options->struct_size = sizeof(vanban_render_options);
}

vanban_status vanban_render_with_options(const vanban_template* tpl, const char* data_json, size_t data_size,
                                         const char* data_name, const vanban_render_options* options,
                                         vanban_buffer* out, vanban_errors** errors) {
    return render_to_buffer("vanban_render_with_options", tpl, data_json, data_size, data_name, options, out, errors);
}

vanban_status vanban_render_to_file_with_options(const vanban_template* tpl, const char* data_json, size_t data_size,
                                                 const char* data_name, const vanban_render_options* options,
                                                 const char* path, vanban_errors** errors) {
    return render_to_path("vanban_render_to_file_with_options", tpl, data_json, data_size, data_name, options, path,
                          errors);
}

vanban_status vanban_schema_compile(const char* schema_json, size_t schema_size, const char* name, vanban_schema** out,
                                    vanban_errors** errors) {
    return guarded(errors, [&] {
        if (!out) return usage(errors, "vanban_schema_compile: out is NULL");
        *out = nullptr;
        if (!schema_json) return usage(errors, "vanban_schema_compile: schema_json is NULL");
        *out = new vanban_schema{vanban::Schema::parse(
            std::string_view(schema_json, text_size(schema_json, schema_size)), name ? name : "schema")};
        return VANBAN_OK;
    });
}

void vanban_schema_free(vanban_schema* schema) { delete schema; }

vanban_status vanban_schema_validate(const vanban_schema* schema, const char* data_json, size_t data_size,
                                     const char* data_name, vanban_errors** errors) {
    return guarded(errors, [&] {
        if (!schema || !data_json) return usage(errors, "vanban_schema_validate: schema or data_json is NULL");
        auto data = vanban::Data::parse(std::string_view(data_json, text_size(data_json, data_size)),
                                        data_name ? data_name : "data");
        auto problems = schema->schema.validate(data);
        if (problems.empty()) return VANBAN_OK;
        return fail(errors, std::move(problems));
    });
}

vanban_status vanban_import(const void* bytes, size_t size, const char* name_or_format, const char* template_name,
                            vanban_buffer* out, vanban_errors** errors) {
    clear(out);
    return guarded(errors, [&] {
        if (!out || !name_or_format || (!bytes && size > 0))
            return usage(errors, "vanban_import: out, name_or_format or bytes is NULL");
        vanban::ImportOptions options;
        if (template_name) options.template_name = template_name;
        const std::string_view input(static_cast<const char*>(bytes), bytes ? size : 0);
        give(out, vanban::import_result_json(vanban::import_document(input, name_or_format, options)).dump());
        return VANBAN_OK;
    });
}

}  // extern "C"
