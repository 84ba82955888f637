package rlif.evaluator.compare;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import rlif.models.BadInputException;

/**
 * Turns the {@code --model} arguments of a multi-model run into the ordered list of models: a plain path is
 * one model; a glob ({@code 'run/checkpoints/step-*'}) is every directory it matches, in natural order (numbers
 * by value, so step-2 comes before step-10). The first model is the baseline of the paired differences.
 */
public final class ModelPatterns {
    /** A glob may walk at most this deep below its fixed prefix ({@code **}), so a typo cannot crawl a disk. */
    private static final int MAX_DEPTH = 16;

    private ModelPatterns() {}

    /** Whether an argument is a glob rather than a path. */
    public static boolean isGlob(String arg) {
        return arg.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
    }

    /** Whether these arguments ask for a multi-model run (more than one argument, or any glob). */
    public static boolean isMulti(List<String> args) {
        return args.size() > 1 || args.stream().anyMatch(ModelPatterns::isGlob);
    }

    /** The models, named uniquely by their last path components; a model given twice is an error. */
    public static List<ScoredModel> expand(List<String> args) {
        List<Path> dirs = new ArrayList<>();
        Set<Path> seen = new HashSet<>();
        for (String arg : args) {
            List<Path> matched = isGlob(arg) ? glob(arg) : List.of(Path.of(arg).toAbsolutePath().normalize());
            for (Path p : matched) {
                if (!seen.add(p)) {
                    throw new BadInputException("--model " + p + " is given twice");
                }
                dirs.add(p);
            }
        }
        return name(dirs.stream().map(Path::toString).toList());
    }

    private static List<Path> glob(String pattern) {
        String[] parts = pattern.split("/", -1);
        int fixed = 0;
        while (fixed < parts.length && !isGlob(parts[fixed])) {
            fixed++;
        }
        String prefix = String.join("/", java.util.Arrays.copyOfRange(parts, 0, fixed));
        Path base = (prefix.isEmpty() ? Path.of(pattern.startsWith("/") ? "/" : ".") : Path.of(prefix))
                .toAbsolutePath().normalize();
        String rest = String.join("/", java.util.Arrays.copyOfRange(parts, fixed, parts.length));
        int depth = rest.contains("**") ? MAX_DEPTH : parts.length - fixed;
        PathMatcher matcher;
        try {
            matcher = FileSystems.getDefault().getPathMatcher("glob:" + rest);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--model '" + pattern + "' is not a valid glob: " + e.getMessage());
        }
        List<Path> found = new ArrayList<>();
        if (Files.isDirectory(base)) {
            try (Stream<Path> walk = Files.walk(base, depth)) {
                walk.filter(p -> !p.equals(base) && Files.isDirectory(p) && matcher.matches(base.relativize(p)))
                        .forEach(found::add);
            } catch (IOException | UncheckedIOException e) {
                throw new BadInputException("--model '" + pattern + "': cannot list " + base + ": " + e.getMessage());
            }
        }
        if (found.isEmpty()) {
            throw new BadInputException("--model '" + pattern + "' matches no directory");
        }
        found.sort(Comparator.comparing(Path::toString, ModelPatterns::naturalCompare));
        return found;
    }

    /**
     * The models at {@code locations} (local paths or URIs, in order), each named by its last path component,
     * with parent names prepended only where names clash.
     */
    public static List<ScoredModel> name(List<String> locations) {
        List<List<String>> parts = new ArrayList<>();
        for (String l : locations) {
            parts.add(java.util.Arrays.stream(l.split("/")).filter(x -> !x.isEmpty()).toList());
        }
        int[] depth = new int[locations.size()];
        java.util.Arrays.fill(depth, 1);
        while (true) {
            Map<String, List<Integer>> byName = new LinkedHashMap<>();
            for (int i = 0; i < locations.size(); i++) {
                byName.computeIfAbsent(suffix(parts.get(i), depth[i]), k -> new ArrayList<>()).add(i);
            }
            boolean clash = false;
            for (List<Integer> same : byName.values()) {
                if (same.size() > 1) {
                    for (int i : same) {
                        if (depth[i] < parts.get(i).size()) {
                            depth[i]++;
                            clash = true;
                        }
                    }
                }
            }
            if (!clash) {
                List<ScoredModel> models = new ArrayList<>();
                for (int i = 0; i < locations.size(); i++) {
                    models.add(new ScoredModel(suffix(parts.get(i), depth[i]), locations.get(i)));
                }
                return models;
            }
        }
    }

    private static String suffix(List<String> parts, int components) {
        if (parts.isEmpty()) {
            return "root";
        }
        return String.join("-", parts.subList(Math.max(0, parts.size() - components), parts.size()));
    }

    /** Compares strings with their digit runs as numbers: "step-2" before "step-10". */
    public static int naturalCompare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char x = a.charAt(i);
            char y = b.charAt(j);
            if (Character.isDigit(x) && Character.isDigit(y)) {
                int i2 = i;
                int j2 = j;
                while (i2 < a.length() && Character.isDigit(a.charAt(i2))) {
                    i2++;
                }
                while (j2 < b.length() && Character.isDigit(b.charAt(j2))) {
                    j2++;
                }
                String da = a.substring(i, i2).replaceFirst("^0+(?=.)", "");
                String db = b.substring(j, j2).replaceFirst("^0+(?=.)", "");
                int c = da.length() != db.length() ? Integer.compare(da.length(), db.length()) : da.compareTo(db);
                if (c != 0) {
                    return c;
                }
                i = i2;
                j = j2;
            } else {
                if (x != y) {
                    return Character.compare(x, y);
                }
                i++;
                j++;
            }
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
