// SPDX-License-Identifier: GPL-2.0
/*
 * lb_hash_weighted: lb_hash with a weight per worker (the seed's exercise 1, weighted buckets).
 *
 * Same contract as lb_hash.c (an sk_reuseport verdict: select with bpf_sk_select_reuseport, return
 * SK_PASS), plus lb_weights: one weight per worker, key = worker index. Worker i gets
 * weight[i] / sum(weights) of the new connections: the 4-tuple hash modulo the total weight picks a
 * point on the line of cumulative weights, and the worker whose segment holds it is chosen.
 *
 * The listener fills lb_weights (lb_listener --weights 1,2,1,1, or --weights cpu: the capacity or
 * maximum frequency of the CPU each worker is pinned to, from sysfs); reuseport_selftest with
 * `weights:` fills its own instance and judges the spread against them. While every weight is 0
 * (not filled yet) it spreads evenly, as lb_hash does.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

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

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LB_MAX_WORKERS);
	__type(key, __u32);
	__type(value, __u32);
} lb_weights SEC(".maps");

SEC("sk_reuseport")
int lb_hash_weighted(struct sk_reuseport_md *ctx)
{
	__u32 zero = 0, key, total = 0, point, cum = 0, i;
	__u32 *n = bpf_map_lookup_elem(&lb_nworkers, &zero), *w;

	if (!n || *n == 0 || *n > LB_MAX_WORKERS)
		return SK_PASS;
	/* bounded loops (5.3+): the verifier sees at most LB_MAX_WORKERS rounds */
	for (i = 0; i < LB_MAX_WORKERS && i < *n; i++) {
		__u32 k = i;
		w = bpf_map_lookup_elem(&lb_weights, &k);
		if (w)
			total += *w;
	}
	key = ctx->hash % *n;
	if (total) {
		point = ctx->hash % total;
		for (i = 0; i < LB_MAX_WORKERS && i < *n; i++) {
			__u32 k = i;
			w = bpf_map_lookup_elem(&lb_weights, &k);
			cum += w ? *w : 0;
			if (point < cum) {
				key = i;
				break;
			}
		}
	}
	/* an empty slot: the kernel's own hash picks the socket; still SK_PASS */
	bpf_sk_select_reuseport(ctx, &lb_workers, &key, 0);
	return SK_PASS;
}

char _license[] SEC("license") = "GPL";
