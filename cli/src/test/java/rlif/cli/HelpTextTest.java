package rlif.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.IllegalFormatException;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/** picocli formats every help line with String.format: a bare '%' prints a WARN and the raw line instead. */
class HelpTextTest {

    @Test
    void everyCommandsHelpLinesAreValidFormatStrings() {
        List<String> broken = new ArrayList<>();
        check(new CommandLine(new Rlif()).getCommandSpec(), broken);
        assertThat(broken).isEmpty();
    }

    private static void check(CommandSpec spec, List<String> broken) {
        List<String> lines = new ArrayList<>(List.of(spec.usageMessage().description()));
        lines.addAll(List.of(spec.usageMessage().header()));
        lines.addAll(List.of(spec.usageMessage().footer()));
        for (OptionSpec o : spec.options()) {
            lines.addAll(List.of(o.description()));
        }
        for (PositionalParamSpec p : spec.positionalParameters()) {
            lines.addAll(List.of(p.description()));
        }
        for (String line : lines) {
            try {
                String.format(Locale.ROOT, line.replace("${DEFAULT-VALUE}", "").replace("${COMPLETION-CANDIDATES}", ""));
            } catch (IllegalFormatException e) {
                broken.add(spec.qualifiedName() + ": " + line);
            }
        }
        spec.subcommands().values().forEach(sub -> check(sub.getCommandSpec(), broken));
    }
}
