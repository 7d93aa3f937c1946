#include "http/httpneg.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* 3 an exact type, 2 a "type/" wildcard, 1 the any-any wildcard, 0 no match */
static int specificity(const char *range, size_t len, const char *type)
{
	if (len == 3 && memcmp(range, "*/*", 3) == 0)
		return 1;
	const char *slash = strchr(type, '/');
	size_t tlen = (size_t)(slash - type);
	if (len == tlen + 2 && strncasecmp(range, type, tlen) == 0 && range[tlen] == '/' &&
	    range[tlen + 1] == '*')
		return 2;
	return len == strlen(type) && strncasecmp(range, type, len) == 0 ? 3 : 0;
}

/* The q of one Accept element's parameters; 1 when absent, -1 when bad. */
static double element_q(const char *params, size_t len)
{
	for (const char *p = params; p && p < params + len; p = memchr(p, ';', params + len - p)) {
		p++;
		while (p < params + len && *p == ' ')
			p++;
		if (params + len - p >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
			char num[8] = "";
			size_t n = (size_t)(params + len - p - 2);
			memcpy(num, p + 2, n < sizeof(num) - 1 ? n : sizeof(num) - 1);
			char *end;
			double q = strtod(num, &end);
			return q < 0 || q > 1 || end == num ? -1 : q;
		}
	}
	return 1;
}

int httpneg_choose(const char *accept, const char *const *offers)
{
	if (!accept || !*accept)
		return 0;
	int best = -1, best_spec = 0;
	double best_q = 0;
	for (int i = 0; offers[i]; i++) {
		double q = -1;
		int spec = 0;
		for (const char *e = accept; e && *e;) {
			while (*e == ' ' || *e == ',')
				e++;
			const char *end = strchr(e, ',');
			size_t len = end ? (size_t)(end - e) : strlen(e);
			const char *semi = memchr(e, ';', len);
			size_t rlen = semi ? (size_t)(semi - e) : len;
			while (rlen && e[rlen - 1] == ' ')
				rlen--;
			int s = specificity(e, rlen, offers[i]);
			/* the most specific range that matches decides the offer's q */
			if (s > spec) {
				spec = s;
				q = semi ? element_q(semi, len - rlen) : 1;
			}
			e = end;
		}
		if (spec && q > 0 && (q > best_q || (q == best_q && spec > best_spec))) {
			best = i;
			best_q = q;
			best_spec = spec;
		}
	}
	return best;
}

void httpneg_xml_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

void httpneg_quoted(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
}
