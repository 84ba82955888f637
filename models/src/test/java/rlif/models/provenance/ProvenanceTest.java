package rlif.models.provenance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProvenanceTest {
    @TempDir
    Path dir;

    @Test
    void modelDigestIsSha256OfEachFilesPathSizeAndBytesInPathOrder() throws Exception {
        Path a = dir.resolve("a");
        Files.createDirectories(a.resolve("sub"));
        Files.writeString(a.resolve("config.json"), "{}");
        Files.write(a.resolve("sub/w.bin"), new byte[] {1, 2, 3});
        // the same stream, composed by hand and hashed in one go
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (String[] f : new String[][] {{"config.json", "{}"}, {"sub/w.bin", "\u0001\u0002\u0003"}}) {
            expected.write(f[0].getBytes(StandardCharsets.UTF_8));
            expected.write(0);
            byte[] body = f[1].getBytes(StandardCharsets.ISO_8859_1);
            expected.write(ByteBuffer.allocate(8).putLong(body.length).array());
            expected.write(body);
        }
        String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(expected.toByteArray()));
        assertThat(ModelDigest.of(a)).isEqualTo("sha256:" + hex);
    }

    @Test
    void sameFilesElsewhereGiveTheSameDigestAndOneChangedByteAnother() throws Exception {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        for (Path d : new Path[] {a, b}) {
            Files.createDirectories(d);
            Files.write(d.resolve("model.onnx.data"), new byte[3 << 20]); // several read buffers
            Files.writeString(d.resolve("config.json"), "{\"vocab_size\": 7}");
        }
        assertThat(ModelDigest.of(a)).isEqualTo(ModelDigest.of(b));
        byte[] changed = new byte[3 << 20];
        changed[2 << 20] = 1;
        Files.write(b.resolve("model.onnx.data"), changed);
        assertThat(ModelDigest.of(a)).isNotEqualTo(ModelDigest.of(b));
    }

    @Test
    void theCommandIsQuotedSoAShellCanRunItAgain() {
        Provenance.recordCommand("rlif", "score", "--data", "arith:level=1,n=5", "--out", "/tmp/my run", "it's");
        assertThat(Provenance.commandLine()).isEqualTo("rlif score --data arith:level=1,n=5 --out '/tmp/my run' 'it'\\''s'");
        Provenance p = Provenance.now("sha256:00");
        assertThat(p.toMap()).containsKeys("rlif_version", "git_commit", "date", "command", "model_digest");
        assertThat(p.rlifVersion()).matches("\\d+\\.\\d+\\.\\d+.*");
        assertThat(p.date()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
    }
}
