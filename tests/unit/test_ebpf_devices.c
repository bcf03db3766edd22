/* The device filter's instructions (loaded for real by the v2 tests). */
#include "unit.h"
#include "cgroup/ebpf_devices.h"

#include <linux/bpf.h>

TEST (ebpf_deny_all_first_rule_ends_program)
{
  struct spec_device_rule rules[] = {
    { .allow = false, .access = "rwm" },
    { .allow = true, .type = "c", .major = { true, 1 }, .minor = { true, 3 }, .access = "rw" },
  };
  struct ebpf_insn prog[64];
  int n = ebpf_devices_build (rules, 2, prog, 64);
  /* prologue 7, rule 2 (type, access x3, major, minor, mov, exit = 8),
   * rule 1 unconditional (mov, exit) and nothing after it. */
  CHECK (n == 7 + 8 + 2);
  CHECK (prog[n - 1].code == (BPF_JMP | BPF_EXIT));
  CHECK (prog[n - 2].imm == 0); /* deny */
  /* The last rule is tested first and allows. */
  CHECK (prog[7].code == (BPF_JMP | BPF_JNE | BPF_K) && prog[7].imm == BPF_DEVCG_DEV_CHAR);
  CHECK (prog[7].off == 7); /* skips the rest of its block */
  CHECK (prog[7 + 6].imm == 1);
}

TEST (ebpf_default_deny_and_overflow)
{
  struct spec_device_rule rules[] = { { .allow = true, .type = "b", .major = { true, 8 }, .access = "r" } };
  struct ebpf_insn prog[64];
  int n = ebpf_devices_build (rules, 1, prog, 64);
  CHECK (n > 0 && prog[n - 2].imm == 0 && prog[n - 1].code == (BPF_JMP | BPF_EXIT));
  CHECK (ebpf_devices_build (rules, 1, prog, 8) < 0);
}
