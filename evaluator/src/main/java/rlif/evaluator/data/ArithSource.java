package rlif.evaluator.data;

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
        return new GeneratedProblems(spec.count(), i -> {
            ArithProblem p = generator.next();
            String id = "arith-l" + spec.level() + "-" + spec.split() + "-" + i;
            return new Problem(i, id, p.prompt(), null, String.valueOf(p.answer()), p.solution(), "arith problem " + i);
        });
    }
}
