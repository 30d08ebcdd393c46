#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("socket")
int drop_all(struct __sk_buff *skb) { return 0; }
char _license[] SEC("license") = "GPL";
