/* placement.h: where threads and buffers go. With hwloc, the topology is discovered (or given as
 * a synthetic description, for tests and `nn2 info`), threads are bound to cores by a policy, and
 * buffers are placed on NUMA nodes; without hwloc (or with --bind none) nothing is bound. */
#ifndef NN2_PLACEMENT_H
#define NN2_PLACEMENT_H

#include "common.h"

#define NN2_PLAN_MAX 1024

typedef struct nn2_place {
    int pu;   /* OS index of the processing unit the thread is bound to (-1: unbound) */
    int core; /* logical index of its core (-1: unbound) */
    int numa; /* logical index of its NUMA node (-1: unbound) */
} nn2_place;

typedef struct nn2_plan {
    int n_threads;
    nn2_bind policy; /* the policy in force (NONE when OMP_PLACES/OMP_PROC_BIND rule) */
    int n_packages, n_numa, n_cores, n_pus;
    int omp_binds; /* OMP_PLACES or OMP_PROC_BIND is set: the OpenMP runtime binds */
    int have_hwloc;
    int restricted;  /* the process was bound (mpirun, taskset): the plan uses only that set */
    int shared_node; /* other ranks of an MPI job run on this node: threads are left unbound */
    void *topology; /* hwloc_topology_t, owned (NULL without hwloc) */
    void *caller;   /* hwloc_bitmap_t: the binding of the thread that made the plan, or NULL */
    nn2_place place[NN2_PLAN_MAX];
} nn2_plan;

/* Frees the plan and gives the thread that made it (call from that thread) the binding it had
 * then: nn2_train binds its calling thread to the first core, and without this the caller, and
 * the OpenMP threads it starts later (they inherit its binding), stayed on that one core. */
void nn2_plan_free(nn2_plan *plan);

/* The plan for `threads` threads under `policy` on this machine, or on the synthetic topology
 * `synthetic` (hwloc's syntax, e.g. "pack:2 numa:1 l3:1 core:4 pu:2") when not NULL.
 * compact: thread i on core i (first PUs of every core, then second PUs...), filling NUMA nodes
 * in order; spread: threads dealt round-robin over NUMA nodes, cores in order within each. */
nn2_status nn2_plan_make(nn2_plan *plan, int threads, nn2_bind policy, const char *synthetic,
                         nn2_error *err);
/* Human-readable plan: topology, thread -> PU/core/node, and where each buffer lives. */
void nn2_plan_print(const nn2_plan *plan, FILE *out);
/* Bind the calling thread to plan->place[t] (no-op when unbound). */
void nn2_plan_bind_self(const nn2_plan *plan, int t);
/* Spread [p, p+bytes) over the NUMA nodes of the plan (interleave), when there are several. */
void nn2_plan_interleave(const nn2_plan *plan, void *p, size_t bytes);
/* A copy of [src, src+bytes) in memory bound to the plan's NUMA node `node` (logical index), or
 * NULL (one node, threads not bound, no hwloc, no memory); release with nn2_plan_free_copy. */
void *nn2_plan_node_copy(const nn2_plan *plan, int node, const void *src, size_t bytes);
void nn2_plan_free_copy(const nn2_plan *plan, void *p, size_t bytes);

#endif
