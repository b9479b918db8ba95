/* SPDX-License-Identifier: MIT */
/* Key paths from input: parsing must accept or refuse without a crash, and whatever it accepts must
 * format back to exactly the input (one spelling per path), and parse again to the same names. */
#include <stdint.h>
#include <stdio.h>

#include "macro.h"
#include "settings-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(settings_key_done) SettingsKey k = {}, again = {};
        _cleanup_free_ char *text = NULL, *back = NULL;
        char display[SETTINGS_KEY_MAX_LENGTH + 16] = "settings";
        size_t len = 8;
        SettingsError error;

        if (size > 2 * SETTINGS_KEY_MAX_LENGTH)
                return 0;
        text = malloc(size + 1);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = 0;
        /* The whole input as one name, the way messages show names from requests. */
        (void) settings_key_append(display, sizeof(display), &len, text, false);
        if (strlen(display) != len)
                abort();

        if (settings_key_parse(text, &k, &error) < 0) {
                if (!error.message[0])
                        abort();
                return 0;
        }
        if (settings_key_format(k.names, k.n, &back) < 0 || !streq(back, text))
                abort();
        if (settings_key_parse(back, &again, &error) < 0 || again.n != k.n)
                abort();
        for (size_t i = 0; i < k.n; i++)
                if (!streq(k.names[i], again.names[i]))
                        abort();
        return 0;
}
