package rlif.evaluator.data;

/**
 * The built-in {@code word-problems} data set as a {@link ProblemSource}: {@code n} English word problems of one
 * split, with worked solutions in the spec's style (the SFT targets of the word-level model organism).
 */
public final class WordProblemSource implements ProblemSource, SplitGenerator {
    private final WordProblemSpec spec;

    public WordProblemSource(WordProblemSpec spec) {
        this.spec = spec;
    }

    @Override
    public ProblemSource draw(String split, int n, long seed) {
        return new WordProblemSource(new WordProblemSpec(spec.style(), spec.slips(), spec.steps(), split, n, seed));
    }

    @Override
    public String describe() {
        return spec.canonical();
    }

    @Override
    public Problems open() {
        WordProblemGenerator generator = new WordProblemGenerator(spec);
        return new GeneratedProblems(spec.count(), i -> {
            WordProblemGenerator.WordProblem p = generator.next();
            String id = WordProblemSpec.NAME + "-" + spec.split() + "-" + i;
            return new Problem(i, id, p.prompt(), null, String.valueOf(p.answer()), p.solution(),
                    WordProblemSpec.NAME + " problem " + i);
        });
    }
}
