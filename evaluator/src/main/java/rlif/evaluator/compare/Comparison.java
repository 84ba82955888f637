package rlif.evaluator.compare;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import rlif.evaluator.metrics.ClusteredEstimate;
import rlif.evaluator.report.Signal;

/**
 * {@code comparison.json}: every model's metrics with standard errors and 95% intervals clustered by problem,
 * and each model's paired difference from the first model (the baseline), which scored the same problems with
 * the same seeds.
 */
public final class Comparison {
    /** One scored model and its estimates. */
    public record Entry(ScoredModel model, ModelEstimates estimates) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectNode settings;
    private final int samples;
    private final List<Entry> entries = new ArrayList<>();

    /** {@code settings}: what every model was scored with (the score settings without the model). */
    public Comparison(ObjectNode settings, int samples) {
        this.settings = settings;
        this.samples = samples;
    }

    public void add(ScoredModel model, ModelEstimates estimates) {
        entries.add(new Entry(model, estimates));
    }

    public List<Entry> entries() {
        return entries;
    }

    public Entry baseline() {
        return entries.get(0);
    }

    public ObjectNode toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("baseline", baseline().model().name());
        o.put("samples", samples);
        o.put("problems", baseline().estimates().numTokens().problems());
        o.put("intervals", "95% normal intervals; standard errors clustered by problem; differences paired by problem"
                + " against the baseline (docs/scale.md)");
        o.set("settings", settings);
        ArrayNode models = o.putArray("models");
        ModelEstimates base = baseline().estimates();
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            ObjectNode m = models.addObject();
            m.put("name", e.model().name());
            m.put("path", e.model().dir().toString());
            if (e.model().step().isPresent()) {
                m.put("step", e.model().step().getAsInt());
            } else {
                m.putNull("step");
            }
            m.put("rollouts", e.estimates().rollouts());
            m.put("graded", e.estimates().graded());
            metrics(m, e.estimates(), null);
            if (i == 0) {
                m.putNull("paired_difference");
            } else {
                metrics(m.putObject("paired_difference"), e.estimates(), base);
            }
        }
        return o;
    }

    /** The estimates of {@code e}, or with a {@code baseline} their paired differences from it. */
    private static void metrics(ObjectNode o, ModelEstimates e, ModelEstimates baseline) {
        boolean diff = baseline != null;
        double share = diff ? -1 : 0; // the lower end of a share's range (accuracy, pass@k, AUROC)
        double inf = Double.POSITIVE_INFINITY;
        put(o, "accuracy", paired(e.accuracy(), diff ? baseline.accuracy() : null), share, 1);
        ObjectNode pass = o.putObject("pass_at_k");
        ObjectNode maj = o.putObject("maj_at_k");
        for (int k : e.passAtK().keySet()) {
            put(pass, String.valueOf(k), paired(e.passAtK().get(k), diff ? baseline.passAtK().getOrDefault(k, ClusteredEstimate.undefined()) : null), share, 1);
            put(maj, String.valueOf(k), paired(e.majAtK().get(k), diff ? baseline.majAtK().getOrDefault(k, ClusteredEstimate.undefined()) : null), share, 1);
        }
        put(o, "num_tokens", paired(e.numTokens(), diff ? baseline.numTokens() : null), diff ? -inf : 0, inf);
        ObjectNode signals = o.putObject("signals");
        for (Signal s : Signal.values()) {
            ObjectNode n = signals.putObject(s.json());
            put(n, "mean", paired(e.signalMean().get(s), diff ? baseline.signalMean().get(s) : null), -inf, inf);
            put(n, "auroc", paired(e.signalAuroc().get(s), diff ? baseline.signalAuroc().get(s) : null), share, 1);
        }
    }

    /** {@code x}, or {@code x - baseline} paired by problem; undefined when the baseline lacks that metric. */
    private static ClusteredEstimate paired(ClusteredEstimate x, ClusteredEstimate baseline) {
        return baseline == null ? x : x.minus(baseline);
    }

    /** {@code {"value", "se", "ci95": [lo, hi], "problems"}}; undefined numbers are null. */
    static void put(ObjectNode o, String field, ClusteredEstimate est, double min, double max) {
        ObjectNode n = o.putObject(field);
        number(n, "value", est.value());
        number(n, "se", est.standardError());
        double[] ci = min == 0 && max == 1 ? est.shareInterval95() : est.interval95(min, max);
        ArrayNode a = n.putArray("ci95");
        for (double v : ci) {
            if (Double.isFinite(v)) {
                a.add(v);
            } else {
                a.addNull();
            }
        }
        n.put("problems", est.problems());
    }

    private static void number(ObjectNode o, String field, double v) {
        if (Double.isFinite(v)) {
            o.put(field, v);
        } else {
            o.putNull(field);
        }
    }
}
