// SPDX-License-Identifier: GPL-2.0
/*
 * lb_hash: picks the SO_REUSEPORT worker socket for each new TCP connection.
 *
 * An sk_reuseport program's return value is a verdict, not a socket index: SK_PASS (1) or SK_DROP
 * (0). The socket is chosen only by bpf_sk_select_reuseport() on a REUSEPORT_SOCKARRAY; SK_PASS
 * without a selection falls back to the kernel's own hash, and any other value refuses the
 * connection (the SYN gets a RST). So the widely copied one-liner
 *
 *     SEC("sk_reuseport") int lb_hash(struct sk_reuseport_md *ctx) { return ctx->hash & 0x7F; }
 *
 * loads cleanly (the verifier does not range-check this type's return value) and then refuses
 * about 127 of every 128 connections once attached: only hashes ending in 0000001 return SK_PASS.
 * (net/core/filter.c bpf_run_sk_reuseport, net/core/sock_reuseport.c reuseport_select_sock.)
 *
 * This program: the listener puts its worker sockets into lb_workers (key = worker index) and the
 * worker count into lb_nworkers[0]; each connection goes to worker ctx->hash % n. ctx->hash is the
 * kernel's 4-tuple jhash (inet_ehashfn), the same for every packet of a connection.
 *
 * Debug build (-DLB_DEBUG, e.g. edge.yml with -e '{"lb_hash_cflags": ["-DLB_DEBUG"]}'): one
 * bpf_printk line per new connection, read with `bpftool prog tracelog`. tracelog shows only
 * bpf_printk output, so the normal build shows nothing there. Each line costs a trace_printk in
 * the SYN path: a debug build is for a while on one host, not for the fleet.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#ifdef LB_DEBUG
#define lb_debug(fmt, ...) bpf_printk(fmt, ##__VA_ARGS__)
#else
#define lb_debug(fmt, ...) do { } while (0)
#endif

#define LB_MAX_WORKERS 256

struct {
	__uint(type, BPF_MAP_TYPE_REUSEPORT_SOCKARRAY);
	__uint(max_entries, LB_MAX_WORKERS);
	__type(key, __u32);
	__type(value, __u64);
} lb_workers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} lb_nworkers SEC(".maps");

SEC("sk_reuseport")
int lb_hash(struct sk_reuseport_md *ctx)
{
	__u32 zero = 0, key;
	__u32 *n = bpf_map_lookup_elem(&lb_nworkers, &zero);
	long err;

	/* Not filled in yet (listener starting): let the kernel's own hash choose. */
	if (!n || *n == 0 || *n > LB_MAX_WORKERS) {
		lb_debug("lb_hash: hash %x: no worker count, kernel hash", ctx->hash);
		return SK_PASS;
	}
	key = ctx->hash % *n;
	/* On failure (an empty slot) the kernel falls back to its own hash: still SK_PASS. */
	err = bpf_sk_select_reuseport(ctx, &lb_workers, &key, 0);
	lb_debug("lb_hash: hash %x -> worker %u of %u", ctx->hash, key, *n);
	if (err)
		lb_debug("lb_hash: select worker %u failed (%ld): kernel hash", key, err);
	return SK_PASS;
}

char _license[] SEC("license") = "GPL";
