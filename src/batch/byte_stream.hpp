// The bytes of a text records file (CSV, JSON, JSON Lines) read through a fixed buffer, so memory does not grow with
// the file. Takes a path; gives UTF-8 one byte at a time: a UTF-8 BOM is skipped, and UTF-16 with its BOM (Excel's
// "Unicode text") is turned into UTF-8 as it is read.
#pragma once

#include <cstddef>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace vanban::batch::detail {

struct FileCloser {
    void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};

class ByteStream {
public:
    // Throws vanban::Error (io) when the file cannot be opened.
    explicit ByteStream(const std::string& path);
    static constexpr int kEof = -1;
    int peek() {
        if (pos_ == end_ && !fill()) return kEof;
        return static_cast<unsigned char>(buffer_[pos_]);
    }
    int get() {
        int c = peek();
        if (c != kEof) ++pos_;
        return c;
    }
    // What is buffered now (for sniffing the CSV delimiter at the start).
    std::string_view window() const { return {buffer_.data() + pos_, end_ - pos_}; }
    // What is buffered from the current byte on, read further when it is used up; empty at the end of the file. For
    // scanning in bulk: advance() past what was used.
    std::string_view chunk() {
        if (pos_ == end_ && !fill()) return {};
        return window();
    }
    void advance(std::size_t n) { pos_ += n; }

private:
    static constexpr std::size_t kChunk = 64 * 1024;
    enum class Utf16 { no, little, big };

    bool fill();
    // Decodes the complete code units of raw_ into `out`; returns the bytes used. Lone surrogates become U+FFFD.
    std::size_t decode_utf16(std::string& out, bool at_end);

    std::unique_ptr<std::FILE, FileCloser> file_;
    std::vector<char> buffer_;
    std::size_t pos_ = 0, end_ = 0;
    Utf16 utf16_ = Utf16::no;
    std::vector<char> raw_;  // UTF-16: bytes read but not decoded yet
};

}  // namespace vanban::batch::detail
