package rlif.models.generation;

/** How the generation loop carries the key/value cache from one step to the next. */
public enum CacheMode {
    /** The decoder's own present outputs: each step's cache is the last one plus a column (a concat in the decoder). */
    GROWN,
    /**
     * One buffer of {@code prompt + max_new_tokens} columns per cache tensor, allocated once; each step feeds the
     * written columns and writes its new ones at their position ({@code ScatterElements}).
     */
    PREALLOCATED
}
