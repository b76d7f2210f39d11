// What the server keeps between requests: the bundled templates compiled once per (template, format) with their
// schemas, and the bounded pool of LibreOffice conversions.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <semaphore>
#include <string>
#include <string_view>
#include <vector>

#include <vanban/catalog.hpp>
#include <vanban/convert.hpp>
#include <vanban/vanban.hpp>

namespace vanban::server {

// The limits every template the server compiles gets: bundled ones and uploads alike.
CompileOptions server_compile_options();

class TemplateStore {
public:
    explicit TemplateStore(const std::vector<std::string>& template_dirs = {});  // reads the catalog once

    const std::vector<BundledTemplate>& all() const noexcept { return templates_; }
    // The bundled template `name`; throws HttpError 404 when there is none.
    const BundledTemplate& get(std::string_view name) const;

    // Compiled on first use, then shared: render() is const and thread-safe. `format`: docx, odt or pdf (DOCX
    // variant). Throws HttpError 404 when the template has no such variant.
    Template compiled(const BundledTemplate& t, std::string_view format);
    // The template's compiled schema, or nullptr when it has none.
    std::shared_ptr<const Schema> schema(const BundledTemplate& t);

private:
    template <class T>
    struct Slot {
        std::once_flag once;
        std::shared_ptr<const T> value;
    };
    template <class T, class Make>
    std::shared_ptr<const T> once(std::map<std::string, std::unique_ptr<Slot<T>>>& slots, const std::string& key,
                                  Make make);

    std::vector<BundledTemplate> templates_;
    std::mutex m_;
    std::map<std::string, std::unique_ptr<Slot<Template>>> compiled_;
    std::map<std::string, std::unique_ptr<Slot<Schema>>> schemas_;
};

// At most `slots` LibreOffice conversions at once; a request that waits longer than `wait_seconds` for one is
// answered 503 instead of piling up. Converters are kept between requests (their LibreOffice profiles are made once).
class ConverterPool {
public:
    ConverterPool(unsigned slots, int wait_seconds, PdfOptions pdf);

    bool has_office() const { return !find_soffice(pdf_.soffice).empty(); }
    std::string to_pdf(const std::string& document, std::string_view format);
    // The pages as PNG pictures (LibreOffice, then pdftoppm).
    std::vector<std::string> to_png(const std::string& document, std::string_view format, int dpi, int max_pages);

private:
    class Slot;
    std::counting_semaphore<64> slots_;
    int wait_seconds_;
    PdfOptions pdf_;
    std::mutex idle_m_;
    std::vector<std::unique_ptr<PdfConverter>> idle_;  // at most `slots` of them
};

}  // namespace vanban::server
