package rlif.evaluator.data;

import java.util.NoSuchElementException;
import java.util.function.IntFunction;

/** One pass over a built-in generator: {@code count} problems, made one at a time by {@code make(index)}. */
final class GeneratedProblems implements ProblemSource.Problems {
    private final int count;
    private final IntFunction<Problem> make;
    private int index;

    GeneratedProblems(int count, IntFunction<Problem> make) {
        this.count = count;
        this.make = make;
    }

    @Override
    public boolean hasNext() {
        return index < count;
    }

    @Override
    public Problem next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return make.apply(index++);
    }

    @Override
    public void close() {}
}
