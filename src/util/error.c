/* The error record: first message wins, so the innermost failure site names the problem. */
#include "hfds/common.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void hfds_error_init(hfds_error *err)
{
	if (!err)
		return;
	err->code = 0;
	err->message[0] = '\0';
}

static int vset(hfds_error *err, int overwrite, int code, const char *fmt, va_list ap)
{
	if (!err || (err->code != 0 && !overwrite))
		return code;
	err->code = code;
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	return code;
}

int hfds_error_set(hfds_error *err, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vset(err, 0, code, fmt, ap);
	va_end(ap);
	return code;
}

int hfds_error_reset(hfds_error *err, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vset(err, 1, code, fmt, ap);
	va_end(ap);
	return code;
}

void hfds_error_prefix(hfds_error *err, const char *prefix)
{
	char tmp[HFDS_ERROR_MESSAGE_MAX];
	size_t n;
	if (!err || !prefix || !*prefix)
		return;
	memcpy(tmp, err->message, sizeof(tmp));
	n = (size_t)snprintf(err->message, sizeof(err->message), "%s: ", prefix);
	if (n < sizeof(err->message))
		snprintf(err->message + n, sizeof(err->message) - n, "%.*s", (int)(sizeof(tmp) - 1), tmp);
}

const char *hfds_strerror(int code)
{
	switch (code) {
	case HFDS_OK: return "success";
	case HFDS_ERROR: return "error";
	case HFDS_ENOMEM: return "out of memory";
	case HFDS_EINVAL: return "invalid argument";
	case HFDS_EIO: return "input/output error";
	case HFDS_ECORRUPT: return "corrupt input";
	case HFDS_EPARSE: return "parse error";
	case HFDS_ENOTFOUND: return "not found";
	case HFDS_EEXISTS: return "already exists";
	case HFDS_ELIMIT: return "limit exceeded";
	case HFDS_EUNSUPPORTED: return "not supported";
	case HFDS_ECONFLICT: return "conflict";
	case HFDS_ESTATE: return "invalid state";
	case HFDS_EAUTH: return "authentication failed";
	case HFDS_ENET: return "network error";
	case HFDS_ECANCELLED: return "cancelled";
	case HFDS_ITEROVER: return "end of iteration";
	default: return "unknown error";
	}
}

const char *hfds_version(void)
{
	return HFDS_VERSION;
}
