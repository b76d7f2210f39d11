/* Embedding vanban from C: validate JSON data against a schema, render a template to memory and to a file, and
 * print every problem as a structured record.
 *
 *   cc -std=c99 render.c $(pkg-config --cflags --libs vanban) -o render
 *   ./render TEMPLATE DATA.json OUT.docx [SCHEMA.json]
 *
 * TEMPLATE is a .docx file or an unzipped template directory, e.g. <prefix>/share/vanban/templates/ke-hoach/docx.
 * Exit status: 0 rendered, 1 template or data problems (printed), 2 usage or I/O problem. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vanban/vanban.h>

/* Reads a whole file into a malloc'd, '\0'-terminated buffer. */
static char *read_all(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    char *data = NULL;
    size_t used = 0, capacity = 0;
    if (!f) return NULL;
    for (;;) {
        size_t n;
        if (capacity - used < 4096) {
            char *bigger = realloc(data, capacity * 2 + 4096 + 1);
            if (!bigger) {
                free(data);
                fclose(f);
                return NULL;
            }
            data = bigger;
            capacity = capacity * 2 + 4096;
        }
        n = fread(data + used, 1, capacity - used, f);
        used += n;
        if (n == 0) break;
    }
    fclose(f);
    data[used] = '\0';
    *size = used;
    return data;
}

/* Prints each record with all its fields; fields that do not apply are "" / 0 and are skipped. */
static void print_errors(const vanban_errors *errors) {
    size_t i, count = vanban_errors_count(errors);
    for (i = 0; i < count; ++i) {
        const vanban_error *e = vanban_errors_get(errors, i);
        printf("error %u/%u [%s]: %s\n", (unsigned)(i + 1), (unsigned)count, e->kind_name, e->message);
        if (*e->part) printf("  part: %s paragraph: %d\n", e->part, e->paragraph);
        if (*e->tag) printf("  tag: %s\n", e->tag);
        if (*e->json_pointer || e->line) printf("  data: %s at %s line %d column %d\n", e->json_pointer, e->source, e->line, e->column);
        if (*e->hint) printf("  hint: %s\n", e->hint);
    }
}

int main(int argc, char **argv) {
    const char *template_path, *data_path, *out_path, *schema_path;
    char *data = NULL, *schema_text = NULL;
    size_t data_size = 0, schema_size = 0;
    vanban_template *tpl = NULL;
    vanban_schema *schema = NULL;
    vanban_errors *errors = NULL;
    vanban_buffer doc = {NULL, 0};
    vanban_status status = VANBAN_OK;
    int rc = 0;

    if (argc < 4 || argc > 5) {
        fprintf(stderr, "usage: %s TEMPLATE DATA.json OUT.docx [SCHEMA.json]\n", argv[0]);
        return 2;
    }
    template_path = argv[1];
    data_path = argv[2];
    out_path = argv[3];
    schema_path = argc == 5 ? argv[4] : NULL;
    printf("vanban %s (headers %s)\n", vanban_version(), VANBAN_VERSION_STRING);

    data = read_all(data_path, &data_size);
    if (!data) {
        perror(data_path);
        return 2;
    }

    /* 1. Validate against the JSON Schema: every violation, each with a JSON pointer and line:column. */
    if (schema_path) {
        schema_text = read_all(schema_path, &schema_size);
        if (!schema_text) {
            perror(schema_path);
            rc = 2;
            goto done;
        }
        status = vanban_schema_compile(schema_text, schema_size, schema_path, &schema, &errors);
        if (status == VANBAN_OK) status = vanban_schema_validate(schema, data, data_size, data_path, &errors);
        if (status != VANBAN_OK) goto failed;
        printf("valid: %s\n", data_path);
    }

    /* 2. Compile the template once; the handle could now be shared by any number of rendering threads. */
    status = vanban_template_open(template_path, &tpl, &errors);
    if (status != VANBAN_OK) goto failed;

    /* 3. Render to memory ... */
    status = vanban_render(tpl, data, data_size, data_path, 0, &doc, &errors);
    if (status != VANBAN_OK) goto failed;
    printf("rendered %lu bytes in memory\n", (unsigned long)doc.size);

    /* 4. ... and to a file (written atomically). */
    status = vanban_render_to_file(tpl, data, data_size, data_path, 0, out_path, &errors);
    if (status != VANBAN_OK) goto failed;
    printf("wrote %s\n", out_path);
    goto done;

failed:
    printf("%s: %s (%u problems)\n", data_path, vanban_status_name(status), (unsigned)vanban_errors_count(errors));
    print_errors(errors);
    rc = status == VANBAN_ERROR_IO || status == VANBAN_ERROR_USAGE ? 2 : 1;

done:
    vanban_buffer_free(&doc);
    vanban_errors_free(errors);
    vanban_template_free(tpl);
    vanban_schema_free(schema);
    free(schema_text);
    free(data);
    return rc;
}
