package rlif.evaluator.data;

import java.util.NoSuchElementException;

/** The built-in {@code arith} data set as a {@link ProblemSource}: {@code n} problems of one level and split. */
public final class ArithSource implements ProblemSource, SplitGenerator {
    private final ArithSpec spec;

    public ArithSource(ArithSpec spec) {
        this.spec = spec;
    }

    @Override
    public ProblemSource draw(String split, int n, long seed) {
        return new ArithSource(new ArithSpec(spec.level(), split, n, seed, spec.steps(), spec.maxOperand(), spec.ops(),
                spec.parens()));
    }

    @Override
    public String describe() {
        return spec.canonical();
    }

    @Override
    public Problems open() {
        ArithGenerator generator = new ArithGenerator(spec);
        return new Problems() {
            private int index;

            @Override
            public boolean hasNext() {
                return index < spec.count();
            }

            @Override
            public Problem next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                ArithProblem p = generator.next();
                int i = index++;
                String id = "arith-l" + spec.level() + "-" + spec.split() + "-" + i;
                return new Problem(i, id, p.prompt(), null, String.valueOf(p.answer()), p.solution(), "arith problem " + i);
            }

            @Override
            public void close() {}
        };
    }
}
