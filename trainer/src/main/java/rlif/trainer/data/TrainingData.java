package rlif.trainer.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import rlif.evaluator.data.Problem;
import rlif.evaluator.data.ProblemSource;
import rlif.evaluator.data.ProblemSources;
import rlif.evaluator.data.SplitGenerator;
import rlif.models.BadInputException;
import rlif.trainer.config.TrainConfig;

/**
 * The problems of a run: a fresh draw of training problems for every batch, a pure function of (seed, draw) so a
 * resumed run draws what an uninterrupted one would, and a fixed held-out set that never shares a prompt with
 * the training problems.
 *
 * <p>A generator ({@link SplitGenerator}) keeps its own split: training draws from its train split, held-out
 * problems from its test split. A file's rows are split by a seeded hash of their id ({@link HashSplit}) unless
 * {@code data.eval_source} names the held-out set, and training rows whose prompt is also a held-out prompt are
 * dropped either way. Training takes a file's rows in a fresh seeded order every epoch.
 */
public final class TrainingData {
    /** The seed of the held-out draw from a generator: fixed, so every run and step evaluates the same problems. */
    static final long EVAL_SEED = 20251128L;

    /** Training problems for draw number {@code index} (1-based). */
    private interface Draws {
        List<Problem> draw(long index, int n);
    }

    private final Draws train;
    private final List<Problem> trainRows;
    private final List<Problem> heldOut;
    private final Map<String, Object> description;
    private final String trainWhere;

    private TrainingData(Draws train, List<Problem> trainRows, List<Problem> heldOut, Map<String, Object> description,
            String trainWhere) {
        this.train = train;
        this.trainRows = trainRows;
        this.heldOut = heldOut;
        this.description = description;
        this.trainWhere = trainWhere;
    }

    /** Opens the run's data: reads files, splits them, checks there is something on both sides. */
    public static TrainingData open(TrainConfig cfg) {
        TrainConfig.Data d = cfg.data();
        String trainWhere = cfg.where("data.source");
        ProblemSource trainSource = ProblemSources.of(d.source());
        String evalSpec = d.evalSource() != null && !d.evalSource().equals(d.source()) ? d.evalSource() : null;
        ProblemSource evalSource = evalSpec == null ? null : ProblemSources.of(evalSpec);
        Map<String, Object> desc = new LinkedHashMap<>();
        desc.put("source", trainSource.describe());
        int limit = cfg.eval().limit();

        List<Problem> heldOutAll;
        if (evalSource instanceof SplitGenerator g) {
            heldOutAll = read(g.draw("test", limit, EVAL_SEED), cfg.where("data.eval_source"));
            desc.put("held_out", "the test split of " + evalSource.describe());
        } else if (evalSource != null) {
            heldOutAll = read(evalSource, cfg.where("data.eval_source"));
            desc.put("held_out", "every row of " + evalSource.describe());
        } else if (trainSource instanceof SplitGenerator g) {
            heldOutAll = read(g.draw("test", limit, EVAL_SEED), trainWhere);
            desc.put("held_out", "the test split of " + trainSource.describe());
        } else {
            heldOutAll = null; // split off the training file below
        }

        Draws train;
        List<Problem> trainRows = null;
        if (trainSource instanceof SplitGenerator g) {
            train = (index, n) -> read(g.draw("train", n, stepSeed(cfg.seed(), index)), trainWhere);
            desc.put("train", "fresh problems of the train split for every batch");
        } else {
            List<Problem> rows = read(trainSource, trainWhere);
            if (heldOutAll == null) {
                HashSplit split = new HashSplit(d.splitSeed(), d.evalFraction());
                heldOutAll = new ArrayList<>();
                List<Problem> kept = new ArrayList<>();
                for (Problem p : rows) {
                    (split.heldOut(p.id()) ? heldOutAll : kept).add(p);
                }
                rows = kept;
                desc.put("held_out", "rows of the source split by id");
                desc.put("split", split.describe());
                desc.put("split_seed", d.splitSeed());
                desc.put("eval_fraction", d.evalFraction());
                desc.put("held_out_rows", heldOutAll.size());
            }
            Set<String> heldOutPrompts = new HashSet<>();
            heldOutAll.forEach(p -> heldOutPrompts.add(promptKey(p)));
            int before = rows.size();
            rows = rows.stream().filter(p -> !heldOutPrompts.contains(promptKey(p))).toList();
            desc.put("train_rows", rows.size());
            desc.put("train_rows_dropped_as_held_out_prompts", before - rows.size());
            desc.put("train", "the train rows in a fresh order every epoch (seed " + cfg.seed() + ")");
            if (rows.isEmpty()) {
                throw new BadInputException(trainWhere + ": no training rows left in " + trainSource.describe()
                        + " after holding out " + heldOutAll.size() + " (lower data.eval_fraction, or give"
                        + " data.eval_source)");
            }
            trainRows = List.copyOf(rows);
            train = new Epochs(trainRows, cfg.seed());
        }
        if (heldOutAll.isEmpty()) {
            throw new BadInputException(cfg.where(evalSpec != null ? "data.eval_source" : "data.eval_fraction")
                    + ": the held-out set is empty (raise data.eval_fraction, or give data.eval_source)");
        }
        List<Problem> heldOut = List.copyOf(heldOutAll.subList(0, Math.min(limit, heldOutAll.size())));
        desc.put("held_out_evaluated", heldOut.size());
        return new TrainingData(train, trainRows, heldOut, desc, trainWhere);
    }

    /** Training problems for batch number {@code index} (1-based): a pure function of the run's seed and {@code index}. */
    public List<Problem> train(long index, int n) {
        return train.draw(index, n);
    }

    /** The held-out problems evaluated every {@code eval_steps} (at most {@code eval.limit}, in source order). */
    public List<Problem> heldOut() {
        return heldOut;
    }

    /** What run.json states about the data and its split. */
    public Map<String, Object> describe() {
        return description;
    }

    /**
     * Refuses a source whose training problems lack what the run needs (a reference answer for a verifiable
     * reward, a worked solution for SFT), naming the first such row and the setting that needs it. A generator
     * is checked on its first batch.
     */
    public void require(String what, java.util.function.Predicate<Problem> has, String neededBy, int firstBatch) {
        List<Problem> rows = trainRows != null ? trainRows : train.draw(1, firstBatch);
        for (Problem p : rows) {
            if (!has.test(p)) {
                throw new BadInputException(trainWhere + ": " + p.where() + " has no " + what + ", which " + neededBy
                        + " needs");
            }
        }
    }

    /** The same requirement for the held-out problems (SFT's held-out loss needs their solutions). */
    public void requireHeldOut(String what, java.util.function.Predicate<Problem> has, String where, String neededBy) {
        for (Problem p : heldOut) {
            if (!has.test(p)) {
                throw new BadInputException(where + ": " + p.where() + " has no " + what + ", which " + neededBy
                        + " needs");
            }
        }
    }

    /** The seed of batch {@code index}'s problems (and rollouts), mixed so nearby batches are unrelated. */
    public static long stepSeed(long runSeed, long index) {
        long z = runSeed * 0x9E3779B97F4A7C15L + index * 0xBF58476D1CE4E5B9L + 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (z ^ (z >>> 31)) & Long.MAX_VALUE;
    }

    /** What makes two prompts the same prompt: their text, or their ids. */
    private static String promptKey(Problem p) {
        return p.hasText() ? "text:" + p.promptText() : "ids:" + Arrays.toString(p.promptIds());
    }

    private static List<Problem> read(ProblemSource source, String where) {
        List<Problem> out = new ArrayList<>();
        try (ProblemSource.Problems it = source.open()) {
            it.forEachRemaining(out::add);
        } catch (BadInputException e) {
            throw new BadInputException(where + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** A file's training rows, a fresh seeded permutation each epoch, consumed {@code n} at a time. */
    private static final class Epochs implements Draws {
        private final List<Problem> rows;
        private final long seed;
        private long cachedEpoch = -1;
        private int[] cached;

        Epochs(List<Problem> rows, long seed) {
            this.rows = rows;
            this.seed = seed;
        }

        @Override
        public List<Problem> draw(long index, int n) {
            List<Problem> out = new ArrayList<>(n);
            long first = (index - 1) * n;
            for (long i = first; i < first + n; i++) {
                out.add(rows.get(permutation(i / rows.size())[(int) (i % rows.size())]));
            }
            return out;
        }

        private int[] permutation(long epoch) {
            if (epoch != cachedEpoch) {
                int[] p = new int[rows.size()];
                for (int i = 0; i < p.length; i++) {
                    p[i] = i;
                }
                Random rnd = new Random(stepSeed(seed, -1 - epoch));
                for (int i = p.length - 1; i > 0; i--) {
                    int j = rnd.nextInt(i + 1);
                    int t = p[i];
                    p[i] = p[j];
                    p[j] = t;
                }
                cached = p;
                cachedEpoch = epoch;
            }
            return cached;
        }
    }
}
