/* A tiny eBPF interpreter for the device filter's unit tests: it runs a
 * BPF_PROG_TYPE_CGROUP_DEVICE program on one request and says what the
 * kernel would answer.  It knows only the instructions a device filter
 * needs (ALU/ALU64 MOV, ADD, SUB, AND, OR, XOR, LSH, RSH with K and X;
 * JMP/JMP32 conditional jumps and JA; LDX MEM from the context; EXIT) and
 * refuses, like the verifier, anything else: another opcode, a register
 * out of range or never written, a jump out of the program or backwards,
 * unreachable instructions, a context load out of bounds, a verdict other
 * than 0 or 1. */
#ifndef TINYRUN_TESTS_BPF_INTERP_H
#define TINYRUN_TESTS_BPF_INTERP_H

#include <stddef.h>
#include <stdint.h>

#include "cgroup/ebpf_devices.h"

/* The request, as the kernel's struct bpf_cgroup_dev_ctx. */
struct bpf_dev_request
{
  uint32_t access_type; /* access (BPF_DEVCG_ACC_*) << 16 | type (BPF_DEVCG_DEV_*) */
  uint32_t major;
  uint32_t minor;
};

/* What the verifier checks without running anything: every opcode known,
 * every register in range, every jump forward and inside the program,
 * every instruction reachable, the last one EXIT (so every path ends in
 * EXIT).  Returns 0, or -1 with the reason in why. */
int bpf_interp_check (const struct ebpf_insn *prog, size_t n, char *why, size_t why_len);

/* Check, then run prog on req.  Returns the verdict (1 allow, 0 deny), or
 * -1 with the reason in why. */
int bpf_interp_run (const struct ebpf_insn *prog, size_t n, const struct bpf_dev_request *req, char *why,
                    size_t why_len);

#endif
