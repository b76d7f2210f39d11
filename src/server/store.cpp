#include "server/store.hpp"

#include <algorithm>
#include <chrono>

#include "server/http_util.hpp"

namespace vanban::server {

CompileOptions server_compile_options() {
    CompileOptions o;
    o.limits.max_package_entries = 2'000;
    o.limits.max_part_size = 32ull << 20;
    o.limits.max_package_size = 128ull << 20;
    o.limits.max_compression_ratio = 200.0;
    o.limits.max_output_size = 64ull << 20;
    o.limits.max_loop_iterations = 1'000'000;
    return o;
}

TemplateStore::TemplateStore(const std::vector<std::string>& template_dirs)
    : templates_(bundled_templates(template_dirs)) {}

const BundledTemplate& TemplateStore::get(std::string_view name) const {
    for (const auto& t : templates_)
        if (t.name == name) return t;
    throw HttpError(404, DiagnosticKind::usage, "no template named '" + std::string(name) + "'",
                    "GET /api/templates lists them");
}

template <class T, class Make>
std::shared_ptr<const T> TemplateStore::once(std::map<std::string, std::unique_ptr<Slot<T>>>& slots,
                                             const std::string& key, Make make) {
    Slot<T>* slot = nullptr;
    {
        std::lock_guard lock(m_);
        auto& s = slots[key];
        if (!s) s = std::make_unique<Slot<T>>();
        slot = s.get();  // slots are never removed, so the pointer stays valid
    }
    // Concurrent first requests wait for one compilation; if it throws, the next request tries again.
    std::call_once(slot->once, [&] { slot->value = make(); });
    return slot->value;
}

Template TemplateStore::compiled(const BundledTemplate& t, std::string_view format) {
    const std::string kind = format == "odt" ? "odt" : "docx";
    if (std::find(t.formats.begin(), t.formats.end(), kind) == t.formats.end())
        throw HttpError(
            404, DiagnosticKind::usage, "template '" + t.name + "' has no " + kind + " variant",
            "it renders " + t.formats.front() + (t.formats.size() > 1 ? " or " + t.formats.back() : "") + " and pdf");
    return *once(compiled_, t.name + "/" + kind, [&] {
        return std::make_shared<const Template>(Template::from_file(t.variant_path(kind), server_compile_options()));
    });
}

std::shared_ptr<const Schema> TemplateStore::schema(const BundledTemplate& t) {
    if (t.schema_path.empty()) return nullptr;
    return once(schemas_, t.name, [&] { return std::make_shared<const Schema>(*t.schema(), t.schema_path); });
}

// ----- converters

// One of the pool's conversions at a time, with a converter of its own (an idle one, or a new one).
class ConverterPool::Slot {
public:
    explicit Slot(ConverterPool& pool) : pool_(pool) {
        if (!pool_.slots_.try_acquire_for(std::chrono::seconds(pool_.wait_seconds_)))
            throw HttpError(503, DiagnosticKind::limit, "every LibreOffice converter is busy; try again in a moment",
                            "the server runs a few conversions at once (vanban serve --converters N)");
        std::lock_guard lock(pool_.idle_m_);
        if (!pool_.idle_.empty()) {
            converter_ = std::move(pool_.idle_.back());
            pool_.idle_.pop_back();
        }
    }
    ~Slot() {
        if (converter_) {
            std::lock_guard lock(pool_.idle_m_);
            pool_.idle_.push_back(std::move(converter_));
        }
        pool_.slots_.release();
    }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;

    PdfConverter& converter() {
        if (!converter_) converter_ = std::make_unique<PdfConverter>(pool_.pdf_);
        return *converter_;
    }

private:
    ConverterPool& pool_;
    std::unique_ptr<PdfConverter> converter_;
};

ConverterPool::ConverterPool(unsigned slots, int wait_seconds, PdfOptions pdf)
    : slots_(static_cast<std::ptrdiff_t>(std::clamp(slots, 1u, 64u))),
      wait_seconds_(wait_seconds),
      pdf_(std::move(pdf)) {}

std::string ConverterPool::to_pdf(const std::string& document, std::string_view format) {
    Slot slot(*this);
    return slot.converter().convert(document, format == "odt" ? "odt" : "docx");
}

std::vector<std::string> ConverterPool::to_png(const std::string& document, std::string_view format, int dpi,
                                               int max_pages) {
    const std::string pdf = to_pdf(document, format);
    PngOptions png;
    png.dpi = dpi;
    png.max_pages = max_pages;
    png.timeout_seconds = pdf_.timeout_seconds;
    return pdf_to_png(pdf, png);
}

}  // namespace vanban::server
