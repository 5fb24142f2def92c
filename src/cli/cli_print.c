/*
 * Text that came from inputs (file names, values quoted in error messages) is printed with
 * its control characters escaped: an ESC sequence or a carriage return in a file name must
 * not drive the user's terminal or forge output lines. C0 controls other than newline and
 * tab, DEL and the UTF-8 encoded C1 controls (U+0080..U+009F) become \xNN; everything else,
 * UTF-8 text included, is printed as is.
 */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void cli_print_escaped(FILE *fp, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	for (; *p; p++) {
		if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f) {
			fprintf(fp, "\\x%02x", *p);
		} else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			fprintf(fp, "\\u%04x", p[1]);
			p++;
		} else {
			fputc(*p, fp);
		}
	}
}

static void vprint_escaped(FILE *fp, const char *fmt, va_list ap)
{
	char buf[8192];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	cli_print_escaped(fp, buf);
}

void cli_eprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprint_escaped(stderr, fmt, ap);
	va_end(ap);
}

void cli_no_changes(const char *cmd, const char *repo_id, const char *sha)
{
	cli_eprintf("hfds %s: no changes: %s is already at %.12s\n", cmd, repo_id, sha);
}

void cli_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprint_escaped(stdout, fmt, ap);
	va_end(ap);
}
