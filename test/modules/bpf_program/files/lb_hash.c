#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct { __uint(type, BPF_MAP_TYPE_REUSEPORT_SOCKARRAY); __uint(max_entries, 64); __type(key, __u32); __type(value, __u64); } workers SEC(".maps");
SEC("sk_reuseport")
int lb_hash(struct sk_reuseport_md *ctx) { return SK_PASS; }
char _license[] SEC("license") = "GPL";
