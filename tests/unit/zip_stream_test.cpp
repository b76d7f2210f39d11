// zip::EntryStream: an entry inflated piece by piece (how an XLSX sheet is read) gives exactly what Reader::read
// gives, from memory and from a file read as needed, and finds the same corruption (CRC-32, declared size).
#include "zip/zip.hpp"

#include <gtest/gtest.h>

#include <string>

#include "test_support.hpp"
#include "vanban/diagnostic.hpp"

namespace {

namespace vz = vanban::zip;

std::string big_text() {
    std::string s;
    for (int i = 0; s.size() < (3u << 20); ++i)
        s += "<row r=\"" + std::to_string(i) + "\"><c t=\"s\"><v>" + std::to_string(i * 7) + "</v></c></row>\n";
    return s;
}

std::string archive() {
    vz::Writer w;
    w.add("xl/worksheets/sheet1.xml", big_text(), vz::Method::deflated);
    w.add("plain.txt", "hello, stored world", vz::Method::stored);
    return w.finish();
}

std::string drain(vz::EntryStream stream, std::size_t chunk) {
    std::string out, buffer(chunk, '\0');
    while (const std::size_t n = stream.read(buffer.data(), buffer.size())) out.append(buffer.data(), n);
    EXPECT_EQ(stream.read(buffer.data(), buffer.size()), 0u) << "the end stays the end";
    return out;
}

TEST(ZipStream, GivesWhatReadGivesInAnyChunkSize) {
    const vz::Reader r = vz::Reader::from_bytes(archive(), "book.xlsx");
    for (std::size_t chunk : {1u, 7u, 4096u, 1u << 20}) {
        EXPECT_EQ(drain(r.stream("plain.txt"), chunk), "hello, stored world") << chunk;
        if (chunk >= 4096) {
            EXPECT_EQ(drain(r.stream("xl/worksheets/sheet1.xml"), chunk), big_text()) << chunk;
        }
    }
    // Two streams of one archive may be read in turns.
    vz::EntryStream a = r.stream("plain.txt"), b = r.stream("plain.txt");
    char x = 0, y = 0;
    ASSERT_EQ(a.read(&x, 1), 1u);
    ASSERT_EQ(b.read(&y, 1), 1u);
    EXPECT_EQ(x, 'h');
    EXPECT_EQ(y, 'h');
    EXPECT_THROW(static_cast<void>(r.stream("missing.xml")), vanban::Error);
}

TEST(ZipStream, ReadsAFileAsNeeded) {
    const std::string path = vanban::test::temp_dir() + "/book.xlsx";
    vanban::test::write_file(path, archive());
    const vz::Reader r = vz::Reader::from_file(path);
    EXPECT_EQ(drain(r.stream("xl/worksheets/sheet1.xml"), 65536), big_text());
    EXPECT_EQ(r.read("plain.txt"), "hello, stored world");
    vanban::test::write_file(vanban::test::temp_dir() + "/empty.xlsx", "");
    EXPECT_THROW(vz::Reader::from_file(vanban::test::temp_dir() + "/empty.xlsx"), vanban::Error);
}

TEST(ZipStream, FindsACorruptEntryAtItsEnd) {
    std::string bytes = archive();
    const auto at = bytes.find("hello, stored world");
    ASSERT_NE(at, std::string::npos);
    bytes[at] = 'j';  // stored data changed, CRC-32 in the headers not
    const vz::Reader r = vz::Reader::from_bytes(bytes, "flipped.xlsx");
    try {
        drain(r.stream("plain.txt"), 5);
        FAIL() << "expected a CRC error";
    } catch (const vanban::Error& e) {
        EXPECT_NE(std::string(e.what()).find("CRC"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("'plain.txt'"), std::string::npos) << e.what();
    }
}

}  // namespace
