/* linux.resources.devices on cgroup v2: the kernel has no devices.allow
 * file there, only BPF_PROG_TYPE_CGROUP_DEVICE programs.  tinyrun builds
 * the program itself, a few instructions per rule, without libbpf. */
#ifndef TINYRUN_EBPF_DEVICES_H
#define TINYRUN_EBPF_DEVICES_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"
#include "oci-spec/spec.h"

struct ebpf_insn
{
  uint8_t code;
  uint8_t regs; /* dst in the low nibble, src in the high one */
  int16_t off;
  int32_t imm;
};

/* Translate rules (in spec order; the last matching rule wins, nothing
 * matching means deny) into a program.  A request carries its whole
 * access (rw for an O_RDWR open): an allow rule matches it only if the
 * rule names every access asked for, a deny rule if it names any of them.
 * Returns the instruction count, or -1 when max is too small.  Pure:
 * unit-tested by running the program (tests/unit/bpf_interp.c). */
int ebpf_devices_build (const struct spec_device_rule *rules, size_t n, struct ebpf_insn *out, size_t max);

/* Build, load and attach the program for res (plus the default devices)
 * to the cgroup; an existing tinyrun program is replaced atomically. */
int ebpf_devices_apply (int cgroup_fd, const struct spec_resources *res, tr_error_t *err);

#endif
