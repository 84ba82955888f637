package rlif.models.progress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final AtomicLong nanos = new AtomicLong();

    private ProgressSink sink(ProgressSink.Mode mode) {
        return ProgressSink.to(new PrintStream(bytes, true, StandardCharsets.UTF_8), mode, nanos::get);
    }

    private String text() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private void advance(double seconds) {
        nanos.addAndGet((long) (seconds * 1e9));
    }

    @Test
    void onATerminalTheBarIsRedrawnInPlaceWithRateAndTimeLeftAndNoEscapes() {
        ProgressSink sink = sink(ProgressSink.Mode.TTY);
        try (Progress bar = sink.bar("score", 100, "rollouts")) {
            for (int i = 0; i < 40; i++) {
                advance(0.1);
                bar.step();
            }
        }
        String out = text();
        assertThat(out).doesNotContain("\u001b");
        // redrawn every 0.15 s at most: 40 steps over 4 s give about 20 redraws, not 40
        long redraws = out.chars().filter(c -> c == '\r').count();
        assertThat(redraws).isBetween(15L, 25L);
        String last = out.substring(out.lastIndexOf('\r') + 1);
        // 40 rollouts in 4 s: 10/s, 60 left at that rate: 0:06
        assertThat(last).isEqualTo("score [#########---------------] 40/100 rollouts 40%  10.0/s  0:04 elapsed, 0:06 left\n");
    }

    @Test
    void inALogTheBarPrintsWholeLinesAtEachTenthAndNoCarriageReturns() {
        ProgressSink sink = sink(ProgressSink.Mode.PLAIN);
        try (Progress bar = sink.bar("train", 50, "steps")) {
            for (int i = 0; i < 50; i++) {
                advance(1);
                bar.step();
                if (i == 25) {
                    bar.message("loss 0.1234");
                }
            }
        }
        String out = text();
        assertThat(out).doesNotContain("\r").doesNotContain("\u001b");
        String[] lines = out.split("\n");
        // the start, each tenth (10%..90%), and the end
        assertThat(lines).hasSize(11);
        assertThat(lines[0]).startsWith("train [------------------------] 0/50 steps 0%  ?/s  0:00 elapsed, ? left");
        assertThat(lines[10]).isEqualTo("train [########################] 50/50 steps 100%  1.0/s  0:50 elapsed  loss 0.1234");
    }

    @Test
    void inALogASlowBarStillPrintsALineEveryMinute() {
        ProgressSink sink = sink(ProgressSink.Mode.PLAIN);
        try (Progress bar = sink.bar("train", 1000, "steps")) {
            for (int i = 0; i < 5; i++) {
                advance(30);
                bar.step();
            }
        }
        // start, after 60 s, after 120 s, and the end: 30 s per step is 0.033 steps/s
        String[] lines = text().split("\n");
        assertThat(lines).hasSize(4);
        assertThat(lines[1]).contains("2/1000 steps 0%  0.033/s  1:00 elapsed, 8:19:00 left");
    }

    @Test
    void aResumedRunCountsOnlyItsOwnUnitsInTheRate() {
        ProgressSink sink = sink(ProgressSink.Mode.PLAIN);
        try (Progress bar = sink.bar("score", 100, "rollouts", 80)) {
            advance(10);
            bar.stepTo(90);
        }
        assertThat(text()).endsWith("score [#####################---] 90/100 rollouts 90%  1.0/s  0:10 elapsed, 0:10 left\n");
    }

    @Test
    void aPhasePrintsWhatAndThenHowLong() {
        ProgressSink sink = sink(ProgressSink.Mode.TTY);
        int result = sink.during("opening model /m", () -> {
            advance(18.24);
            return 7;
        });
        assertThat(result).isEqualTo(7);
        Phase hashing = sink.phase("hashing model files");
        advance(0.5);
        sink.line("a warning in between");
        hashing.close();
        assertThat(text()).isEqualTo("opening model /m ... 18.2 s\nhashing model files ...\na warning in between\n"
                + "hashing model files: 0.50 s\n");
    }

    @Test
    void aLineAfterAnOpenBarStartsOnItsOwnLine() {
        ProgressSink sink = sink(ProgressSink.Mode.TTY);
        Progress bar = sink.bar("bench", 4, "calls");
        sink.line("status");
        bar.close();
        String out = text();
        assertThat(out).startsWith("\rbench [------------------------] 0/4 calls 0%  ?/s  0:00 elapsed, ? left\nstatus\n");
    }

    @Test
    void offPrintsNothing() {
        ProgressSink sink = sink(ProgressSink.Mode.OFF);
        try (Progress bar = sink.bar("x", 3, "u")) {
            sink.during("y", () -> {
                bar.step(3);
                sink.line("z");
                return null;
            });
        }
        assertThat(text()).isEmpty();
        assertThat(Progress.rate(0.1)).isEqualTo("0.10");
        assertThat(Progress.clock(3725)).isEqualTo("1:02:05");
    }
}
