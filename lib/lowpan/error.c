#include "lowpan/error.h"

#include <string.h>

static const struct {
	const char *name;
	const char *text;
} errs[] = {
	{ "truncated", "input ends inside a field it announces" },
	{ "fcs", "frame check sequence mismatch" },
	{ "frame_type", "reserved or unsupported 802.15.4 frame type" },
	{ "frame_version", "reserved 802.15.4 frame version" },
	{ "addr_mode", "reserved 802.15.4 addressing mode" },
	{ "panid", "invalid PAN ID compression for the addressing modes" },
	{ "ie", "malformed information element list" },
	{ "security", "malformed auxiliary security header" },
	{ "secured", "secured frame, not decrypted" },
	{ "nalp", "not a LoWPAN frame (NALP dispatch)" },
	{ "hc1", "HC1 compression is not supported (obsoleted by RFC 6282)" },
	{ "dispatch", "reserved or unknown 6LoWPAN dispatch" },
	{ "mesh", "malformed mesh header" },
	{ "frag", "malformed fragment" },
	{ "iphc", "reserved IPHC encoding" },
	{ "context", "IPHC context not configured" },
	{ "lladdr", "address derivation needs an absent link-layer address" },
	{ "nhc", "unknown or malformed NHC encoding" },
	{ "length", "inconsistent length fields" },
	{ "not_ipv6", "not a valid IPv6 packet" },
	{ "too_big", "datagram too large for 6LoWPAN" },
	{ "pcap", "malformed pcap file" },
	{ "not_data", "not a data frame (beacon, ACK or MAC command)" },
	{ "zep", "not a ZEP packet (preamble or version)" },
};

const char *lowpan_error_str(int err)
{
	if (err >= LOWPAN_ERR_TRUNCATED && err < LOWPAN_ERR_MAX_)
		return errs[err - LOWPAN_ERR_TRUNCATED].text;
	if (err == 0)
		return "success";
	return strerror(-err);
}

const char *lowpan_error_name(int err)
{
	if (err >= LOWPAN_ERR_TRUNCATED && err < LOWPAN_ERR_MAX_)
		return errs[err - LOWPAN_ERR_TRUNCATED].name;
	return err == 0 ? "ok" : "errno";
}

_Static_assert(sizeof(errs) / sizeof(errs[0]) == LOWPAN_ERR_MAX_ - LOWPAN_ERR_TRUNCATED,
	       "one description per error code");
