// The parts of an XLSX workbook as the XLSX records reader needs them. Takes the archive (zip::Reader) and part
// names; gives libxml2 streaming readers over the parts (a document type declaration refused: no entity tricks), the
// shared-string table kept flat in memory, and the small OOXML decodings (_xHHHH_ escapes, which number formats are
// dates, bounded row numbers).
#pragma once

#include <libxml/xmlreader.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "batch/byte_stream.hpp"
#include "zip/zip.hpp"

namespace vanban::batch::detail {

// A non-negative number from XML (a row, a style or format id), at most kMaxRow: numbers that do not fit are
// clamped rather than overflowing (atoi is undefined there). 0 when it is not a number.
constexpr int kMaxRow = 1 << 30;  // Excel stops at 1,048,576 rows
int bounded_int(std::string_view text);

// Archive limits for a workbook: a sheet is streamed, so it may be far larger than a template part.
zip::Limits workbook_limits();

struct XmlReaderDeleter {
    void operator()(xmlTextReader* r) const noexcept { xmlFreeTextReader(r); }
};
using XmlReader = std::unique_ptr<xmlTextReader, XmlReaderDeleter>;

// A reader over a small part held in memory (the workbook, its relationships, the styles).
XmlReader xml_reader(const std::string& xml, const std::string& name, const std::string& source);
// The next node of a workbook part (xmlTextReaderRead's result); a document type declaration is refused.
int read_node(xmlTextReader* r, std::string_view part, const std::string& source);
std::string_view local_name(xmlTextReader* r);
std::optional<std::string> attribute(xmlTextReader* r, const char* name, const char* ns = nullptr);
std::string_view node_value(xmlTextReader* r);

// OOXML escapes characters XML cannot hold as _xHHHH_ (a carriage return is _x000D_).
std::string decode_xstring(std::string s);
// Whether a number format shows a date or a time: a custom format code, or a built-in format id.
bool date_format_code(std::string_view code);
bool builtin_date_format(int id);

// An XML reader over one entry of the workbook, inflated piece by piece: a sheet of 100,000 rows is never held whole.
// libxml2 pulls through a C callback, which must not throw: a read error is kept and rethrown by check().
class StreamedXml {
public:
    StreamedXml(const zip::Reader& zip, const std::string& part, const std::string& source);
    StreamedXml(const StreamedXml&) = delete;
    StreamedXml& operator=(const StreamedXml&) = delete;

    xmlTextReader* get() const noexcept { return reader_.get(); }
    // After xmlTextReaderRead returned -1: the archive's own error (corrupt entry) when there was one.
    void check() const {
        if (error_) std::rethrow_exception(error_);
    }

private:
    static int pull(void* context, char* buffer, int size);
    zip::EntryStream stream_;
    std::string name_;
    std::string head_;  // the first bytes, read ahead to look at the prolog, then handed to libxml2
    std::size_t head_used_ = 0;
    std::exception_ptr error_;
    XmlReader reader_;  // last: freed first, while the stream it pulls from still exists
};

// The workbook's shared-string table. Excel stores every distinct text of a workbook there, so it grows with the
// rows: it is kept in memory while small, and past a limit (ReaderOptions) its texts and their end offsets move to
// unlinked temporary files, read back through a cache of small blocks (a row refers mostly to strings added at about
// its own row, and repeated values to blocks that stay cached), so memory stays flat. The counting pass keeps
// one bit a string: whether it is blank (that is all a blank row needs).
class SharedStrings {
public:
    SharedStrings(bool blank_only, std::size_t memory_limit) : blank_only_(blank_only), memory_limit_(memory_limit) {}

    std::size_t size() const noexcept { return count_; }
    void add(const std::string& text);
    // After the last add(): spilled data becomes readable.
    void seal();
    // Bytes of string i, without copying it (a row is charged for its strings before they are copied).
    std::uint64_t length(std::size_t i);
    std::string get(std::size_t i);

private:
    static constexpr std::size_t kBlock = 4u << 10;
    static constexpr std::size_t kBlocks = 512;  // 2 MiB
    using File = std::unique_ptr<std::FILE, FileCloser>;

    static void write(const File& f, std::string_view bytes);
    void spill();
    // Copies [offset, offset + size) of `file` through the block cache.
    void read(const File& file, std::uint64_t offset, char* out, std::size_t size);
    // A direct-mapped cache: each block of each file has one slot it can be in (no search, no bookkeeping).
    const std::string& cached(const File& file, std::uint64_t index);

    struct Block {
        bool valid = false;
        std::uint64_t key = 0;
        std::string data;
    };

    bool blank_only_;
    std::size_t memory_limit_;
    std::size_t count_ = 0;
    std::vector<bool> blank_;
    std::string text_;
    std::vector<std::uint64_t> ends_;
    File texts_, ends_file_;
    std::uint64_t spilled_bytes_ = 0;
    std::array<Block, kBlocks> blocks_{};
};

}  // namespace vanban::batch::detail
