# The library's sources, listed (not globbed) so that a build sees exactly the files that were reviewed, and a file
# left behind by a deleted branch is not compiled in silently. A new source file is added here, in its layer's
# group; the ctest `library.sources` (tests/library/check_sources.cmake) fails while a .cpp of these folders is missing.
set(VANBAN_LIB_SOURCES
  # src/api
  src/api/c_api.cpp
  src/api/catalog.cpp
  src/api/check.cpp
  src/api/convert.cpp
  src/api/data.cpp
  src/api/package_images.cpp
  src/api/template.cpp
  # src/batch
  src/batch/batch.cpp
  src/batch/byte_stream.cpp
  src/batch/cell_typing.cpp
  src/batch/cells.cpp
  src/batch/columns.cpp
  src/batch/csv_records.cpp
  src/batch/json_records.cpp
  src/batch/json_scan.cpp
  src/batch/records.cpp
  src/batch/sheet.cpp
  src/batch/tabular.cpp
  src/batch/xlsx_parts.cpp
  src/batch/xlsx_records.cpp
  # src/core
  src/core/base64.cpp
  src/core/data_checks.cpp
  src/core/diagnostic.cpp
  src/core/expr_calls.cpp
  src/core/expr_eval.cpp
  src/core/expr_lexer.cpp
  src/core/expr_parser.cpp
  src/core/expr_values.cpp
  src/core/filters.cpp
  src/core/filters_common.cpp
  src/core/filters_format.cpp
  src/core/filters_lists.cpp
  src/core/filters_numbers.cpp
  src/core/filters_strings.cpp
  src/core/filters_tests.cpp
  src/core/filters_vn.cpp
  src/core/image.cpp
  src/core/line_balance.cpp
  src/core/outline.cpp
  src/core/package_format.cpp
  src/core/part_common.cpp
  src/core/part_helpers.cpp
  src/core/part_paragraphs.cpp
  src/core/part_parse.cpp
  src/core/part_placement.cpp
  src/core/part_program.cpp
  src/core/part_sites.cpp
  src/core/part_structure.cpp
  src/core/part_tags.cpp
  src/core/part_text.cpp
  src/core/part_whitespace.cpp
  src/core/program.cpp
  src/core/program_blocks.cpp
  src/core/property_part.cpp
  src/core/richtext.cpp
  src/core/suggest.cpp
  src/core/vn.cpp
  src/core/xml_compiler.cpp
  src/core/xml_slots.cpp
  # src/docx
  src/docx/docx_html.cpp
  src/docx/docx_package.cpp
  src/docx/docx_part.cpp
  src/docx/subdoc.cpp
  # src/import
  src/import/document.cpp
  src/import/docx.cpp
  src/import/import.cpp
  src/import/numbering.cpp
  src/import/odt.cpp
  src/import/recognise.cpp
  src/import/recognise_appendix.cpp
  src/import/recognise_body.cpp
  src/import/recognise_closing.cpp
  src/import/recognise_header.cpp
  src/import/recognise_text.cpp
  # src/io
  src/io/files.cpp
  # src/json
  src/json/json_source.cpp
  src/json/pointer.cpp
  src/json/schema.cpp
  src/json/schema_explain.cpp
  src/json/schema_walk.cpp
  # src/odt
  src/odt/odt_package.cpp
  src/odt/odt_part.cpp
  src/odt/odt_rich.cpp
  # src/zip
  src/zip/zip_names.cpp
  src/zip/zip_reader.cpp
  src/zip/zip_stream.cpp
  src/zip/zip_writer.cpp
)
