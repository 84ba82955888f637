package rlif.evaluator.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import rlif.evaluator.grading.AnswerExtractor;
import rlif.evaluator.grading.Grader;
import rlif.models.BadInputException;

class WordProblemSourceTest {
    private static final Pattern STEP = Pattern.compile(", so (\\d+) ([+-]) (\\d+) = (\\d+)\\.$");
    private static final Pattern NUMBER = Pattern.compile("\\d+");

    private static List<Problem> problems(String spec) {
        List<Problem> all = new ArrayList<>();
        try (var p = ProblemSources.of(spec).open()) {
            p.forEachRemaining(all::add);
        }
        return all;
    }

    /**
     * An independent reading of a story: the first number is the start, then each sentence's number is added or
     * taken away by the meaning of its verb. Checks the generator's answer without its own arithmetic.
     */
    private static List<Integer> readStory(String story) {
        String[] sentences = story.trim().split("(?<=[.?]) ");
        List<Integer> chain = new ArrayList<>();
        chain.add(Integer.parseInt(first(sentences[0])));
        for (int i = 1; i < sentences.length - 1; i++) {
            String s = sentences[i];
            int n = Integer.parseInt(first(s));
            boolean takes = s.matches(".* (loses|sells|gives away|takes|drops|breaks|uses|throws away) \\d+[ .].*")
                    || s.matches(".* (gives \\d+ to|shares \\d+ with) [A-Z][a-z]+[ .].*");
            boolean adds = s.matches(".* \\d+ more[ .].*");
            assertThat(takes ^ adds).as("exactly one reading of '%s'", s).isTrue();
            chain.add(adds ? n : -n);
        }
        assertThat(sentences[sentences.length - 1]).matches("How many ([a-z]+ )?[a-z]+ does [A-Z][a-z]+ have (now|left|in the end)\\?");
        return chain;
    }

    private static String first(String s) {
        Matcher m = NUMBER.matcher(s);
        assertThat(m.find()).as("a number in '%s'", s).isTrue();
        return m.group();
    }

    @Test
    void storiesMeanWhatTheirAnswerSaysAndSolutionsGradeCorrect() {
        for (String style : List.of("base", "instruct")) {
            for (int steps = 1; steps <= 4; steps++) {
                for (Problem p : problems("word-problems:style=" + style + ",split=train,n=300,steps=" + steps)) {
                    int sum = readStory(p.promptText()).stream().mapToInt(Integer::intValue).sum();
                    assertThat(sum).as(p.promptText()).isEqualTo(Integer.parseInt(p.reference()));
                    assertThat(Grader.grade(p.solution(), p.reference()).correct()).as(p.solution()).isTrue();
                    assertThat(AnswerExtractor.reference(p.solution())).isEqualTo(p.reference());
                    assertThat(p.promptText()).endsWith("?\n");
                }
            }
        }
    }

    @Test
    void everyStepIsRightOrSlipsAndIsCorrectedOnTheNextLine() {
        for (Problem p : problems("word-problems:style=base,split=train,n=500,steps=3,slips=0.5")) {
            String[] lines = p.solution().split("\n");
            int amount = Integer.parseInt(first(lines[0]));
            int events = 0;
            for (int j = 1; j < lines.length - 1; j++) {
                Matcher m = STEP.matcher(lines[j]);
                assertThat(m.find()).as("an event line: %s", lines[j]).isTrue();
                events++;
                int a = Integer.parseInt(m.group(1));
                int b = Integer.parseInt(m.group(3));
                int right = m.group(2).equals("+") ? a + b : a - b;
                assertThat(a).as("each step starts from the corrected amount").isEqualTo(amount);
                int written = Integer.parseInt(m.group(4));
                if (written != right) {
                    String check = lines[++j];
                    assertThat(check).as("a slip is followed by its correction")
                            .matches("(Wait|Hmm|But).*")
                            .contains(a + " " + m.group(2) + " " + b)
                            .contains(String.valueOf(right));
                    assertThat(Math.abs(written - right)).isIn(1, 2, 10);
                }
                amount = right;
            }
            assertThat(events).isEqualTo(3);
            assertThat(lines[lines.length - 1]).isEqualTo("#### " + amount);
        }
    }

    @Test
    void baseSlipsAtTheStatedRateAndInstructNever() {
        int steps = 0;
        int slipped = 0;
        for (Problem p : problems("word-problems:style=base,split=train,n=2000,steps=2")) {
            steps += 2;
            slipped += (int) p.solution().lines().filter(l -> l.matches("(Wait|Hmm|But) .*|(Wait|Hmm|But),.*")).count();
        }
        // 4000 Bernoulli(0.2) steps: standard error 0.0063; four of them is a band this fixed seed never leaves by chance
        assertThat((double) slipped / steps).isCloseTo(WordProblemSpec.DEFAULT_SLIPS, org.assertj.core.data.Offset.offset(0.025));
        for (Problem p : problems("word-problems:style=instruct,split=train,n=1000,steps=3")) {
            assertThat(p.solution()).doesNotContainIgnoringCase("wait").doesNotContainIgnoringCase("hmm")
                    .doesNotContain("But");
        }
    }

    @Test
    void bothStylesTellTheSameStories() {
        List<Problem> base = problems("word-problems:style=base,n=200,seed=4");
        List<Problem> instruct = problems("word-problems:style=instruct,n=200,seed=4");
        for (int i = 0; i < base.size(); i++) {
            assertThat(instruct.get(i).promptText()).isEqualTo(base.get(i).promptText());
            assertThat(instruct.get(i).reference()).isEqualTo(base.get(i).reference());
        }
        assertThat(problems("word-problems:n=50,seed=4")).isEqualTo(problems("word-problems:n=50,seed=4"));
    }

    @Test
    void trainAndTestSplitsNeverShareAChainOfNumbers() {
        Set<String> test = new HashSet<>();
        for (Problem p : problems("word-problems:split=test,n=1000")) {
            test.add(readStory(p.promptText()).toString());
        }
        // 1000 draws from the ~3000 test chains of two steps: about 850 distinct
        assertThat(test.size()).as("distinct test chains").isGreaterThan(750);
        for (int seed = 0; seed < 3; seed++) {
            for (Problem p : problems("word-problems:split=train,n=3000,seed=" + seed)) {
                assertThat(test).doesNotContain(readStory(p.promptText()).toString());
            }
        }
    }

    @Test
    void specsHaveACanonicalSpellingAndBadOnesAreBadInput() {
        assertThat(ProblemSources.of("word-problems").describe())
                .isEqualTo("word-problems:style=base,slips=0.2,steps=2,split=test,n=500,seed=0");
        assertThat(ProblemSources.of("word-problems:style=instruct,steps=3").describe())
                .isEqualTo("word-problems:style=instruct,slips=0.0,steps=3,split=test,n=500,seed=0");
        for (String spec : List.of("word-problems:style=chat", "word-problems:slips=1", "word-problems:steps=5",
                "word-problems:split=dev", "word-problems:n=0", "word-problems:foo=1", "word-problems:steps",
                "word-problems:slips=x", "word-problems:style=instruct,slips=0.1")) {
            assertThatThrownBy(() -> ProblemSources.of(spec)).as(spec).isInstanceOf(BadInputException.class)
                    .hasMessageStartingWith("--data word-problems:");
        }
    }
}
