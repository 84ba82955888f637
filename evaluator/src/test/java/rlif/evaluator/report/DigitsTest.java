package rlif.evaluator.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import rlif.evaluator.metrics.Interval;

class DigitsTest {
    @Test
    void fourSignificantDigitsInPlainNotationWhereThatStaysShort() {
        assertThat(Digits.of(0.07212501233097192)).isEqualTo("0.07213");
        assertThat(Digits.of(3.205e-3)).isEqualTo("0.003205");
        assertThat(Digits.of(10.370295)).isEqualTo("10.37");
        assertThat(Digits.of(-330.0907)).isEqualTo("-330.1");
        assertThat(Digits.of(6417.2003)).isEqualTo("6417");
        assertThat(Digits.of(0.5)).isEqualTo("0.5");
        assertThat(Digits.of(0)).isEqualTo("0");
        assertThat(Digits.of(3.693e-6)).isEqualTo("3.693e-6");
        assertThat(Digits.of(-1.25e-7)).isEqualTo("-1.25e-7");
        assertThat(Digits.of(Double.NaN)).isEqualTo("n/a");
    }

    @Test
    void intervalsAndJsonValues() throws Exception {
        assertThat(Digits.withInterval(new Interval(0.453125, 0.0416, 0.37412, 0.53534))).isEqualTo("0.4531 [0.374, 0.535]");
        assertThat(Digits.withInterval(Interval.undefined(0.25))).isEqualTo("0.25");
        var json = new ObjectMapper().readTree("{\"a\": 0.640625, \"ci\": [0.5159, 0.74512], \"n\": 256, \"z\": null}");
        assertThat(Digits.withInterval(json.get("a"), json.get("ci"))).isEqualTo("0.6406 [0.516, 0.745]");
        assertThat(Digits.of(json.get("n"))).isEqualTo("256");
        assertThat(Digits.of(json.get("z"))).isEqualTo("n/a");
        assertThat(Digits.fixed(10.370300000001, 6)).isEqualTo("10.3703");
        assertThat(Digits.fixed(-0.0000001, 2)).isEqualTo("0");
    }
}
