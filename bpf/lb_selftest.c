// SPDX-License-Identifier: GPL-2.0
/*
 * lb_selftest: proves where a reuseport program really sends connections.
 *
 * Loads its OWN instance of a BPF object (programs and maps; it never touches the maps of a pinned
 * program a production listener uses), or opens a pinned SOCKET_FILTER program (which has no maps),
 * creates K SO_REUSEPORT listening sockets on an ephemeral loopback port, attaches the program with
 * SO_ATTACH_REUSEPORT_EBPF, fills its REUSEPORT_SOCKARRAY and worker count (sk_reuseport programs),
 * opens M connections and prints JSON: accepted per socket, refused, imbalance (max/mean - 1),
 * elapsed. A refused connection is the SYN answered by a RST: what an sk_reuseport program returning
 * anything but SK_PASS does (the classic `return ctx->hash & 0x7F;` refuses ~127 of every 128).
 *
 * --weights W1,W2,...: fill the object's lb_weights map (bpf/lb_hash_weighted.c) with one weight per
 * socket, echoed in the JSON; the judge (modules/reuseport_selftest.ts) expects socket i to get
 * W_i / sum(W) of the connections. An object without lb_weights keeps its own spread (the even
 * lb_hash then fails a weighted judgement, as it should).
 *
 * usage: lb_selftest (--object FILE.o | --pin PATH) [--sockets K] [--connections M] [--weights W,..]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef SO_ATTACH_REUSEPORT_EBPF
#define SO_ATTACH_REUSEPORT_EBPF 52
#endif
#define MAX_SOCKETS 1024

static int nsock = 8, nconn = 2000;
static int lfd[MAX_SOCKETS];
static long accepted[MAX_SOCKETS];
static unsigned weights[MAX_SOCKETS];
static int nweights;

static void fail(const char *what, int err)
{
	printf("{\"error\":\"%s: %s\"}\n", what, strerror(err));
	exit(1);
}

static void drain(void)
{
	for (int i = 0; i < nsock; i++) {
		int c;
		while ((c = accept4(lfd[i], NULL, NULL, SOCK_NONBLOCK)) >= 0) {
			struct linger lg = { .l_onoff = 1, .l_linger = 0 };
			accepted[i]++;
			setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
			close(c);
		}
	}
}

int main(int argc, char **argv)
{
	const char *object = NULL, *pin = NULL;
	struct bpf_object *obj = NULL;
	int prog = -1, socks_map = -1, count_map = -1, weights_map = -1;
	struct bpf_prog_info info = {};
	__u32 info_len = sizeof(info);

	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--object")) object = argv[i + 1];
		else if (!strcmp(argv[i], "--pin")) pin = argv[i + 1];
		else if (!strcmp(argv[i], "--sockets")) nsock = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--connections")) nconn = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--weights")) {
			char *p = argv[i + 1], *end;
			for (nweights = 0; *p && nweights < MAX_SOCKETS; p = *end ? end + 1 : end) {
				weights[nweights++] = strtoul(p, &end, 10);
				if (end == p || (*end && *end != ',')) {
					fprintf(stderr, "lb_selftest: --weights takes whole numbers separated by commas\n");
					return 2;
				}
			}
		} else {
			fprintf(stderr, "lb_selftest: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	if ((!object == !pin) || nsock < 1 || nsock > MAX_SOCKETS || nconn < 1 || (nweights && nweights != nsock)) {
		fprintf(stderr, "usage: lb_selftest (--object FILE.o | --pin PATH) [--sockets 1..%d] [--connections M] [--weights W,.. (one per socket)]\n", MAX_SOCKETS);
		return 2;
	}
	libbpf_set_print(NULL);

	if (object) {
		struct bpf_program *p;
		struct bpf_map *m;

		obj = bpf_object__open_file(object, NULL);
		if (!obj)
			fail(object, errno);
		if (bpf_object__load(obj))
			fail("loading the object (verifier)", errno);
		p = bpf_object__next_program(obj, NULL);
		if (!p)
			fail("no program in the object", ENOENT);
		prog = bpf_program__fd(p);
		bpf_object__for_each_map(m, obj) {
			if (bpf_map__type(m) == BPF_MAP_TYPE_REUSEPORT_SOCKARRAY)
				socks_map = bpf_map__fd(m);
			else if (bpf_map__type(m) == BPF_MAP_TYPE_ARRAY && !strcmp(bpf_map__name(m), "lb_nworkers"))
				count_map = bpf_map__fd(m);
			else if (bpf_map__type(m) == BPF_MAP_TYPE_ARRAY && !strcmp(bpf_map__name(m), "lb_weights"))
				weights_map = bpf_map__fd(m);
		}
	} else {
		prog = bpf_obj_get(pin);
		if (prog < 0)
			fail(pin, errno);
	}
	if (bpf_obj_get_info_by_fd(prog, &info, &info_len))
		fail("bpf_obj_get_info_by_fd", errno);
	if (pin && info.type == BPF_PROG_TYPE_SK_REUSEPORT)
		fail("a pinned sk_reuseport program shares its maps with the production listener; test its object (--object) instead", EINVAL);
	if (info.type != BPF_PROG_TYPE_SK_REUSEPORT && info.type != BPF_PROG_TYPE_SOCKET_FILTER)
		fail("the program is neither sk_reuseport nor a socket filter", EINVAL);

	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(addr);
	for (int i = 0; i < nsock; i++) {
		int one = 1;
		lfd[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (lfd[i] < 0)
			fail("socket", errno);
		if (setsockopt(lfd[i], SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)))
			fail("SO_REUSEPORT", errno);
		if (bind(lfd[i], (struct sockaddr *)&addr, sizeof(addr)))
			fail("bind", errno);
		if (i == 0 && getsockname(lfd[0], (struct sockaddr *)&addr, &alen))
			fail("getsockname", errno);
		if (listen(lfd[i], 4096))
			fail("listen", errno);
	}
	if (socks_map >= 0) {
		for (__u32 i = 0; i < (__u32)nsock; i++) {
			__u64 v = lfd[i];
			if (bpf_map_update_elem(socks_map, &i, &v, BPF_ANY))
				fail("filling the REUSEPORT_SOCKARRAY", errno);
		}
	}
	if (weights_map >= 0 && nweights) {
		for (__u32 i = 0; i < (__u32)nweights; i++)
			if (bpf_map_update_elem(weights_map, &i, &weights[i], BPF_ANY))
				fail("filling lb_weights", errno);
	}
	if (count_map >= 0) {
		__u32 zero = 0, n = nsock;
		if (bpf_map_update_elem(count_map, &zero, &n, BPF_ANY))
			fail("setting lb_nworkers", errno);
	}
	if (setsockopt(lfd[0], SOL_SOCKET, SO_ATTACH_REUSEPORT_EBPF, &prog, sizeof(prog)))
		fail("SO_ATTACH_REUSEPORT_EBPF", errno);

	struct timespec t0, t1;
	long refused = 0, errors = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* in rounds: connect a batch, accept what arrived, then close the clients with a RST (linger 0)
	 * so that no TIME_WAIT piles up on the ephemeral ports however often the test runs */
	int batch[128];
	for (int done = 0; done < nconn;) {
		int n = nconn - done < 128 ? nconn - done : 128;
		for (int i = 0; i < n; i++) {
			struct linger lg = { .l_onoff = 1, .l_linger = 0 };
			batch[i] = socket(AF_INET, SOCK_STREAM, 0);
			if (batch[i] < 0)
				fail("socket", errno);
			setsockopt(batch[i], SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
			if (connect(batch[i], (struct sockaddr *)&addr, sizeof(addr))) {
				if (errno == ECONNREFUSED)
					refused++;
				else
					errors++;
			}
		}
		drain();
		for (int i = 0; i < n; i++)
			close(batch[i]);
		done += n;
	}
	usleep(20000);
	drain();
	clock_gettime(CLOCK_MONOTONIC, &t1);

	long total = 0, max = 0;
	for (int i = 0; i < nsock; i++) {
		total += accepted[i];
		if (accepted[i] > max)
			max = accepted[i];
	}
	double mean = (double)total / nsock, imbalance = total ? max / mean - 1 : 0;
	char tag[17];
	for (int i = 0; i < 8; i++)
		sprintf(tag + 2 * i, "%02x", info.tag[i]);
	printf("{\"type\":\"%s\",\"tag\":\"%s\",\"port\":%d,\"sockets\":%d,\"connections\":%d,\"accepted\":[",
	       info.type == BPF_PROG_TYPE_SK_REUSEPORT ? "sk_reuseport" : "socket_filter", tag, ntohs(addr.sin_port), nsock, nconn);
	for (int i = 0; i < nsock; i++)
		printf("%s%ld", i ? "," : "", accepted[i]);
	printf("],\"weights\":[");
	for (int i = 0; i < nweights; i++)
		printf("%s%u", i ? "," : "", weights[i]);
	printf("],\"weights_map\":%s", weights_map >= 0 ? "true" : "false");
	printf(",\"accepted_total\":%ld,\"refused\":%ld,\"errors\":%ld,\"imbalance\":%.4f,\"elapsed_ms\":%.1f}\n", total, refused, errors, imbalance,
	       (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
	bpf_object__close(obj);
	return 0;
}
