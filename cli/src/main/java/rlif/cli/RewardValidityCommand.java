package rlif.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import rlif.evaluator.validity.RewardValidity;
import rlif.models.io.AtomicFiles;

/** {@code rlif reward-validity}: is an internal signal a valid reward on this model, before training on it? */
@Command(name = "reward-validity", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Measure each internal signal's validity as a reward on scored runs.",
        description = {"For each internal signal of each scored run (rlif score --samples K, K >= 2): its AUROC for",
            "correctness with a 95%% interval, the same within groups of one prompt (what GRPO compares), and the",
            "share of its within-group variance that the completion's token histogram explains (cross-validated)."})
public final class RewardValidityCommand implements Callable<Integer> {
    @Parameters(paramLabel = "SCORE_DIR", arity = "1..*", description = "rlif score --out directories (or rollouts.jsonl files)")
    List<Path> runs;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the numbers as JSON")
    Path json;

    @Override
    public Integer call() throws Exception {
        List<RewardValidity.Report> reports = new ArrayList<>();
        for (Path run : runs) {
            Path name = run.toAbsolutePath().normalize().getFileName();
            if (name.toString().equals("rollouts.jsonl")) {
                name = run.toAbsolutePath().normalize().getParent().getFileName();
            }
            reports.add(RewardValidity.of(name.toString(), run));
        }
        System.out.print(RewardValidity.table(reports));
        if (json != null) {
            ObjectMapper m = new ObjectMapper();
            ArrayNode arr = m.createArrayNode();
            reports.forEach(r -> arr.add(RewardValidity.toJson(r)));
            AtomicFiles.writeString(json, m.writerWithDefaultPrettyPrinter().writeValueAsString(
                    m.createObjectNode().set("runs", arr)) + "\n");
        }
        return 0;
    }
}
