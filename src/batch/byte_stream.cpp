#include "batch/byte_stream.hpp"

#include <algorithm>
#include <cstdint>

#include "core/vn.hpp"
#include "io/fail.hpp"

namespace vanban::batch::detail {

ByteStream::ByteStream(const std::string& path) : buffer_(kChunk) {
    file_.reset(std::fopen(path.c_str(), "rb"));
    if (!file_) io::fail(DiagnosticKind::io, "cannot open records file '" + path + "'");
    fill();
    const auto byte = [&](std::size_t i) { return i < end_ ? static_cast<unsigned char>(buffer_[i]) : 0u; };
    if (byte(0) == 0xEF && byte(1) == 0xBB && byte(2) == 0xBF) {
        pos_ = 3;
    } else if ((byte(0) == 0xFF && byte(1) == 0xFE) || (byte(0) == 0xFE && byte(1) == 0xFF)) {
        utf16_ = byte(0) == 0xFF ? Utf16::little : Utf16::big;
        raw_.assign(buffer_.begin() + 2, buffer_.begin() + static_cast<std::ptrdiff_t>(end_));
        fill();
    }
}

bool ByteStream::fill() {
    if (!file_) return false;
    pos_ = 0;
    if (utf16_ == Utf16::no) {
        end_ = std::fread(buffer_.data(), 1, buffer_.size(), file_.get());
        return end_ > 0;
    }
    std::string out;
    while (out.empty()) {
        const std::size_t had = raw_.size();
        raw_.resize(kChunk);
        const std::size_t n = std::fread(raw_.data() + had, 1, kChunk - had, file_.get());
        raw_.resize(had + n);
        const std::size_t used = decode_utf16(out, n == 0);
        raw_.erase(raw_.begin(), raw_.begin() + static_cast<std::ptrdiff_t>(used));
        if (n == 0) break;
    }
    if (buffer_.size() < out.size()) buffer_.resize(out.size());
    std::copy(out.begin(), out.end(), buffer_.begin());
    end_ = out.size();
    return end_ > 0;
}

std::size_t ByteStream::decode_utf16(std::string& out, bool at_end) {
    const auto unit = [&](std::size_t i) {
        const auto a = static_cast<unsigned char>(raw_[i]), b = static_cast<unsigned char>(raw_[i + 1]);
        return utf16_ == Utf16::little ? static_cast<std::uint32_t>(a | (b << 8))
                                       : static_cast<std::uint32_t>((a << 8) | b);
    };
    std::size_t i = 0;
    while (i + 2 <= raw_.size()) {
        const std::uint32_t u = unit(i);
        if (u >= 0xD800 && u <= 0xDBFF) {
            if (i + 4 > raw_.size() && !at_end) break;  // the low half comes with the next read
            const std::uint32_t low = i + 4 <= raw_.size() ? unit(i + 2) : 0;
            if (low >= 0xDC00 && low <= 0xDFFF) {
                vn::append_utf8(out, 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00));
                i += 4;
                continue;
            }
            vn::append_utf8(out, 0xFFFD);
        } else {
            vn::append_utf8(out, u >= 0xDC00 && u <= 0xDFFF ? 0xFFFD : u);
        }
        i += 2;
    }
    return at_end ? raw_.size() : i;  // an odd byte at the end is dropped
}

}  // namespace vanban::batch::detail
