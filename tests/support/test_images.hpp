// Real image files made by the tests themselves (no binary fixtures in the repository): PNG written with libdeflate,
// a baseline JPEG and a GIF written byte by byte. Every one opens in LibreOffice and in image viewers.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>

namespace vanban::test {

using Rgba = std::array<std::uint8_t, 4>;

// A PNG of w × h RGBA pixels from `pixel(x, y)`; with dpi > 0 a pHYs chunk says so (in pixels per metre).
std::string make_png(std::uint32_t w, std::uint32_t h, const std::function<Rgba(std::uint32_t, std::uint32_t)>& pixel,
                     double dpi = 0);
// A blue pen stroke on a transparent background, as a scanned signature (300 × 100 pixels at 150 dpi by default).
std::string signature_png(std::uint32_t w = 300, std::uint32_t h = 100, double dpi = 150);
// A red ring with a star-like centre, transparent around it, as a seal (200 × 200 pixels at 150 dpi by default).
std::string seal_png(std::uint32_t size = 200, double dpi = 150);

// A baseline greyscale JPEG of w × h pixels, one flat grey; with dpi > 0 its JFIF header says so.
std::string make_jpeg(std::uint32_t w, std::uint32_t h, int dpi = 0);

// A GIF89a of w × h pixels, two colours.
std::string make_gif(std::uint32_t w, std::uint32_t h);

std::string base64(const std::string& bytes);
// "data:<type>;base64,…"
std::string data_uri(const std::string& bytes, const std::string& type = "image/png");

}  // namespace vanban::test
