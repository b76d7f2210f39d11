/* vanban.h must be plain C99: this file is compiled with -std=c99 -Wall -Wextra -Werror -pedantic (and with
 * -Wstrict-prototypes) by tests/CMakeLists.txt; it only has to compile. */
#include <vanban/vanban.h>

int vanban_c_header_check(void);

int vanban_c_header_check(void) {
    vanban_buffer buffer = {NULL, 0};
    vanban_errors* errors = NULL;
    vanban_template* tpl = NULL;
    vanban_status status = vanban_template_open("x.docx", &tpl, &errors);
    const vanban_error* first = vanban_errors_get(errors, 0);
    size_t all = VANBAN_NUL_TERMINATED;
    unsigned flags = VANBAN_RENDER_LENIENT;
    vanban_render_options options;
    vanban_render_options_init(&options);
    options.image_directory = "scans";
    if (tpl) status = vanban_render_with_options(tpl, "{}", all, "data.json", &options, &buffer, &errors);
    (void)all;
    (void)flags;
    (void)first;
    vanban_buffer_free(&buffer);
    vanban_errors_free(errors);
    vanban_template_free(tpl);
    return status == VANBAN_OK ? VANBAN_VERSION_MAJOR : -1;
}
