/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

/* One rendering: a template file against a JSON file, partials from a directory (NULL: none). */
typedef struct RenderJob {
        const char *template_path;
        const char *json_path;
        const char *partials_dir;
        bool settings; /* json_path holds a settings tree: render as a node does (render_context_new()) */
} RenderJob;

/* Returns 0 and the rendered text, or a negative errno and a message for people that names the file and,
 * where there is one, the line and column: "FILE:LINE:COLUMN: reason" or "FILE: reason". Both results are
 * malloc()ed. */
int render_job(const RenderJob *job, char **ret_output, char **ret_error);
