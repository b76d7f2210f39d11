#include "batch/xlsx_parts.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "batch/cell_typing.hpp"
#include "core/vn.hpp"
#include "core/xml_compiler.hpp"
#include "io/fail.hpp"

namespace vanban::batch::detail {

using io::fail;
using io::fail_errno;

int bounded_int(std::string_view text) {
    long long value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc::result_out_of_range) return text.starts_with("-") ? 0 : kMaxRow;
    return ec == std::errc() ? static_cast<int>(std::clamp<long long>(value, 0, kMaxRow)) : 0;
}

[[noreturn]] void refuse_doctype(std::string_view part, const std::string& source) {
    fail(DiagnosticKind::package,
         std::string(part) + ": a document type declaration (DTD) is not allowed in a workbook", source);
}

// The next node of a workbook part (xmlTextReaderRead's result).
int read_node(xmlTextReader* r, std::string_view part, const std::string& source) {
    const int rc = xmlTextReaderRead(r);
    if (rc == 1 && xmlTextReaderNodeType(r) == XML_READER_TYPE_DOCUMENT_TYPE) refuse_doctype(part, source);
    return rc;
}

XmlReader xml_reader(const std::string& xml, const std::string& name, const std::string& source) {
    if (core::declares_doctype(xml)) refuse_doctype(name, source);
    XmlReader r(xmlReaderForMemory(xml.data(), static_cast<int>(xml.size()), name.c_str(), nullptr,
                                   XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
    if (!r) fail(DiagnosticKind::package, "cannot read " + name);
    return r;
}

std::string_view local_name(xmlTextReader* r) {
    const xmlChar* n = xmlTextReaderConstLocalName(r);
    return n ? std::string_view(reinterpret_cast<const char*>(n)) : std::string_view();
}

std::optional<std::string> attribute(xmlTextReader* r, const char* name, const char* ns) {
    xmlChar* v = ns ? xmlTextReaderGetAttributeNs(r, reinterpret_cast<const xmlChar*>(name),
                                                  reinterpret_cast<const xmlChar*>(ns))
                    : xmlTextReaderGetAttribute(r, reinterpret_cast<const xmlChar*>(name));
    if (!v) return std::nullopt;
    std::string s(reinterpret_cast<const char*>(v));
    xmlFree(v);
    return s;
}

std::string_view node_value(xmlTextReader* r) {
    const xmlChar* v = xmlTextReaderConstValue(r);
    return v ? std::string_view(reinterpret_cast<const char*>(v)) : std::string_view();
}

// OOXML escapes characters XML cannot hold as _xHHHH_ (a carriage return is _x000D_).
std::string decode_xstring(std::string s) {
    if (s.find("_x") == std::string::npos) return s;
    std::string out;
    for (std::size_t i = 0; i < s.size();) {
        if (s.compare(i, 2, "_x") == 0 && i + 7 <= s.size() && s[i + 6] == '_') {
            unsigned v = 0;
            auto r = std::from_chars(s.data() + i + 2, s.data() + i + 6, v, 16);
            if (r.ec == std::errc() && r.ptr == s.data() + i + 6) {
                vn::append_utf8(out, v >= 0xD800 && v <= 0xDFFF ? 0xFFFD : v);  // (a lone surrogate is no character)
                i += 7;
                continue;
            }
        }
        out += s[i++];
    }
    return out;
}

bool date_format_code(std::string_view code) {
    std::string stripped;
    for (std::size_t i = 0; i < code.size(); ++i) {
        const char c = code[i];
        if (c == '"') {
            const auto close = code.find('"', i + 1);
            if (close == std::string_view::npos) break;
            i = close;
        } else if (c == '\\' || c == '_' || c == '*') {
            ++i;
        } else if (c == '[') {
            const auto close = code.find(']', i);
            if (close == std::string_view::npos) break;
            const std::string inner = ascii_lower(code.substr(i + 1, close - i - 1));
            if (inner == "h" || inner == "hh" || inner == "m" || inner == "mm" || inner == "s" || inner == "ss")
                stripped += 'h';
            i = close;
        } else {
            stripped += core::ascii_lower(c);
        }
    }
    if (stripped == "general") return false;
    return stripped.find_first_of("dyhs") != std::string::npos ||
           (stripped.find('m') != std::string::npos && stripped.find('0') == std::string::npos);
}

bool builtin_date_format(int id) {
    return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) || (id >= 50 && id <= 58);
}

zip::Limits workbook_limits() {
    zip::Limits limits;
    limits.max_entry_size = 1ull << 40;
    limits.max_total_size = 1ull << 42;
    return limits;
}

StreamedXml::StreamedXml(const zip::Reader& zip, const std::string& part, const std::string& source)
    : stream_(zip.stream(part)), name_(source + ":" + part) {
    // The prolog is in the first block: a document type declaration there is refused before libxml2 sees it.
    head_.resize(4096);
    std::size_t filled = 0;
    while (filled < head_.size()) {
        const std::size_t n = stream_.read(head_.data() + filled, head_.size() - filled);
        if (n == 0) break;
        filled += n;
    }
    head_.resize(filled);
    if (core::declares_doctype(head_)) refuse_doctype(part, source);
    reader_.reset(xmlReaderForIO(&StreamedXml::pull, nullptr, this, name_.c_str(), nullptr,
                                 XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
    if (!reader_) fail(DiagnosticKind::package, "cannot read " + part, source);
}

int StreamedXml::pull(void* context, char* buffer, int size) {
    auto* self = static_cast<StreamedXml*>(context);
    if (self->head_used_ < self->head_.size()) {
        const std::size_t n = std::min(self->head_.size() - self->head_used_, static_cast<std::size_t>(size));
        std::memcpy(buffer, self->head_.data() + self->head_used_, n);
        self->head_used_ += n;
        return static_cast<int>(n);
    }
    try {
        return static_cast<int>(self->stream_.read(buffer, static_cast<std::size_t>(size)));
    } catch (...) {
        self->error_ = std::current_exception();
        return -1;
    }
}

void SharedStrings::add(const std::string& text) {
    ++count_;
    if (blank_only_) {
        blank_.push_back(trim(text).empty());
        return;
    }
    if (!texts_) {
        text_ += text;
        ends_.push_back(text_.size());
        if (text_.size() + ends_.size() * sizeof(std::uint64_t) > memory_limit_) spill();
        return;
    }
    write(texts_, text);
    spilled_bytes_ += text.size();
    const std::uint64_t end = spilled_bytes_;
    write(ends_file_, std::string_view(reinterpret_cast<const char*>(&end), sizeof end));
}

void SharedStrings::seal() {
    for (auto* f : {texts_.get(), ends_file_.get()})
        if (f && std::fflush(f) != 0) fail_errno("cannot write the shared strings to a temporary file", errno);
}

std::uint64_t SharedStrings::length(std::size_t i) {
    if (blank_only_) return blank_[i] ? 0 : 1;
    if (!texts_) return ends_[i] - (i ? ends_[i - 1] : 0);
    std::uint64_t bounds[2] = {0, 0};
    if (i == 0) read(ends_file_, 0, reinterpret_cast<char*>(&bounds[1]), sizeof(std::uint64_t));
    else read(ends_file_, (i - 1) * sizeof(std::uint64_t), reinterpret_cast<char*>(bounds), sizeof bounds);
    return bounds[1] - bounds[0];
}

std::string SharedStrings::get(std::size_t i) {
    if (blank_only_) return blank_[i] ? std::string() : std::string("x");
    if (!texts_) return text_.substr(i ? ends_[i - 1] : 0, ends_[i] - (i ? ends_[i - 1] : 0));
    std::uint64_t bounds[2] = {0, 0};
    if (i == 0) read(ends_file_, 0, reinterpret_cast<char*>(&bounds[1]), sizeof(std::uint64_t));
    else read(ends_file_, (i - 1) * sizeof(std::uint64_t), reinterpret_cast<char*>(bounds), sizeof bounds);
    std::string out(bounds[1] - bounds[0], '\0');
    read(texts_, bounds[0], out.data(), out.size());
    return out;
}

void SharedStrings::write(const File& f, std::string_view bytes) {
    if (std::fwrite(bytes.data(), 1, bytes.size(), f.get()) != bytes.size())
        fail_errno("cannot write the shared strings to a temporary file", errno);
}

void SharedStrings::spill() {
    texts_.reset(std::tmpfile());
    ends_file_.reset(std::tmpfile());
    if (!texts_ || !ends_file_) fail_errno("cannot create a temporary file for the shared strings", errno);
    write(texts_, text_);
    write(ends_file_,
          std::string_view(reinterpret_cast<const char*>(ends_.data()), ends_.size() * sizeof(std::uint64_t)));
    spilled_bytes_ = text_.size();
    std::string().swap(text_);
    std::vector<std::uint64_t>().swap(ends_);
}

void SharedStrings::read(const File& file, std::uint64_t offset, char* out, std::size_t size) {
    while (size > 0) {
        const std::uint64_t index = offset / kBlock;
        const std::string& block = cached(file, index);
        const std::size_t at = static_cast<std::size_t>(offset - index * kBlock);
        if (at >= block.size()) fail(DiagnosticKind::io, "the shared-string temporary file is shorter than written");
        const std::size_t n = std::min(size, block.size() - at);
        std::memcpy(out, block.data() + at, n);
        out += n;
        offset += n;
        size -= n;
    }
}

const std::string& SharedStrings::cached(const File& file, std::uint64_t index) {
    const std::uint64_t key = index * 2 + (file.get() == texts_.get() ? 0 : 1);
    Block& b = blocks_[static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> 55) % kBlocks];
    if (b.valid && b.key == key) return b.data;
    b.data.resize(kBlock);
    const ssize_t n = ::pread(::fileno(file.get()), b.data.data(), kBlock, static_cast<off_t>(index * kBlock));
    if (n < 0) fail_errno("cannot read the shared strings back from their temporary file", errno);
    b.data.resize(static_cast<std::size_t>(n));
    b.key = key;
    b.valid = true;
    return b.data;
}

}  // namespace vanban::batch::detail
