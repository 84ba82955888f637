package rlif.spark;

import java.util.Iterator;
import java.util.List;
import rlif.evaluator.data.Problem;
import rlif.evaluator.data.ProblemSource;

/** The problems the driver read (and broadcast), as a source the score engine reads again on every pass. */
final class ListedProblems implements ProblemSource {
    private final List<Problem> problems;

    ListedProblems(List<Problem> problems) {
        this.problems = problems;
    }

    @Override
    public Problems open() {
        Iterator<Problem> it = problems.iterator();
        return new Problems() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public Problem next() {
                return it.next();
            }

            @Override
            public void close() {}
        };
    }

    @Override
    public String describe() {
        return "the problems read by the driver";
    }
}
