package rlif.models.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GPT-2's byte-level pre-tokenization, as Hugging Face tokenizers' {@code ByteLevel} pre-tokenizer does it with
 * {@code add_prefix_space: false, use_regex: true}: split text with GPT-2's regex (contractions, runs of letters,
 * runs of digits, runs of other symbols, each with at most one leading space, and whitespace), then spell every
 * UTF-8 byte of a piece as one printable character ({@code ' '} becomes {@code 'Ġ'}, {@code '\n'} becomes
 * {@code 'Ċ'}), so a vocabulary of 256 base symbols covers any text and no token is ever unknown.
 */
public final class ByteLevel {
    /**
     * GPT-2's split pattern. Unicode classes for {@code \s} (the tokenizers library matches with Oniguruma, whose
     * {@code \s} is Unicode); {@code \p{L}} and {@code \p{N}} are Unicode in Java already.
     */
    private static final Pattern SPLIT = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);
    private static final char[] BYTE_TO_CHAR = byteToChar();

    private ByteLevel() {}

    /**
     * GPT-2's table: printable Latin-1 bytes stand for themselves, the other 68 bytes (controls, space, 0x7F-0xA0,
     * 0xAD) map to 256, 257, ... in byte order.
     */
    private static char[] byteToChar() {
        char[] table = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            table[b] = (char) (printable ? b : next++);
        }
        return table;
    }

    /** The character that spells byte {@code b} (0-255). */
    public static char charOf(int b) {
        return BYTE_TO_CHAR[b & 0xff];
    }

    /** The 256 base symbols, in code-point order (the order Hugging Face's trainer gives them ids in). */
    public static List<String> alphabet() {
        char[] sorted = BYTE_TO_CHAR.clone();
        java.util.Arrays.sort(sorted);
        List<String> out = new ArrayList<>(256);
        for (char c : sorted) {
            out.add(String.valueOf(c));
        }
        return out;
    }

    /** The pre-tokenized pieces of {@code text}, each spelled in byte-level characters. */
    public static List<String> pieces(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = SPLIT.matcher(text);
        while (m.find()) {
            out.add(spell(m.group()));
        }
        return out;
    }

    /** The byte-level spelling of a string's UTF-8 bytes. */
    public static String spell(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            sb.append(BYTE_TO_CHAR[b & 0xff]);
        }
        return sb.toString();
    }
}
