/*
 * Decode and encode speed of every value format on the Device object
 * (/3/0 with 15 resources, three of them multiple-instance), on one core.
 * Goals (issue 4): binary formats >= 1,000,000 ops/s, SenML JSON >= 200,000.
 * Time is this thread's CPU time, so figures hold on a loaded machine.
 * Prints figures; never fails on time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lwm2m/lwm2m_format.h"
#include "lwm2m/lwm2m_registry.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void add(struct lwm2m_doc *doc, const char *path, struct lwm2m_value v)
{
	struct lwm2m_path p;

	if (lwm2m_path_parse(path, strlen(path), &p) < 0 || lwm2m_doc_add(doc, &p, &v) < 0)
		abort();
}

static void add_str(struct lwm2m_doc *doc, const char *path, const char *s)
{
	add(doc, path, lwm2m_value_bytes(LWM2M_TYPE_STRING, s, strlen(s)));
}

static void device(struct lwm2m_doc *doc)
{
	lwm2m_path_parse("/3/0", 4, &doc->base);
	add_str(doc, "/3/0/0", "Open Mobile Alliance");
	add_str(doc, "/3/0/1", "Lightweight M2M Client");
	add_str(doc, "/3/0/2", "345000123");
	add_str(doc, "/3/0/3", "1.0");
	add(doc, "/3/0/6/0", lwm2m_value_int(1));
	add(doc, "/3/0/6/1", lwm2m_value_int(5));
	add(doc, "/3/0/7/0", lwm2m_value_int(3800));
	add(doc, "/3/0/7/1", lwm2m_value_int(5000));
	add(doc, "/3/0/8/0", lwm2m_value_int(125));
	add(doc, "/3/0/8/1", lwm2m_value_int(900));
	add(doc, "/3/0/9", lwm2m_value_int(100));
	add(doc, "/3/0/10", lwm2m_value_int(15));
	add(doc, "/3/0/11/0", lwm2m_value_int(0));
	add(doc, "/3/0/13", lwm2m_value_time(1367491215));
	add_str(doc, "/3/0/14", "+02:00");
	add_str(doc, "/3/0/15", "Europe/Berlin");
	add_str(doc, "/3/0/16", "U");
	add_str(doc, "/3/0/17", "Gateway");
}

int main(int argc, char **argv)
{
	static const enum lwm2m_format fmts[] = {
		LWM2M_FORMAT_TLV,	 LWM2M_FORMAT_CBOR, LWM2M_FORMAT_SENML_CBOR,
		LWM2M_FORMAT_SENML_JSON, LWM2M_FORMAT_JSON,
	};
	struct lwm2m_registry *reg = lwm2m_registry_new();
	struct lwm2m_doc doc, tmp;
	struct lwm2m_buf out;
	struct lwm2m_error err;
	double budget = argc > 1 ? atof(argv[1]) : 0.5;

	if (!reg || lwm2m_registry_load_dir(reg, LWM2M_BENCH_OBJECTS_DIR, NULL, NULL) < 0)
		return 1;
	lwm2m_doc_init(&doc);
	lwm2m_doc_init(&tmp);
	lwm2m_buf_init(&out);
	device(&doc);
	printf("Device /3/0: 15 resources, %zu values; %.1f CPU-s per figure, one core\n",
	       doc.count, budget);
	printf("%-11s %7s %13s %13s %9s\n", "format", "bytes", "decode ops/s", "encode ops/s",
	       "goal");
	for (size_t f = 0; f < sizeof(fmts) / sizeof(fmts[0]); f++) {
		uint8_t payload[2048];
		size_t len;
		long n;
		double t0, dec, enc;

		lwm2m_buf_reset(&out);
		if (lwm2m_format_encode(fmts[f], &doc, &out, &err) < 0 || out.len > sizeof(payload))
			return 1;
		len = out.len;
		memcpy(payload, out.data, len);
		/* decode: the document is reset and reused, as a server loop would */
		n = 0;
		t0 = now();
		do {
			for (int k = 0; k < 1000; k++, n++) {
				lwm2m_doc_reset(&tmp);
				if (lwm2m_format_decode(fmts[f], payload, len, &doc.base, reg, &tmp,
							&err) < 0)
					return 1;
			}
		} while (now() - t0 < budget);
		dec = (double)n / (now() - t0);
		n = 0;
		t0 = now();
		do {
			for (int k = 0; k < 1000; k++, n++) {
				lwm2m_buf_reset(&out);
				if (lwm2m_format_encode(fmts[f], &doc, &out, &err) < 0)
					return 1;
			}
		} while (now() - t0 < budget);
		enc = (double)n / (now() - t0);
		printf("%-11s %7zu %13.0f %13.0f %9s\n", lwm2m_format_name(fmts[f]), len, dec, enc,
		       lwm2m_format_is_binary(fmts[f])	    ? ">=1000000"
		       : fmts[f] == LWM2M_FORMAT_SENML_JSON ? ">=200000"
							    : "-");
	}
	lwm2m_buf_fini(&out);
	lwm2m_doc_fini(&tmp);
	lwm2m_doc_fini(&doc);
	lwm2m_registry_free(reg);
	return 0;
}
