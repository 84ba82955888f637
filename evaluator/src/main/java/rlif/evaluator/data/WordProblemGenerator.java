package rlif.evaluator.data;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generates seeded multi-step arithmetic word problems in English with worked solutions: the corpus of the
 * project's word-level model organism (see {@code models/recipes/README.md}).
 *
 * <p>A story: a person has some items, then {@code steps} events add or take away a few, then the question asks
 * how many are left. Amounts start at {@value #MIN_START}-{@value #MAX_START}, each event moves
 * {@value #MIN_CHANGE}-{@value #MAX_CHANGE} items, and every intermediate amount stays in 1-{@value #MAX_AMOUNT}.
 *
 * <pre>
 * Mia has 14 marbles. She finds 9 more. Then she gives 6 to Ben. How many marbles does Mia have now?
 * </pre>
 *
 * The worked solution restates the start, writes one line per event with its arithmetic, then {@code #### answer}:
 *
 * <pre>
 * Mia has 14 marbles.
 * She finds 9, so 14 + 9 = 23.
 * She gives 6 to Ben, so 23 - 6 = 17.
 * #### 17
 * </pre>
 *
 * In the base style each event line slips with probability {@code slips}: its result is off by 1, 2 or 10, and
 * the next line is a transitional phrase that redoes the step correctly ("Wait, let me check: 14 + 9 = 23.",
 * "Hmm, that is not right. ...", "But 14 + 9 = 23, not 24.", "Wait, 14 + 9 is 23, not 24."); the story goes on
 * from the corrected amount. Every slip is caught. The instruct style never slips.
 *
 * <p>The split is a pure function of the story's arithmetic (start and signed changes, hashed), so the two splits
 * never share a prompt, nor even a chain of numbers; names, items and wording are drawn independently. Slips are
 * drawn from a second random stream, so both styles of one seed tell the same stories.
 */
public final class WordProblemGenerator {
    static final int MIN_START = 5;
    static final int MAX_START = 30;
    static final int MIN_CHANGE = 1;
    static final int MAX_CHANGE = 12;
    static final int MAX_AMOUNT = 60;
    /** Percentage of all arithmetic chains that belong to the test split. */
    static final int TEST_PERCENT = 20;

    /** A person of the stories and the pronouns that refer to them. */
    record Person(String name, String subject, String object) {}

    /**
     * One kind of event: its sentence in the story and its clause in the solution ({@code {S}} subject pronoun,
     * {@code {O}} object pronoun, {@code {F}} a friend, {@code {N}} the number), and whether it adds or takes away.
     */
    record Event(String story, String work, boolean adds) {}

    static final List<Person> PEOPLE = List.of(
            new Person("Mia", "she", "her"), new Person("Tom", "he", "him"), new Person("Ava", "she", "her"),
            new Person("Leo", "he", "him"), new Person("Zoe", "she", "her"), new Person("Sam", "he", "him"),
            new Person("Emma", "she", "her"), new Person("Ben", "he", "him"), new Person("Lily", "she", "her"),
            new Person("Max", "he", "him"), new Person("Nora", "she", "her"), new Person("Jack", "he", "him"),
            new Person("Ella", "she", "her"), new Person("Owen", "he", "him"), new Person("Ruby", "she", "her"),
            new Person("Finn", "he", "him"), new Person("Grace", "she", "her"), new Person("Liam", "he", "him"),
            new Person("Chloe", "she", "her"), new Person("Noah", "he", "him"), new Person("Hannah", "she", "her"),
            new Person("Ethan", "he", "him"), new Person("Sofia", "she", "her"), new Person("Lucas", "he", "him"),
            new Person("Isla", "she", "her"), new Person("Henry", "he", "him"), new Person("Alice", "she", "her"),
            new Person("Oscar", "he", "him"), new Person("Julia", "she", "her"), new Person("Adam", "he", "him"),
            new Person("Maya", "she", "her"), new Person("Hugo", "he", "him"), new Person("Rosa", "she", "her"),
            new Person("Ryan", "he", "him"), new Person("Clara", "she", "her"), new Person("David", "he", "him"),
            new Person("Leah", "she", "her"), new Person("Peter", "he", "him"), new Person("Anna", "she", "her"),
            new Person("Omar", "he", "him"), new Person("Ivy", "she", "her"), new Person("Felix", "he", "him"),
            new Person("Lucy", "she", "her"), new Person("Jonah", "he", "him"), new Person("Mila", "she", "her"),
            new Person("Caleb", "he", "him"), new Person("Stella", "she", "her"), new Person("Miles", "he", "him"),
            new Person("Violet", "she", "her"), new Person("Theo", "he", "him"), new Person("Hazel", "she", "her"),
            new Person("Victor", "he", "him"), new Person("Eva", "she", "her"), new Person("Simon", "he", "him"),
            new Person("Iris", "she", "her"), new Person("Arthur", "he", "him"), new Person("Jade", "she", "her"),
            new Person("Louis", "he", "him"), new Person("Naomi", "she", "her"), new Person("Kai", "he", "him"));
    static final List<String> ITEMS = List.of(
            "apples", "marbles", "stickers", "books", "pencils", "cookies", "shells", "cards", "coins", "stamps",
            "balloons", "crayons", "beads", "toys", "flowers", "eggs", "oranges", "candies", "buttons", "rocks",
            "feathers", "ribbons", "cupcakes", "erasers", "magnets", "bottles", "puzzles", "candles", "muffins",
            "peaches", "cherries", "lemons", "carrots", "pebbles", "tickets", "postcards", "keys", "badges", "kites",
            "blocks", "bananas", "pears", "plums", "grapes", "berries", "acorns", "leaves", "nails", "spoons", "cups",
            "plates", "socks", "hats", "gloves", "bracelets", "rings", "paintings", "drawings", "letters", "robots");
    static final List<Event> EVENTS = List.of(
            new Event("{S} finds {N} more.", "{S} finds {N}", true),
            new Event("{S} buys {N} more.", "{S} buys {N}", true),
            new Event("{F} gives {O} {N} more.", "{F} gives {O} {N}", true),
            new Event("{S} wins {N} more.", "{S} wins {N}", true),
            new Event("{S} picks up {N} more.", "{S} picks up {N}", true),
            new Event("{S} gets {N} more from {F}.", "{S} gets {N} from {F}", true),
            new Event("{S} makes {N} more.", "{S} makes {N}", true),
            new Event("{S} collects {N} more.", "{S} collects {N}", true),
            new Event("{S} receives {N} more.", "{S} receives {N}", true),
            new Event("{S} brings home {N} more.", "{S} brings home {N}", true),
            new Event("{S} gives {N} to {F}.", "{S} gives {N} to {F}", false),
            new Event("{S} loses {N}.", "{S} loses {N}", false),
            new Event("{S} sells {N}.", "{S} sells {N}", false),
            new Event("{S} gives away {N}.", "{S} gives away {N}", false),
            new Event("{F} takes {N}.", "{F} takes {N}", false),
            new Event("{S} drops {N}.", "{S} drops {N}", false),
            new Event("{S} breaks {N}.", "{S} breaks {N}", false),
            new Event("{S} uses {N}.", "{S} uses {N}", false),
            new Event("{S} shares {N} with {F}.", "{S} shares {N} with {F}", false),
            new Event("{S} throws away {N}.", "{S} throws away {N}", false));
    /** Colour and size words an item may carry (half the stories have none). */
    static final List<String> ADJECTIVES = List.of("red", "blue", "green", "yellow", "small", "big", "shiny", "old",
            "new", "tiny", "round", "striped", "wooden", "golden", "purple", "pink");
    /** Where an event happens (half the events do not say): words the story has and the solution leaves out. */
    static final List<String> PLACES = List.of("at the park", "at school", "at the market", "at the beach",
            "in the garden", "at the fair", "in the kitchen", "at the library", "in the attic", "at the zoo",
            "on the bus", "at the shop", "in the yard", "at the lake", "at the farm", "in the forest");
    static final List<String> OPENINGS = List.of("{P} has {A} {I}.", "{P} starts with {A} {I}.", "{P} owns {A} {I}.");
    static final List<String> CONNECTORS = List.of("Then ", "After that, ", "Later, ", "Next, ", "In the afternoon, ",
            "The next day, ", "On Monday, ", "After lunch, ");
    static final List<String> QUESTIONS = List.of("How many {I} does {P} have now?", "How many {I} does {P} have left?",
            "How many {I} does {P} have in the end?");
    /** Transitional phrases of a caught slip: {@code {A} {OP} {B}} is the step, {@code {R}} right, {@code {W}} wrong. */
    static final List<String> CHECKS = List.of(
            "Wait, let me check: {A} {OP} {B} = {R}.",
            "Hmm, that is not right. {A} {OP} {B} = {R}.",
            "But {A} {OP} {B} = {R}, not {W}.",
            "Wait, {A} {OP} {B} is {R}, not {W}.");
    private static final int[] SLIPS = {-10, -2, -1, 1, 2, 10};

    private final WordProblemSpec spec;
    private final Random stories;
    private final Random slips;

    public WordProblemGenerator(WordProblemSpec spec) {
        this.spec = spec;
        this.stories = new Random(spec.seed() * 1_000_003L + spec.steps());
        this.slips = new Random(spec.seed() * 998_244_353L + 17);
    }

    /** One problem: the story, its worked solution in the spec's style, and the answer. */
    public record WordProblem(String story, String solution, int answer) {
        /** The prompt a model sees: the story, then a new line. */
        public String prompt() {
            return story + "\n";
        }
    }

    /** The next problem of the spec's split. */
    public WordProblem next() {
        while (true) {
            int start = MIN_START + stories.nextInt(MAX_START - MIN_START + 1);
            int[] changes = new int[spec.steps()];
            int amount = start;
            for (int i = 0; i < changes.length; i++) {
                boolean add = amount - MIN_CHANGE < 1 ? true
                        : amount + MIN_CHANGE > MAX_AMOUNT ? false : stories.nextBoolean();
                int most = add ? Math.min(MAX_CHANGE, MAX_AMOUNT - amount) : Math.min(MAX_CHANGE, amount - 1);
                int n = MIN_CHANGE + stories.nextInt(most - MIN_CHANGE + 1);
                changes[i] = add ? n : -n;
                amount += changes[i];
            }
            // Wording is drawn for every chain, kept or not, so the stream does not depend on the split.
            Person who = PEOPLE.get(stories.nextInt(PEOPLE.size()));
            String items = ITEMS.get(stories.nextInt(ITEMS.size()));
            if (stories.nextBoolean()) {
                items = ADJECTIVES.get(stories.nextInt(ADJECTIVES.size())) + " " + items;
            }
            String opening = OPENINGS.get(stories.nextInt(OPENINGS.size()));
            String question = QUESTIONS.get(stories.nextInt(QUESTIONS.size()));
            List<Event> events = new ArrayList<>();
            List<Person> friends = new ArrayList<>();
            List<String> connectors = new ArrayList<>();
            List<String> places = new ArrayList<>();
            for (int change : changes) {
                List<Event> fitting = EVENTS.stream().filter(e -> e.adds() == change > 0).toList();
                events.add(fitting.get(stories.nextInt(fitting.size())));
                Person friend;
                do {
                    friend = PEOPLE.get(stories.nextInt(PEOPLE.size()));
                } while (friend.equals(who));
                friends.add(friend);
                connectors.add(CONNECTORS.get(stories.nextInt(CONNECTORS.size())));
                places.add(stories.nextBoolean() ? "" : " " + PLACES.get(stories.nextInt(PLACES.size())));
            }
            if (splitOf(chain(start, changes)).equals(spec.split())) {
                return write(start, changes, who, items, opening, question, events, friends, connectors, places);
            }
        }
    }

    /** The canonical text of an arithmetic chain, e.g. {@code 14 +9 -6}: what the split hashes. */
    static String chain(int start, int[] changes) {
        StringBuilder sb = new StringBuilder().append(start);
        for (int c : changes) {
            sb.append(c > 0 ? " +" : " -").append(Math.abs(c));
        }
        return sb.toString();
    }

    /** The split a chain belongs to, from a hash of its canonical text. */
    static String splitOf(String chain) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(("word-problems " + chain)
                    .getBytes(StandardCharsets.UTF_8));
            int bucket = Math.floorMod(((h[0] & 0xff) << 8) | (h[1] & 0xff), 100);
            return bucket < TEST_PERCENT ? "test" : "train";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private WordProblem write(int start, int[] changes, Person who, String items, String opening, String question,
            List<Event> events, List<Person> friends, List<String> connectors, List<String> places) {
        StringBuilder story = new StringBuilder(frame(opening, who, start, items));
        StringBuilder solution = new StringBuilder();
        solution.append(who.name()).append(" has ").append(start).append(' ').append(items).append(".\n");
        int amount = start;
        for (int i = 0; i < changes.length; i++) {
            Event e = events.get(i);
            int n = Math.abs(changes[i]);
            String sentence = fill(e.story(), who, friends.get(i), n).replaceFirst("\\.$", places.get(i) + ".");
            story.append(' ').append(i == 0 ? capitalise(sentence) : connectors.get(i) + sentence);
            int result = amount + changes[i];
            String op = changes[i] > 0 ? "+" : "-";
            String clause = capitalise(fill(e.work(), who, friends.get(i), n)) + ", so " + amount + " " + op + " " + n
                    + " = ";
            if (spec.style() == WordProblemSpec.Style.BASE && slips.nextDouble() < spec.slips()) {
                int wrong = slip(result);
                String check = CHECKS.get(slips.nextInt(CHECKS.size())).replace("{A}", String.valueOf(amount))
                        .replace("{OP}", op).replace("{B}", String.valueOf(n)).replace("{R}", String.valueOf(result))
                        .replace("{W}", String.valueOf(wrong));
                solution.append(clause).append(wrong).append(".\n").append(check).append('\n');
            } else {
                solution.append(clause).append(result).append(".\n");
            }
            amount = result;
        }
        story.append(' ').append(frame(question, who, start, items));
        solution.append("#### ").append(amount);
        return new WordProblem(story.toString(), solution.toString(), amount);
    }

    /** A wrong result near the right one: off by 1, 2 or 10, never negative. */
    private int slip(int result) {
        List<Integer> options = new ArrayList<>();
        for (int d : SLIPS) {
            if (result + d >= 0) {
                options.add(result + d);
            }
        }
        return options.get(slips.nextInt(options.size()));
    }

    private static String frame(String template, Person who, int start, String items) {
        return template.replace("{P}", who.name()).replace("{A}", String.valueOf(start)).replace("{I}", items);
    }

    private static String fill(String template, Person who, Person friend, int n) {
        return template.replace("{S}", who.subject()).replace("{O}", who.object()).replace("{F}", friend.name())
                .replace("{N}", String.valueOf(n));
    }

    private static String capitalise(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
