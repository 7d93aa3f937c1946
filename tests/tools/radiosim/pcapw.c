/* The pcap writer: lib/lowpan's pcapfile headers around each frame. */
#include "pcapw.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>

#include "lowpan/pcapfile.h"

struct pcapw {
	FILE *f;
};

struct pcapw *pcapw_open(const char *path)
{
	uint8_t hdr[LOWPAN_PCAPFILE_HDR_LEN];
	struct pcapw *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->f = fopen(path, "wb");
	if (!p->f) {
		free(p);
		return NULL;
	}
	lowpan_pcapfile_put_header(hdr, LOWPAN_PCAPFILE_LINKTYPE_802154_NOFCS);
	if (fwrite(hdr, sizeof(hdr), 1, p->f) != 1 || fflush(p->f) != 0) {
		int e = errno;

		fclose(p->f);
		free(p);
		errno = e;
		return NULL;
	}
	return p;
}

int pcapw_write(struct pcapw *p, const uint8_t *frame, size_t len)
{
	return pcapw_write_at(p, frame, len, 0);
}

int pcapw_write_at(struct pcapw *p, const uint8_t *frame, size_t len, uint64_t ahead_us)
{
	uint8_t rec[LOWPAN_PCAPFILE_REC_LEN];
	struct timeval tv;
	uint64_t us;

	gettimeofday(&tv, NULL);
	us = (uint64_t)tv.tv_sec * 1000000 + (uint64_t)tv.tv_usec + ahead_us;
	tv.tv_sec = (time_t)(us / 1000000);
	tv.tv_usec = (suseconds_t)(us % 1000000);
	lowpan_pcapfile_put_record(rec, (uint32_t)tv.tv_sec, (uint32_t)tv.tv_usec, (uint32_t)len);
	if (fwrite(rec, sizeof(rec), 1, p->f) != 1 || fwrite(frame, len, 1, p->f) != 1 ||
	    fflush(p->f) != 0)
		return -errno;
	return 0;
}

void pcapw_close(struct pcapw *p)
{
	if (!p)
		return;
	fclose(p->f);
	free(p);
}
