// Converting a rendered document to PDF with LibreOffice, run headless in its own process.
//
// Kept out of the rendering core on purpose: conversion is slow (seconds), needs an office suite, and must never be
// able to hang or crash the caller. Each call starts `soffice` with a private throw-away profile (so conversions can
// run in parallel) and kills it when the timeout passes.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vanban/diagnostic.hpp"
#include "vanban/export.h"

namespace vanban {

struct PdfOptions {
    bool pdf_a = false;         // PDF/A-2b for archiving
    int timeout_seconds = 120;  // the converter is killed after this
    std::string soffice;        // path of soffice/libreoffice; empty: $VANBAN_SOFFICE, then PATH
};

// `document` is a .docx or .odt (its bytes); `format_hint` is "docx" or "odt". Returns the PDF bytes.
// Throws vanban::Error (DiagnosticKind::io) when LibreOffice is missing, fails, or times out.
VANBAN_API std::string convert_to_pdf(const std::string& document, const std::string& format_hint,
                                      const PdfOptions& options = {});

// The PDF of one document of a group, or why LibreOffice could not make it.
struct PdfResult {
    std::string pdf;                      // empty when it failed
    std::vector<Diagnostic> diagnostics;  // why it failed
};

// A LibreOffice converter that is cheap to call again. Starting LibreOffice and creating its profile take seconds,
// converting one more document a fraction of a second: a converter keeps its profile between calls, and convert()
// hands LibreOffice a whole group of documents in one run. A document that LibreOffice cannot convert fails alone;
// when the run itself fails (a crash, the timeout), the group's documents are converted one by one so that only
// the document at fault fails. One converter is used by one thread at a time; several run side by side.
class VANBAN_API PdfConverter {
public:
    explicit PdfConverter(PdfOptions options = {});
    ~PdfConverter();
    PdfConverter(const PdfConverter&) = delete;
    PdfConverter& operator=(const PdfConverter&) = delete;

    // One result per document, in order. The timeout is options.timeout_seconds for the first document and 10 s for
    // each further one. Throws vanban::Error (io) only when LibreOffice is missing or no scratch space can be made.
    std::vector<PdfResult> convert(const std::vector<std::string_view>& documents, const std::string& format_hint);
    // One document; throws vanban::Error (io) when it cannot be converted.
    std::string convert(const std::string& document, const std::string& format_hint);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Where soffice was found, or "" (same search as convert_to_pdf).
VANBAN_API std::string find_soffice(const std::string& preferred = {});

struct PngOptions {
    int dpi = 60;        // 10 … 300; 60 gives a readable A4 page of ~500×700 pixels
    int max_pages = 50;  // pages after this are not drawn
    int timeout_seconds = 60;
    std::string pdftoppm;  // path of pdftoppm; empty: from PATH
};

// The pages of a PDF as PNG images (one string of PNG bytes per page, in order), drawn by pdftoppm (Debian:
// poppler-utils) in its own process. Throws vanban::Error (DiagnosticKind::io) when pdftoppm is missing, fails or
// times out.
VANBAN_API std::vector<std::string> pdf_to_png(const std::string& pdf, const PngOptions& options = {});

// A quick HTML picture of a rendered .docx for on-screen preview, in milliseconds and without an office suite: the
// rendered text with its styles' alignment, indents, spacing and emphasis, tables, footnotes; explicit page breaks
// start a new <div class="sheet">. Lines are not broken into printed pages (use convert_to_pdf for that). Throws
// vanban::Error (DiagnosticKind::package) when `docx` is not a readable .docx.
VANBAN_API std::string docx_to_html(const std::string& docx);

}  // namespace vanban
