/*
 * respfmt — Content-Format of clients' answers, with the 1.0 leniencies.
 */
#include "respfmt.h"

enum lwm2m_format respfmt_of(bool has_cf, unsigned cf, bool discover)
{
	if (!has_cf)
		return discover ? LWM2M_FORMAT_LINK : LWM2M_FORMAT_TEXT;
	switch (cf) {
	case 1541:
		return LWM2M_FORMAT_TEXT;
	case 1542:
		return LWM2M_FORMAT_TLV;
	case 1543:
		return LWM2M_FORMAT_JSON;
	case 1544:
		return LWM2M_FORMAT_OPAQUE;
	default:
		return (enum lwm2m_format)cf;
	}
}
