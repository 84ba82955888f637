package rlif.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

/**
 * The one pool of helper threads that every CPU kernel in the process shares: one daemon thread fewer than there are
 * processors, since the calling thread always works too. Kernels never run while ONNX Runtime's own threads run a
 * decoder step (the engine calls them between runs), so kernel threads plus ORT's intra-op threads never hold more
 * cores than there are. Created on first use, never shut down.
 */
final class KernelPool {
    private static final int HELPERS = Runtime.getRuntime().availableProcessors() - 1;
    private static volatile ForkJoinPool pool;

    private KernelPool() {}

    /** How many helper threads there are (0 on one processor). */
    static int helpers() {
        return HELPERS;
    }

    /**
     * Runs {@code worker} on the calling thread and on up to {@code threads - 1} helpers at once, and returns when
     * every copy has returned; an exception in a helper is rethrown here. Workers share their work themselves.
     */
    static void run(int threads, Runnable worker) {
        int helpers = Math.min(threads - 1, HELPERS);
        if (helpers <= 0) {
            worker.run();
            return;
        }
        ForkJoinPool p = pool();
        List<ForkJoinTask<?>> tasks = new ArrayList<>(helpers);
        for (int i = 0; i < helpers; i++) {
            tasks.add(p.submit(worker));
        }
        RuntimeException failure = null;
        try {
            worker.run();
        } catch (RuntimeException e) {
            failure = e;
        }
        for (ForkJoinTask<?> t : tasks) {
            try {
                t.join();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static ForkJoinPool pool() {
        ForkJoinPool p = pool;
        if (p == null) {
            synchronized (KernelPool.class) {
                p = pool;
                if (p == null) {
                    p = new ForkJoinPool(HELPERS);
                    pool = p;
                }
            }
        }
        return p;
    }
}
