/* pcapw — a pcap file (link type 230, 802.15.4 without FCS) of every frame
 * put on the simulated air, flushed per frame so that a test can dissect
 * it while the simulator runs. */
#ifndef LWGATE_RADIOSIM_PCAPW_H
#define LWGATE_RADIOSIM_PCAPW_H

#include <stddef.h>
#include <stdint.h>

struct pcapw;

/* Create (truncate) @path and write the global header.  Returns NULL with
 * errno set on failure. */
struct pcapw *pcapw_open(const char *path);

/* Append one frame with the current wall-clock time.  Returns 0 or -errno. */
int pcapw_write(struct pcapw *p, const uint8_t *frame, size_t len);

/* The same for a frame whose transmission starts @ahead_us from now (the
 * shared channel is busy until then, --airtime): its record carries that
 * time, so that the capture's timestamps are the air's.  Returns 0 or
 * -errno. */
int pcapw_write_at(struct pcapw *p, const uint8_t *frame, size_t len, uint64_t ahead_us);

/* Close the file (NULL is accepted). */
void pcapw_close(struct pcapw *p);

#endif
