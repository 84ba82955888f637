package rlif.spark;

import java.util.ArrayList;
import java.util.List;
import rlif.models.BadInputException;

/**
 * Cuts the problems into shards, one work unit per (model, shard). A shard holds a multiple of
 * {@code batch / gcd(batch, samples)} problems, so its rollouts fill whole batches of {@code --batch-size}
 * exactly where {@code rlif score}'s would start and end: every row is generated in the very batch it would be
 * in locally, and so comes out identical.
 */
final class ShardPlan {
    private ShardPlan() {}

    /** The smallest shard whose (problem, sample) pairs are a whole number of batches. */
    static int alignment(int samples, int batchSize) {
        return batchSize / gcd(batchSize, samples);
    }

    /**
     * Problems per shard: {@code requested} (0 = automatic: about two shards per model per core of
     * {@code parallelism}, so every core has work and a straggler is short) rounded up to the alignment.
     */
    static int shardSize(int requested, int problems, int models, int parallelism, int samples, int batchSize) {
        if (requested < 0) {
            throw new BadInputException("--shard-size must be >= 1 problems, got " + requested);
        }
        int align = alignment(samples, batchSize);
        int size = requested;
        if (size == 0) {
            long wanted = Math.max(1, 2L * parallelism / Math.max(1, models));
            size = (int) Math.max(1, (problems + wanted - 1) / wanted);
        }
        return (int) Math.min(Integer.MAX_VALUE, ((long) size + align - 1) / align * align);
    }

    /** The units of the given models, model by model, each model's shards in problem order. */
    static List<WorkUnit> units(List<Integer> models, int problems, int shardSize) {
        List<WorkUnit> units = new ArrayList<>();
        for (int m : models) {
            for (int from = 0; from < problems; from += shardSize) {
                units.add(new WorkUnit(units.size(), m, from, Math.min(problems, from + shardSize)));
            }
        }
        return units;
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}
