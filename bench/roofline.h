/* roofline.h: machine measurements for nn2-bench's roofline (x86 with AVX-512 only). */
#ifndef NN2_BENCH_ROOFLINE_H
#define NN2_BENCH_ROOFLINE_H

/* One barrier of `threads` threads, microseconds (median of 5 loops of 100,000): nn2's team
 * barrier (nn2_bar_wait), or with gomp set, OpenMP's `omp barrier`. */
double nn2_roof_barrier_us(int threads, int gomp);
/* One-way hand-over of a cache line between two threads (ping-pong), nanoseconds (median of
 * 5 runs of 200,000 round trips): this VM's cross-core latency, which changes over time. */
double nn2_roof_handoff_ns(void);
/* The same, one run of round_trips round trips (NaN when the team got one thread): the short
 * probe nn2-bench takes before each epoch of a row on 2 threads or more, so that each row says
 * which phase of the VM it ran in. */
double nn2_roof_handoff_probe_ns(int round_trips);
/* Nanoseconds per line for a second thread to follow a random chain of 8 MB that the first
 * just wrote (median of 5); *own_ns: the first thread following it itself. About equal when the
 * two cores share their last-level cache; several times longer when every line must cross
 * between caches (this VM's slow phase: its two vCPUs then sit on cores that share none). */
double nn2_roof_shared_read_ns(double *own_ns);
/* Aggregate GB/s of a read-and-write pass over 256 KB per thread (L2-resident: a weight update). */
double nn2_roof_l2_gbs(int threads);
/* Aggregate GB/s of reading 256 MB per thread (memory). */
double nn2_roof_mem_gbs(int threads);

#endif
