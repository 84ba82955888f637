import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

/**
 * The least a Java program using ONNX Runtime's Java binding can be: with no argument it prints a line and exits
 * (the JVM alone); with a model file it opens one session on one intra-op thread, as rlif does for tiny decoders,
 * and exits without running it. bench/peer/jvm-floor.sh measures its peak RSS beside a Python process doing the
 * same with onnxruntime (docs/rollout-engine.md, Memory).
 */
public final class JvmFloor {
    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.out.println("jvm only");
            return;
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(args[0], options)) {
                System.out.println(session.getInputNames().size() + " inputs");
            }
        }
    }
}
