package rlif.evaluator.compare;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import rlif.evaluator.metrics.Interval;
import rlif.evaluator.report.RolloutRow;
import rlif.evaluator.report.Signal;

/**
 * {@code comparison.json}: every model's metrics with standard errors and 95% intervals clustered by problem,
 * and each model's paired difference from the first model (the baseline), which scored the same problems with
 * the same seeds. Models are added in order; only the baseline's rows are kept.
 */
public final class Comparison {
    /** One scored model, its estimates, and its differences from the baseline (null for the baseline). */
    public record Entry(ScoredModel model, ModelEstimates estimates, MetricIntervals difference) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final int samples;
    private final List<Entry> entries = new ArrayList<>();
    private List<RolloutRow> baselineRows;

    public Comparison(int samples) {
        this.samples = samples;
    }

    /** Adds the next model's rows; the first model added is the baseline. */
    public void add(ScoredModel model, List<RolloutRow> rows) {
        ModelEstimates estimates = ModelEstimates.of(rows, samples);
        if (baselineRows == null) {
            baselineRows = rows;
            entries.add(new Entry(model, estimates, null));
        } else {
            entries.add(new Entry(model, estimates, PairedDifferences.of(rows, baselineRows, samples)));
        }
    }

    public List<Entry> entries() {
        return entries;
    }

    /** {@code settings}: what every model was scored with (the score settings without the model). */
    public ObjectNode toJson(ObjectNode settings) {
        ObjectNode o = JSON.createObjectNode();
        o.put("baseline", entries.get(0).model().name());
        o.put("samples", samples);
        o.put("problems", entries.get(0).estimates().problems());
        ObjectNode how = o.putObject("intervals");
        how.put("level", 0.95);
        how.put("unit", "problem");
        how.put("models", "accuracy, pass@k, maj@k and AUROC as in each summary.json; means of signals and of"
                + " num_tokens over rollouts with the standard error clustered by problem and a normal interval");
        how.put("paired_difference", "this model minus the baseline: the mean over problems of each problem's"
                + " difference, normal interval; AUROC by the difference of clustered DeLong influences (docs/scale.md)");
        o.set("settings", settings);
        ArrayNode models = o.putArray("models");
        for (Entry e : entries) {
            ObjectNode m = models.addObject();
            m.put("name", e.model().name());
            m.put("path", e.model().location());
            if (e.model().step().isPresent()) {
                m.put("step", e.model().step().getAsInt());
            } else {
                m.putNull("step");
            }
            m.put("rollouts", e.estimates().rollouts());
            m.put("graded", e.estimates().graded());
            metrics(m, e.estimates().metrics());
            if (e.difference() == null) {
                m.putNull("paired_difference");
            } else {
                metrics(m.putObject("paired_difference"), e.difference());
            }
        }
        return o;
    }

    private static void metrics(ObjectNode o, MetricIntervals m) {
        put(o, "accuracy", m.accuracy());
        ObjectNode pass = o.putObject("pass_at_k");
        m.passAtK().forEach((k, i) -> put(pass, String.valueOf(k), i));
        ObjectNode maj = o.putObject("maj_at_k");
        m.majAtK().forEach((k, i) -> put(maj, String.valueOf(k), i));
        put(o, "num_tokens", m.numTokens());
        ObjectNode signals = o.putObject("signals");
        for (Signal s : Signal.values()) {
            ObjectNode n = signals.putObject(s.json());
            put(n, "mean", m.signalMean().get(s));
            put(n, "auroc", m.signalAuroc().get(s));
        }
    }

    /** {@code {"estimate", "stderr", "ci95": [low, high]}}; what is undefined is null. */
    static void put(ObjectNode o, String field, Interval i) {
        ObjectNode n = o.putObject(field);
        number(n, "estimate", i.estimate());
        number(n, "stderr", i.stderr());
        if (i.isDefined()) {
            n.putArray("ci95").add(i.low()).add(i.high());
        } else {
            n.putNull("ci95");
        }
    }

    private static void number(ObjectNode o, String field, double v) {
        if (Double.isFinite(v)) {
            o.put(field, v);
        } else {
            o.putNull(field);
        }
    }
}
