/*
 * httpneg — proactive content negotiation (RFC 9110 §12.5.1) and the
 * escaping that HTML, XML and link-format text need.  Pure.
 */
#ifndef LWGATE_HTTP_HTTPNEG_H
#define LWGATE_HTTP_HTTPNEG_H

#include <stdio.h>

/*
 * Which of @offers (media types, NULL-terminated, the first the default)
 * does Accept header @accept prefer?  The highest q wins, then the more
 * specific range ("text/html" over "text/any" over "any/any"), then the order of
 * @offers.  Returns its index, 0 when @accept is NULL or empty, or -1 when
 * every offer has q=0 or matches nothing (answer 406).
 */
int httpneg_choose(const char *accept, const char *const *offers);

/* Write @s to @f with &, <, >, " and ' as character references (HTML and XML). */
void httpneg_xml_escape(FILE *f, const char *s);

/* Write @s to @f as the inside of a quoted-string (RFC 9110 §5.6.4): \ and " escaped. */
void httpneg_quoted(FILE *f, const char *s);

#endif
