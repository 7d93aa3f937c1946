#include "httpapi.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/httpneg.h"

#define COL_W    170 /* px between siblings */
#define ROW_H    110 /* px between depths */
#define MARGIN   60
#define MAX_ROWS 64 /* the DODAG's depth is bounded by rplroot too */

struct place {
	const char *node, *parent;
	int x, y;
	long long lifetime;
};

/* The last two groups of an address fit under a node; the whole one goes in its title. */
static const char *short_name(const char *addr)
{
	const char *p = strrchr(addr, ':');
	for (int n = 0; p && p > addr && n < 1; n++)
		p = memrchr(addr, ':', (size_t)(p - addr));
	return p && p > addr ? p + 1 : addr;
}

static void svg_node(FILE *f, const struct place *p, bool root)
{
	fputs("<g class=\"node\"><title>", f);
	httpneg_xml_escape(f, p->node);
	fprintf(f,
		"</title><circle cx=\"%d\" cy=\"%d\" r=\"22\" fill=\"%s\" stroke=\"#333\"/>"
		"<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"12\">",
		p->x, p->y, root ? "#9cf" : "#fff", p->x, p->y + 40);
	httpneg_xml_escape(f, root ? "root" : short_name(p->node));
	fputs("</text></g>\n", f);
}

int lowpand_httpapi_svg(FILE *f, json_t *routes)
{
	size_t n = json_array_size(routes);
	if (!json_is_array(routes))
		return -EINVAL;
	struct place *pl = calloc(n ? n : 1, sizeof(*pl));
	int per_row[MAX_ROWS] = { 0 }, width = 1, rows = 1;
	if (!pl)
		abort();
	for (size_t i = 0; i < n; i++) {
		json_t *r = json_array_get(routes, i);
		json_int_t depth = json_integer_value(json_object_get(r, "depth"));
		if (depth < 0 || depth >= MAX_ROWS)
			depth = MAX_ROWS - 1;
		pl[i].node = json_string_value(json_object_get(r, "node"));
		pl[i].parent = json_string_value(json_object_get(r, "parent"));
		pl[i].lifetime = json_integer_value(json_object_get(r, "lifetime_s"));
		if (!pl[i].node)
			pl[i].node = "?";
		/* the array is in tree order: a row fills left to right */
		pl[i].x = MARGIN + per_row[depth]++ * COL_W;
		pl[i].y = MARGIN + (int)depth * ROW_H;
		width = per_row[depth] > width ? per_row[depth] : width;
		rows = (int)depth + 1 > rows ? (int)depth + 1 : rows;
	}
	fprintf(f,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">\n<title>RPL DODAG</title>\n",
		2 * MARGIN + (width - 1) * COL_W, 2 * MARGIN + (rows - 1) * ROW_H + 20,
		2 * MARGIN + (width - 1) * COL_W, 2 * MARGIN + (rows - 1) * ROW_H + 20);
	/* links first, so that nodes are drawn over them */
	for (size_t i = 1; i < n; i++) {
		for (size_t j = 0; j < n; j++) {
			if (!pl[i].parent || strcmp(pl[j].node, pl[i].parent) != 0 || i == j)
				continue;
			fprintf(f,
				"<g class=\"link\"><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
				"stroke=\"#666\" stroke-width=\"2\"/><text x=\"%d\" y=\"%d\" "
				"font-size=\"10\" fill=\"#666\">%llds</text></g>\n",
				pl[j].x, pl[j].y, pl[i].x, pl[i].y, (pl[i].x + pl[j].x) / 2 + 4,
				(pl[i].y + pl[j].y) / 2, pl[i].lifetime);
			break;
		}
	}
	for (size_t i = 0; i < n; i++)
		svg_node(f, &pl[i], i == 0);
	fputs("</svg>\n", f);
	free(pl);
	return 0;
}

static const char *const dodag_types[] = { "application/json", "image/svg+xml", NULL };

static int render_svg(json_t *result, char **body, size_t *len, const char **ctype)
{
	FILE *f = open_memstream(body, len);
	if (!f)
		abort();
	int rc = lowpand_httpapi_svg(f, result);
	fclose(f);
	*ctype = "image/svg+xml";
	return rc ? 500 : 0;
}

static int render_dodag(const struct http_request *req, json_t *result, char **body, size_t *len,
			const char **ctype)
{
	int as = httpneg_choose(http_request_header(req, "accept"), dodag_types);
	if (as < 0)
		return 406;
	if (as == 1)
		return render_svg(result, body, len, ctype);
	*body = json_dumps(result, JSON_COMPACT);
	*len = strlen(*body);
	*ctype = "application/json";
	return 0;
}

static int render_dodag_svg(const struct http_request *req, json_t *result, char **body,
			    size_t *len, const char **ctype)
{
	return render_svg(result, body, len, ctype);
}

const struct httpbridge_route lowpand_httpapi_routes[] = {
	{ "GET", "/api/status", false, "status", NULL, NULL },
	{ "GET", "/api/stats", false, "stats", NULL, NULL },
	{ "GET", "/api/neighbors", false, "neighbors", NULL, NULL, .list = true },
	{ "GET", "/api/dodag", false, "routes", NULL, render_dodag, .list = true },
	{ "GET", "/api/dodag.svg", false, "routes", NULL, render_dodag_svg, .list = true },
	{ "GET", "/api/admitted", false, "admitted", NULL, NULL, .list = true },
	{ NULL },
};

int lowpand_httpapi_new(struct event_base *base, const struct httpconf *conf, const char *socket,
			struct httpbridge **out)
{
	*out = NULL;
	if (!conf->enabled)
		return 0;
	struct httpbridge_config cfg;
	httpconf_bridge(conf, socket, &cfg);
	cfg.events_path = "/api/event"; /* route, neighbour and admission changes (main.c) */
	return httpbridge_new(base, &cfg, lowpand_httpapi_routes, out);
}
