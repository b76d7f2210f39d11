#include "test_images.hpp"

#include <cmath>
#include <memory>
#include <stdexcept>
#include <string_view>

#include <libdeflate.h>

namespace vanban::test {

namespace {

void put32(std::string& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xFF);
}
void put16(std::string& out, std::uint32_t v) {
    out += static_cast<char>((v >> 8) & 0xFF);
    out += static_cast<char>(v & 0xFF);
}
void put16le(std::string& out, std::uint32_t v) {
    out += static_cast<char>(v & 0xFF);
    out += static_cast<char>((v >> 8) & 0xFF);
}

void png_chunk(std::string& out, std::string_view type, const std::string& data) {
    put32(out, static_cast<std::uint32_t>(data.size()));
    const std::string body = std::string(type) + data;
    out += body;
    put32(out, static_cast<std::uint32_t>(libdeflate_crc32(0, body.data(), body.size())));
}

}  // namespace

std::string make_png(std::uint32_t w, std::uint32_t h, const std::function<Rgba(std::uint32_t, std::uint32_t)>& pixel,
                     double dpi) {
    std::string raw;
    raw.reserve(static_cast<std::size_t>(h) * (1 + 4 * static_cast<std::size_t>(w)));
    for (std::uint32_t y = 0; y < h; ++y) {
        raw += '\0';  // filter: none
        for (std::uint32_t x = 0; x < w; ++x)
            for (std::uint8_t c : pixel(x, y)) raw += static_cast<char>(c);
    }
    std::unique_ptr<libdeflate_compressor, decltype(&libdeflate_free_compressor)> z(libdeflate_alloc_compressor(9),
                                                                                    libdeflate_free_compressor);
    std::string packed(libdeflate_zlib_compress_bound(z.get(), raw.size()), '\0');
    packed.resize(libdeflate_zlib_compress(z.get(), raw.data(), raw.size(), packed.data(), packed.size()));
    if (packed.empty()) throw std::runtime_error("make_png: deflate failed");

    std::string png = "\x89PNG\r\n\x1a\n";
    std::string ihdr;
    put32(ihdr, w);
    put32(ihdr, h);
    ihdr += std::string("\x08\x06\x00\x00\x00", 5);  // 8 bits, RGBA, deflate, adaptive filters, no interlace
    png_chunk(png, "IHDR", ihdr);
    if (dpi > 0) {
        std::string phys;
        const auto ppm = static_cast<std::uint32_t>(std::lround(dpi / 0.0254));
        put32(phys, ppm);
        put32(phys, ppm);
        phys += '\x01';
        png_chunk(png, "pHYs", phys);
    }
    png_chunk(png, "IDAT", packed);
    png_chunk(png, "IEND", "");
    return png;
}

std::string signature_png(std::uint32_t w, std::uint32_t h, double dpi) {
    return make_png(
        w, h,
        [&](std::uint32_t x, std::uint32_t y) -> Rgba {
            const double fx = static_cast<double>(x) / w, fy = static_cast<double>(y) / h;
            const double stroke = 0.5 + 0.3 * std::sin(fx * 12.0) * (1.0 - fx * 0.5);
            const bool ink = std::abs(fy - stroke) < 0.045 && fx > 0.04 && fx < 0.96;
            return ink ? Rgba{20, 40, 170, 255} : Rgba{255, 255, 255, 0};
        },
        dpi);
}

std::string seal_png(std::uint32_t size, double dpi) {
    return make_png(
        size, size,
        [&](std::uint32_t x, std::uint32_t y) -> Rgba {
            const double c = size / 2.0, r = std::hypot(x + 0.5 - c, y + 0.5 - c) / c;
            const double angle = std::atan2(y + 0.5 - c, x + 0.5 - c);
            const bool ring = (r > 0.86 && r < 0.97) || (r > 0.70 && r < 0.74);
            const bool star = r < 0.3 * (0.6 + 0.4 * std::cos(5 * angle));
            return ring || star ? Rgba{210, 20, 30, 230} : Rgba{255, 255, 255, 0};
        },
        dpi);
}

// Every 8 × 8 block codes DC difference 0 and end-of-block, with one-code Huffman tables (code "0" each): two bits
// a block, so the image is level-shift grey (128) throughout.
std::string make_jpeg(std::uint32_t w, std::uint32_t h, int dpi) {
    std::string j = "\xFF\xD8";
    j += "\xFF\xE0";
    put16(j, 16);
    j += std::string("JFIF\0\x01\x01", 7);
    j += static_cast<char>(dpi > 0 ? 1 : 0);
    put16(j, dpi > 0 ? static_cast<std::uint32_t>(dpi) : 1);
    put16(j, dpi > 0 ? static_cast<std::uint32_t>(dpi) : 1);
    j += std::string("\0\0", 2);
    j += "\xFF\xDB";  // quantisation table 0: all ones
    put16(j, 67);
    j += '\0';
    j += std::string(64, '\x01');
    j += "\xFF\xC0";  // baseline frame, one component
    put16(j, 11);
    j += '\x08';
    put16(j, h);
    put16(j, w);
    j += std::string("\x01\x01\x11\x00", 4);
    for (char table : {'\x00', '\x10'}) {  // DC table 0, AC table 0: one code of length 1 for symbol 0
        j += "\xFF\xC4";
        put16(j, 20);
        j += table;
        j += '\x01';
        j += std::string(15, '\0');
        j += '\0';
    }
    j += "\xFF\xDA";
    put16(j, 8);
    j += std::string("\x01\x01\x00\x00\x3F\x00", 6);
    const std::uint64_t blocks = static_cast<std::uint64_t>((w + 7) / 8) * ((h + 7) / 8);
    const std::uint64_t bits = 2 * blocks;
    j += std::string(bits / 8, '\0');
    if (bits % 8) j += static_cast<char>((1u << (8 - bits % 8)) - 1);  // pad with one bits
    j += "\xFF\xD9";
    return j;
}

// LZW with a minimum code size of 2 and a clear code before every two pixels, so every code stays 3 bits wide.
std::string make_gif(std::uint32_t w, std::uint32_t h) {
    std::string g = "GIF89a";
    put16le(g, w);
    put16le(g, h);
    g += std::string("\x80\x00\x00", 3);              // global colour table of 2 entries
    g += std::string("\x20\x40\xA0\xFF\xFF\xFF", 6);  // blue, white
    g += '\x2C';
    put16le(g, 0);
    put16le(g, 0);
    put16le(g, w);
    put16le(g, h);
    g += '\0';
    g += '\x02';  // minimum code size
    std::string data;
    std::uint32_t buffer = 0;
    int filled = 0;
    const auto code = [&](std::uint32_t c) {
        buffer |= c << filled;
        filled += 3;
        while (filled >= 8) {
            data += static_cast<char>(buffer & 0xFF);
            buffer >>= 8;
            filled -= 8;
        }
    };
    const std::uint64_t pixels = static_cast<std::uint64_t>(w) * h;
    for (std::uint64_t i = 0; i < pixels; ++i) {
        if (i % 2 == 0) code(4);  // clear
        code(static_cast<std::uint32_t>((i / w + i % w) % 2));
    }
    code(5);  // end of information
    if (filled > 0) data += static_cast<char>(buffer & 0xFF);
    for (std::size_t at = 0; at < data.size(); at += 255) {
        const std::string block = data.substr(at, 255);
        g += static_cast<char>(block.size());
        g += block;
    }
    g += '\0';
    g += ';';
    return g;
}

std::string base64(const std::string& bytes) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const std::uint32_t v = (static_cast<unsigned char>(bytes[i]) << 16) |
                                (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                                static_cast<unsigned char>(bytes[i + 2]);
        for (int k = 18; k >= 0; k -= 6) out += kAlphabet[(v >> k) & 63];
    }
    if (i < bytes.size()) {
        std::uint32_t v = static_cast<unsigned char>(bytes[i]) << 16;
        if (i + 1 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

std::string data_uri(const std::string& bytes, const std::string& type) {
    return "data:" + type + ";base64," + base64(bytes);
}

}  // namespace vanban::test
