/* lwgate-radiosim: a slip-radio dongle on a pseudo-terminal with simulated
 * RPL nodes behind it, for testing lowpand without hardware.  One libevent
 * loop: the pty, stdin (JSON-lines control), the air's delivery queue and
 * the nodes' timers. */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "air.h"
#include "dongle.h"
#include "node.h"
#include "pcapw.h"
#include "simev.h"
#include "topo.h"
#include "zep.h"

struct sim {
	struct event_base *base;
	struct topo topo;
	struct air *air;
	struct dongle *dongle;
	struct pcapw *pcap;
	struct zep *zep;                       /* NULL without [zep] stations nor --zep */
	struct node *nodes[TOPO_MAX_STATIONS]; /* simulated stations; NULL: root, [zep] */
	struct event *in_ev, *sig_int, *sig_term;
	char line[4096];
	size_t line_len;
	bool line_overflow;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: lwgate-radiosim [OPTIONS] LINK\n"
		"A slip-radio dongle on a pseudo-terminal (LINK is a symlink to its slave side)\n"
		"with simulated 6LoWPAN/RPL nodes behind it.\n"
		"\n"
		"  -d, --dialect D     contiki-ng (default), 6lbr or zephyr\n"
		"  -t, --topology F    INI file: [root] eui64 = ..., [node NAME] or [zep NAME]\n"
		"                      eui64 = ..., hears = NAME ...; without it, the dongle\n"
		"                      alone\n"
		"  -w, --pcap F        write every frame on the air to F (link type 230)\n"
		"      --loss P        lose each reception with probability P (0..1)\n"
		"      --duplicate P   deliver a reception twice with probability P\n"
		"      --reorder P     hold a reception back behind the next frame\n"
		"      --corrupt P     flip one byte of a reception\n"
		"      --serial-errors P\n"
		"                      corrupt each byte sent to the host with probability P\n"
		"      --airtime       frames take their 250 kbit/s airtime on one shared channel\n"
		"      --rpl-option    nodes put an RFC 6553 RPL option in a hop-by-hop header\n"
		"                      on what they send to global addresses, DAOs included,\n"
		"                      as Contiki-NG RPL Lite does\n"
		"      --seed N        seed of the impairments and timers' jitter\n"
		"      --zep PORT      the UDP port on ::1 (0: any) where the topology's [zep "
		"NAME]\n"
		"                      stations (RIOT native nodes: -z [::1]:0,[::1]:PORT) send\n"
		"                      ZEP v2; reported as {\"event\":\"zep\",\"port\":N}\n"
		"  -h, --help          this text\n"
		"\n"
		"Control, JSON lines on stdin:\n"
		"  {\"cmd\":\"status\"}                 nodes, air and dongle counters\n"
		"  {\"cmd\":\"unplug\",\"seconds\":S}     close the pty, plug a new one after S\n"
		"  {\"cmd\":\"junk\",\"bytes\":N}         N random bytes to the host\n"
		"  {\"cmd\":\"ping\",\"from\":NODE,\"to\":IPV6,\"size\":N,\"seq\":N}\n"
		"                                   an echo request from a node\n"
		"  {\"cmd\":\"pana\",\"node\":NAME,\"paa\":IPV6,\"identity\":ID,\"psk\":HEX}\n"
		"                                   authenticate a node with PANA and EAP-PSK\n"
		"  {\"cmd\":\"pana\",\"node\":NAME,\"terminate\":true}\n"
		"                                   end its PANA session\n"
		"  {\"cmd\":\"link\",\"a\":NAME,\"b\":NAME,\"up\":BOOL}\n"
		"                                   make or break the link between two stations\n"
		"  {\"cmd\":\"quit\"}\n"
		"Events, JSON lines on stdout: ready, unplugged, config, parent, parent-lost, "
		"joined,\n"
		"echo-reply, pana, status, done, error.\n"
		"Exit status: 0 at end of input or on a signal, 1 on a runtime or topology error,\n"
		"2 for a usage error.\n");
}

static uint64_t air_rng(void *arg)
{
	return air_random(arg);
}

static uint16_t panid_of(void *arg)
{
	struct sim *s = arg;

	return dongle_panid(s->dongle);
}

static uint8_t on_host_send(void *arg, const uint8_t *frame, size_t len, uint64_t *done_us)
{
	struct sim *s = arg;

	/* OK when the unicast destination heard it (its ACK), NOACK when not */
	return air_send(s->air, 0, frame, len, done_us) ? 0 : 2;
}

static uint8_t channel_of(void *arg)
{
	struct sim *s = arg;

	return dongle_channel(s->dongle);
}

static void on_deliver(void *arg, int station, const uint8_t *frame, size_t len)
{
	struct sim *s = arg;

	if (station == 0)
		dongle_receive(s->dongle, frame, len);
	else if (s->topo.st[station].zep)
		zep_deliver(s->zep, station, frame, len);
	else if (s->nodes[station])
		node_input(s->nodes[station], frame, len);
}

static bool on_present(void *arg, int station)
{
	struct sim *s = arg;

	if (s->topo.st[station].zep)
		return s->zep && zep_present(s->zep, station);
	/* the air exists before the dongle: it is plugged in right after */
	return station != 0 || !s->dongle || dongle_plugged(s->dongle);
}

static void status(struct sim *s)
{
	json_t *nodes = json_array();

	for (size_t i = 1; i < s->topo.n; i++)
		if (s->nodes[i])
			json_array_append_new(nodes, node_status_json(s->nodes[i]));
	simev_emit(json_pack("{s:s, s:o, s:o, s:o*, s:{s:i, s:i, s:I, s:I}}", "event", "status",
			     "nodes", nodes, "air", air_stats_json(s->air), "zep",
			     s->zep ? zep_status_json(s->zep) : NULL, "dongle", "panid",
			     dongle_panid(s->dongle), "channel", dongle_channel(s->dongle),
			     "commands", (json_int_t)dongle_commands(s->dongle), "serial_errors",
			     (json_int_t)dongle_serial_errors(s->dongle)));
}

static void done(const char *cmd)
{
	simev_emit(json_pack("{s:s, s:s}", "event", "done", "cmd", cmd));
}

static void control_error(const char *what)
{
	simev_emit(json_pack("{s:s, s:s}", "event", "error", "error", what));
}

/* {"cmd":"pana","node":N,"paa":IPV6,"identity":ID,"psk":HEX32} or {…,"terminate":true} */
static void pana_command(struct sim *s, json_t *c)
{
	const char *name = json_string_value(json_object_get(c, "node"));
	const char *paa = json_string_value(json_object_get(c, "paa"));
	const char *id = json_string_value(json_object_get(c, "identity"));
	const char *hex = json_string_value(json_object_get(c, "psk"));
	int st = name ? topo_find(&s->topo, name) : -1;
	uint8_t dst[16], psk[16];
	bool ok = hex && strlen(hex) == 32;

	for (int i = 0; ok && i < 16; i++) {
		unsigned v;

		ok = sscanf(hex + 2 * i, "%2x", &v) == 1;
		psk[i] = (uint8_t)v;
	}
	if (st <= 0) {
		control_error("pana: needs \"node\" (a node)");
	} else if (json_is_true(json_object_get(c, "terminate"))) {
		if (node_pana_terminate(s->nodes[st]) < 0)
			control_error("pana: the node has no PANA client");
		else
			done("pana");
	} else if (!paa || inet_pton(AF_INET6, paa, dst) != 1 || !id || !ok) {
		control_error("pana: needs \"paa\" (IPv6), \"identity\" and \"psk\" (32 hex digits)");
	} else if (node_pana(s->nodes[st], dst, id, psk) < 0) {
		control_error("pana: the node has no address yet, or a bad identity");
	} else {
		done("pana");
	}
}

static void control(struct sim *s, const char *line)
{
	json_error_t jerr;
	json_t *c = json_loads(line, 0, &jerr);
	const char *cmd = c ? json_string_value(json_object_get(c, "cmd")) : NULL;

	if (!cmd) {
		control_error("expected a JSON object with \"cmd\"");
	} else if (strcmp(cmd, "status") == 0) {
		status(s);
		done(cmd);
	} else if (strcmp(cmd, "unplug") == 0) {
		json_t *sec = json_object_get(c, "seconds");

		if (sec && !json_is_number(sec))
			control_error("unplug: \"seconds\" must be a number");
		else if (dongle_unplug(s->dongle, sec ? json_number_value(sec) : 1.0) < 0)
			control_error("unplug: already unplugged");
		else
			done(cmd);
	} else if (strcmp(cmd, "junk") == 0) {
		json_int_t n = json_integer_value(json_object_get(c, "bytes"));
		uint8_t buf[4096];

		if (n <= 0 || n > 1000000) {
			control_error("junk: \"bytes\" must be 1..1000000");
		} else {
			while (n > 0) {
				size_t k = n > (json_int_t)sizeof(buf) ? sizeof(buf) : (size_t)n;

				for (size_t i = 0; i < k; i++)
					buf[i] = (uint8_t)air_random(s->air);
				dongle_raw(s->dongle, buf, k);
				n -= (json_int_t)k;
			}
			done(cmd);
		}
	} else if (strcmp(cmd, "ping") == 0) {
		const char *from = json_string_value(json_object_get(c, "from"));
		const char *to = json_string_value(json_object_get(c, "to"));
		json_int_t size = json_integer_value(json_object_get(c, "size"));
		json_int_t seq = json_integer_value(json_object_get(c, "seq"));
		int st = from ? topo_find(&s->topo, from) : -1;
		uint8_t dst[16];

		if (st <= 0 || !s->nodes[st] || !to || inet_pton(AF_INET6, to, dst) != 1 ||
		    size < 0 || size > 1232)
			control_error(
				"ping: needs \"from\" (a simulated node), \"to\" (IPv6), \"size\" "
				"0..1232");
		else if (node_ping(s->nodes[st], dst, (size_t)size, (uint16_t)seq) < 0)
			control_error("ping: the node has no address yet");
		else
			done(cmd);
	} else if (strcmp(cmd, "pana") == 0) {
		pana_command(s, c);
	} else if (strcmp(cmd, "link") == 0) {
		const char *a = json_string_value(json_object_get(c, "a"));
		const char *b = json_string_value(json_object_get(c, "b"));
		json_t *up = json_object_get(c, "up");
		int x = a ? topo_find(&s->topo, a) : -1, y = b ? topo_find(&s->topo, b) : -1;

		if (x < 0 || y < 0 || x == y || !json_is_boolean(up)) {
			control_error("link: needs \"a\" and \"b\" (two stations) and \"up\" "
				      "(true/false)");
		} else {
			s->topo.hears[x][y] = s->topo.hears[y][x] = json_is_true(up);
			done(cmd);
		}
	} else if (strcmp(cmd, "quit") == 0) {
		done(cmd);
		event_base_loopexit(s->base, NULL);
	} else {
		control_error("unknown command");
	}
	json_decref(c);
}

static void on_stdin(evutil_socket_t fd, short what, void *arg)
{
	struct sim *s = arg;
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n <= 0) {
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			return;
		event_base_loopexit(s->base, NULL); /* end of input: the test is done */
		return;
	}
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			s->line[s->line_len] = 0;
			if (s->line_overflow)
				control_error("control line too long");
			else if (s->line_len)
				control(s, s->line);
			s->line_len = 0;
			s->line_overflow = false;
		} else if (s->line_len + 1 < sizeof(s->line)) {
			s->line[s->line_len++] = buf[i];
		} else {
			s->line_overflow = true;
		}
	}
}

static void on_signal(evutil_socket_t fd, short what, void *arg)
{
	event_base_loopexit(arg, NULL);
}

/* A base whose timers keep microseconds (timerfd): the ZEP side's ACKs
 * are due within RIOT's 864 µs, which epoll's milliseconds would miss. */
static struct event_base *new_base(void)
{
	struct event_config *c = event_config_new();
	struct event_base *b;

	if (!c)
		return NULL;
	event_config_set_flag(c, EVENT_BASE_FLAG_PRECISE_TIMER);
	b = event_base_new_with_config(c);
	event_config_free(c);
	return b;
}

static bool has_zep(const struct topo *t)
{
	for (size_t i = 1; i < t->n; i++)
		if (t->st[i].zep)
			return true;
	return false;
}

static int probability(const char *opt, const char *v, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(v, &end);
	if (errno || end == v || *end || *out < 0 || *out > 1) {
		fprintf(stderr, "lwgate-radiosim: %s: \"%s\" is not a probability (0..1)\n", opt,
			v);
		return -1;
	}
	return 0;
}

enum {
	OPT_LOSS = 256,
	OPT_DUP,
	OPT_REORDER,
	OPT_CORRUPT,
	OPT_SEED,
	OPT_SERIAL,
	OPT_AIRTIME,
	OPT_RPL_OPTION,
	OPT_ZEP
};

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dialect", required_argument, NULL, 'd' },
		{ "topology", required_argument, NULL, 't' },
		{ "pcap", required_argument, NULL, 'w' },
		{ "loss", required_argument, NULL, OPT_LOSS },
		{ "duplicate", required_argument, NULL, OPT_DUP },
		{ "reorder", required_argument, NULL, OPT_REORDER },
		{ "corrupt", required_argument, NULL, OPT_CORRUPT },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "airtime", no_argument, NULL, OPT_AIRTIME },
		{ "rpl-option", no_argument, NULL, OPT_RPL_OPTION },
		{ "serial-errors", required_argument, NULL, OPT_SERIAL },
		{ "zep", required_argument, NULL, OPT_ZEP },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct sim sim; /* large (the topology): not on the stack */
	struct sim *s = &sim;
	enum dongle_dialect dialect = DONGLE_CONTIKI_NG;
	const char *topo_path = NULL, *pcap_path = NULL;
	struct air_opts ao = { 0 };
	double serial_p = 0;
	bool rpl_option = false;
	long zep_port = -1;
	char err[512];
	int c, rc = 1;

	while ((c = getopt_long(argc, argv, "d:t:w:h", opts, NULL)) != -1) {
		char *end;

		switch (c) {
		case 'd':
			if (dongle_dialect_parse(optarg, &dialect) < 0) {
				fprintf(stderr,
					"lwgate-radiosim: unknown dialect \"%s\" (contiki-ng, "
					"6lbr, "
					"zephyr)\n",
					optarg);
				return 2;
			}
			break;
		case 't':
			topo_path = optarg;
			break;
		case 'w':
			pcap_path = optarg;
			break;
		case OPT_LOSS:
			if (probability("--loss", optarg, &ao.loss) < 0)
				return 2;
			break;
		case OPT_DUP:
			if (probability("--duplicate", optarg, &ao.duplicate) < 0)
				return 2;
			break;
		case OPT_REORDER:
			if (probability("--reorder", optarg, &ao.reorder) < 0)
				return 2;
			break;
		case OPT_CORRUPT:
			if (probability("--corrupt", optarg, &ao.corrupt) < 0)
				return 2;
			break;
		case OPT_RPL_OPTION:
			rpl_option = true;
			break;
		case OPT_AIRTIME:
			ao.airtime = true;
			break;
		case OPT_SERIAL:
			if (probability("--serial-errors", optarg, &serial_p) < 0)
				return 2;
			break;
		case OPT_SEED:
			errno = 0;
			ao.seed = strtoull(optarg, &end, 0);
			if (errno || end == optarg || *end) {
				fprintf(stderr, "lwgate-radiosim: --seed: \"%s\" is not a number\n",
					optarg);
				return 2;
			}
			break;
		case OPT_ZEP:
			errno = 0;
			zep_port = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || zep_port < 0 || zep_port > 65535) {
				fprintf(stderr, "lwgate-radiosim: --zep: \"%s\" is not a port\n",
					optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "lwgate-radiosim: expected one LINK argument\n");
		usage(stderr);
		return 2;
	}
	if (topo_path) {
		if (topo_load(topo_path, &s->topo, err, sizeof(err)) < 0) {
			fprintf(stderr, "lwgate-radiosim: %s\n", err);
			return 1;
		}
	} else {
		topo_default(&s->topo);
	}
	signal(SIGPIPE, SIG_IGN);
	s->base = new_base();
	if (!s->base)
		return 1;
	if (pcap_path && !(s->pcap = pcapw_open(pcap_path))) {
		fprintf(stderr, "lwgate-radiosim: %s: %s\n", pcap_path, strerror(errno));
		goto out;
	}
	s->air = air_new(s->base, &s->topo, &ao, s->pcap, on_deliver, on_present, s);
	if (!s->air)
		goto out;
	s->dongle =
		dongle_new(s->base, argv[optind], dialect, s->topo.st[0].eui64, on_host_send, s);
	if (!s->dongle) {
		fprintf(stderr, "lwgate-radiosim: %s: %s\n", argv[optind], strerror(errno));
		goto out;
	}
	dongle_set_serial_errors(s->dongle, serial_p, air_rng, s->air);
	if (zep_port < 0 && has_zep(&s->topo)) {
		fprintf(stderr, "lwgate-radiosim: the topology has [zep] stations: give --zep\n");
		goto out;
	}
	if (zep_port >= 0 && !(s->zep = zep_new(s->base, s->air, &s->topo, s->pcap,
						(uint16_t)zep_port, channel_of, s))) {
		fprintf(stderr, "lwgate-radiosim: --zep %ld: %s\n", zep_port, strerror(errno));
		goto out;
	}
	for (size_t i = 1; i < s->topo.n; i++) {
		if (s->topo.st[i].zep)
			continue;
		s->nodes[i] = node_new(s->base, s->air, (int)i, s->topo.st[i].name,
				       s->topo.st[i].eui64, panid_of, s);
		if (!s->nodes[i])
			goto out;
		node_set_rpl_option(s->nodes[i], rpl_option);
	}
	s->in_ev = event_new(s->base, STDIN_FILENO, EV_READ | EV_PERSIST, on_stdin, s);
	s->sig_int = evsignal_new(s->base, SIGINT, on_signal, s->base);
	s->sig_term = evsignal_new(s->base, SIGTERM, on_signal, s->base);
	if (!s->in_ev || !s->sig_int || !s->sig_term || event_add(s->in_ev, NULL) < 0 ||
	    event_add(s->sig_int, NULL) < 0 || event_add(s->sig_term, NULL) < 0)
		goto out;
	event_base_dispatch(s->base);
	rc = 0;
out:
	for (size_t i = 1; i < s->topo.n; i++)
		node_free(s->nodes[i]);
	zep_free(s->zep);
	dongle_free(s->dongle);
	air_free(s->air);
	pcapw_close(s->pcap);
	if (s->in_ev)
		event_free(s->in_ev);
	if (s->sig_int)
		event_free(s->sig_int);
	if (s->sig_term)
		event_free(s->sig_term);
	event_base_free(s->base);
	return rc;
}
