/* The test tool itself: bpf_interp.c runs what it should and refuses what
 * the verifier would refuse, or the device filter's tests prove nothing. */
#include "unit.h"
#include "bpf_interp.h"

#include <linux/bpf.h>
#include <stdbool.h>

#define I(code, dst, src, off, imm) ((struct ebpf_insn){ (code), (uint8_t) ((dst) | (src) << 4), (off), (imm) })
#define EXIT_INSN I (BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define MOV_K(dst, imm) I (BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define LDX_W(dst, off) I (BPF_LDX | BPF_MEM | BPF_W, dst, 1, off, 0)

static const struct bpf_dev_request req = { BPF_DEVCG_ACC_READ << 16 | BPF_DEVCG_DEV_CHAR, 1, 3 };

static int
run_prog (const struct ebpf_insn *prog, size_t n, const char *want_why)
{
  char why[256] = "";
  int v = bpf_interp_run (prog, n, &req, why, sizeof why);
  if (want_why && (v >= 0 || strstr (why, want_why) == NULL))
    {
      fprintf (stderr, "  got %d \"%s\", expected a refusal with \"%s\"\n", v, why, want_why);
      return -2;
    }
  return v;
}

#define REFUSED(why, ...)                                                       \
  do                                                                            \
    {                                                                           \
      const struct ebpf_insn p_[] = { __VA_ARGS__ };                            \
      CHECK (run_prog (p_, sizeof p_ / sizeof p_[0], (why)) == -1);             \
    }                                                                           \
  while (0)

TEST (bpf_interp_runs_alu_jumps_and_loads)
{
  /* r0 = (minor == 3 && (access_type >> 16) & READ) ? 1 : 0, with 32-bit
   * ALU and JMP32 on the way. */
  const struct ebpf_insn prog[] = {
    LDX_W (2, 8),
    LDX_W (3, 0),
    I (BPF_ALU | BPF_RSH | BPF_K, 3, 0, 0, 16),
    I (BPF_ALU | BPF_AND | BPF_K, 3, 0, 0, BPF_DEVCG_ACC_READ),
    I (BPF_JMP32 | BPF_JNE | BPF_K, 2, 0, 3, 3),
    I (BPF_JMP | BPF_JEQ | BPF_K, 3, 0, 2, 0),
    MOV_K (0, 1),
    EXIT_INSN,
    MOV_K (0, 0),
    EXIT_INSN,
  };
  CHECK (run_prog (prog, 10, NULL) == 1);
  struct bpf_dev_request other = req;
  other.minor = 4;
  char why[256];
  CHECK (bpf_interp_run (prog, 10, &other, why, sizeof why) == 0);
  /* A narrow load of access_type's low half: the type. */
  const struct ebpf_insn narrow[] = {
    I (BPF_LDX | BPF_MEM | BPF_H, 0, 1, 0, 0),
    I (BPF_ALU64 | BPF_SUB | BPF_K, 0, 0, 0, BPF_DEVCG_DEV_CHAR - 1),
    EXIT_INSN,
  };
  CHECK (run_prog (narrow, 3, NULL) == 1);
}

TEST (bpf_interp_refuses_what_the_verifier_refuses)
{
  CHECK (run_prog (&(struct ebpf_insn){ 0 }, 0, "empty program") == -1);
  REFUSED ("unsupported opcode", I (BPF_JMP | BPF_CALL, 0, 0, 0, 1), MOV_K (0, 0), EXIT_INSN);
  REFUSED ("unsupported opcode", I (BPF_ALU64 | BPF_DIV | BPF_K, 0, 0, 0, 2), EXIT_INSN);
  REFUSED ("unsupported opcode", I (BPF_LD | BPF_IMM | BPF_DW, 0, 0, 0, 1), EXIT_INSN);
  REFUSED ("unsupported opcode", I (BPF_STX | BPF_MEM | BPF_W, 10, 0, -4, 0), MOV_K (0, 0), EXIT_INSN);
  REFUSED ("register out of range", MOV_K (11, 0), MOV_K (0, 0), EXIT_INSN);
  REFUSED ("frame pointer", MOV_K (10, 0), MOV_K (0, 0), EXIT_INSN);
  REFUSED ("reserved fields", I (BPF_ALU64 | BPF_MOV | BPF_K, 0, 2, 0, 1), EXIT_INSN);
  REFUSED ("jump out of range", MOV_K (0, 0), I (BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1, 0), EXIT_INSN);
  REFUSED ("backward jump", MOV_K (0, 0), I (BPF_JMP | BPF_JA, 0, 0, -2, 0), EXIT_INSN);
  REFUSED ("not EXIT", MOV_K (0, 0));
  REFUSED ("unreachable", MOV_K (0, 0), EXIT_INSN, MOV_K (0, 1), EXIT_INSN);
  REFUSED ("shift by", MOV_K (0, 1), I (BPF_ALU | BPF_LSH | BPF_K, 0, 0, 0, 32), EXIT_INSN);
  REFUSED ("read before it is written", EXIT_INSN);
  REFUSED ("read before it is written", I (BPF_ALU64 | BPF_MOV | BPF_X, 0, 6, 0, 0), EXIT_INSN);
  REFUSED ("context pointer", I (BPF_ALU64 | BPF_MOV | BPF_X, 0, 1, 0, 0), EXIT_INSN);
  REFUSED ("not the context", MOV_K (2, 0), I (BPF_LDX | BPF_MEM | BPF_W, 0, 2, 0, 0), EXIT_INSN);
  REFUSED ("invalid context access", LDX_W (0, 12), EXIT_INSN);
  REFUSED ("invalid context access", LDX_W (0, 2), EXIT_INSN);
  REFUSED ("invalid context access", I (BPF_LDX | BPF_MEM | BPF_B, 0, 1, 4, 0), EXIT_INSN);
  REFUSED ("not 0 or 1", MOV_K (0, 2), EXIT_INSN);
}
