package rlif.models.fuzz;

import com.code_intelligence.jazzer.utils.Log;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Keeps Jazzer's bookkeeping out of the test log: when its agent loads (once per test JVM) it prints one
 * {@code INFO: Loaded N hooks from ...} line per hook class (23 per module), and then one
 * {@code INFO: Instrumented <class> ...} line per class it instruments (hundreds). Every other Jazzer line
 * (warnings, findings, errors) still reaches stderr. Registered for the JUnit launcher in
 * {@code META-INF/services}, so it is in place before the first fuzz test loads the agent.
 */
public final class QuietJazzerLog implements LauncherSessionListener {
    @Override
    public void launcherSessionOpened(LauncherSession session) {
        PrintStream err = System.err;
        Log.fixOutErr(System.out, new PrintStream(new DropHookLines(err), true, StandardCharsets.UTF_8));
    }

    /** Passes whole lines on, except the bookkeeping ones. */
    private static final class DropHookLines extends OutputStream {
        private final PrintStream target;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        DropHookLines(PrintStream target) {
            this.target = target;
        }

        @Override
        public synchronized void write(int b) {
            line.write(b);
            if (b == '\n') {
                String text = line.toString(StandardCharsets.UTF_8);
                line.reset();
                boolean chatter = text.startsWith("INFO: Loaded ") && text.contains(" hooks from ")
                        || text.startsWith("INFO: Instrumented ");
                if (!chatter) {
                    target.print(text);
                    target.flush();
                }
            }
        }

        @Override
        public synchronized void close() {
            target.print(line.toString(StandardCharsets.UTF_8));
            line.reset();
            target.flush();
        }
    }
}
