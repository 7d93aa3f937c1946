#include "pcap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lowpan/error.h"
#include "lowpan/frame.h"
#include "lowpan/iphc.h"
#include "lowpan/lladdr.h"
#include "lowpan/mib.h"
#include "lowpan/pcapfile.h"
#include "lowpan/rx.h"
#include "lowpan/tx.h"

enum { EXIT_OK = 0, EXIT_BAD = 1, EXIT_USAGE = 2 };

/* Captures are read whole; bigger ones are refused rather than risking
 * the machine's memory. */
#define MAX_FILE (1024u * 1024u * 1024u)

static const char usage[] =
	"usage: lwgatectl pcap decode [OPTIONS] IN.pcap OUT.pcap\n"
	"       lwgatectl pcap encode [OPTIONS] IN.pcap OUT.pcap\n"
	"\n"
	"decode: 802.15.4 frames (link type 195 with FCS, 230 without) -> reassembled,\n"
	"        decompressed IPv6 packets (link type 229).\n"
	"  -c, --context N=PREFIX/LEN  IPHC context N (0..15), e.g. 0=2001:db8::/64\n"
	"  -t, --timeout SECONDS       reassembly timeout in capture time (default 60)\n"
	"      --max-reassemblies N    concurrent partial datagrams (default 64)\n"
	"      --no-fcs-check          link type 195: strip the FCS without checking it\n"
	"\n"
	"encode: IPv6 packets (link type 229, 101 raw IP, or 1 Ethernet) -> 802.15.4\n"
	"        data frames with IPHC/NHC, fragmented as needed (link type 195).\n"
	"  -p, --pan ID                PAN identifier (default 0xabcd)\n"
	"  -s, --src ADDR              link source: 0x1234 (short) or 00:12:4b:..:01\n"
	"  -d, --dst ADDR              link destination (default for both: derived from\n"
	"                              the packet's IPv6 addresses; 0xffff for multicast)\n"
	"  -c, --context N=PREFIX/LEN  IPHC context used for compression too\n"
	"  -b, --frame-size N          PHY frame size including FCS (default 127)\n"
	"      --no-fcs                write link type 230 frames without FCS\n"
	"      --frame-version V       2003, 2006 (default) or 2015\n"
	"      --elide-udp-checksum    elide UDP checksums (RFC 6282 4.3.2)\n"
	"      --uncompressed          use the uncompressed IPv6 dispatch (0x41)\n"
	"      --tag N                 first datagram_tag (default 1)\n"
	"\n"
	"  -q, --quiet                 no summary\n"
	"  -h, --help                  this text\n"
	"\n"
	"Exit status: 0 success, 1 unreadable or malformed input or output failure,\n"
	"2 usage error.  Frames that cannot be decoded are counted by reason in the\n"
	"summary, not fatal.\n";

struct opts {
	struct lowpan_ctx_table ctx;
	bool have_ctx;
	uint32_t timeout_s;
	unsigned max_reasm;
	bool no_fcs_check, quiet;
	uint16_t pan;
	struct lowpan_lladdr src, dst;
	bool have_src, have_dst;
	size_t frame_size;
	bool no_fcs, elide_csum, uncompressed;
	int version;
	uint16_t tag;
	const char *in, *out;
};

__attribute__((format(printf, 1, 2))) static int usage_err(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "lwgatectl pcap: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see lwgatectl pcap --help)\n");
	return EXIT_USAGE;
}

static bool parse_uint(const char *s, unsigned long max, unsigned long *v)
{
	char *end;
	errno = 0;
	unsigned long x = strtoul(s, &end, 0);
	if (errno || end == s || *end || x > max || s[0] == '-')
		return false;
	*v = x;
	return true;
}

/* N=PREFIX/LEN */
static bool parse_ctx(const char *s, struct lowpan_ctx_table *t)
{
	char buf[128];
	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	char *eq = strchr(buf, '='), *sl = strrchr(buf, '/');
	if (!eq || !sl || sl < eq)
		return false;
	*eq = *sl = 0;
	unsigned long id, plen;
	uint8_t pfx[16];
	if (!parse_uint(buf, 15, &id) || !parse_uint(sl + 1, 128, &plen) ||
	    inet_pton(AF_INET6, eq + 1, pfx) != 1)
		return false;
	return lowpan_iphc_ctx_set(t, (unsigned)id, pfx, (unsigned)plen, true) == 0;
}

static int parse_args(int argc, char **argv, bool encode, struct opts *o)
{
	int npos = 0;
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		unsigned long x;
#define TAKES_ARG                                                       \
	do {                                                            \
		if (!v)                                                 \
			return usage_err("option %s needs a value", a); \
		i++;                                                    \
	} while (0)
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage, stdout);
			return -1;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			o->quiet = true;
		} else if (!strcmp(a, "-c") || !strcmp(a, "--context")) {
			TAKES_ARG;
			if (!parse_ctx(v, &o->ctx))
				return usage_err("bad context '%s' (want N=PREFIX/LEN, N 0..15)",
						 v);
			o->have_ctx = true;
		} else if (!encode && (!strcmp(a, "-t") || !strcmp(a, "--timeout"))) {
			TAKES_ARG;
			if (!parse_uint(v, 86400, &x) || x == 0)
				return usage_err("bad timeout '%s' (seconds, 1..86400)", v);
			o->timeout_s = (uint32_t)x;
		} else if (!encode && !strcmp(a, "--max-reassemblies")) {
			TAKES_ARG;
			if (!parse_uint(v, 65536, &x) || x == 0)
				return usage_err("bad --max-reassemblies '%s'", v);
			o->max_reasm = (unsigned)x;
		} else if (!encode && !strcmp(a, "--no-fcs-check")) {
			o->no_fcs_check = true;
		} else if (encode && (!strcmp(a, "-p") || !strcmp(a, "--pan"))) {
			TAKES_ARG;
			if (!parse_uint(v, 0xffff, &x))
				return usage_err("bad PAN ID '%s'", v);
			o->pan = (uint16_t)x;
		} else if (encode && (!strcmp(a, "-s") || !strcmp(a, "--src"))) {
			TAKES_ARG;
			if (lowpan_lladdr_parse(v, &o->src))
				return usage_err("bad link address '%s'", v);
			o->have_src = true;
		} else if (encode && (!strcmp(a, "-d") || !strcmp(a, "--dst"))) {
			TAKES_ARG;
			if (lowpan_lladdr_parse(v, &o->dst))
				return usage_err("bad link address '%s'", v);
			o->have_dst = true;
		} else if (encode && (!strcmp(a, "-b") || !strcmp(a, "--frame-size"))) {
			TAKES_ARG;
			if (!parse_uint(v, 2047, &x) || x < 32)
				return usage_err("bad frame size '%s' (32..2047)", v);
			o->frame_size = x;
		} else if (encode && !strcmp(a, "--no-fcs")) {
			o->no_fcs = true;
		} else if (encode && !strcmp(a, "--elide-udp-checksum")) {
			o->elide_csum = true;
		} else if (encode && !strcmp(a, "--uncompressed")) {
			o->uncompressed = true;
		} else if (encode && !strcmp(a, "--frame-version")) {
			TAKES_ARG;
			if (!strcmp(v, "2003"))
				o->version = LOWPAN_FRAME_V2003;
			else if (!strcmp(v, "2006"))
				o->version = LOWPAN_FRAME_V2006;
			else if (!strcmp(v, "2015"))
				o->version = LOWPAN_FRAME_V2015;
			else
				return usage_err("bad frame version '%s' (2003, 2006, 2015)", v);
		} else if (encode && !strcmp(a, "--tag")) {
			TAKES_ARG;
			if (!parse_uint(v, 0xffff, &x))
				return usage_err("bad tag '%s'", v);
			o->tag = (uint16_t)x;
		} else if (a[0] == '-' && a[1]) {
			return usage_err("unknown option %s", a);
		} else if (npos == 0) {
			o->in = a;
			npos++;
		} else if (npos == 1) {
			o->out = a;
			npos++;
		} else {
			return usage_err("unexpected argument '%s'", a);
		}
#undef TAKES_ARG
	}
	if (npos != 2)
		return usage_err("%s", "need IN.pcap and OUT.pcap");
	return 0;
}

static int read_file(const char *path, uint8_t **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "lwgatectl pcap: %s: %s\n", path, strerror(errno));
		return EXIT_BAD;
	}
	struct stat st;
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > MAX_FILE) {
		fprintf(stderr, "lwgatectl pcap: %s: not a regular file of at most 1 GiB\n", path);
		fclose(f);
		return EXIT_BAD;
	}
	*len = (size_t)st.st_size;
	*buf = malloc(*len ? *len : 1);
	if (!*buf || fread(*buf, 1, *len, f) != *len) {
		fprintf(stderr, "lwgatectl pcap: %s: read failed\n", path);
		free(*buf);
		fclose(f);
		return EXIT_BAD;
	}
	fclose(f);
	return 0;
}

/* Read the capture at @path whole and open it: on success *buf (the
 * caller frees it) holds the file that @r reads. */
static int load_pcap(const char *path, uint8_t **buf, struct lowpan_pcapfile_reader *r)
{
	size_t len;
	int rc = read_file(path, buf, &len);
	if (rc)
		return rc;
	if (lowpan_pcapfile_open(r, *buf, len) == 0)
		return 0;
	if (len >= 4 && !memcmp(*buf, "\x0a\x0d\x0d\x0a", 4))
		fprintf(stderr,
			"lwgatectl pcap: %s: pcapng is not supported; convert it with "
			"`editcap -F pcap IN OUT`\n",
			path);
	else
		fprintf(stderr, "lwgatectl pcap: %s: not a pcap file (bad magic or header)\n",
			path);
	free(*buf);
	return EXIT_BAD;
}

struct out {
	FILE *f;
	const char *path;
	uint32_t sec, usec;
	uint64_t records;
	bool err;
};

static int out_open(struct out *o, const char *path, uint32_t linktype)
{
	o->path = path;
	o->f = fopen(path, "wb");
	if (!o->f) {
		fprintf(stderr, "lwgatectl pcap: %s: %s\n", path, strerror(errno));
		return EXIT_BAD;
	}
	uint8_t h[LOWPAN_PCAPFILE_HDR_LEN];
	lowpan_pcapfile_put_header(h, linktype);
	o->err = fwrite(h, 1, sizeof(h), o->f) != sizeof(h);
	return 0;
}

static int out_write(void *arg, const uint8_t *p, size_t n)
{
	struct out *o = arg;
	uint8_t h[LOWPAN_PCAPFILE_REC_LEN];
	lowpan_pcapfile_put_record(h, o->sec, o->usec, (uint32_t)n);
	if (fwrite(h, 1, sizeof(h), o->f) != sizeof(h) || fwrite(p, 1, n, o->f) != n)
		o->err = true;
	o->records++;
	return 0;
}

static int out_close(struct out *o)
{
	if (fclose(o->f) || o->err) {
		fprintf(stderr, "lwgatectl pcap: %s: write failed\n", o->path);
		return EXIT_BAD;
	}
	return 0;
}

/* Discards by reason: lib/lowpan codes, then negative errno values. */
#define NCODES (LOWPAN_ERR_MAX_ - LOWPAN_ERR_TRUNCATED)
#define NERRNO 256

struct reasons {
	uint64_t code[NCODES];
	uint64_t err[NERRNO];
};

static void count_reason(struct reasons *r, int rc)
{
	if (rc >= LOWPAN_ERR_TRUNCATED && rc < LOWPAN_ERR_MAX_)
		r->code[rc - LOWPAN_ERR_TRUNCATED]++;
	else if (rc < 0 && -rc < NERRNO)
		r->err[-rc]++;
	else
		r->err[0]++;
}

static void print_reasons(const struct reasons *r, const char *title)
{
	bool any = false;
	for (int i = 0; i < NCODES + NERRNO; i++) {
		uint64_t n = i < NCODES ? r->code[i] : r->err[i - NCODES];
		if (!n)
			continue;
		if (!any)
			printf("%s:\n", title);
		any = true;
		if (i < NCODES) {
			int code = LOWPAN_ERR_TRUNCATED + i;
			printf("  %-14s %8" PRIu64 "  %s\n", lowpan_error_name(code), n,
			       lowpan_error_str(code));
		} else {
			int e = i - NCODES;
			printf("  %-14s %8" PRIu64 "  %s\n", "system", n,
			       e ? strerror(e) : "unknown error");
		}
	}
	if (!any)
		printf("%s: none\n", title);
}

static void print_mib(const struct lowpan_mib *m, const char *prefix)
{
	size_t n;
	const struct lowpan_mib_field *f = lowpan_mib_fields(&n);
	for (size_t i = 0; i < n; i++) {
		uint64_t v = lowpan_mib_get(m, i);
		if (v && !strncmp(f[i].name, prefix, strlen(prefix)))
			printf("  %-26s %8" PRIu64 "\n", f[i].name, v);
	}
}

/* One run of decode or encode: the input capture, the output, and what
 * was discarded on the way. */
struct conv {
	const char *path;
	uint8_t *buf;
	struct lowpan_pcapfile_reader r;
	struct out out;
	struct reasons reasons;
	uint64_t records; /* input records read */
	int status;
};

/* Open the capture o->in, whose link type must be one of accept[0..naccept)
 * (@wanted names them for the message), and o->out with @out_linktype.
 * Returns 0, or an exit status with nothing left open. */
static int conv_open(struct conv *c, const struct opts *o, const uint32_t *accept, size_t naccept,
		     const char *wanted, uint32_t out_linktype)
{
	memset(c, 0, sizeof(*c));
	c->path = o->in;
	c->status = EXIT_OK;
	int rc = load_pcap(o->in, &c->buf, &c->r);
	if (rc)
		return rc;
	size_t i = 0;
	while (i < naccept && c->r.linktype != accept[i])
		i++;
	if (i == naccept) {
		fprintf(stderr, "lwgatectl pcap: %s: link type %" PRIu32 " is not %s\n", o->in,
			c->r.linktype, wanted);
		rc = EXIT_BAD;
	} else {
		rc = out_open(&c->out, o->out, out_linktype);
	}
	if (rc)
		free(c->buf);
	return rc;
}

/* The next input record: true, or false at the end of the capture and
 * after a truncated or corrupt record (said, and the run fails); @unit
 * names what the records hold. */
static bool conv_next(struct conv *c, const char *unit, struct lowpan_pcapfile_rec *rec)
{
	if (lowpan_pcapfile_next(&c->r, rec)) {
		fprintf(stderr,
			"lwgatectl pcap: %s: truncated or corrupt record after %" PRIu64
			" %s; stopping there\n",
			c->path, c->records, unit);
		c->status = EXIT_BAD;
		return false;
	}
	if (!rec->data)
		return false;
	c->records++;
	return true;
}

/* Release the input and close the output; returns the run's exit status. */
static int conv_close(struct conv *c)
{
	free(c->buf);
	if (out_close(&c->out))
		c->status = EXIT_BAD;
	return c->status;
}

static int decode(struct opts *o)
{
	static const uint32_t accept[] = { LOWPAN_PCAPFILE_LINKTYPE_802154_FCS,
					   LOWPAN_PCAPFILE_LINKTYPE_802154_NOFCS };
	struct conv c;
	int rc = conv_open(&c, o, accept, sizeof(accept) / sizeof(accept[0]),
			   "IEEE 802.15.4 (195 with FCS or 230 without)",
			   LOWPAN_PCAPFILE_LINKTYPE_IPV6);
	if (rc)
		return rc;
	unsigned flags = 0;
	if (c.r.linktype == LOWPAN_PCAPFILE_LINKTYPE_802154_FCS)
		flags = LOWPAN_FRAME_FCS | (o->no_fcs_check ? LOWPAN_FRAME_FCS_NOCHECK : 0);
	struct lowpan_mib mib = { 0 };
	struct lowpan_rx_cfg cfg = {
		.reasm = { .timeout_ms = (o->timeout_s ? o->timeout_s : 60) * 1000u,
			   .max_entries = o->max_reasm ? o->max_reasm : 64,
			   .max_bytes = (o->max_reasm ? o->max_reasm : 64) * 2048u },
		.frame_flags = flags,
		.ctx = o->have_ctx ? &o->ctx : NULL,
	};
	struct lowpan_rx *rx = lowpan_rx_new(&cfg, &mib);
	if (!rx) {
		fprintf(stderr, "lwgatectl pcap: out of memory\n");
		fclose(c.out.f);
		free(c.buf);
		return EXIT_BAD;
	}
	struct lowpan_pcapfile_rec rec;
	while (conv_next(&c, "frames", &rec)) {
		uint64_t now = (uint64_t)rec.ts_sec * 1000u + rec.ts_usec / 1000u;
		uint8_t *pkt;
		size_t plen;
		rc = lowpan_rx_frame(rx, rec.data, rec.len, now, &pkt, &plen, NULL);
		if (rc) {
			count_reason(&c.reasons, rc);
			continue;
		}
		if (pkt) {
			c.out.sec = rec.ts_sec;
			c.out.usec = rec.ts_usec;
			out_write(&c.out, pkt, plen);
			free(pkt);
		}
	}
	size_t pending = lowpan_rx_pending(rx);
	lowpan_rx_free(rx);
	int status = conv_close(&c);
	if (!o->quiet) {
		printf("frames read:        %" PRIu64 "\n", c.records);
		printf("packets written:    %" PRIu64 "\n", c.out.records);
		printf("incomplete at end:  %zu\n", pending);
		print_reasons(&c.reasons, "frames discarded, by reason");
		printf("counters:\n");
		print_mib(&mib, "lowpanIn");
		print_mib(&mib, "lowpanReasm");
	}
	return status;
}

/* Link address whose derived IID (RFC 6282 3.2.2) is the IID of a, so
 * that the address compresses fully: short for 0000:00ff:fe00:XXXX,
 * extended (U/L bit flipped back) otherwise. */
static void ll_from_ipv6(const uint8_t *a, struct lowpan_lladdr *ll)
{
	if (!memcmp(a + 8, "\x00\x00\x00\xff\xfe\x00", 6)) {
		lowpan_lladdr_set_short(ll, (uint16_t)(a[14] << 8 | a[15]));
		return;
	}
	ll->mode = LOWPAN_ADDR_EXT;
	memcpy(ll->a, a + 8, 8);
	ll->a[0] ^= 0x02;
}

static int encode(struct opts *o)
{
	static const uint32_t accept[] = { LOWPAN_PCAPFILE_LINKTYPE_IPV6,
					   LOWPAN_PCAPFILE_LINKTYPE_RAW,
					   LOWPAN_PCAPFILE_LINKTYPE_ETHERNET };
	struct conv c;
	int rc = conv_open(&c, o, accept, sizeof(accept) / sizeof(accept[0]),
			   "IPv6 (229), raw IP (101) or Ethernet (1)",
			   o->no_fcs ? LOWPAN_PCAPFILE_LINKTYPE_802154_NOFCS
				     : LOWPAN_PCAPFILE_LINKTYPE_802154_FCS);
	if (rc)
		return rc;
	struct lowpan_mib mib = { 0 };
	struct lowpan_tx_cfg cfg = {
		.ctx = o->have_ctx ? &o->ctx : NULL,
		.iphc_flags = o->elide_csum ? LOWPAN_IPHC_ELIDE_UDP_CSUM : 0,
		.max_frame = o->frame_size ? o->frame_size : LOWPAN_FRAME_MAX,
		.fcs = !o->no_fcs,
		.uncompressed = o->uncompressed,
	};
	cfg.mac.version = (uint8_t)o->version;
	cfg.mac.panid_comp = true;
	cfg.mac.dst_pan = cfg.mac.src_pan = o->pan;
	uint8_t seq = 0;
	uint16_t tag = o->tag;
	struct lowpan_pcapfile_rec rec;
	while (conv_next(&c, "packets", &rec)) {
		const uint8_t *p = rec.data;
		size_t n = rec.len;
		if (c.r.linktype == LOWPAN_PCAPFILE_LINKTYPE_ETHERNET) {
			if (n < 14 || p[12] != 0x86 || p[13] != 0xdd) {
				count_reason(&c.reasons, LOWPAN_ERR_NOT_IPV6);
				continue;
			}
			p += 14;
			n -= 14;
		}
		if (n < 40 || (p[0] >> 4) != 6) {
			count_reason(&c.reasons, LOWPAN_ERR_NOT_IPV6);
			continue;
		}
		if (o->have_src)
			cfg.mac.src = o->src;
		else
			ll_from_ipv6(p + 8, &cfg.mac.src);
		if (o->have_dst)
			cfg.mac.dst = o->dst;
		else if (p[24] == 0xff)
			lowpan_lladdr_set_short(&cfg.mac.dst, 0xffff);
		else
			ll_from_ipv6(p + 24, &cfg.mac.dst);
		/* A broadcast or extended destination with a short source is
		 * fine; the 2015 PAN ID table copes with every mix. */
		c.out.sec = rec.ts_sec;
		c.out.usec = rec.ts_usec;
		uint64_t before = mib.out_frag_oks;
		rc = lowpan_tx_packet(&cfg, &mib, p, n, tag, &seq, out_write, &c.out);
		if (rc)
			count_reason(&c.reasons, rc);
		if (mib.out_frag_oks != before)
			tag++;
	}
	int status = conv_close(&c);
	if (!o->quiet) {
		printf("packets read:       %" PRIu64 "\n", c.records);
		printf("frames written:     %" PRIu64 "\n", c.out.records);
		print_reasons(&c.reasons, "packets not sent, by reason");
		printf("counters:\n");
		print_mib(&mib, "lowpanOut");
	}
	return status;
}

int pcap_cli_main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	bool enc = !strcmp(argv[1], "encode");
	if (!enc && strcmp(argv[1], "decode"))
		return usage_err("unknown command '%s' (decode or encode)", argv[1]);
	struct opts o;
	memset(&o, 0, sizeof(o));
	o.pan = 0xabcd;
	o.tag = 1;
	o.version = LOWPAN_FRAME_V2006;
	int rc = parse_args(argc, argv, enc, &o);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	return enc ? encode(&o) : decode(&o);
}
