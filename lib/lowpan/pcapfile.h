/* Classic libpcap capture files (not pcapng), read from memory in either
 * byte order with microsecond or nanosecond timestamps, and written
 * little-endian with microseconds.  Link types used by lwgate: 195
 * (802.15.4 with FCS), 230 (802.15.4 without FCS), 229 (raw IPv6). */
#ifndef LWGATE_LOWPAN_PCAPFILE_H
#define LWGATE_LOWPAN_PCAPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	LOWPAN_PCAPFILE_LINKTYPE_ETHERNET = 1,
	LOWPAN_PCAPFILE_LINKTYPE_RAW = 101,
	LOWPAN_PCAPFILE_LINKTYPE_802154_FCS = 195,
	LOWPAN_PCAPFILE_LINKTYPE_IPV6 = 229,
	LOWPAN_PCAPFILE_LINKTYPE_802154_NOFCS = 230,
};

#define LOWPAN_PCAPFILE_HDR_LEN 24
#define LOWPAN_PCAPFILE_REC_LEN 16

/* A reader over a whole file held in memory (plain data). */
struct lowpan_pcapfile_reader {
	const uint8_t *buf;
	size_t len, off;
	bool swap, nsec;
	uint32_t linktype, snaplen;
};

/* One record; data points into the reader's buffer. */
struct lowpan_pcapfile_rec {
	uint32_t ts_sec, ts_usec; /* nanosecond files are converted */
	uint32_t orig_len;
	const uint8_t *data; /* NULL at end of file */
	size_t len;
};

/* Check the global header of buf[0..len) and prepare r.  Returns 0, or
 * LOWPAN_ERR_PCAP (not a pcap file, pcapng, or truncated header). */
int lowpan_pcapfile_open(struct lowpan_pcapfile_reader *r, const uint8_t *buf, size_t len);

/* Read the next record into *rec (rec->data NULL at end of file).
 * Returns 0 or LOWPAN_ERR_PCAP (truncated record, or captured length
 * beyond the snapshot length and 256 KiB). */
int lowpan_pcapfile_next(struct lowpan_pcapfile_reader *r, struct lowpan_pcapfile_rec *rec);

/* Write a global header (24 octets) for linktype into out. */
void lowpan_pcapfile_put_header(uint8_t out[LOWPAN_PCAPFILE_HDR_LEN], uint32_t linktype);

/* Write a record header (16 octets) into out; the len data octets follow. */
void lowpan_pcapfile_put_record(uint8_t out[LOWPAN_PCAPFILE_REC_LEN], uint32_t ts_sec,
				uint32_t ts_usec, uint32_t len);

#endif
