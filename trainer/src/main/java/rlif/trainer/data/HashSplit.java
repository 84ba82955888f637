package rlif.trainer.data;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The held-out split of a data file: a row is held out when the SHA-256 of {@code "seed:id"} (its first eight
 * bytes read as a fraction of 2^64) falls below {@code fraction}. A pure function of the row's id, so the split
 * does not depend on the file's order or length, and the same seed gives the same split in every run.
 */
public record HashSplit(long seed, double fraction) {
    public boolean heldOut(String id) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest((seed + ":" + id).getBytes(StandardCharsets.UTF_8));
            long bits = 0;
            for (int i = 0; i < 8; i++) {
                bits = (bits << 8) | (h[i] & 0xff);
            }
            // the top 53 bits as a double in [0, 1)
            return (bits >>> 11) * 0x1.0p-53 < fraction;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** How run.json states the rule. */
    public String describe() {
        return "held out when SHA-256(\"" + seed + ":\" + id) / 2^256 < " + fraction;
    }
}
