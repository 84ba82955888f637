package rlif.trainer.loop;

import java.lang.management.ManagementFactory;
import javax.management.ObjectName;

/**
 * Hands the C heap's free pages back to the operating system ({@code malloc_trim}, through the JVM's
 * {@code System.trim_native_heap} diagnostic command) between the phases of a step. ONNX Runtime's buffers live on
 * that heap: the rollout frees its KV caches (a few MB each, one column longer every decode step) and the training
 * graph its activations, but glibc keeps most freed chunks below its mmap threshold, so without a trim the
 * resident size after one phase is carried into the next whatever it needs (docs/training.md, "Memory").
 * Where the command does not exist (another JVM or C library) this does nothing.
 */
final class NativeHeap {
    private static final String OPERATION = "systemTrimNativeHeap";
    private static volatile boolean available = !"false".equals(System.getProperty("rlif.trimNativeHeap"));

    private NativeHeap() {}

    /** Trims the C heap; returns false when this JVM cannot. */
    static boolean trim() {
        if (!available) {
            return false;
        }
        try {
            ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), OPERATION,
                    new Object[] {null}, new String[] {String[].class.getName()});
            return true;
        } catch (Exception | LinkageError e) {
            available = false;
            return false;
        }
    }
}
