// zip::StreamWriter (the batch runner's --zip output) and zip::Writer write their directories with the same code:
// the same entries give the same bytes; a streamed archive is read back by libzip (zip::Reader); and past 65,534
// entries it carries ZIP64 end records that libzip reads.
#include "zip/zip.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_support.hpp"

namespace {

namespace vz = vanban::zip;

std::vector<vz::PreparedEntry> entries() {
    std::vector<vz::PreparedEntry> out;
    out.push_back(vz::prepare("mimetype", "application/vnd.oasis.opendocument.text", vz::Method::stored));
    out.push_back(
        vz::prepare("word/document.xml", std::string(5000, 'x') + "<w:t>Kế hoạch</w:t>", vz::Method::deflated));
    out.push_back(vz::prepare("Tài liệu/ghi chú.txt", "UTF-8 name", vz::Method::deflated));
    return out;
}

TEST(ZipStreamWriter, WritesWhatTheInMemoryWriterWrites) {
    const std::string path = vanban::test::temp_dir() + "/out.zip";
    vz::StreamWriter stream(path);
    vz::Writer memory;
    for (const auto& e : entries()) {
        stream.add(e);
        memory.add(e);
    }
    stream.finish(vanban::io::Sync::none);
    const std::string streamed = vanban::test::read_file(path);
    EXPECT_EQ(streamed, memory.finish());

    const auto reader = vz::Reader::from_bytes(streamed, "out.zip");
    ASSERT_EQ(reader.names().size(), 3u);
    EXPECT_EQ(reader.read("mimetype"), "application/vnd.oasis.opendocument.text");
    EXPECT_EQ(reader.read("word/document.xml"), std::string(5000, 'x') + "<w:t>Kế hoạch</w:t>");
    EXPECT_EQ(reader.read("Tài liệu/ghi chú.txt"), "UTF-8 name");
}

TEST(ZipStreamWriter, UsesZip64PastTheClassicEntryCount) {
    const std::string path = vanban::test::temp_dir() + "/many.zip";
    constexpr int kEntries = 70000;  // more than the classic end record's 65,535
    {
        vz::StreamWriter stream(path);
        for (int i = 0; i < kEntries; ++i)
            stream.add(vz::prepare("d/" + std::to_string(i) + ".txt", std::to_string(i * 3), vz::Method::stored));
        stream.finish(vanban::io::Sync::none);
    }
    const std::string bytes = vanban::test::read_file(path);
    EXPECT_NE(bytes.find(std::string("PK\x06\x06", 4)), std::string::npos);  // the ZIP64 end record
    vz::Limits limits;
    limits.max_entries = 100000;
    const auto reader = vz::Reader::from_bytes(bytes, "many.zip", limits);
    ASSERT_EQ(reader.names().size(), static_cast<std::size_t>(kEntries));
    EXPECT_EQ(reader.read("d/0.txt"), "0");
    EXPECT_EQ(reader.read("d/69999.txt"), std::to_string(69999 * 3));
}

}  // namespace
