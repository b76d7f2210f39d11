#include "zip/zip.hpp"

#include "test_support.hpp"
#include "vanban/diagnostic.hpp"

#include <gtest/gtest.h>
#include <zip.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace vz = vanban::zip;
using vanban::DiagnosticKind;

namespace {

// --- independent helpers (not vanban code): CRC-32, little-endian fields, a bare stored-zip builder ------------

std::uint32_t reference_crc32(std::string_view data) {
    std::uint32_t crc = 0xFFFFFFFFu;
    for (char ch : data) {
        crc ^= static_cast<unsigned char>(ch);
        for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

std::uint32_t get16(const std::string& b, std::size_t at) {
    return static_cast<unsigned char>(b[at]) | (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 1])) << 8);
}
std::uint32_t get32(const std::string& b, std::size_t at) { return get16(b, at) | (get16(b, at + 2) << 16); }
void put16(std::string& b, std::size_t at, std::uint32_t v) {
    b[at] = static_cast<char>(v & 0xFF);
    b[at + 1] = static_cast<char>((v >> 8) & 0xFF);
}
void put32(std::string& b, std::size_t at, std::uint32_t v) {
    put16(b, at, v & 0xFFFF);
    put16(b, at + 2, v >> 16);
}
std::string le16(std::uint32_t v) {
    std::string s(2, '\0');
    put16(s, 0, v);
    return s;
}
std::string le32(std::uint32_t v) {
    std::string s(4, '\0');
    put32(s, 0, v);
    return s;
}

// A stored-only zip built byte by byte, with no name checks at all, to produce hostile archives.
std::string raw_zip(const std::vector<std::pair<std::string, std::string>>& entries) {
    std::string out;
    std::string central;
    for (const auto& [name, data] : entries) {
        const auto offset = static_cast<std::uint32_t>(out.size());
        const std::uint32_t crc = reference_crc32(data);
        const auto size = static_cast<std::uint32_t>(data.size());
        out += le32(0x04034b50) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21) + le32(crc) + le32(size) +
               le32(size) + le16(static_cast<std::uint32_t>(name.size())) + le16(0) + name + data;
        central += le32(0x02014b50) + le16(20) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21) + le32(crc) +
                   le32(size) + le32(size) + le16(static_cast<std::uint32_t>(name.size())) + le16(0) + le16(0) +
                   le16(0) + le16(0) + le32(0) + le32(offset) + name;
    }
    const auto cd_offset = static_cast<std::uint32_t>(out.size());
    out += central;
    out += le32(0x06054b50) + le16(0) + le16(0) + le16(static_cast<std::uint32_t>(entries.size())) +
           le16(static_cast<std::uint32_t>(entries.size())) + le32(static_cast<std::uint32_t>(central.size())) +
           le32(cd_offset) + le16(0);
    return out;
}

// Offsets of every central directory header, found through the end record (no comment in our archives).
std::vector<std::size_t> central_headers(const std::string& zip) {
    const std::size_t end = zip.size() - 22;
    EXPECT_EQ(get32(zip, end), 0x06054b50u);
    std::vector<std::size_t> out;
    std::size_t at = get32(zip, end + 16);
    for (std::uint32_t i = 0; i < get16(zip, end + 10); ++i) {
        EXPECT_EQ(get32(zip, at), 0x02014b50u);
        out.push_back(at);
        at += 46 + get16(zip, at + 28) + get16(zip, at + 30) + get16(zip, at + 32);
    }
    return out;
}

// Runs `f`, expects a vanban::Error, returns it (so the test can inspect kinds and messages).
vanban::Error expect_error(const std::function<void()>& f) {
    try {
        f();
    } catch (const vanban::Error& e) {
        return e;
    }
    ADD_FAILURE() << "expected vanban::Error";
    return vanban::Error(vanban::Diagnostic{});
}

bool any_message_contains(const vanban::Error& e, DiagnosticKind kind, const std::string& a, const std::string& b) {
    for (const auto& d : e.diagnostics())
        if (d.kind == kind && d.message.find(a) != std::string::npos && d.message.find(b) != std::string::npos)
            return true;
    return false;
}

std::string repeated(std::string_view piece, std::size_t times) {
    std::string s;
    s.reserve(piece.size() * times);
    for (std::size_t i = 0; i < times; ++i) s += piece;
    return s;
}

struct LibzipEntry {
    std::string name;
    std::uint16_t method;
    std::uint32_t crc;
    std::string data;
};

// Reads an archive with libzip directly, including method and CRC as libzip sees them.
std::vector<LibzipEntry> libzip_entries(const std::string& bytes) {
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
    zip_t* za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &error);
    zip_error_fini(&error);
    if (!za) {
        zip_source_free(src);
        ADD_FAILURE() << "libzip cannot open the archive";
        return {};
    }
    std::unique_ptr<zip_t, decltype(&zip_discard)> archive(za, zip_discard);
    std::vector<LibzipEntry> out;
    const zip_int64_t n = zip_get_num_entries(za, 0);
    for (zip_int64_t i = 0; i < n; ++i) {
        zip_stat_t st;
        zip_stat_index(za, static_cast<zip_uint64_t>(i), 0, &st);
        LibzipEntry e{st.name, st.comp_method, st.crc, std::string(st.size, '\0')};
        zip_file_t* f = zip_fopen_index(za, static_cast<zip_uint64_t>(i), 0);
        EXPECT_NE(f, nullptr);
        if (f) {
            EXPECT_EQ(zip_fread(f, e.data.data(), e.data.size()), static_cast<zip_int64_t>(e.data.size()));
            char probe;
            EXPECT_EQ(zip_fread(f, &probe, 1), 0) << "libzip reports an error (CRC?) for " << e.name;
            zip_fclose(f);
        }
        out.push_back(std::move(e));
    }
    return out;
}

const std::string kXml = "<?xml version=\"1.0\"?><w:document>" +
                         repeated("<w:p><w:r><w:t>Cộng hòa</w:t></w:r></w:p>", 500) + "</w:document>";

std::string sample_archive() {
    vz::Writer w;
    w.add("mimetype", "application/vnd.oasis.opendocument.text", vz::Method::stored);
    w.add("word/document.xml", kXml, vz::Method::deflated);
    w.add("word/media/ảnh-đại-diện.png", "\x89PNG not really", vz::Method::deflated);
    w.add("empty.txt", "", vz::Method::deflated);
    w.add("word/", "", vz::Method::stored);
    return w.finish();
}

}  // namespace

// --- Writer + Reader round trips ------------------------------------------------------------------------------

TEST(ZipWriter, RoundTripThroughReaderAndLibzip) {
    const std::string zip = sample_archive();
    const std::vector<std::string> names = {"mimetype", "word/document.xml", "word/media/ảnh-đại-diện.png", "empty.txt",
                                            "word/"};

    const vz::Reader r = vz::Reader::from_bytes(zip, "sample.zip");
    EXPECT_EQ(r.names(), names);
    EXPECT_EQ(r.read("mimetype"), "application/vnd.oasis.opendocument.text");
    EXPECT_EQ(r.read("word/document.xml"), kXml);
    EXPECT_EQ(r.read("word/media/ảnh-đại-diện.png"), "\x89PNG not really");
    EXPECT_EQ(r.read("empty.txt"), "");
    EXPECT_EQ(r.read("word/"), "");
    EXPECT_TRUE(r.contains("word/document.xml"));
    EXPECT_FALSE(r.contains("word/Document.xml"));

    const auto entries = libzip_entries(zip);
    ASSERT_EQ(entries.size(), names.size());
    for (std::size_t i = 0; i < entries.size(); ++i) {
        EXPECT_EQ(entries[i].name, names[i]);
        EXPECT_EQ(entries[i].crc, reference_crc32(entries[i].data)) << names[i];
    }
    EXPECT_EQ(entries[0].method, ZIP_CM_STORE);
    EXPECT_EQ(entries[1].method, ZIP_CM_DEFLATE);
    EXPECT_EQ(entries[1].data, kXml);
    EXPECT_LT(get32(zip, 30 + 8 + 39 + 18), kXml.size() / 10) << "document.xml should really be compressed";
    // Not compressible: written stored although deflate was asked for.
    EXPECT_EQ(entries[2].method, ZIP_CM_STORE);
    EXPECT_EQ(entries[3].method, ZIP_CM_STORE);

    const auto via_support = vanban::test::read_zip(zip);
    EXPECT_EQ(via_support.at("word/document.xml"), kXml);
}

TEST(ZipWriter, HeadersAreReproducibleAndOdfFriendly) {
    const std::string zip = sample_archive();
    EXPECT_EQ(zip, sample_archive()) << "same input must give identical bytes";

    // mimetype first, stored, no extra field, content at offset 38 (what ODF readers sniff).
    EXPECT_EQ(get32(zip, 0), 0x04034b50u);
    EXPECT_EQ(get16(zip, 4), 20u);              // version needed
    EXPECT_EQ(get16(zip, 8), 0u);               // stored
    EXPECT_EQ(get16(zip, 10), 0u);              // time 00:00
    EXPECT_EQ(get16(zip, 12), (1u << 5) | 1u);  // 1980-01-01
    EXPECT_EQ(get16(zip, 28), 0u);              // extra length
    EXPECT_EQ(zip.substr(30, 8), "mimetype");
    EXPECT_EQ(zip.substr(38, 39), "application/vnd.oasis.opendocument.text");

    const auto headers = central_headers(zip);
    ASSERT_EQ(headers.size(), 5u);
    for (std::size_t i = 0; i < headers.size(); ++i) {
        const std::size_t at = headers[i];
        const std::uint32_t flags = get16(zip, at + 8);
        const std::string name = zip.substr(at + 46, get16(zip, at + 28));
        const bool ascii = std::all_of(name.begin(), name.end(), [](char c) { return (c & 0x80) == 0; });
        EXPECT_EQ((flags & (1u << 11)) != 0, !ascii) << "UTF-8 flag for " << name;
        EXPECT_EQ(get16(zip, at + 6), 20u);
        // The local header says the same.
        EXPECT_EQ(get16(zip, get32(zip, at + 42) + 6), flags);
    }
}

TEST(ZipWriter, PreparedEntriesAreCopiedVerbatim) {
    const vz::PreparedEntry doc = vz::prepare("word/document.xml", kXml, vz::Method::deflated);
    EXPECT_EQ(doc.method, vz::Method::deflated);
    EXPECT_EQ(doc.uncompressed_size, kXml.size());
    EXPECT_EQ(doc.crc32, reference_crc32(kXml));
    EXPECT_EQ(doc.local_record.size(), 30 + doc.name.size() + doc.compressed_size);

    vz::Writer a;
    a.add(doc);
    a.add("x.txt", "x", vz::Method::stored);
    vz::Writer b;
    b.add("word/document.xml", kXml, vz::Method::deflated);
    b.add("x.txt", "x", vz::Method::stored);
    const std::string za = a.finish();
    EXPECT_EQ(za, b.finish()) << "prepared and direct adds must give the same bytes";
    EXPECT_EQ(za.compare(0, doc.local_record.size(), doc.local_record), 0);

    // The Writer is empty after finish() and can be reused.
    a.add(doc);
    const auto reused = vanban::test::read_zip(a.finish());
    EXPECT_EQ(reused.size(), 1u);
    EXPECT_EQ(reused.at("word/document.xml"), kXml);
}

TEST(ZipWriter, RawCopyFromReaderKeepsContent) {
    const std::string docx = vanban::test::make_docx("<w:p><w:r><w:t>Xin chào</w:t></w:r></w:p>",
                                                     {{"word/header1.xml",
                                                       "<?xml version=\"1.0\"?><w:hdr "
                                                       "xmlns:w=\"http://schemas.openxmlformats.org/"
                                                       "wordprocessingml/2006/main\"><w:p/></w:hdr>"}});
    const vz::Reader r = vz::Reader::from_bytes(docx, "in.docx");
    vz::Writer w(docx.size());
    for (const auto& name : r.names()) {
        const vz::RawEntry raw = r.read_raw(name);
        EXPECT_EQ(raw.name, name);
        EXPECT_EQ(raw.crc32, reference_crc32(r.read(name)));
        EXPECT_EQ(raw.uncompressed_size, r.read(name).size());
        const vz::PreparedEntry p = vz::prepare(raw);
        EXPECT_EQ(p.local_record.substr(p.local_record.size() - raw.raw.size()), raw.raw) << "no recompression";
        w.add(p);
    }
    const std::string copy = w.finish();
    EXPECT_EQ(vanban::test::read_zip(copy), vanban::test::read_zip(docx));
}

TEST(ZipWriter, RefusesUnsafeNamesDuplicatesAndOversizedEntries) {
    vz::Writer w;
    for (const char* bad : {"../x", "/abs", "a\\b", "C:/x", "a//b", ""}) {
        const auto e = expect_error([&] { w.add(bad, "data", vz::Method::stored); });
        ASSERT_FALSE(e.diagnostics().empty());
        EXPECT_EQ(e.diagnostics()[0].kind, DiagnosticKind::usage) << bad;
    }
    vz::Writer dup;
    dup.add("word/a.xml", "1", vz::Method::stored);
    dup.add("Word/A.xml", "2", vz::Method::stored);
    const auto e = expect_error([&] { dup.finish(); });
    EXPECT_TRUE(any_message_contains(e, DiagnosticKind::usage, "duplicate", "A.xml"));

    vz::RawEntry huge;
    huge.name = "huge.bin";
    huge.method = vz::Method::deflated;
    huge.uncompressed_size = 5ull << 30;
    huge.raw = "x";
    const auto e2 = expect_error([&] { vz::prepare(huge); });
    EXPECT_TRUE(any_message_contains(e2, DiagnosticKind::limit, "huge.bin", "too large"));

    vz::RawEntry inconsistent;
    inconsistent.name = "s.txt";
    inconsistent.uncompressed_size = 3;
    inconsistent.raw = "abcd";
    EXPECT_THROW(vz::prepare(inconsistent), vanban::Error);
    EXPECT_THROW(vz::Writer().add(vz::PreparedEntry{}), vanban::Error);
}

TEST(ZipWriter, RefusesMoreEntriesThanPlainZipAllows) {
    vz::Writer w(4u << 20);
    std::size_t added = 0;
    const auto e = expect_error([&] {
        for (; added < 70000; ++added) w.add("d/" + std::to_string(added), "", vz::Method::stored);
    });
    EXPECT_EQ(added, 0xFFFEu);
    EXPECT_TRUE(any_message_contains(e, DiagnosticKind::limit, "too many", "ZIP64"));
}

// --- Reader: hostile and broken archives ------------------------------------------------------------------

TEST(ZipReader, CollectsEveryBadNameBeforeThrowing) {
    const std::string zip = raw_zip({{"ok.xml", "1"},
                                     {"../evil.xml", "2"},
                                     {"/etc/passwd", "3"},
                                     {"word\\x.xml", "4"},
                                     {"C:/boot.ini", "5"},
                                     {"word/../../up.xml", "6"},
                                     {"ok.xml", "7"},
                                     {"OK.XML", "8"},
                                     {"", "9"}});
    const auto e = expect_error([&] { vz::Reader::from_bytes(zip, "hostile.docx"); });
    EXPECT_GE(e.diagnostics().size(), 8u) << e.what();
    EXPECT_TRUE(any_message_contains(e, DiagnosticKind::package, "hostile.docx", "'../evil.xml'"));
    EXPECT_TRUE(any_message_contains(e, DiagnosticKind::package, "'/etc/passwd'", "absolute"));
    EXPECT_TRUE(any_message_contains(e, DiagnosticKind::package, "'word\\x.xml'", "backslash"));
    EXPECT_TRUE(any_message_contains(e, DiagnosticKind::package, "'C:/boot.ini'", "drive letter"));
    EXPECT_TRUE(any_message_contains(e, DiagnosticKind::package, "'word/../../up.xml'", ".."));
    EXPECT_TRUE(any_message_contains(e, DiagnosticKind::package, "'ok.xml'", "duplicate"));
    EXPECT_TRUE(any_message_contains(e, DiagnosticKind::package, "'OK.XML'", "letter case"));
    EXPECT_TRUE(any_message_contains(e, DiagnosticKind::package, "''", "empty"));
}

TEST(ZipReader, EnforcesEntryCountAndDeclaredSizeLimits) {
    const std::string zip = raw_zip({{"a", "1"}, {"b", "2"}, {"c", "3"}, {"d", std::string(1000, 'x')}});
    vz::Limits few;
    few.max_entries = 3;
    const auto e = expect_error([&] { vz::Reader::from_bytes(zip, "many.zip", few); });
    EXPECT_TRUE(any_message_contains(e, DiagnosticKind::limit, "many.zip", "too many entries"));

    vz::Limits small;
    small.max_entry_size = 100;
    const auto e2 = expect_error([&] { vz::Reader::from_bytes(zip, "big.zip", small); });
    EXPECT_TRUE(any_message_contains(e2, DiagnosticKind::limit, "big.zip", "entry 'd'"));

    vz::Limits total;
    total.max_total_size = 500;
    const auto e3 = expect_error([&] { vz::Reader::from_bytes(zip, "total.zip", total); });
    EXPECT_TRUE(any_message_contains(e3, DiagnosticKind::limit, "total.zip", "total uncompressed size"));
}

TEST(ZipReader, StopsZipBombs) {
    const std::string zeros(50u << 20, '\0');
    vz::Writer w;
    w.add("bomb.bin", zeros, vz::Method::deflated);
    const std::string bomb = w.finish();
    ASSERT_LT(bomb.size(), 200u << 10);

    vz::Limits limits;
    limits.max_entry_size = 1u << 20;
    const auto e = expect_error([&] { vz::Reader::from_bytes(bomb, "bomb.zip", limits); });
    EXPECT_TRUE(any_message_contains(e, DiagnosticKind::limit, "bomb.zip", "'bomb.bin'"));

    vz::Limits ratio;
    ratio.max_compression_ratio = 100;
    const auto e2 = expect_error([&] { vz::Reader::from_bytes(bomb, "bomb.zip", ratio); });
    EXPECT_TRUE(any_message_contains(e2, DiagnosticKind::limit, "'bomb.bin'", "compression ratio"));

    // The same bomb with lying headers (declares 1000 bytes, consistently in local and central headers):
    // opening succeeds, inflating must stop instead of producing 50 MB.
    std::string liar = bomb;
    put32(liar, 22, 1000);
    put32(liar, central_headers(liar)[0] + 24, 1000);
    const vz::Reader r = vz::Reader::from_bytes(liar, "liar.zip");
    const auto e3 = expect_error([&] { static_cast<void>(r.read("bomb.bin")); });
    EXPECT_TRUE(any_message_contains(e3, DiagnosticKind::package, "liar.zip", "'bomb.bin'"));
}

TEST(ZipReader, DetectsCorruptData) {
    vz::Writer w;
    w.add("a.txt", "hello, this is the stored content", vz::Method::stored);
    w.add("b.xml", kXml, vz::Method::deflated);
    const std::string good = w.finish();

    std::string flipped = good;
    flipped[30 + 5 + 3] ^= 0x20;  // inside a.txt's data
    const vz::Reader r = vz::Reader::from_bytes(flipped, "flipped.zip");
    EXPECT_EQ(r.read("b.xml"), kXml);
    const auto e = expect_error([&] { static_cast<void>(r.read("a.txt")); });
    EXPECT_TRUE(any_message_contains(e, DiagnosticKind::package, "flipped.zip", "'a.txt'"));
    EXPECT_TRUE(any_message_contains(e, DiagnosticKind::package, "CRC", "a.txt"));
    EXPECT_THROW(static_cast<void>(r.read_raw("a.txt")), vanban::Error) << "corrupt entries are not copied";

    // A flipped byte inside deflated data: either inflate fails or the CRC does; both name the entry.
    std::string flipped_deflate = good;
    const std::size_t b_data = 30 + 5 + 33 + 30 + 5;
    flipped_deflate[b_data + 20] ^= 0x55;
    const vz::Reader r2 = vz::Reader::from_bytes(flipped_deflate, "flipped2.zip");
    const auto e2 = expect_error([&] { static_cast<void>(r2.read("b.xml")); });
    EXPECT_TRUE(any_message_contains(e2, DiagnosticKind::package, "flipped2.zip", "'b.xml'"));

    const auto e3 = expect_error([&] { vz::Reader::from_bytes(good.substr(0, good.size() / 2), "cut.zip"); });
    EXPECT_TRUE(any_message_contains(e3, DiagnosticKind::package, "cut.zip", "not a valid zip"));

    // Truncated right before the central directory's end: the end record is found but the data is not there.
    std::string holed = good;
    holed.erase(40, 20);
    const auto e4 = expect_error([&] { vz::Reader::from_bytes(holed, "holed.zip"); });
    EXPECT_TRUE(any_message_contains(e4, DiagnosticKind::package, "holed.zip", ""));

    const auto e5 = expect_error([&] { vz::Reader::from_bytes("hello, I am plain text", "plain.txt"); });
    EXPECT_TRUE(any_message_contains(e5, DiagnosticKind::package, "plain.txt", "not a valid zip"));
    const auto e6 = expect_error([&] { vz::Reader::from_bytes("", "empty.docx"); });
    EXPECT_TRUE(any_message_contains(e6, DiagnosticKind::package, "empty.docx", "empty"));

    const vz::Reader ok = vz::Reader::from_bytes(good, "good.zip");
    const auto e7 = expect_error([&] { static_cast<void>(ok.read("missing.xml")); });
    EXPECT_TRUE(any_message_contains(e7, DiagnosticKind::package, "good.zip", "'missing.xml'"));
}

TEST(ZipReader, FromFileAndConcurrentReads) {
    const std::string path = vanban::test::temp_dir() + "/sample.zip";
    vanban::test::write_file(path, sample_archive());
    vz::Reader r = vz::Reader::from_file(path);
    EXPECT_EQ(r.archive_name(), path);

    std::vector<std::thread> threads;
    std::array<bool, 4> ok{};
    for (std::size_t t = 0; t < ok.size(); ++t)
        threads.emplace_back([&r, &ok, t] {
            bool all = true;
            for (int i = 0; i < 20; ++i) all = all && r.read("word/document.xml") == kXml;
            ok[t] = all;
        });
    for (auto& th : threads) th.join();
    for (bool b : ok) EXPECT_TRUE(b);

    vz::Reader moved = std::move(r);
    EXPECT_EQ(moved.read("mimetype"), "application/vnd.oasis.opendocument.text");

    const auto e = expect_error([] { vz::Reader::from_file("/nonexistent/dir/x.docx"); });
    EXPECT_TRUE(any_message_contains(e, DiagnosticKind::io, "/nonexistent/dir/x.docx", "No such file"));
}

// --- test support helpers -----------------------------------------------------------------------------------

TEST(TestSupport, ParagraphTextsFollowDocumentOrder) {
    const std::string xml =
        "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>"
        "<w:p><w:pPr><w:tabs><w:tab w:val=\"left\" w:pos=\"100\"/></w:tabs></w:pPr>"
        "<w:r><w:t>Số:</w:t><w:tab/><w:t xml:space=\"preserve\"> 12 </w:t><w:br/><w:t>line 2</w:t></w:r>"
        "<w:r><w:pict><w:txbxContent><w:p><w:r><w:t>in box</w:t></w:r></w:p></w:txbxContent></w:pict></w:r>"
        "<w:r><w:t>after</w:t></w:r></w:p>"
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>cell</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
        "<w:p/></w:body></w:document>";
    const std::vector<std::string> expected = {"Số:\t 12 \nline 2after", "in box", "cell", ""};
    EXPECT_EQ(vanban::test::paragraph_texts(xml), expected);
    EXPECT_THROW(vanban::test::paragraph_texts("<w:p>"), std::runtime_error);
}

TEST(TestSupport, MakeDocxHasTheExpectedParts) {
    const std::string docx = vanban::test::make_docx(
        "<w:p><w:r><w:t>Xin chào</w:t></w:r></w:p>",
        {{"word/header1.xml", "<w:hdr xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"/>"}});
    const auto parts = vanban::test::read_zip(docx);
    for (const char* name : {"[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/_rels/document.xml.rels",
                             "word/styles.xml", "word/header1.xml"})
        EXPECT_TRUE(parts.contains(name)) << name;
    EXPECT_NE(parts.at("[Content_Types].xml").find("/word/header1.xml"), std::string::npos);
    EXPECT_NE(parts.at("word/_rels/document.xml.rels").find("Target=\"header1.xml\""), std::string::npos);
    EXPECT_NE(parts.at("word/document.xml").find("<w:headerReference w:type=\"default\""), std::string::npos);
    EXPECT_NE(parts.at("word/document.xml").find("w:w=\"11906\" w:h=\"16838\""), std::string::npos);
    EXPECT_EQ(vanban::test::paragraph_texts(parts.at("word/document.xml")), std::vector<std::string>{"Xin chào"});
}

TEST(TestSupport, MakeDocxAndRepackedCopyPassValidateOffice) {
    const std::string tools = vanban::test::shared_dir() + "/tools";
    if (!std::filesystem::exists(tools + "/validate-office")) GTEST_SKIP() << "no " << tools;
    const std::string w = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"";
    const std::string docx =
        vanban::test::make_docx("<w:p><w:r><w:t>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</w:t></w:r></w:p>",
                                {{"word/header1.xml", "<?xml version=\"1.0\"?><w:hdr " + w + "><w:p/></w:hdr>"},
                                 {"word/footer1.xml", "<?xml version=\"1.0\"?><w:ftr " + w + "><w:p/></w:ftr>"},
                                 {"word/footnotes.xml", "<?xml version=\"1.0\"?><w:footnotes " + w + "/>"}});

    // The same package copied entry by entry through Reader::read_raw and the Writer.
    const vz::Reader r = vz::Reader::from_bytes(docx, "made.docx");
    vz::Writer writer;
    for (const auto& name : r.names()) writer.add(vz::prepare(r.read_raw(name)));

    const std::string dir = vanban::test::temp_dir();
    vanban::test::write_file(dir + "/made.docx", docx);
    vanban::test::write_file(dir + "/repacked.docx", writer.finish());
    std::string output;
    const int status = vanban::test::run_command(
        "'" + tools + "/validate-office' '" + dir + "/made.docx' '" + dir + "/repacked.docx'", &output);
    EXPECT_EQ(status, 0) << output;
    EXPECT_NE(output.find("OK   " + dir + "/made.docx"), std::string::npos) << output;
    EXPECT_NE(output.find("OK   " + dir + "/repacked.docx"), std::string::npos) << output;
}
