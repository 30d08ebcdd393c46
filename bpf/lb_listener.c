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
 * Changes without a dropped connection (issue #9):
 *  - SIGHUP (systemctl reload): open the pin and maps again, fill the *new* REUSEPORT_SOCKARRAY with
 *    the sockets this process already owns, then SO_ATTACH_REUSEPORT_EBPF on one socket of the group,
 *    which swaps the group's program atomically (each SYN sees the old or the new program, both with
 *    a filled map). No socket is closed. A failed reload keeps the old program and says why.
 *  - Restart (new binary or unit): under systemd (Type=notify, FileDescriptorStoreMax=) the
 *    listening sockets are handed to the service manager with sd_notify FDSTORE=1 and come back to
 *    the next instance as LISTEN_FDS. The sockets never close, so SYNs that arrive while no process
 *    runs wait in their accept queues and the next instance accepts them.
 *  - SIGTERM/SIGINT: stop accepting (the sockets stay open for the next instance), answer what the
 *    open connections still send, with Connection: close, and exit once they are closed or after
 *    --drain-ms.
 *  - The attached program's id/tag/type, the workers and the reload count go to --status (key=value
 *    lines, temp + rename); `--reload PID` (ExecReload) sends SIGHUP and waits for the result there.
 *
 * Weighted buckets (exercise 1): with a program that has an lb_weights map (bpf/lb_hash_weighted.c),
 * --weights 1,2,1,1 gives worker i that share of the new connections; --weights cpu takes each
 * worker's weight from the CPU it is pinned to (sysfs cpu_capacity, else cpufreq's maximum
 * frequency, else 1). Filled at every attach, before the program is swapped in.
 *
 * Pinned workers (exercise 3): --cpus 0,1 (or 0-3) pins worker i's thread to the i-th CPU of the
 * list (round robin) and sets SO_INCOMING_CPU on its socket. Without a program, the kernel's
 * reuseport hash prefers the socket whose SO_INCOMING_CPU is the CPU the SYN is processed on (6.1+);
 * with a program, the program decides. Both go to --status (cpus=, weights=).
 *
 * usage: lb_listener --port P [--workers N] [--mode bpf|reuseport|single] [--pin PATH]
 *                    [--maps DIR] [--counters FILE] [--status FILE] [--bind ADDR] [--drain-ms MS]
 *                    [--weights W,..|cpu] [--cpus LIST]
 *        lb_listener --reload PID --status FILE      (wait up to 10 s for PID to apply a SIGHUP)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <sched.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#ifndef SO_ATTACH_REUSEPORT_EBPF
#define SO_ATTACH_REUSEPORT_EBPF 52
#endif
#define MAX_WORKERS 256
#ifndef SO_INCOMING_CPU
#define SO_INCOMING_CPU 49
#endif

enum mode { MODE_BPF, MODE_REUSEPORT, MODE_SINGLE };

static int port, nworkers = 4, drain_ms = 2000;
static enum mode mode = MODE_REUSEPORT;
static const char *pin, *maps_dir, *counters, *status_file, *bind_addr = "0.0.0.0";
static int lfd[MAX_WORKERS], epfd[MAX_WORKERS];
static _Atomic unsigned long long accepts[MAX_WORKERS];
static _Atomic int open_conns[MAX_WORKERS];
static volatile sig_atomic_t stopping, reload_wanted;
/* --cpus: worker i runs on cpu_of[i] (-1: not pinned); --weights: one per worker (0 unset) */
static int cpu_of[MAX_WORKERS], ncpus_given;
static unsigned weight[MAX_WORKERS];
static const char *weights_arg;
static char weights_note[128] = "";

/* what is attached now, for --status */
static struct {
	unsigned id, generation, inherited;
	char tag[2 * BPF_TAG_SIZE + 1], type[32], error[256];
} attached = { .type = "none" };

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
	/* the queue has to hold every SYN that arrives while a restart has no process accepting */
	if (listen(fd, 65535))
		die("listen");
	return fd;
}

/* sd_notify(3) with optional fds (FDSTORE=1), without libsystemd: one datagram to $NOTIFY_SOCKET */
static int notify(const char *msg, const int *fds, int nfds)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct iovec iov = { .iov_base = (void *)msg, .iov_len = strlen(msg) };
	char cbuf[CMSG_SPACE(sizeof(int) * 16)] = {0};
	struct msghdr mh = { .msg_name = &sa, .msg_iov = &iov, .msg_iovlen = 1 };
	int fd, rc;

	if (!path || !*path || strlen(path) >= sizeof(sa.sun_path) || nfds > 16)
		return 0;
	strcpy(sa.sun_path, path);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = 0;
	mh.msg_namelen = offsetof(struct sockaddr_un, sun_path) + strlen(path);
	if (nfds > 0) {
		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	rc = sendmsg(fd, &mh, MSG_NOSIGNAL) < 0 ? -1 : 0;
	close(fd);
	return rc;
}

/* the listening socket of our port among the fds systemd passed back (sd_listen_fds(3)) */
static int inherited_listeners(int *out, int max)
{
	const char *pid = getenv("LISTEN_PID"), *n = getenv("LISTEN_FDS"), *names = getenv("LISTEN_FDNAMES");
	int count = 0, total;

	if (!pid || !n || atoi(pid) != getpid())
		return 0;
	total = atoi(n);
	for (int fd = 3; fd < 3 + total; fd++) {
		/* this fd's name: the (fd-3)th of the colon-separated LISTEN_FDNAMES */
		char name[64] = "";
		const char *p = names;
		for (int k = 0; p && k < fd - 3; k++)
			p = (p = strchr(p, ':')) ? p + 1 : NULL;
		if (p)
			snprintf(name, sizeof(name), "%.*s", (int)strcspn(p, ":"), p);
		struct sockaddr_in a;
		socklen_t al = sizeof(a);
		int listening = 0, reuse = 0;
		socklen_t ol = sizeof(int);
		struct in_addr want;

		fcntl(fd, F_SETFD, FD_CLOEXEC);
		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &ol) || !listening ||
		    getsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &reuse, &ol) || (!reuse && mode != MODE_SINGLE) ||
		    getsockname(fd, (struct sockaddr *)&a, &al) || a.sin_family != AF_INET ||
		    ntohs(a.sin_port) != port || inet_pton(AF_INET, bind_addr, &want) != 1 ||
		    a.sin_addr.s_addr != want.s_addr || count >= max) {
			/* another port or address (the unit changed it), or more sockets than workers:
			 * not ours any more; drop it from the store too */
			char m[96];
			snprintf(m, sizeof(m), "FDSTOREREMOVE=1\nFDNAME=%s", name);
			if (name[0])
				notify(m, NULL, 0);
			close(fd);
			continue;
		}
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		out[count++] = fd;
	}
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return count;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void write_status(void)
{
	char tmp[600];
	FILE *f;

	if (!status_file)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", status_file);
	if (!(f = fopen(tmp, "w")))
		return;
	char cpus[4 * MAX_WORKERS] = "", weights[12 * MAX_WORKERS] = "";
	for (int w = 0; w < nworkers && ncpus_given; w++)
		snprintf(cpus + strlen(cpus), sizeof(cpus) - strlen(cpus), "%s%d", w ? "," : "", cpu_of[w]);
	for (int w = 0; w < nworkers && weights_arg; w++)
		snprintf(weights + strlen(weights), sizeof(weights) - strlen(weights), "%s%u", w ? "," : "", weight[w]);
	fprintf(f, "pid=%d\nport=%d\nworkers=%d\nmode=%s\npin=%s\nprog_id=%u\nprog_tag=%s\nprog_type=%s\n"
		   "generation=%u\ninherited_sockets=%u\nlast_reload=%s\ncpus=%s\nweights=%s\nweights_note=%s\n",
		getpid(), port, nworkers, mode == MODE_BPF ? "bpf" : mode == MODE_SINGLE ? "single" : "reuseport",
		pin ? pin : "", attached.id, attached.tag, attached.type, attached.generation, attached.inherited,
		attached.error[0] ? attached.error : "ok", cpus, weights, weights_note);
	if (fclose(f) == 0)
		rename(tmp, status_file);
}

static int fail(const char *what)
{
	snprintf(attached.error, sizeof(attached.error), "%s: %s", what, strerror(errno));
	fprintf(stderr, "lb_listener: %s\n", attached.error);
	return -1;
}

static int pinned(const char *dir, const char *name, char *path, size_t len)
{
	snprintf(path, len, "%s/%s", dir, name);
	return bpf_obj_get(path);
}

/*
 * A socket can sit in one REUSEPORT_SOCKARRAY only (an update elsewhere is EBUSY), so before a new
 * map takes our sockets they leave the map that holds them: the one this process filled last, the
 * previous program's pinned maps (MAPS_prev), or, as a last resort, any such map on the host. A
 * lookup from user space gives a slot's socket cookie. While a slot is empty the old program's
 * bpf_sk_select_reuseport fails and the kernel's own hash picks the socket: nothing is refused.
 */
static int last_map = -1;
static __u64 cookie[MAX_WORKERS];

static int ours(__u64 v)
{
	for (int i = 0; i < nworkers; i++)
		if (cookie[i] == v)
			return i;
	return -1;
}

/* removes our sockets from MAP, except those already at their own slot when KEEP; sets *placed */
static void release_from(int map, int keep, int *placed)
{
	struct bpf_map_info mi = {};
	__u32 len = sizeof(mi);

	if (map < 0 || bpf_obj_get_info_by_fd(map, &mi, &len) || mi.type != BPF_MAP_TYPE_REUSEPORT_SOCKARRAY || mi.value_size != 8)
		return;
	for (__u32 k = 0; k < mi.max_entries; k++) {
		__u64 v;
		int i;
		if (bpf_map_lookup_elem(map, &k, &v) || (i = ours(v)) < 0)
			continue;
		if (keep && (__u32)i == k && i < nworkers)
			placed[i] = 1;
		else
			bpf_map_delete_elem(map, &k);
	}
}

static void release_anywhere(int target)
{
	char path[600];
	int placed[MAX_WORKERS] = {0}, fd;
	__u32 id = 0;

	release_from(last_map, 0, placed);
	if (maps_dir) {
		snprintf(path, sizeof(path), "%s_prev/lb_workers", maps_dir);
		if ((fd = bpf_obj_get(path)) >= 0) {
			if (fd != target)
				release_from(fd, 0, placed);
			close(fd);
		}
	}
	/* needs CAP_SYS_ADMIN; without it this finds nothing */
	while (!bpf_map_get_next_id(id, &id)) {
		struct bpf_map_info mi = {}, ti = {};
		__u32 len = sizeof(mi), tl = sizeof(ti);
		if ((fd = bpf_map_get_fd_by_id(id)) < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &mi, &len) && !bpf_obj_get_info_by_fd(target, &ti, &tl) && mi.id != ti.id)
			release_from(fd, 0, placed);
		close(fd);
	}
}

static int fill_workers(int socks)
{
	int placed[MAX_WORKERS] = {0};

	for (int i = 0; i < nworkers; i++) {
		socklen_t l = sizeof(cookie[i]);
		if (getsockopt(lfd[i], SOL_SOCKET, SO_COOKIE, &cookie[i], &l))
			return fail("SO_COOKIE");
	}
	/* a restart with the same pin: the sockets are in this map already, at their slots */
	release_from(socks, 1, placed);
	for (__u32 i = 0; i < (__u32)nworkers; i++) {
		__u64 v = lfd[i];
		if (placed[i])
			continue;
		if (!bpf_map_update_elem(socks, &i, &v, BPF_ANY))
			continue;
		if (errno == EBUSY) {
			release_anywhere(socks);
			if (!bpf_map_update_elem(socks, &i, &v, BPF_ANY))
				continue;
		}
		return fail("filling lb_workers");
	}
	return 0;
}

/* a CPU's relative speed from sysfs: capacity (heterogeneous CPUs), else its maximum frequency in MHz, else 1 */
static unsigned cpu_weight(int cpu)
{
	const char *fmt[] = { "/sys/devices/system/cpu/cpu%d/cpu_capacity", "/sys/devices/system/cpu/cpu%d/cpufreq/cpuinfo_max_freq" };
	for (int i = 0; i < 2; i++) {
		char path[128];
		unsigned long v = 0;
		FILE *f;
		snprintf(path, sizeof(path), fmt[i], cpu);
		if (!(f = fopen(path, "r")))
			continue;
		if (fscanf(f, "%lu", &v) != 1)
			v = 0;
		fclose(f);
		if (v)
			return i ? (unsigned)(v / 1000) : (unsigned)v;
	}
	return 1;
}

/* --weights into the pinned lb_weights map (a program without one ignores weights: said in --status) */
static int fill_weights(void)
{
	char path[600];
	int map;

	if (!weights_arg)
		return 0;
	if (!strcmp(weights_arg, "cpu")) {
		int all_one = 1;
		for (int w = 0; w < nworkers; w++)
			all_one &= (weight[w] = cpu_of[w] >= 0 ? cpu_weight(cpu_of[w]) : 1) == 1;
		snprintf(weights_note, sizeof(weights_note), "%s", !ncpus_given ? "cpu: workers are not pinned (--cpus): equal weights" : all_one ? "cpu: sysfs has no capacity or frequency: equal weights" : "cpu: from sysfs");
	}
	if ((map = pinned(maps_dir, "lb_weights", path, sizeof(path))) < 0) {
		snprintf(weights_note, sizeof(weights_note), "the program has no lb_weights map: weights ignored");
		return 0;
	}
	for (__u32 i = 0; i < (__u32)nworkers; i++) {
		if (bpf_map_update_elem(map, &i, &weight[i], BPF_ANY)) {
			close(map);
			return fail("filling lb_weights");
		}
	}
	close(map);
	return 0;
}

/* "0,2-3" -> cpu_of[] round robin over the workers; 0 on a malformed list */
static int parse_cpus(const char *list)
{
	int cpus[1024], n = 0;
	const char *p = list;
	while (*p && n < 1024) {
		char *end;
		long a = strtol(p, &end, 10), b = a;
		if (end == p || a < 0)
			return 0;
		if (*end == '-') {
			p = end + 1;
			b = strtol(p, &end, 10);
			if (end == p || b < a)
				return 0;
		}
		for (long c = a; c <= b && n < 1024; c++)
			cpus[n++] = (int)c;
		if (*end && *end != ',')
			return 0;
		p = *end ? end + 1 : end;
	}
	for (int w = 0; w < MAX_WORKERS; w++)
		cpu_of[w] = n ? cpus[w % n] : -1;
	return n;
}

/*
 * Opens the pinned program (and, for sk_reuseport, its pinned maps), fills the maps with this
 * process's sockets and attaches it to the group. Used at start and on SIGHUP: until the
 * setsockopt the group keeps the old program; the setsockopt swaps the pointer atomically. On an
 * error the old program stays attached (with its map emptied it falls back to the kernel hash).
 */
static int attach_program(void)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int prog = bpf_obj_get(pin), socks = -1, count = -1, rc = -1;
	char path[512];

	attached.error[0] = 0;
	if (prog < 0)
		return fail(pin);
	if (bpf_obj_get_info_by_fd(prog, &info, &len)) {
		fail("bpf_obj_get_info_by_fd");
		goto out;
	}
	if (info.type == BPF_PROG_TYPE_SK_REUSEPORT) {
		__u32 zero = 0, n = nworkers;

		if (!maps_dir) {
			errno = EINVAL;
			fail("an sk_reuseport program needs --maps (its lb_workers and lb_nworkers)");
			goto out;
		}
		if ((socks = pinned(maps_dir, "lb_workers", path, sizeof(path))) < 0 ||
		    (count = pinned(maps_dir, "lb_nworkers", path, sizeof(path))) < 0) {
			fail(path);
			goto out;
		}
		if (fill_workers(socks))
			goto out;
		if (fill_weights())
			goto out;
		if (bpf_map_update_elem(count, &zero, &n, BPF_ANY)) {
			fail("setting lb_nworkers");
			goto out;
		}
	}
	/* on any one socket of the group: every member, present and future, uses it */
	if (setsockopt(lfd[0], SOL_SOCKET, SO_ATTACH_REUSEPORT_EBPF, &prog, sizeof(prog))) {
		fail("SO_ATTACH_REUSEPORT_EBPF");
		goto out;
	}
	attached.id = info.id;
	for (int i = 0; i < BPF_TAG_SIZE; i++)
		sprintf(attached.tag + 2 * i, "%02x", info.tag[i]);
	snprintf(attached.type, sizeof(attached.type), "%s", info.type == BPF_PROG_TYPE_SK_REUSEPORT ? "sk_reuseport" : info.type == BPF_PROG_TYPE_SOCKET_FILTER ? "socket_filter" : "other");
	fprintf(stderr, "lb_listener: %s program %s (id %u, tag %s) attached to %d workers on port %d\n",
		attached.type, pin, info.id, attached.tag, nworkers, port);
	rc = 0;
	/* keep the map our sockets are in: the next reload takes them out of it */
	if (socks >= 0) {
		if (last_map >= 0)
			close(last_map);
		last_map = socks;
		socks = -1;
	}
out:
	/* the group holds the program, the program its maps */
	if (socks >= 0)
		close(socks);
	if (count >= 0)
		close(count);
	close(prog);
	return rc;
}
/* --reload PID: what ExecReload runs. Sends SIGHUP and waits for the new generation in --status. */
static int reload_and_wait(pid_t pid)
{
	char line[512], err[400] = "";
	unsigned before = 0, gen = 0;
	FILE *f;

	if (!status_file) {
		fprintf(stderr, "lb_listener: --reload needs --status FILE\n");
		return 2;
	}
	if ((f = fopen(status_file, "r"))) {
		while (fgets(line, sizeof(line), f))
			sscanf(line, "generation=%u", &before);
		fclose(f);
	}
	if (kill(pid, SIGHUP))
		die("kill -HUP");
	for (int i = 0; i < 200; i++) {
		usleep(50000);
		if (!(f = fopen(status_file, "r")))
			continue;
		gen = before;
		err[0] = 0;
		while (fgets(line, sizeof(line), f)) {
			sscanf(line, "generation=%u", &gen);
			if (!strncmp(line, "last_reload=", 12))
				snprintf(err, sizeof(err), "%s", line + 12);
		}
		fclose(f);
		if (gen != before) {
			err[strcspn(err, "\n")] = 0;
			if (strcmp(err, "ok")) {
				fprintf(stderr, "lb_listener: reload failed, the old program stays attached: %s\n", err);
				return 1;
			}
			return 0;
		}
	}
	fprintf(stderr, "lb_listener: pid %d did not answer the reload within 10 s\n", (int)pid);
	return 1;
}

static void respond(int w, int fd)
{
	char buf[8192], body[64], head[256];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	int reqs = 0, close_it;

	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
			close(fd);
			atomic_fetch_sub(&open_conns[w], 1);
		}
		return;
	}
	buf[n] = 0;
	for (char *p = buf; (p = strstr(p, "\r\n\r\n")); p += 4)
		reqs++;
	/* while draining, every answer is the connection's last */
	close_it = stopping || strcasestr(buf, "connection: close") != NULL || strstr(buf, "HTTP/1.0") != NULL;
	int blen = snprintf(body, sizeof(body), "worker %d\n", w);
	int hlen = snprintf(head, sizeof(head),
			    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n%s\r\n%s",
			    blen, close_it ? "Connection: close\r\n" : "", body);
	for (int i = 0; i < reqs; i++)
		if (write(fd, head, hlen) < 0)
			break;
	if (close_it) {
		close(fd);
		atomic_fetch_sub(&open_conns[w], 1);
	}
}

static void *worker(void *arg)
{
	int w = (int)(long)arg, draining = 0;
	long long deadline = 0;
	struct epoll_event evs[256];

	for (;;) {
		if (stopping && !draining) {
			/* stop accepting; the socket stays open (systemd keeps it for the next instance) */
			draining = 1;
			deadline = now_ms() + drain_ms;
			if (mode != MODE_SINGLE)
				epoll_ctl(epfd[w], EPOLL_CTL_DEL, lfd[w], NULL);
		}
		if (draining && (atomic_load(&open_conns[w]) <= 0 || now_ms() >= deadline))
			break;
		int n = epoll_wait(epfd[w], evs, 256, draining ? 20 : 500);
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			if (mode != MODE_SINGLE && fd == lfd[w]) {
				int c;
				while ((c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
					struct epoll_event ev = { .events = EPOLLIN, .data.fd = c };
					atomic_fetch_add(&accepts[w], 1);
					atomic_fetch_add(&open_conns[w], 1);
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
		atomic_fetch_add(&open_conns[next], 1);
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
	if (sig == SIGHUP)
		reload_wanted = 1;
	else
		stopping = 1;
}

int main(int argc, char **argv)
{
	pthread_t th[MAX_WORKERS + 1];
	pid_t reload_pid = 0;
	int inherited[MAX_WORKERS], ninherited = 0;

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
		else if (!strcmp(k, "--status")) status_file = v;
		else if (!strcmp(k, "--bind")) bind_addr = v;
		else if (!strcmp(k, "--drain-ms")) drain_ms = atoi(v);
		else if (!strcmp(k, "--reload")) reload_pid = atoi(v);
		else if (!strcmp(k, "--weights")) weights_arg = v;
		else if (!strcmp(k, "--cpus")) {
			if (!(ncpus_given = parse_cpus(v))) {
				fprintf(stderr, "lb_listener: --cpus %s: expected a CPU list such as 0,1 or 0-3\n", v);
				return 2;
			}
		}
		else if (!strcmp(k, "--mode")) mode = !strcmp(v, "single") ? MODE_SINGLE : !strcmp(v, "reuseport") ? MODE_REUSEPORT : MODE_BPF;
		else {
			fprintf(stderr, "lb_listener: unknown option %s\n", k);
			return 2;
		}
	}
	if (reload_pid > 0)
		return reload_and_wait(reload_pid);
	if (!ncpus_given)
		for (int w = 0; w < MAX_WORKERS; w++)
			cpu_of[w] = -1;
	if (weights_arg && strcmp(weights_arg, "cpu")) {
		const char *p = weights_arg;
		int n = 0;
		char *end;
		while (*p && n < MAX_WORKERS) {
			weight[n++] = strtoul(p, &end, 10);
			if (end == p || (*end && *end != ',')) {
				n = -1;
				break;
			}
			p = *end ? end + 1 : end;
		}
		if (n != nworkers) {
			fprintf(stderr, "lb_listener: --weights %s: expected %d whole numbers separated by commas, or cpu\n", weights_arg, nworkers);
			return 2;
		}
	}
	if (port <= 0 || port > 65535 || nworkers < 1 || nworkers > MAX_WORKERS || (mode == MODE_BPF && !pin) || drain_ms < 0) {
		fprintf(stderr, "usage: lb_listener --port P [--workers 1..%d] [--mode bpf|reuseport|single] [--pin PATH --maps DIR] [--counters FILE] [--status FILE] [--drain-ms MS] [--weights W,..|cpu] [--cpus LIST]\n", MAX_WORKERS);
		return 2;
	}
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* sockets a previous instance handed to systemd's fd store come back first */
	ninherited = inherited_listeners(inherited, mode == MODE_SINGLE ? 1 : nworkers);
	attached.inherited = ninherited;
	for (int w = 0; w < nworkers; w++) {
		if ((epfd[w] = epoll_create1(EPOLL_CLOEXEC)) < 0)
			die("epoll_create1");
		if (mode == MODE_SINGLE && w > 0)
			continue;
		if (w < ninherited) {
			lfd[w] = inherited[w];
		} else {
			char m[64];
			lfd[w] = listener(mode != MODE_SINGLE);
			/* keep it beyond this process: a restart gets it back (FileDescriptorStoreMax=) */
			snprintf(m, sizeof(m), "FDSTORE=1\nFDNAME=lbw%d-%d", w, (int)getpid());
			notify(m, &lfd[w], 1);
		}
		if (mode != MODE_SINGLE) {
			struct epoll_event ev = { .events = EPOLLIN, .data.fd = lfd[w] };
			epoll_ctl(epfd[w], EPOLL_CTL_ADD, lfd[w], &ev);
			/* the kernel's hash prefers this socket for SYNs processed on its worker's CPU */
			if (cpu_of[w] >= 0 && setsockopt(lfd[w], SOL_SOCKET, SO_INCOMING_CPU, &cpu_of[w], sizeof(int)))
				die("SO_INCOMING_CPU");
		}
	}
	if (mode == MODE_BPF && attach_program())
		return 1;
	for (int w = 0; w < nworkers; w++) {
		pthread_create(&th[w], NULL, worker, (void *)(long)w);
		if (cpu_of[w] >= 0) {
			cpu_set_t set;
			CPU_ZERO(&set);
			CPU_SET(cpu_of[w], &set);
			if ((errno = pthread_setaffinity_np(th[w], sizeof(set), &set)))
				die("pinning a worker to its CPU (--cpus)");
		}
	}
	if (mode == MODE_SINGLE)
		pthread_create(&th[nworkers], NULL, acceptor, NULL);
	fprintf(stderr, "lb_listener: %d workers on port %d (%s), %d socket(s) taken over from the previous instance\n", nworkers, port,
		mode == MODE_BPF ? "bpf" : mode == MODE_SINGLE ? "single accept thread" : "kernel reuseport hash", ninherited);
	write_status();
	notify("READY=1\nSTATUS=accepting", NULL, 0);
	for (int tick = 0; !stopping; tick++) {
		if (reload_wanted) {
			reload_wanted = 0;
			if (mode == MODE_BPF)
				attach_program();
			attached.generation++;
			write_status();
			notify(attached.error[0] ? "STATUS=reload failed, the previous program stays attached" : "STATUS=accepting (reloaded)", NULL, 0);
		}
		if (tick % 20 == 0)
			write_counters();
		/* short sleeps: a reload is applied within 50 ms (and usleep returns early on a signal) */
		usleep(50000);
	}
	notify("STOPPING=1", NULL, 0);
	/* the workers answer what their connections still send, then return */
	for (int w = 0; w < nworkers; w++)
		pthread_join(th[w], NULL);
	write_counters();
	return 0;
}
