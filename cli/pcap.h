/* `lwgatectl pcap`: convert captures between IEEE 802.15.4 + 6LoWPAN
 * frames (link types 195 and 230) and IPv6 packets (link type 229), using
 * lib/lowpan.  Needs no daemon. */
#ifndef LWGATE_CLI_PCAP_H
#define LWGATE_CLI_PCAP_H

/* Run `pcap decode|encode ...`; argv[0] is "pcap".  Prints a summary on
 * stdout and errors on stderr.  Returns the exit code: 0 success, 1 bad
 * input file or I/O failure, 2 usage error. */
int pcap_cli_main(int argc, char **argv);

#endif
