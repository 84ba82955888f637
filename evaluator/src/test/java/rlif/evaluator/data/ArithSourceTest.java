package rlif.evaluator.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import rlif.evaluator.grading.Grader;
import rlif.models.BadInputException;

class ArithSourceTest {
    private static List<Problem> problems(String spec) {
        List<Problem> all = new ArrayList<>();
        try (var p = ProblemSources.of(spec).open()) {
            p.forEachRemaining(all::add);
        }
        return all;
    }

    @Test
    void workedSolutionsAreCorrectStepByStepAndEndInTheAnswer() {
        for (int level = 1; level <= 5; level++) {
            ArithGenerator g = new ArithGenerator(ArithSpec.parse("arith:level=" + level + ",split=train"));
            for (int i = 0; i < 300; i++) {
                ArithProblem p = g.next();
                assertThat(p.answer()).as(p.expression()).isEqualTo(evaluate(p.expression()));
                String[] lines = p.solution().split("\n");
                assertThat(lines[lines.length - 1]).isEqualTo("#### " + p.answer());
                for (int j = 0; j < lines.length - 1; j++) {
                    // Every step line "a op b = r" is itself true.
                    String[] parts = lines[j].split(" = ");
                    assertThat(evaluate(parts[0])).as(lines[j]).isEqualTo(Long.parseLong(parts[1]));
                }
                assertThat(lines).hasSize(ArithSpec.parse("arith:level=" + level).steps() + 1);
                assertThat(Grader.grade(p.solution(), String.valueOf(p.answer())).correct()).isTrue();
                for (char c : (p.prompt() + p.solution()).toCharArray()) {
                    assertThat(ArithGenerator.ALPHABET).contains(String.valueOf(c));
                }
            }
        }
    }

    /** An independent evaluator (recursive descent) to check the generator's answers against. */
    private static long evaluate(String expr) {
        return new Object() {
            final String s = expr.replace(" ", "");
            int i;

            long sum() {
                long v = product();
                while (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                    char op = s.charAt(i++);
                    long r = product();
                    v = op == '+' ? v + r : v - r;
                }
                return v;
            }

            long product() {
                long v = atom();
                while (i < s.length() && s.charAt(i) == '*') {
                    i++;
                    v *= atom();
                }
                return v;
            }

            long atom() {
                if (s.charAt(i) == '(') {
                    i++;
                    long v = sum();
                    i++;
                    return v;
                }
                int start = i;
                if (s.charAt(i) == '-') {
                    i++;
                }
                while (i < s.length() && Character.isDigit(s.charAt(i))) {
                    i++;
                }
                return Long.parseLong(s.substring(start, i));
            }
        }.sum();
    }

    @Test
    void sameSpecGivesTheSameProblemsAndSeedsDiffer() {
        List<Problem> a = problems("arith:level=3,n=50,seed=4");
        List<Problem> b = problems("arith:level=3,n=50,seed=4");
        List<Problem> c = problems("arith:level=3,n=50,seed=5");
        assertThat(a).extracting(Problem::promptText).containsExactlyElementsOf(b.stream().map(Problem::promptText).toList());
        assertThat(a).extracting(Problem::promptText).isNotEqualTo(c.stream().map(Problem::promptText).toList());
        assertThat(a).hasSize(50);
        assertThat(a.get(7).id()).isEqualTo("arith-l3-test-7");
    }

    @Test
    void trainAndTestSplitsNeverSharePrompts() {
        for (int level = 1; level <= 5; level++) {
            Set<String> test = new HashSet<>();
            for (Problem p : problems("arith:split=test,n=400,level=" + level)) {
                test.add(p.promptText());
            }
            for (int seed = 0; seed < 3; seed++) {
                for (Problem p : problems("arith:split=train,n=1000,level=" + level + ",seed=" + seed)) {
                    assertThat(test).doesNotContain(p.promptText());
                }
            }
        }
    }

    @Test
    void drawingASplitKeepsTheSpecsLevelAndEqualsTheSpelledOutSpec() {
        SplitGenerator g = (SplitGenerator) ProblemSources.of("arith:level=3,steps=2");
        List<Problem> drawn = new ArrayList<>();
        try (var p = g.draw("train", 7, 11).open()) {
            p.forEachRemaining(drawn::add);
        }
        List<Problem> spelled = problems("arith:level=3,steps=2,split=train,n=7,seed=11");
        assertThat(drawn).hasSize(7);
        assertThat(drawn.stream().map(Problem::promptText).toList())
                .isEqualTo(spelled.stream().map(Problem::promptText).toList());
        assertThat(drawn.stream().map(Problem::solution).toList()).isEqualTo(spelled.stream().map(Problem::solution).toList());
    }

    @Test
    void levelsGrowInStepsOperandsAndOperators() {
        ArithSpec one = ArithSpec.parse("arith:level=1");
        ArithSpec five = ArithSpec.parse("arith:level=5");
        assertThat(one.steps()).isLessThan(five.steps());
        assertThat(one.maxOperand()).isLessThan(five.maxOperand());
        assertThat(five.ops()).contains("*");
        assertThat(ArithSpec.parse("arith:level=1,steps=3,ops=*").canonical())
                .isEqualTo("arith:level=1,split=test,n=500,seed=0,steps=3,max=9,ops=*,parens=false");
    }

    @Test
    void badSpecsAreBadInput() {
        for (String spec : List.of("arith:level=9", "arith:split=dev", "arith:n=0", "arith:ops=/", "arith:foo=1",
                "arith:level", "arith:seed=x")) {
            assertThatThrownBy(() -> ArithSpec.parse(spec)).as(spec).isInstanceOf(BadInputException.class)
                    .hasMessageStartingWith("--data arith:");
        }
    }
}
