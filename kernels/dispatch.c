/* dispatch.c: picks the kernel table once from the CPU's features; NN2_ISA overrides.
 * The chosen table is the only mutable global of nn2, written once under a once-flag. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels_impl.h"

#ifndef NN2_HAVE_OPENBLAS
#define NN2_HAVE_OPENBLAS 0
#endif

#define NN2_TABLE(E, X, SGM)                                                                    \
    {                                                                                           \
        .isa = E, .name = #X, .sel_grad_min = SGM,                                              \
        .gemm_nn = nn2_k_gemm_nn_##X, .gemm_nt = nn2_k_gemm_nt_##X,                             \
        .gemm_tn = nn2_k_gemm_tn_##X, .colsum = nn2_k_colsum_##X,                               \
        .gemm_nn_sel = nn2_k_gemm_nn_sel_##X, .gemm_tn_sel = nn2_k_gemm_tn_sel_##X,             \
        .nz_cols = nn2_k_nz_cols_##X, .zero_gaps = nn2_k_zero_gaps_##X,                         \
        .u8_to_f32 = nn2_k_u8_to_f32_##X,                                                       \
        .act_forward = {[NN2_KACT_SIGMOID] = nn2_k_sigmoid_forward_##X,                         \
                        [NN2_KACT_TANH] = nn2_k_tanh_forward_##X,                               \
                        [NN2_KACT_RELU] = nn2_k_relu_forward_##X},                              \
        .act_backward = {[NN2_KACT_SIGMOID] = nn2_k_sigmoid_backward_##X,                       \
                         [NN2_KACT_TANH] = nn2_k_tanh_backward_##X,                             \
                         [NN2_KACT_RELU] = nn2_k_relu_backward_##X},                            \
        .softmax_rows = nn2_k_softmax_rows_##X, .bp2_small = nn2_k_bp2_small_##X,               \
        .out_rows = nn2_k_out_rows_##X, .add_act = nn2_k_add_act_##X,                           \
        .update = nn2_k_update_##X, .update_sel = nn2_k_update_sel_##X,                         \
        .dropout = nn2_k_dropout_##X,                                                           \
    }

/* sel_grad_min, from `nn2 train` with momentum 0.9, the sparse gradient against every input:
 * scalar 1.22-1.28x at 200-1,000 multiply-adds a row (twenty-fifth session), so always; since
 * the twenty-seventh session's update_sel (no zero rows written and read), AVX2 and AVX-512
 * 0.97-1.04x at 90-160 and 1.05-1.26x at 200-1,000 (README "Speed"). */
static const nn2_kernels tables[NN2_ISA_COUNT] = {
    [NN2_ISA_SCALAR] = NN2_TABLE(NN2_ISA_SCALAR, scalar, 0),
#if NN2_HAVE_X86_KERNELS
    [NN2_ISA_AVX2] = NN2_TABLE(NN2_ISA_AVX2, avx2, 200),
    [NN2_ISA_AVX512] = NN2_TABLE(NN2_ISA_AVX512, avx512, 200),
#endif
};

const char *nn2_isa_str(nn2_isa isa)
{
    static const char *names[NN2_ISA_COUNT] = {[NN2_ISA_SCALAR] = "scalar",
                                               [NN2_ISA_AVX2] = "avx2",
                                               [NN2_ISA_AVX512] = "avx512",
                                               [NN2_ISA_OPENBLAS] = "openblas"};
    return (isa >= 0 && isa < NN2_ISA_COUNT) ? names[isa] : "?";
}

/* The OpenBLAS table: the best hand-written table with the products swapped, built once. */
static nn2_kernels openblas_table;
static pthread_once_t openblas_once = PTHREAD_ONCE_INIT;

static int cpu_has(nn2_isa isa);

static void openblas_setup(void)
{
#if NN2_HAVE_OPENBLAS
    for (int i = NN2_ISA_AVX512; i >= 0; i--)
        if (cpu_has((nn2_isa)i)) {
            openblas_table = tables[i];
            break;
        }
    openblas_table.isa = NN2_ISA_OPENBLAS;
    openblas_table.name = "openblas";
    openblas_table.gemm_nn = nn2_k_gemm_nn_openblas;
    openblas_table.gemm_nt = nn2_k_gemm_nt_openblas;
    openblas_table.gemm_tn = nn2_k_gemm_tn_openblas;
    openblas_table.bp2_small = NULL; /* a product: OpenBLAS's (through the transposition) */
    openblas_table.gemm_nn_sel = NULL; /* every input through sgemm, as a user of it would */
    openblas_table.gemm_tn_sel = NULL;
    openblas_table.nz_cols = NULL;
    nn2_k_openblas_init();
#endif
}

static int cpu_has(nn2_isa isa)
{
    switch (isa) {
    case NN2_ISA_SCALAR: return 1;
    case NN2_ISA_OPENBLAS: return NN2_HAVE_OPENBLAS;
#if NN2_HAVE_X86_KERNELS
    case NN2_ISA_AVX2:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case NN2_ISA_AVX512:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
               __builtin_cpu_supports("avx512dq") &&
               __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx2") &&
               __builtin_cpu_supports("fma");
#endif
    default: return 0;
    }
}

const nn2_kernels *nn2_kernels_for(nn2_isa isa)
{
    if (isa < 0 || isa >= NN2_ISA_COUNT || !cpu_has(isa)) return NULL;
    if (isa == NN2_ISA_OPENBLAS) {
        pthread_once(&openblas_once, openblas_setup);
        return &openblas_table;
    }
    return &tables[isa];
}

static const nn2_kernels *chosen;

static void choose(void)
{
    nn2_isa best = NN2_ISA_SCALAR;
    for (int i = NN2_ISA_AVX512; i >= 0; i--) /* OpenBLAS only when asked for */
        if (cpu_has((nn2_isa)i)) {
            best = (nn2_isa)i;
            break;
        }
    const char *env = getenv("NN2_ISA");
    if (env && *env) {
        int found = -1;
        for (int i = 0; i < NN2_ISA_COUNT; i++)
            if (strcmp(env, nn2_isa_str((nn2_isa)i)) == 0) found = i;
        if (found < 0)
            fprintf(stderr, "nn2: NN2_ISA=%s is not one of scalar|avx2|avx512|openblas; using %s\n", env,
                    nn2_isa_str(best));
        else if (!cpu_has((nn2_isa)found))
            fprintf(stderr, "nn2: NN2_ISA=%s: this CPU or build lacks it; using %s\n", env,
                    nn2_isa_str(best));
        else
            best = (nn2_isa)found;
    }
    chosen = nn2_kernels_for(best);
}

const nn2_kernels *nn2_kernels_get(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, choose);
    return chosen;
}
