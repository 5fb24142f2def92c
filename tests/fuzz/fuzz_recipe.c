/* libFuzzer target for recipe YAML (hfds build's input): parsing never crashes, leaks or
 * hangs, and every refusal names a place "recipe:LINE:COL:". */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hfds/recipe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hfds_recipe *r = NULL;
	hfds_error err;
	hfds_error_init(&err);
	if (hfds_recipe_parse(&r, (const char *)data, size, "recipe", "/nonexistent", &err) < 0) {
		if (strncmp(err.message, "recipe:", 7) != 0 && err.code != HFDS_ENOMEM)
			abort();
	}
	hfds_recipe_free(r);
	return 0;
}
