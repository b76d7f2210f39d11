/* vanban — C API: compile a DOCX template once, render it with JSON data many times, from many threads.
 *
 *   vanban_template *tpl = NULL;
 *   vanban_errors *errors = NULL;
 *   vanban_buffer doc = {0};
 *   if (vanban_template_open("ke-hoach.docx", &tpl, &errors) == VANBAN_OK &&
 *       vanban_render(tpl, json, VANBAN_NUL_TERMINATED, "plan.json", 0, &doc, &errors) == VANBAN_OK)
 *       fwrite(doc.data, 1, doc.size, out);
 *   for (size_t i = 0; i < vanban_errors_count(errors); ++i)
 *       fprintf(stderr, "%s\n", vanban_errors_get(errors, i)->text);
 *   vanban_buffer_free(&doc);
 *   vanban_errors_free(errors);
 *   vanban_template_free(tpl);
 *
 * Rules that hold for every function:
 *   - It returns a vanban_status (VANBAN_OK is 0) and never lets a C++ exception or a crash-by-design escape.
 *   - `errors` out-parameters may be NULL. Otherwise *errors is set to NULL on success and to a new list holding
 *     EVERY problem found (not only the first) on failure; free it with vanban_errors_free(). The status is the
 *     kind of the first error.
 *   - Handles and buffers returned to you are yours: free each with its matching function (vanban_template_free,
 *     vanban_schema_free, vanban_errors_free, vanban_buffer_free), never with free(). All free functions accept
 *     NULL / an empty buffer. On failure, output handles are set to NULL and output buffers to {NULL, 0}.
 *     Output parameters are overwritten, never freed: free what they held before passing them again.
 *   - Strings are UTF-8. Strings returned by the library are never NULL ("" when a field does not apply).
 *   - Thread safety: there is no global mutable state. A compiled vanban_template or vanban_schema is immutable:
 *     any number of threads may render / validate / inspect with the same handle at once; only freeing it must
 *     not race with its use. Error lists and buffers belong to the caller and are not shared by the library.
 *
 * Pure C99 (also valid C++). Link with `pkg-config --libs vanban` or CMake's vanban::vanban. */
#ifndef VANBAN_H
#define VANBAN_H

#include <stddef.h>
#include <stdint.h>

#include "vanban/export.h"
#include "vanban/version.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ----- status codes; also the kind of each error record ---------------------------------------------------- */

typedef enum vanban_status {
    VANBAN_OK = 0,
    VANBAN_ERROR_TEMPLATE = 1,  /* the template is wrong: unclosed tag, unknown filter, endfor without for, ... */
    VANBAN_ERROR_DATA = 2,      /* the data does not fit the template: missing value, loop over a non-list, ... */
    VANBAN_ERROR_SCHEMA = 3,    /* the data does not fit the JSON Schema */
    VANBAN_ERROR_JSON = 4,      /* the data (or schema) text is not valid JSON */
    VANBAN_ERROR_PACKAGE = 5,   /* the DOCX package is broken or hostile (zip, XML) */
    VANBAN_ERROR_IO = 6,        /* reading or writing a file failed */
    VANBAN_ERROR_LIMIT = 7,     /* a safety limit was exceeded (package size, output size, loop iterations) */
    VANBAN_ERROR_USAGE = 8,     /* invalid arguments (NULL handle, unknown flag) or an unsupported request */
    VANBAN_ERROR_NO_MEMORY = 9, /* out of memory (the error list may then be NULL) */
    VANBAN_ERROR_INTERNAL = 10  /* a bug in vanban: please report it with the message */
} vanban_status;

/* The library's version, e.g. "0.1.0" (VANBAN_VERSION_STRING is the version of the headers). Static string. */
VANBAN_API const char* vanban_version(void);

/* A short name for a status: "ok", "template", "data", "schema", "json", "package", "io", "limit", "usage",
 * "no-memory", "internal" ("unknown" otherwise). Static string. */
VANBAN_API const char* vanban_status_name(vanban_status status);

/* ----- errors ----------------------------------------------------------------------------------------------- */

/* One problem. Fields that do not apply are "" or 0. Fields may be appended in later versions: get records
 * through vanban_errors_get(), never index an array of them. */
typedef struct vanban_error {
    vanban_status kind;
    const char* kind_name;    /* vanban_status_name(kind) */
    const char* message;      /* what is wrong */
    const char* part;         /* template part, e.g. "word/document.xml" (or the package/file name) */
    int paragraph;            /* 1-based paragraph in `part` */
    const char* tag;          /* the tag exactly as typed, e.g. "{{ agency.name | uper }}" */
    const char* context;      /* a little visible text around the tag, to find it in Word */
    const char* json_pointer; /* RFC 6901 pointer into the data; "" is the whole document (or: not about data) */
    const char* source;       /* data (or schema) name given by the caller */
    int line;                 /* 1-based line in the data text, 0 when unknown */
    int column;               /* 1-based column (Unicode code points), 0 when unknown */
    const char* hint;         /* how to fix it, when known */
    const char* text;         /* the whole record as one human-readable line */
    /* Appended fields (docs/messages.md): */
    const char* code;       /* stable id of the kind of problem, e.g. "schema.required"; "" when none */
    const char* message_en; /* English text (the same as `message`) */
    const char* message_vi; /* plain Vietnamese for people, naming the field by its label and saying what to do;
                               * the English text where no Vietnamese one is written */
    const char* text_vi;    /* the whole record as one line in Vietnamese (like `text`) */
} vanban_error;

/* An immutable list of error records, owned by the caller until vanban_errors_free(). */
typedef struct vanban_errors vanban_errors;

/* Number of records; 0 for NULL. */
VANBAN_API size_t vanban_errors_count(const vanban_errors* errors);
/* Record `index`, or NULL when out of range. Valid (with all its strings) until vanban_errors_free(errors). */
VANBAN_API const vanban_error* vanban_errors_get(const vanban_errors* errors, size_t index);
/* All records as a JSON array (the format of `vanban --errors json`); "[]" for NULL. Owned by the list. */
VANBAN_API const char* vanban_errors_json(const vanban_errors* errors);
VANBAN_API void vanban_errors_free(vanban_errors* errors);

/* ----- buffers ---------------------------------------------------------------------------------------------- */

/* Bytes allocated by vanban and owned by the caller: free with vanban_buffer_free() (not free()). `data` is
 * followed by a '\0' not counted in `size`, so text results can be used as C strings. Initialise to {0}. */
typedef struct vanban_buffer {
    char* data;
    size_t size;
} vanban_buffer;

/* Frees buffer->data and resets the buffer to {NULL, 0}. NULL and empty buffers are fine. */
VANBAN_API void vanban_buffer_free(vanban_buffer* buffer);

/* Text arguments are (pointer, size) pairs; pass VANBAN_NUL_TERMINATED as size for a '\0'-terminated string. */
#define VANBAN_NUL_TERMINATED SIZE_MAX

/* ----- limits ----------------------------------------------------------------------------------------------- */

/* Safety limits (docs/reliability.md has the table): hostile or broken input that would go past one fails with
 * VANBAN_ERROR_LIMIT naming it. Fill the structure with vanban_limits_init() and change only the fields you need;
 * struct_size lets later versions append fields without breaking programs built against this header. */
typedef struct vanban_limits {
    size_t struct_size;           /* sizeof(vanban_limits), set by vanban_limits_init() */
    uint64_t max_package_entries; /* 10000: entries in the template package */
    uint64_t max_part_size;       /* 256 MiB: uncompressed bytes of one package entry */
    uint64_t max_package_size;    /* 1 GiB: uncompressed bytes of the whole package */
    double max_compression_ratio; /* 1000: uncompressed / compressed size of an entry (zip bombs) */
    uint64_t max_output_size;     /* 512 MiB: bytes of one rendered document */
    uint64_t max_loop_iterations; /* 10000000: loop iterations in one render */
    uint64_t max_value_size;      /* 64 MiB: bytes of one value an expression computes */
    uint64_t max_work;            /* 100000000: units of expression work in one render */
    uint64_t max_data_size;       /* 64 MiB: bytes of the JSON data passed to vanban_render */
    uint64_t max_data_depth;      /* 512: nesting of objects and arrays in that data */
    uint64_t max_image_size;      /* 16 MiB: bytes of one picture from the data */
    uint64_t max_images;          /* 1000: different pictures in one document */
} vanban_limits;

/* Sets every field to its default. */
VANBAN_API void vanban_limits_init(vanban_limits* limits);

/* ----- templates -------------------------------------------------------------------------------------------- */

/* A compiled template; immutable, thread-safe. */
typedef struct vanban_template vanban_template;

/* Compiles a .docx file, or a directory holding the unzipped package. All template errors are reported at once
 * (VANBAN_ERROR_TEMPLATE with part, paragraph and tag). On success *out is a new handle (vanban_template_free). */
VANBAN_API vanban_status vanban_template_open(const char* path, vanban_template** out, vanban_errors** errors);

/* Compiles a package held in memory; the bytes are copied. `name` (may be NULL) is used in messages. */
VANBAN_API vanban_status vanban_template_from_memory(const void* bytes, size_t size, const char* name,
                                                     vanban_template** out, vanban_errors** errors);

/* The same two with limits (NULL: the defaults). The template keeps them: they apply to every render with it, data
 * parsing included. A render's own picture limits (vanban_render_options.max_image_size and max_images), when not 0,
 * take the place of the template's for that render. */
VANBAN_API vanban_status vanban_template_open_with_limits(const char* path, const vanban_limits* limits,
                                                          vanban_template** out, vanban_errors** errors);
VANBAN_API vanban_status vanban_template_from_memory_with_limits(const void* bytes, size_t size, const char* name,
                                                                 const vanban_limits* limits, vanban_template** out,
                                                                 vanban_errors** errors);

VANBAN_API void vanban_template_free(vanban_template* tpl);

/* The data the template reads, as UTF-8 JSON in *out (vanban_buffer_free):
 *   {"skeleton": {...data to fill in...}, "loops": [...], "conditions": [...], "outputs": [...]} */
VANBAN_API vanban_status vanban_template_inspect(const vanban_template* tpl, vanban_buffer* out,
                                                 vanban_errors** errors);

/* Render flags. */
#define VANBAN_RENDER_LENIENT 1u /* a missing value renders as empty text, a missing list as no rows */

/* Renders with JSON data (`data_json`, `data_size` bytes or VANBAN_NUL_TERMINATED) into the bytes of a finished
 * .docx in *out (vanban_buffer_free). `data_name` (may be NULL: "data") names the data in errors. Data errors carry
 * the template location (part, paragraph, tag) and the data location (json_pointer, line:column in data_json). */
VANBAN_API vanban_status vanban_render(const vanban_template* tpl, const char* data_json, size_t data_size,
                                       const char* data_name, unsigned flags, vanban_buffer* out,
                                       vanban_errors** errors);

/* The same, written atomically to `path`: on any error the file is untouched and no temporary is left. */
VANBAN_API vanban_status vanban_render_to_file(const vanban_template* tpl, const char* data_json, size_t data_size,
                                               const char* data_name, unsigned flags, const char* path,
                                               vanban_errors** errors);

/* Options of one render, for the two functions below. Fill the structure with vanban_render_options_init() and change
 * only the fields you need; struct_size lets later versions append fields without breaking programs built against
 * this header. */
typedef struct vanban_render_options {
    size_t struct_size;          /* sizeof(vanban_render_options), set by vanban_render_options_init() */
    unsigned flags;              /* VANBAN_RENDER_LENIENT */
    const char* image_directory; /* NULL or "" (the default): a picture given in the data as a file path ({"image":
                                  * "sign.png"}) is a data error, so data from a form or another program never makes
                                  * vanban read a file. Otherwise such paths are read relative to this directory
                                  * (absolute ones as they are): set it only for data you trust. */
    uint64_t max_image_size;     /* bytes of one picture; 0: the template's limit (vanban_limits, 16 MiB by default) */
    uint64_t max_images;         /* different pictures in one document; 0: the template's limit (1000 by default) */
} vanban_render_options;

/* Sets every field to its default. */
VANBAN_API void vanban_render_options_init(vanban_render_options* options);

/* vanban_render and vanban_render_to_file with options (NULL: the defaults, as flags 0). */
VANBAN_API vanban_status vanban_render_with_options(const vanban_template* tpl, const char* data_json, size_t data_size,
                                                    const char* data_name, const vanban_render_options* options,
                                                    vanban_buffer* out, vanban_errors** errors);
VANBAN_API vanban_status vanban_render_to_file_with_options(const vanban_template* tpl, const char* data_json,
                                                            size_t data_size, const char* data_name,
                                                            const vanban_render_options* options, const char* path,
                                                            vanban_errors** errors);

/* ----- JSON Schema validation ------------------------------------------------------------------------------- */

/* A compiled JSON Schema (draft 4/6/7); immutable, thread-safe. */
typedef struct vanban_schema vanban_schema;

/* Compiles schema text; `name` (may be NULL: "schema") is used in messages. */
VANBAN_API vanban_status vanban_schema_compile(const char* schema_json, size_t schema_size, const char* name,
                                               vanban_schema** out, vanban_errors** errors);

VANBAN_API void vanban_schema_free(vanban_schema* schema);

/* VANBAN_OK when the data is valid; otherwise VANBAN_ERROR_SCHEMA with every violation (json_pointer and
 * line:column in data_json), or VANBAN_ERROR_JSON when the data is not JSON. */
VANBAN_API vanban_status vanban_schema_validate(const vanban_schema* schema, const char* data_json, size_t data_size,
                                                const char* data_name, vanban_errors** errors);

/* ----- importing an existing plan ---------------------------------------------------------------------------- */

/* Reads an existing plan (`bytes` of a .docx, .odt, .txt or .md file; `name_or_format` is its file name, whose
 * extension gives the format, or the bare format "docx") into data for the bundled template `template_name` (NULL:
 * "ke-hoach", the only one today). On success *out holds UTF-8 JSON
 *   {"template": "ke-hoach", "data": {...}, "unrecognised": [{"part", "paragraph", "text", "reason"}],
 *    "warnings": [error records]}
 * where every paragraph the importer could not place is kept in the data as a plain paragraph and listed. Broken
 * or hostile files fail with VANBAN_ERROR_PACKAGE or VANBAN_ERROR_LIMIT; a document with no "KẾ HOẠCH" line with
 * VANBAN_ERROR_DATA; an unknown format or template with VANBAN_ERROR_USAGE. */
VANBAN_API vanban_status vanban_import(const void* bytes, size_t size, const char* name_or_format,
                                       const char* template_name, vanban_buffer* out, vanban_errors** errors);

#ifdef __cplusplus
}
#endif

#endif /* VANBAN_H */
