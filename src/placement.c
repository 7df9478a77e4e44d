/* placement.c: the placement plan with hwloc (Debian libhwloc-dev), thread binding, and NUMA
 * interleaving of shared buffers. Per-thread buffers are placed by first touch instead: each
 * thread allocates and zeroes its own (see nn2_trainer_init), which puts their pages on its node
 * with no hwloc call and also works under OMP_PLACES. */
#include <stdlib.h>
#include <string.h>

#include "placement.h"

#if NN2_WITH_HWLOC
#include <hwloc.h>
#endif

static const char *bind_name(nn2_bind b)
{
    return b == NN2_BIND_COMPACT ? "compact" : b == NN2_BIND_SPREAD ? "spread" : "none";
}

/* The PU this OS thread was last bound to here (-1: none): OpenMP's runtime ends the threads a
 * smaller team leaves out and makes new ones for a larger team, and a new thread inherits the
 * binding of the thread that creates it (the master's PU). */
#if NN2_WITH_HWLOC
static _Thread_local int bound_pu = -1;
#endif

void nn2_plan_free(nn2_plan *plan)
{
#if NN2_WITH_HWLOC
    if (plan->caller) {
        if (plan->topology && plan->policy != NN2_BIND_NONE)
            hwloc_set_cpubind((hwloc_topology_t)plan->topology, (hwloc_bitmap_t)plan->caller, HWLOC_CPUBIND_THREAD);
        bound_pu = -1; /* the caller has its own set back */
        hwloc_bitmap_free((hwloc_bitmap_t)plan->caller);
    }
    if (plan->topology) hwloc_topology_destroy((hwloc_topology_t)plan->topology);
#endif
    plan->caller = NULL;
    plan->topology = NULL;
}

nn2_status nn2_plan_make(nn2_plan *plan, int threads, nn2_bind policy, const char *synthetic,
                         nn2_error *err)
{
    memset(plan, 0, sizeof *plan);
    if (threads < 1 || threads > NN2_PLAN_MAX)
        return nn2_fail(err, NN2_ERR_ARG, "threads: %d is not in 1..%d", threads, NN2_PLAN_MAX);
    plan->n_threads = threads;
    plan->policy = policy;
    for (int t = 0; t < threads; t++) plan->place[t] = (nn2_place){-1, -1, -1};
    const char *pl = getenv("OMP_PLACES"), *pb = getenv("OMP_PROC_BIND");
    plan->omp_binds = !synthetic && ((pl && *pl) || (pb && *pb));
#if NN2_WITH_HWLOC
    hwloc_topology_t topo;
    if (hwloc_topology_init(&topo) != 0) return nn2_fail(err, NN2_ERR_NOMEM, "hwloc: cannot initialise");
    if (synthetic && hwloc_topology_set_synthetic(topo, synthetic) != 0) {
        hwloc_topology_destroy(topo);
        return nn2_fail(err, NN2_ERR_ARG, "hwloc: bad synthetic topology \"%s\"", synthetic);
    }
    if (hwloc_topology_load(topo) != 0) {
        hwloc_topology_destroy(topo);
        return nn2_fail(err, NN2_ERR_IO, "hwloc: cannot load the topology");
    }
    if (!synthetic) { /* bound by a launcher or taskset: plan inside that set only */
        hwloc_bitmap_t self = hwloc_bitmap_alloc();
        if (self && hwloc_get_cpubind(topo, self, HWLOC_CPUBIND_THREAD) == 0)
            plan->caller = self;
        else
            hwloc_bitmap_free(self);
        hwloc_bitmap_t set = hwloc_bitmap_alloc();
        if (set && hwloc_get_cpubind(topo, set, HWLOC_CPUBIND_PROCESS) == 0 && !hwloc_bitmap_iszero(set) &&
            !hwloc_bitmap_isincluded(hwloc_topology_get_topology_cpuset(topo), set) &&
            hwloc_topology_restrict(topo, set, 0) == 0)
            plan->restricted = 1;
        hwloc_bitmap_free(set);
    }
    plan->have_hwloc = 1;
    plan->topology = topo;
    plan->n_packages = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PACKAGE);
    plan->n_numa = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE);
    plan->n_cores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
    plan->n_pus = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
    if (plan->n_numa < 1) plan->n_numa = 1;
    if (plan->omp_binds || policy == NN2_BIND_NONE || plan->n_cores < 1) {
        plan->policy = NN2_BIND_NONE;
        return NN2_OK;
    }
    if (threads > plan->n_pus) { /* oversubscribed: binding would only stack threads */
        plan->policy = NN2_BIND_NONE;
        return NN2_OK;
    }
    /* cores grouped by NUMA node, in logical order */
    const int nn = plan->n_numa, nc = plan->n_cores;
    int *core_node = calloc((size_t)nc, sizeof(int)), *per_node = calloc((size_t)nn, sizeof(int));
    for (int c = 0; c < nc; c++) {
        hwloc_obj_t core = hwloc_get_obj_by_type(topo, HWLOC_OBJ_CORE, (unsigned)c);
        int node = 0;
        for (int q = 0; q < nn; q++) {
            hwloc_obj_t numa = hwloc_get_obj_by_type(topo, HWLOC_OBJ_NUMANODE, (unsigned)q);
            if (numa && hwloc_bitmap_isincluded(core->cpuset, numa->cpuset)) node = q;
        }
        core_node[c] = node;
        per_node[node]++;
    }
    for (int t = 0; t < threads; t++) {
        int core;
        if (policy == NN2_BIND_COMPACT) {
            core = t % nc;
        } else { /* spread: node t mod nn, then the (t / nn)-th core of that node */
            const int node = t % nn, k = (t / nn) % (per_node[node] ? per_node[node] : 1);
            core = 0;
            for (int c = 0, seen = 0; c < nc; c++)
                if (core_node[c] == node && seen++ == k) {
                    core = c;
                    break;
                }
        }
        const int round = policy == NN2_BIND_COMPACT ? t / nc : t / (nn * (per_node[t % nn] ? per_node[t % nn] : 1));
        hwloc_obj_t cobj = hwloc_get_obj_by_type(topo, HWLOC_OBJ_CORE, (unsigned)core);
        const int npu = hwloc_get_nbobjs_inside_cpuset_by_type(topo, cobj->cpuset, HWLOC_OBJ_PU);
        hwloc_obj_t pu = hwloc_get_obj_inside_cpuset_by_type(topo, cobj->cpuset, HWLOC_OBJ_PU,
                                                            (unsigned)(round % (npu > 0 ? npu : 1)));
        plan->place[t] = (nn2_place){pu ? (int)pu->os_index : -1, core, core_node[core]};
    }
    free(core_node);
    free(per_node);
#else
    (void)synthetic;
    plan->policy = NN2_BIND_NONE;
#endif
    return NN2_OK;
}

void nn2_plan_bind_self(const nn2_plan *plan, int t)
{
#if NN2_WITH_HWLOC
    if (!plan->topology || plan->policy == NN2_BIND_NONE || t >= plan->n_threads || plan->place[t].pu < 0) return;
    if (plan->place[t].pu == bound_pu) return;
    hwloc_topology_t topo = (hwloc_topology_t)plan->topology;
    hwloc_obj_t pu = hwloc_get_pu_obj_by_os_index(topo, (unsigned)plan->place[t].pu);
    if (pu && hwloc_set_cpubind(topo, pu->cpuset, HWLOC_CPUBIND_THREAD) == 0) bound_pu = plan->place[t].pu;
#else
    (void)plan;
    (void)t;
#endif
}

void nn2_plan_interleave(const nn2_plan *plan, void *p, size_t bytes)
{
#if NN2_WITH_HWLOC
    if (!plan->topology || plan->n_numa < 2 || !p || bytes == 0) return;
    hwloc_topology_t topo = (hwloc_topology_t)plan->topology;
    hwloc_const_nodeset_t all = hwloc_topology_get_topology_nodeset(topo);
    hwloc_set_area_membind(topo, p, bytes, all, HWLOC_MEMBIND_INTERLEAVE,
                           HWLOC_MEMBIND_BYNODESET | HWLOC_MEMBIND_MIGRATE);
#else
    (void)plan;
    (void)p;
    (void)bytes;
#endif
}

void *nn2_plan_node_copy(const nn2_plan *plan, int node, const void *src, size_t bytes)
{
#if NN2_WITH_HWLOC
    if (!plan->topology || plan->n_numa < 2 || plan->policy == NN2_BIND_NONE || !src || bytes == 0)
        return NULL;
    hwloc_topology_t topo = (hwloc_topology_t)plan->topology;
    hwloc_obj_t numa = hwloc_get_obj_by_type(topo, HWLOC_OBJ_NUMANODE, (unsigned)node);
    if (!numa) return NULL;
    /* bound before the first touch: the pages come from that node whoever copies */
    void *p = hwloc_alloc_membind(topo, bytes, numa->nodeset, HWLOC_MEMBIND_BIND, HWLOC_MEMBIND_BYNODESET);
    if (p) memcpy(p, src, bytes);
    return p;
#else
    (void)plan, (void)node, (void)src, (void)bytes;
    return NULL;
#endif
}

void nn2_plan_free_copy(const nn2_plan *plan, void *p, size_t bytes)
{
#if NN2_WITH_HWLOC
    if (p) hwloc_free((hwloc_topology_t)plan->topology, p, bytes);
#else
    (void)plan, (void)p, (void)bytes;
#endif
}

void nn2_plan_print(const nn2_plan *plan, FILE *out)
{
    if (!plan->have_hwloc) {
        fprintf(out, "topology: unknown (built without hwloc); threads are not bound\n");
        return;
    }
    fprintf(out, "topology: %d package%s, %d NUMA node%s, %d cores, %d PUs%s\n", plan->n_packages,
            plan->n_packages == 1 ? "" : "s", plan->n_numa, plan->n_numa == 1 ? "" : "s", plan->n_cores,
            plan->n_pus, plan->restricted ? " (those this process is bound to)" : "");
    if (plan->omp_binds)
        fprintf(out, "placement: OMP_PLACES/OMP_PROC_BIND set: the OpenMP runtime binds the %d threads\n",
                plan->n_threads);
    else if (plan->policy == NN2_BIND_NONE)
        fprintf(out, "placement: %d threads, not bound (%s)\n", plan->n_threads,
                plan->shared_node ? "other ranks on this node: mpirun places the ranks"
                : plan->n_threads > plan->n_pus ? "more threads than PUs" : "--bind none");
    else {
        fprintf(out, "placement: %d threads, --bind %s\n", plan->n_threads, bind_name(plan->policy));
        for (int t = 0; t < plan->n_threads; t++)
            fprintf(out, "  thread %2d -> PU %2d (core %2d) -> NUMA node %d\n", t, plan->place[t].pu,
                    plan->place[t].core, plan->place[t].numa);
    }
    const int copies = plan->n_numa > 1 && plan->policy != NN2_BIND_NONE;
    fprintf(out, "buffers: each thread's inputs, output-layer copy and scratch: allocated and\n"
                 "  first touched by that thread, so on its NUMA node; its weight slices are\n"
                 "  touched only by it (neuron ownership) but share pages with other threads'\n"
                 "  slices; weights, gradients, hidden activations: %s;\n"
                 "  the uint8 training images: %s\n",
            plan->n_numa > 1 ? "interleaved over all NUMA nodes (hwloc membind)" : "one NUMA node, no placement needed",
            copies ? "one copy per NUMA node that has threads, each thread reading its node's"
                   : plan->n_numa > 1 ? "interleaved (threads not bound)" : "one copy");
}
