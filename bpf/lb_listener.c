// SPDX-License-Identifier: GPL-2.0
/*
 * lb_listener: the reference SO_REUSEPORT listener of the lb_hash rollout.
 *
 * N workers, each with its own listening socket on the same port (SO_REUSEPORT set before bind).
 * In bpf mode the pinned program is opened with BPF_OBJ_GET, the process that owns the sockets
 * fills the pinned REUSEPORT_SOCKARRAY (values are fds of *this* process, so nobody else can) and
 * the worker count, then attaches the program to the group with SO_ATTACH_REUSEPORT_EBPF. A
 * SOCKET_FILTER program (returns an index) needs no maps. Each worker runs an epoll loop with a
 * minimal HTTP/1.1 responder and counts what it accepts; the counts go to a file, temp + rename,
 * once a second, for the textfile collector (lbprov_reuseport_accepts_total{worker="i"}).
 *
 * Modes (for the benchmark): bpf (default when --pin is given), reuseport (kernel hash only),
 * single (one socket, one accept thread handing connections to the workers).
 *
 * usage: lb_listener --port P [--workers N] [--mode bpf|reuseport|single] [--pin PATH]
 *                    [--maps DIR] [--counters FILE] [--bind ADDR]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef SO_ATTACH_REUSEPORT_EBPF
#define SO_ATTACH_REUSEPORT_EBPF 52
#endif
#define MAX_WORKERS 256

enum mode { MODE_BPF, MODE_REUSEPORT, MODE_SINGLE };

static int port, nworkers = 4;
static enum mode mode = MODE_REUSEPORT;
static const char *pin, *maps_dir, *counters, *bind_addr = "0.0.0.0";
static int lfd[MAX_WORKERS], epfd[MAX_WORKERS];
static _Atomic unsigned long long accepts[MAX_WORKERS];
static volatile sig_atomic_t stopping;

static void die(const char *what)
{
	fprintf(stderr, "lb_listener: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int listener(int reuseport)
{
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };

	if (fd < 0)
		die("socket");
	if (inet_pton(AF_INET, bind_addr, &a.sin_addr) != 1)
		die("--bind");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* before bind(): setting it on a bound socket is too late to join the group */
	if (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)))
		die("SO_REUSEPORT");
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)))
		die("bind");
	if (listen(fd, 4096))
		die("listen");
	return fd;
}

static int pinned(const char *dir, const char *name)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		die(path);
	return fd;
}

static void attach_program(void)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int prog = bpf_obj_get(pin);

	if (prog < 0)
		die(pin);
	if (bpf_obj_get_info_by_fd(prog, &info, &len))
		die("bpf_obj_get_info_by_fd");
	if (info.type == BPF_PROG_TYPE_SK_REUSEPORT) {
		if (!maps_dir)
			errno = EINVAL, die("an sk_reuseport program needs --maps (its lb_workers and lb_nworkers)");
		int socks = pinned(maps_dir, "lb_workers"), count = pinned(maps_dir, "lb_nworkers");
		__u32 zero = 0, n = nworkers;

		for (__u32 i = 0; i < (__u32)nworkers; i++) {
			__u64 v = lfd[i];
			if (bpf_map_update_elem(socks, &i, &v, BPF_ANY))
				die("filling lb_workers");
		}
		if (bpf_map_update_elem(count, &zero, &n, BPF_ANY))
			die("setting lb_nworkers");
	}
	/* on any one socket of the group: every member, present and future, uses it */
	if (setsockopt(lfd[0], SOL_SOCKET, SO_ATTACH_REUSEPORT_EBPF, &prog, sizeof(prog)))
		die("SO_ATTACH_REUSEPORT_EBPF");
	fprintf(stderr, "lb_listener: %s program %s (id %u) attached to %d workers on port %d\n",
		info.type == BPF_PROG_TYPE_SK_REUSEPORT ? "sk_reuseport" : "socket filter", pin, info.id, nworkers, port);
}

static void respond(int w, int fd)
{
	char buf[8192], body[64], head[256];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	int reqs = 0, close_it;

	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			close(fd);
		return;
	}
	buf[n] = 0;
	for (char *p = buf; (p = strstr(p, "\r\n\r\n")); p += 4)
		reqs++;
	close_it = strcasestr(buf, "connection: close") != NULL || strstr(buf, "HTTP/1.0") != NULL;
	int blen = snprintf(body, sizeof(body), "worker %d\n", w);
	int hlen = snprintf(head, sizeof(head),
			    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n%s\r\n%s",
			    blen, close_it ? "Connection: close\r\n" : "", body);
	for (int i = 0; i < reqs; i++)
		if (write(fd, head, hlen) < 0)
			break;
	if (close_it)
		close(fd);
}

static void *worker(void *arg)
{
	int w = (int)(long)arg;
	struct epoll_event evs[256];

	while (!stopping) {
		int n = epoll_wait(epfd[w], evs, 256, 500);
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			if (mode != MODE_SINGLE && fd == lfd[w]) {
				int c;
				while ((c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
					struct epoll_event ev = { .events = EPOLLIN, .data.fd = c };
					atomic_fetch_add(&accepts[w], 1);
					epoll_ctl(epfd[w], EPOLL_CTL_ADD, c, &ev);
				}
			} else
				respond(w, fd);
		}
	}
	return NULL;
}

/* MODE_SINGLE: the one accept thread, handing connections to the workers in turn */
static void *acceptor(void *arg)
{
	int next = 0;
	(void)arg;
	fcntl(lfd[0], F_SETFL, 0);
	while (!stopping) {
		int c = accept4(lfd[0], NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (c < 0)
			continue;
		struct epoll_event ev = { .events = EPOLLIN, .data.fd = c };
		atomic_fetch_add(&accepts[next], 1);
		epoll_ctl(epfd[next], EPOLL_CTL_ADD, c, &ev);
		next = (next + 1) % nworkers;
	}
	return NULL;
}

static void write_counters(void)
{
	char tmp[600];
	FILE *f;

	if (!counters)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", counters);
	if (!(f = fopen(tmp, "w")))
		return;
	for (int w = 0; w < nworkers; w++)
		fprintf(f, "%d %llu\n", w, (unsigned long long)atomic_load(&accepts[w]));
	if (fclose(f) == 0)
		rename(tmp, counters);
}

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

int main(int argc, char **argv)
{
	pthread_t th[MAX_WORKERS + 1];

	for (int i = 1; i < argc; i += 2) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!v) {
			fprintf(stderr, "lb_listener: %s needs a value\n", k);
			return 2;
		}
		if (!strcmp(k, "--port")) port = atoi(v);
		else if (!strcmp(k, "--workers")) nworkers = atoi(v);
		else if (!strcmp(k, "--pin")) pin = v, mode = MODE_BPF;
		else if (!strcmp(k, "--maps")) maps_dir = v;
		else if (!strcmp(k, "--counters")) counters = v;
		else if (!strcmp(k, "--bind")) bind_addr = v;
		else if (!strcmp(k, "--mode")) mode = !strcmp(v, "single") ? MODE_SINGLE : !strcmp(v, "reuseport") ? MODE_REUSEPORT : MODE_BPF;
		else {
			fprintf(stderr, "lb_listener: unknown option %s\n", k);
			return 2;
		}
	}
	if (port <= 0 || port > 65535 || nworkers < 1 || nworkers > MAX_WORKERS || (mode == MODE_BPF && !pin)) {
		fprintf(stderr, "usage: lb_listener --port P [--workers 1..%d] [--mode bpf|reuseport|single] [--pin PATH --maps DIR] [--counters FILE]\n", MAX_WORKERS);
		return 2;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGPIPE, SIG_IGN);

	for (int w = 0; w < nworkers; w++) {
		if ((epfd[w] = epoll_create1(EPOLL_CLOEXEC)) < 0)
			die("epoll_create1");
		if (mode == MODE_SINGLE && w > 0)
			continue;
		lfd[w] = listener(mode != MODE_SINGLE);
		if (mode != MODE_SINGLE) {
			struct epoll_event ev = { .events = EPOLLIN, .data.fd = lfd[w] };
			epoll_ctl(epfd[w], EPOLL_CTL_ADD, lfd[w], &ev);
		}
	}
	if (mode == MODE_BPF)
		attach_program();
	for (int w = 0; w < nworkers; w++)
		pthread_create(&th[w], NULL, worker, (void *)(long)w);
	if (mode == MODE_SINGLE)
		pthread_create(&th[nworkers], NULL, acceptor, NULL);
	fprintf(stderr, "lb_listener: %d workers on port %d (%s)\n", nworkers, port,
		mode == MODE_BPF ? "bpf" : mode == MODE_SINGLE ? "single accept thread" : "kernel reuseport hash");
	while (!stopping) {
		write_counters();
		sleep(1);
	}
	write_counters();
	return 0;
}
