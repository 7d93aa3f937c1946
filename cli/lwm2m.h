/* `lwgatectl lwm2m`: decode and encode LwM2M payloads in every content
 * format of LwM2M 1.1/1.2 (text, opaque, link-format, TLV, LwM2M JSON,
 * SenML JSON, SenML CBOR, LwM2M CBOR) using lib/lwm2m.  Needs no daemon. */
#ifndef LWGATE_CLI_LWM2M_H
#define LWGATE_CLI_LWM2M_H

/* Run `lwm2m decode|encode|formats|objects ...`; argv[0] is "lwm2m".
 * Results go to stdout, diagnostics to stderr.  Returns the exit code:
 * 0 success, 1 bad payload or I/O failure, 2 usage error. */
int lwm2m_cli_main(int argc, char **argv);

#endif
