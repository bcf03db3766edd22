/* The device filter's interpreter (see bpf_interp.h). */
#include "config.h"
#include "bpf_interp.h"

#include <linux/bpf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum
{
  N_REGS = 11, /* r0..r10; r10 is the read-only frame pointer */
  R_FP = 10,
};

enum kind
{
  K_BAD, K_ALU, K_JCOND, K_JA, K_LDX, K_EXIT
};

struct machine
{
  uint64_t r[N_REGS];
  bool set[N_REGS]; /* written (r1 holds the context on entry) */
  bool ctx[N_REGS]; /* holds the context pointer */
};

__attribute__ ((format (printf, 3, 4))) static int
fail (char *why, size_t why_len, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (why, why_len, fmt, ap);
  va_end (ap);
  return -1;
}

static int
dst_of (const struct ebpf_insn *i)
{
  return i->regs & 0xf;
}

static int
src_of (const struct ebpf_insn *i)
{
  return i->regs >> 4;
}

static enum kind
alu_kind (uint8_t op)
{
  switch (op)
    {
    case BPF_MOV: case BPF_ADD: case BPF_SUB: case BPF_AND:
    case BPF_OR: case BPF_XOR: case BPF_LSH: case BPF_RSH:
      return K_ALU;
    default:
      return K_BAD;
    }
}

static enum kind
jump_kind (uint8_t op)
{
  switch (op)
    {
    case BPF_JEQ: case BPF_JNE: case BPF_JGT: case BPF_JGE:
    case BPF_JLT: case BPF_JLE: case BPF_JSET:
      return K_JCOND;
    default:
      return K_BAD;
    }
}

static enum kind
kind_of (uint8_t code)
{
  switch (BPF_CLASS (code))
    {
    case BPF_ALU:
    case BPF_ALU64:
      return alu_kind (BPF_OP (code));
    case BPF_JMP:
      if (code == (BPF_JMP | BPF_EXIT))
        return K_EXIT;
      if (code == (BPF_JMP | BPF_JA))
        return K_JA;
      return jump_kind (BPF_OP (code));
    case BPF_JMP32:
      return jump_kind (BPF_OP (code));
    case BPF_LDX:
      return BPF_MODE (code) == BPF_MEM && BPF_SIZE (code) != BPF_DW ? K_LDX : K_BAD;
    default:
      return K_BAD;
    }
}

/* The fields an instruction does not use must be zero, as the verifier
 * demands ("uses reserved fields"). */
static bool
reserved_clear (const struct ebpf_insn *i, enum kind k)
{
  bool x = BPF_SRC (i->code) == BPF_X;
  switch (k)
    {
    case K_ALU:
      return i->off == 0 && (x ? i->imm == 0 : src_of (i) == 0);
    case K_JCOND:
      return x ? i->imm == 0 : src_of (i) == 0;
    case K_JA:
      return i->regs == 0 && i->imm == 0;
    case K_LDX:
      return i->imm == 0;
    case K_EXIT:
      return i->regs == 0 && i->off == 0 && i->imm == 0;
    default:
      return false;
    }
}

static int
check_insn (const struct ebpf_insn *prog, size_t n, size_t pc, char *why, size_t why_len)
{
  const struct ebpf_insn *i = &prog[pc];
  enum kind k = kind_of (i->code);
  if (k == K_BAD)
    return fail (why, why_len, "insn %zu: unsupported opcode 0x%02x", pc, i->code);
  if (dst_of (i) >= N_REGS || src_of (i) >= N_REGS)
    return fail (why, why_len, "insn %zu: register out of range (dst %d, src %d)", pc, dst_of (i), src_of (i));
  if (!reserved_clear (i, k))
    return fail (why, why_len, "insn %zu: opcode 0x%02x uses reserved fields", pc, i->code);
  if ((k == K_ALU || k == K_LDX) && dst_of (i) == R_FP)
    return fail (why, why_len, "insn %zu: writes the frame pointer", pc);
  if (k == K_ALU && BPF_SRC (i->code) == BPF_K && (BPF_OP (i->code) == BPF_LSH || BPF_OP (i->code) == BPF_RSH)
      && (i->imm < 0 || i->imm >= (BPF_CLASS (i->code) == BPF_ALU64 ? 64 : 32)))
    return fail (why, why_len, "insn %zu: shift by %d", pc, i->imm);
  if (k == K_JCOND || k == K_JA)
    {
      if (i->off < 0)
        return fail (why, why_len, "insn %zu: backward jump (off %d)", pc, i->off);
      if (pc + 1 + (size_t) i->off >= n)
        return fail (why, why_len, "insn %zu: jump out of range (off %d, %zu insns)", pc, i->off, n);
    }
  return 0;
}

/* Jumps only go forward, so one pass in order marks every instruction
 * some path reaches. */
static int
check_reachable (const struct ebpf_insn *prog, size_t n, char *why, size_t why_len)
{
  bool *reached = calloc (n, sizeof *reached);
  if (reached == NULL)
    return fail (why, why_len, "out of memory");
  reached[0] = true;
  for (size_t pc = 0; pc < n; pc++)
    {
      enum kind k = kind_of (prog[pc].code);
      if (!reached[pc])
        {
          free (reached);
          return fail (why, why_len, "insn %zu: unreachable", pc);
        }
      if (k == K_JCOND || k == K_JA)
        reached[pc + 1 + (size_t) prog[pc].off] = true;
      if (k != K_EXIT && k != K_JA)
        reached[pc + 1] = true; /* pc + 1 < n: the last insn is EXIT */
    }
  free (reached);
  return 0;
}

int
bpf_interp_check (const struct ebpf_insn *prog, size_t n, char *why, size_t why_len)
{
  if (n == 0)
    return fail (why, why_len, "empty program");
  for (size_t pc = 0; pc < n; pc++)
    if (check_insn (prog, n, pc, why, why_len) < 0)
      return -1;
  /* With forward jumps only, every path ends at an EXIT exactly when
   * nothing can run past the last instruction. */
  if (kind_of (prog[n - 1].code) != K_EXIT)
    return fail (why, why_len, "insn %zu: the last insn is not EXIT", n - 1);
  return check_reachable (prog, n, why, why_len);
}

/* A scalar operand: written, and not the context pointer. */
static int
scalar (const struct machine *m, int reg, uint64_t *v, size_t pc, char *why, size_t why_len)
{
  if (!m->set[reg])
    return fail (why, why_len, "insn %zu: r%d read before it is written", pc, reg);
  if (m->ctx[reg])
    return fail (why, why_len, "insn %zu: r%d (the context pointer) used as a number", pc, reg);
  *v = m->r[reg];
  return 0;
}

/* The second operand: the register for X, the sign-extended imm for K. */
static int
operand (const struct machine *m, const struct ebpf_insn *i, uint64_t *v, size_t pc, char *why, size_t why_len)
{
  if (BPF_SRC (i->code) == BPF_X)
    return scalar (m, src_of (i), v, pc, why, why_len);
  *v = (uint64_t) (int64_t) i->imm;
  return 0;
}

static int
step_alu (struct machine *m, const struct ebpf_insn *i, size_t pc, char *why, size_t why_len)
{
  bool is64 = BPF_CLASS (i->code) == BPF_ALU64;
  uint8_t op = BPF_OP (i->code);
  uint64_t a = 0, b = 0, r = 0;
  if (operand (m, i, &b, pc, why, why_len) < 0)
    return -1;
  if (op != BPF_MOV && scalar (m, dst_of (i), &a, pc, why, why_len) < 0)
    return -1;
  if (!is64)
    a = (uint32_t) a, b = (uint32_t) b;
  if ((op == BPF_LSH || op == BPF_RSH) && b >= (is64 ? 64u : 32u))
    return fail (why, why_len, "insn %zu: shift by %llu", pc, (unsigned long long) b);
  switch (op)
    {
    case BPF_MOV: r = b; break;
    case BPF_ADD: r = a + b; break;
    case BPF_SUB: r = a - b; break;
    case BPF_AND: r = a & b; break;
    case BPF_OR: r = a | b; break;
    case BPF_XOR: r = a ^ b; break;
    case BPF_LSH: r = a << b; break;
    case BPF_RSH: r = a >> b; break;
    default: return fail (why, why_len, "insn %zu: unsupported ALU op 0x%02x", pc, op);
    }
  m->r[dst_of (i)] = is64 ? r : (uint32_t) r; /* 32-bit ops zero the upper half */
  m->set[dst_of (i)] = true;
  m->ctx[dst_of (i)] = false;
  return 0;
}

/* 1 when the jump is taken, 0 when not, -1 on error. */
static int
jump_taken (const struct machine *m, const struct ebpf_insn *i, size_t pc, char *why, size_t why_len)
{
  uint64_t a = 0, b = 0;
  if (scalar (m, dst_of (i), &a, pc, why, why_len) < 0 || operand (m, i, &b, pc, why, why_len) < 0)
    return -1;
  if (BPF_CLASS (i->code) == BPF_JMP32)
    a = (uint32_t) a, b = (uint32_t) b;
  switch (BPF_OP (i->code))
    {
    case BPF_JEQ: return a == b;
    case BPF_JNE: return a != b;
    case BPF_JGT: return a > b;
    case BPF_JGE: return a >= b;
    case BPF_JLT: return a < b;
    case BPF_JLE: return a <= b;
    case BPF_JSET: return (a & b) != 0;
    default: return fail (why, why_len, "insn %zu: unsupported jump 0x%02x", pc, i->code);
    }
}

/* A load from the context, within the rules of the kernel's
 * cgroup_dev_is_valid_access(): inside the struct, aligned to its size,
 * and only access_type may be read in parts. */
static int
step_ldx (struct machine *m, const struct ebpf_insn *i, const struct bpf_dev_request *req, size_t pc, char *why,
          size_t why_len)
{
  static const size_t sizes[] = { [BPF_W >> 3] = 4, [BPF_H >> 3] = 2, [BPF_B >> 3] = 1 };
  size_t size = sizes[BPF_SIZE (i->code) >> 3];
  int src = src_of (i);
  if (!m->set[src] || !m->ctx[src])
    return fail (why, why_len, "insn %zu: load through r%d, which is not the context", pc, src);
  if (i->off < 0 || (size_t) i->off + size > sizeof *req || i->off % (int) size != 0
      || (i->off >= 4 && size != 4))
    return fail (why, why_len, "insn %zu: invalid context access (off %d, size %zu)", pc, i->off, size);
  /* Native byte order, as the kernel reads its own struct. */
  const char *p = (const char *) req + i->off;
  uint32_t w = 0;
  uint16_t h = 0;
  uint8_t b = 0;
  if (size == 4)
    memcpy (&w, p, 4);
  else if (size == 2)
    memcpy (&h, p, 2);
  else
    memcpy (&b, p, 1);
  m->r[dst_of (i)] = size == 4 ? w : size == 2 ? h : b;
  m->set[dst_of (i)] = true;
  m->ctx[dst_of (i)] = false;
  return 0;
}

static int
verdict (const struct machine *m, size_t pc, char *why, size_t why_len)
{
  uint64_t r0 = 0;
  if (scalar (m, 0, &r0, pc, why, why_len) < 0)
    return -1;
  if (r0 > 1)
    return fail (why, why_len, "insn %zu: returns %llu, not 0 or 1", pc, (unsigned long long) r0);
  return (int) r0;
}

int
bpf_interp_run (const struct ebpf_insn *prog, size_t n, const struct bpf_dev_request *req, char *why, size_t why_len)
{
  struct machine m;
  memset (&m, 0, sizeof m);
  m.set[1] = m.ctx[1] = true;
  if (bpf_interp_check (prog, n, why, why_len) < 0)
    return -1;
  /* The check guarantees that pc only grows and stays below n. */
  for (size_t pc = 0;;)
    {
      const struct ebpf_insn *i = &prog[pc];
      int taken;
      switch (kind_of (i->code))
        {
        case K_ALU:
          if (step_alu (&m, i, pc, why, why_len) < 0)
            return -1;
          pc++;
          break;
        case K_LDX:
          if (step_ldx (&m, i, req, pc, why, why_len) < 0)
            return -1;
          pc++;
          break;
        case K_JCOND:
          if ((taken = jump_taken (&m, i, pc, why, why_len)) < 0)
            return -1;
          pc += 1 + (taken ? (size_t) i->off : 0);
          break;
        case K_JA:
          pc += 1 + (size_t) i->off;
          break;
        case K_EXIT:
          return verdict (&m, pc, why, why_len);
        default:
          return fail (why, why_len, "insn %zu: unsupported opcode 0x%02x", pc, i->code);
        }
    }
}
