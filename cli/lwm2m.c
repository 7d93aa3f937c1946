#include "lwm2m.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lwm2m/lwm2m_buf.h"
#include "lwm2m/lwm2m_doc.h"
#include "lwm2m/lwm2m_format.h"
#include "lwm2m/lwm2m_link.h"
#include "lwm2m/lwm2m_builtin.h"
#include "lwm2m/lwm2m_registry.h"
#include "lwm2m/lwm2m_render.h"

#ifndef LWGATE_OBJECTS_DIR
#error "LWGATE_OBJECTS_DIR must name the installed object definitions (set by cli/meson.build)"
#endif

/* Payloads are CoAP bodies (block-wise at most a few MB); this bounds a wrong file. */
#define INPUT_MAX (16u << 20)

enum input_mode { INPUT_AUTO, INPUT_HEX, INPUT_BINARY };

struct opts {
	const char *cmd;
	enum lwm2m_format format;
	bool have_format;
	const char *path;
	const char *objects;
	enum input_mode mode;
	bool names;
	const char *file;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: lwgatectl lwm2m decode --format F [--path P] [--hex|--binary] [FILE|-]\n"
		"       lwgatectl lwm2m encode --format F [--path P] [--hex|--binary] [FILE|-]\n"
		"       lwgatectl lwm2m formats\n"
		"       lwgatectl lwm2m objects [ID]\n"
		"\n"
		"decode  print a payload as JSON: {\"/3/0/0\": \"ACME\", \"/3/0/9\": 87, ...}\n"
		"        with object and resource names from the object definitions.\n"
		"encode  turn that JSON back into a payload of format F.\n"
		"\n"
		"options:\n"
		"  -f, --format F     text, opaque, link, tlv, json, senml-json, senml-cbor, "
		"cbor,\n"
		"                     a media type or a CoAP content-format number\n"
		"  -p, --path P       request path (/3, /3/0, /3/0/7 ...; default \"/\"; TLV,\n"
		"                     text and opaque need one; encode defaults to the \"base\"\n"
		"                     member of the JSON)\n"
		"  -o, --objects DIR  DDF object definitions (default %s)\n"
		"  -x, --hex          payload is hex text (default for binary formats when the\n"
		"                     input looks like hex; encode writes hex for them)\n"
		"  -b, --binary       payload is raw bytes (encode writes raw bytes)\n"
		"  -n, --no-names     decode: leave out the \"names\" member\n"
		"  -h, --help         this help\n"
		"\n"
		"exit status: 0 ok, 1 bad payload or I/O error (the message says what and where),\n"
		"2 usage error.\n",
		LWGATE_OBJECTS_DIR);
}

static int read_all(const char *file, struct lwm2m_buf *b)
{
	FILE *f = (!file || strcmp(file, "-") == 0) ? stdin : fopen(file, "rb");
	uint8_t chunk[65536];
	size_t n;
	int rc = 0;

	if (!f) {
		fprintf(stderr, "lwgatectl lwm2m: %s: %s\n", file, strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (b->len + n > INPUT_MAX) {
			fprintf(stderr, "lwgatectl lwm2m: input larger than %u bytes\n", INPUT_MAX);
			rc = -1;
			break;
		}
		if (lwm2m_buf_append(b, chunk, n) < 0) {
			fprintf(stderr, "lwgatectl lwm2m: out of memory\n");
			rc = -1;
			break;
		}
	}
	if (rc == 0 && ferror(f)) {
		fprintf(stderr, "lwgatectl lwm2m: %s: read error\n", file ? file : "stdin");
		rc = -1;
	}
	if (f != stdin)
		fclose(f);
	return rc;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* True if @b is hex digits with optional whitespace, ':' or '-' separators. */
static bool looks_hex(const struct lwm2m_buf *b)
{
	size_t digits = 0;

	for (size_t i = 0; i < b->len; i++) {
		int c = b->data[i];

		if (hexval(c) >= 0)
			digits++;
		else if (!strchr(" \t\r\n:-", c))
			return false;
	}
	return digits >= 2 && digits % 2 == 0;
}

/* Decode hex in place; returns 0 or -1 with a message naming the offset. */
static int unhex(struct lwm2m_buf *b)
{
	size_t o = 0;
	int hi = -1;

	for (size_t i = 0; i < b->len; i++) {
		int v = hexval(b->data[i]);

		if (v < 0) {
			if (strchr(" \t\r\n:-", b->data[i]) && hi < 0)
				continue;
			fprintf(stderr, "lwgatectl lwm2m: hex input: bad character at offset %zu\n",
				i);
			return -1;
		}
		if (hi < 0) {
			hi = v;
		} else {
			b->data[o++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	if (hi >= 0) {
		fprintf(stderr, "lwgatectl lwm2m: hex input: odd number of digits\n");
		return -1;
	}
	b->len = o;
	return 0;
}

static void on_ddf_error(void *arg, const char *path, const struct lwm2m_error *err)
{
	fprintf(stderr, "lwgatectl lwm2m: warning: skipped %s: %s\n", path, err->msg);
}

static struct lwm2m_registry *load_registry(const char *dir)
{
	struct lwm2m_registry *r = lwm2m_registry_new();
	int n;

	if (!r) {
		fprintf(stderr, "lwgatectl lwm2m: out of memory\n");
		return NULL;
	}
	/* the folder first: its definitions override the built-in ones */
	n = lwm2m_registry_load_dir(r, dir, on_ddf_error, NULL);
	if (n < 0 && strcmp(dir, LWGATE_OBJECTS_DIR) != 0)
		fprintf(stderr,
			"lwgatectl lwm2m: warning: cannot read object definitions in %s: %s; "
			"the built-in ones only\n",
			dir, strerror(-n));
	lwm2m_builtin_load(r, on_ddf_error, NULL);
	return r;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "path", required_argument, NULL, 'p' },
		{ "objects", required_argument, NULL, 'o' },
		{ "hex", no_argument, NULL, 'x' },
		{ "binary", no_argument, NULL, 'b' },
		{ "no-names", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 0; /* lwgatectl may have run getopt on its own arguments */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "f:p:o:xbnh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (lwm2m_format_parse(optarg, &o->format) < 0) {
				fprintf(stderr,
					"lwgatectl lwm2m: unknown format '%s' (try 'lwgatectl "
					"lwm2m formats')\n",
					optarg);
				return 2;
			}
			o->have_format = true;
			break;
		case 'p':
			o->path = optarg;
			break;
		case 'o':
			o->objects = optarg;
			break;
		case 'x':
			o->mode = INPUT_HEX;
			break;
		case 'b':
			o->mode = INPUT_BINARY;
			break;
		case 'n':
			o->names = false;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, "lwgatectl lwm2m: bad option '%s'\n", argv[optind - 1]);
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc)
		o->file = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "lwgatectl lwm2m: one input file at most\n");
		return 2;
	}
	return -1;
}

static int write_out(const struct lwm2m_buf *b, bool as_hex)
{
	if (as_hex) {
		for (size_t i = 0; i < b->len; i++)
			printf("%02x", b->data[i]);
		printf("\n");
	} else if (b->len && fwrite(b->data, 1, b->len, stdout) != b->len) {
		fprintf(stderr, "lwgatectl lwm2m: write error\n");
		return 1;
	}
	if (!as_hex && isatty(STDOUT_FILENO))
		printf("\n");
	return fflush(stdout) == 0 ? 0 : 1;
}

/* What decode and encode work on: the input, the output and the forms between them. */
struct job {
	struct lwm2m_buf in, out;
	struct lwm2m_doc doc;
	struct lwm2m_link_list links;
	struct lwm2m_error err;
};

/* Set up @j and read @file (or stdin) into j->in; returns 0 or -1 with a
 * message.  Either way the caller ends with job_fini(). */
static int job_start(struct job *j, const char *file)
{
	lwm2m_buf_init(&j->in);
	lwm2m_buf_init(&j->out);
	lwm2m_doc_init(&j->doc);
	lwm2m_link_list_init(&j->links);
	lwm2m_error_clear(&j->err);
	return read_all(file, &j->in);
}

static void job_fini(struct job *j)
{
	lwm2m_link_list_fini(&j->links);
	lwm2m_doc_fini(&j->doc);
	lwm2m_buf_fini(&j->out);
	lwm2m_buf_fini(&j->in);
}

static int do_decode(const struct opts *o, const struct lwm2m_registry *reg,
		     const struct lwm2m_path *path)
{
	struct job j;
	bool hex;
	int rc, status = 1;

	if (job_start(&j, o->file) < 0)
		goto out;
	hex = o->mode == INPUT_HEX ||
	      (o->mode == INPUT_AUTO && lwm2m_format_is_binary(o->format) && looks_hex(&j.in));
	if (hex && unhex(&j.in) < 0)
		goto out;
	if (o->format == LWM2M_FORMAT_LINK) {
		rc = lwm2m_link_decode(j.in.data ? j.in.data : (const uint8_t *)"", j.in.len,
				       &j.links, &j.err);
		if (rc == 0)
			rc = lwm2m_render_links(&j.links, reg, &j.out);
	} else {
		rc = lwm2m_format_decode(o->format, j.in.data ? j.in.data : (const uint8_t *)"",
					 j.in.len, path, reg, &j.doc, &j.err);
		if (rc == 0)
			rc = lwm2m_render_doc(&j.doc, reg, o->names ? LWM2M_RENDER_NAMES : 0,
					      &j.out);
	}
	if (rc < 0) {
		fprintf(stderr, "lwgatectl lwm2m decode: %s payload: %s\n",
			lwm2m_format_name(o->format), j.err.msg[0] ? j.err.msg : strerror(-rc));
		goto out;
	}
	status = write_out(&j.out, false);
out:
	job_fini(&j);
	return status;
}

static int do_encode(const struct opts *o, const struct lwm2m_registry *reg,
		     const struct lwm2m_path *path)
{
	struct job j;
	int rc, status = 1;

	if (job_start(&j, o->file) < 0)
		goto out;
	if (o->format == LWM2M_FORMAT_LINK) {
		rc = lwm2m_render_parse_links((const char *)j.in.data, j.in.len, &j.links, &j.err);
		if (rc == 0)
			rc = lwm2m_link_encode(&j.links, &j.out);
	} else {
		rc = lwm2m_render_parse((const char *)j.in.data, j.in.len, path, reg, &j.doc,
					&j.err);
		if (rc < 0) {
			fprintf(stderr, "lwgatectl lwm2m encode: JSON input: %s\n", j.err.msg);
			goto out;
		}
		rc = lwm2m_format_encode(o->format, &j.doc, &j.out, &j.err);
	}
	if (rc < 0) {
		fprintf(stderr, "lwgatectl lwm2m encode: %s: %s\n", lwm2m_format_name(o->format),
			j.err.msg[0] ? j.err.msg : strerror(-rc));
		goto out;
	}
	status = write_out(&j.out, o->mode == INPUT_HEX || (o->mode == INPUT_AUTO &&
							    lwm2m_format_is_binary(o->format)));
out:
	job_fini(&j);
	return status;
}

static int do_formats(void)
{
	static const enum lwm2m_format all[] = {
		LWM2M_FORMAT_TEXT,       LWM2M_FORMAT_LINK,       LWM2M_FORMAT_OPAQUE,
		LWM2M_FORMAT_SENML_JSON, LWM2M_FORMAT_SENML_CBOR, LWM2M_FORMAT_TLV,
		LWM2M_FORMAT_JSON,       LWM2M_FORMAT_CBOR,
	};

	printf("%-6s %-11s %s\n", "CF", "NAME", "MEDIA TYPE");
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		printf("%-6d %-11s %s\n", (int)all[i], lwm2m_format_name(all[i]),
		       lwm2m_format_mime(all[i]));
	return 0;
}

static const char *ops_name(unsigned ops)
{
	static const char *const names[] = { "", "R", "W", "RW", "E", "RE", "WE", "RWE" };

	return names[ops & 7];
}

static int do_objects(const struct lwm2m_registry *reg, const char *id)
{
	if (!id) {
		printf("%-6s %-8s %-5s %-32s %s\n", "ID", "VERSION", "MULTI", "NAME", "FROM");
		for (size_t i = 0; i < lwm2m_registry_count(reg); i++) {
			const struct lwm2m_obj_def *o = lwm2m_registry_at(reg, i);

			printf("%-6u %-8s %-5s %-32s %s\n", (unsigned)o->id, o->version,
			       o->multiple ? "yes" : "no", o->name, o->file);
		}
		return 0;
	}
	char *end;
	long n = strtol(id, &end, 10);
	const struct lwm2m_obj_def *o = (*end || n < 0 || n > LWM2M_ID_MAX)
						? NULL
						: lwm2m_registry_object(reg, (uint16_t)n);

	if (!o) {
		fprintf(stderr, "lwgatectl lwm2m: no definition of object '%s'\n", id);
		return 1;
	}
	printf("/%u %s (version %s, %s, %s) from %s\n", (unsigned)o->id, o->name, o->version,
	       o->multiple ? "multiple instances" : "single instance",
	       o->mandatory ? "mandatory" : "optional", o->file);
	printf("%-6s %-3s %-5s %-4s %-17s %-14s %-6s %s\n", "ID", "OPS", "MULTI", "MAND", "TYPE",
	       "RANGE", "UNITS", "NAME");
	for (size_t i = 0; i < o->nres; i++) {
		const struct lwm2m_res_def *r = &o->res[i];

		printf("%-6u %-3s %-5s %-4s %-17s %-14s %-6s %s\n", (unsigned)r->id,
		       ops_name(r->ops), r->multiple ? "yes" : "no", r->mandatory ? "yes" : "no",
		       r->type == LWM2M_TYPE_NONE ? "-" : lwm2m_type_name(r->type),
		       r->range[0] ? r->range : "-", r->units[0] ? r->units : "-", r->name);
	}
	return 0;
}

int lwm2m_cli_main(int argc, char **argv)
{
	struct opts o = { .objects = LWGATE_OBJECTS_DIR, .names = true };
	struct lwm2m_registry *reg;
	struct lwm2m_path path = { .len = 0 };
	int rc;

	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	o.cmd = argv[1];
	if (strcmp(o.cmd, "decode") && strcmp(o.cmd, "encode") && strcmp(o.cmd, "formats") &&
	    strcmp(o.cmd, "objects")) {
		fprintf(stderr, "lwgatectl lwm2m: unknown command '%s'\n", o.cmd);
		usage(stderr);
		return 2;
	}
	rc = parse_opts(argc - 1, argv + 1, &o);
	if (rc >= 0)
		return rc;
	if (strcmp(o.cmd, "formats") == 0)
		return do_formats();
	if ((strcmp(o.cmd, "decode") == 0 || strcmp(o.cmd, "encode") == 0) && !o.have_format) {
		fprintf(stderr, "lwgatectl lwm2m %s: --format is required\n", o.cmd);
		return 2;
	}
	if (o.path && lwm2m_path_parse(o.path, strlen(o.path), &path) < 0) {
		fprintf(stderr,
			"lwgatectl lwm2m: '%s' is not an LwM2M path (/O, /O/I, /O/I/R, "
			"/O/I/R/RI)\n",
			o.path);
		return 2;
	}
	reg = load_registry(o.objects);
	if (!reg)
		return 1;
	if (strcmp(o.cmd, "objects") == 0)
		rc = do_objects(reg, o.file);
	else if (strcmp(o.cmd, "decode") == 0)
		rc = do_decode(&o, reg, &path);
	else
		rc = do_encode(&o, reg, o.path ? &path : NULL);
	lwm2m_registry_free(reg);
	return rc;
}
